"""Time control for tests: POST /_nimbus/clock moves nimbus's clock forward (only when enabled),
and time-driven behaviour follows it: an SQS visibility timeout of 10 minutes passes at once."""
import json
import os
import time
import unittest

from nimbus_harness import NimbusServer, NimbusTestCase


class ClockControlTest(NimbusTestCase):
    server_args = ("--enable-clock-control",)

    def advance(self, seconds):
        status, _, body = self.server.http("POST", "/_nimbus/clock",
                                           json.dumps({"advance_seconds": seconds}).encode())
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_advance_moves_now_forward(self):
        before = json.loads(self.server.http("GET", "/_nimbus/clock")[2])["now"]
        after = self.advance(3600)
        self.assertGreaterEqual(after["now"] - before, 3600)
        self.assertGreaterEqual(after["offset_seconds"], 3600)

    def test_bad_body_is_400(self):
        status, _, _ = self.server.http("POST", "/_nimbus/clock", b'{"advance_seconds": -5}')
        self.assertEqual(status, 400)
        status, _, _ = self.server.http("POST", "/_nimbus/clock", b"nonsense")
        self.assertEqual(status, 400)

    def test_sqs_visibility_timeout_passes_with_the_clock(self):
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName="clocked")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="hello")
        first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"]
        self.assertEqual(len(first), 1)
        self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url))
        t0 = time.time()
        self.advance(601)
        again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual([m["Body"] for m in again], ["hello"])
        self.assertLess(time.time() - t0, 1.5)

    def test_dynamodb_ttl_expiry_follows_the_clock(self):
        ddb = self.client("dynamodb")
        ddb.create_table(TableName="sessions",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
        now = json.loads(self.server.http("GET", "/_nimbus/clock")[2])["now"]
        ddb.put_item(TableName="sessions", Item={"id": {"S": "short"},
                                                 "expires": {"N": str(int(now) + 900)}})
        ddb.put_item(TableName="sessions", Item={"id": {"S": "long"},
                                                 "expires": {"N": str(int(now) + 86400)}})
        t0 = time.time()
        self.advance(901)  # a 15-minute expiry, without the wait
        left = [i["id"]["S"] for i in ddb.scan(TableName="sessions")["Items"]]
        self.assertEqual(left, ["long"])
        self.assertLess(time.time() - t0, 1.0)


class TokenExpiryTest(unittest.TestCase):
    """Under --auth strict, STS temporary credentials stop working at their Expiration, which
    follows the moved clock: a 15-minute session is tested without waiting."""

    def test_session_credentials_expire_with_the_clock(self):
        import botocore.exceptions
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"access_key_id": "AKIAIOSFODNN7EXAMPLE",
                        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "account_id": "000000000000"}], f)
        server = NimbusServer("--auth", "strict", "--credentials", f.name,
                              "--enable-clock-control", ephemeral=True)
        try:
            server.start()
            creds = server.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
            kw = dict(access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"],
                      session_token=creds["SessionToken"])
            sts = server.client("sts", **kw)
            ddb = server.client("dynamodb", **kw)
            s3 = server.client("s3", **kw)
            self.assertEqual(sts.get_caller_identity()["Account"], "000000000000")
            ddb.list_tables()
            t0 = time.time()
            status, _, body = server.http("POST", "/_nimbus/clock", b'{"advance_seconds": 901}')
            self.assertEqual(status, 200, body)
            for call, code, http_status in [
                    (sts.get_caller_identity, "ExpiredToken", 403),
                    (ddb.list_tables, "ExpiredTokenException", 400),
                    (s3.list_buckets, "ExpiredToken", 400)]:
                with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                    call()
                err = ctx.exception.response
                self.assertEqual(err["Error"]["Code"], code)
                self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], http_status)
            self.assertLess(time.time() - t0, 1.0)
            # long-term keys are not affected
            self.assertEqual(server.client("sts").get_caller_identity()["Account"], "000000000000")
        finally:
            server.cleanup()
            os.unlink(f.name)


class ClockControlDisabledTest(unittest.TestCase):
    def test_disabled_by_default(self):
        server = NimbusServer(ephemeral=True)
        try:
            server.start()
            status, _, body = server.http("POST", "/_nimbus/clock", b'{"advance_seconds": 60}')
            self.assertEqual(status, 403)
            self.assertIn(b"--enable-clock-control", body)
            status, _, body = server.http("GET", "/_nimbus/clock")
            self.assertEqual(json.loads(body)["offset_seconds"], 0)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
