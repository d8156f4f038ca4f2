"""SigV4 in strict mode: unknown keys, wrong secrets and stale dates answer 403 in the calling
protocol's envelope; permissive mode takes anything; credentials files pick the account."""
import datetime
import json
import os
import tempfile
import unittest

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer, NimbusTestCase


def write_credentials():
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                "account_id": "000000000000"},
               {"access_key_id": "AKIAOTHERACCOUNT0001", "secret_access_key": "other-secret",
                "account_id": "444455556666"}], f)
    f.close()
    return f.name


class StrictAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cred_file = write_credentials()
        cls.server = NimbusServer("--auth", "strict", "--credentials", cls.cred_file).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.cred_file)

    def error(self, fn):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn()
        return ctx.exception.response

    def test_known_key_is_accepted_with_its_account(self):
        r = self.server.client("sts", access_key="AKIAOTHERACCOUNT0001",
                               secret_key="other-secret").get_caller_identity()
        self.assertEqual(r["Account"], "444455556666")

    def test_unknown_key_query_protocol(self):
        err = self.error(lambda: self.server.client(
            "sts", access_key="AKIANOTKNOWN00000000").get_caller_identity())
        self.assertEqual(err["Error"]["Code"], "InvalidClientTokenId")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(err["Error"]["Message"],
                         "The security token included in the request is invalid.")

    def test_wrong_secret_query_protocol(self):
        err = self.error(lambda: self.server.client(
            "sts", secret_key="not-the-secret").get_caller_identity())
        self.assertEqual(err["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_unknown_key_json_protocol(self):
        err = self.error(lambda: self.server.client(
            "kinesis", access_key="AKIANOTKNOWN00000000").list_streams())
        self.assertEqual(err["Error"]["Code"], "UnrecognizedClientException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_wrong_secret_json_protocol(self):
        err = self.error(lambda: self.server.client(
            "kinesis", secret_key="not-the-secret").list_streams())
        self.assertEqual(err["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)

    def signed_raw(self, when):
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=self.server.endpoint + "/", data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        signer = botocore.auth.SigV4Auth(
            botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "sts", "us-east-1")
        orig = datetime.datetime
        class Frozen(orig):
            @classmethod
            def utcnow(cls):
                return when
            @classmethod
            def now(cls, tz=None):
                return when.replace(tzinfo=tz) if tz else when
        botocore.auth.datetime.datetime = Frozen
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.datetime.datetime = orig
        prepared = req.prepare()
        return self.server.http("POST", "/", body, dict(prepared.headers))

    def test_stale_date_is_a_skew_error(self):
        stale = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
        status, _, body = self.signed_raw(stale)
        self.assertEqual(status, 403, body)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
        self.assertIn(b"Signature expired", body)

    def test_fresh_raw_signature_is_accepted(self):
        status, _, body = self.signed_raw(datetime.datetime.utcnow())
        self.assertEqual(status, 200, body)

    def test_unsigned_request_is_rejected(self):
        status, _, body = self.server.http(
            "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>MissingAuthenticationToken</Code>", body)

    def test_malformed_authorization_header(self):
        status, _, body = self.server.http(
            "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "AWS4-HMAC-SHA256 garbage"})
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>IncompleteSignature</Code>", body)

    def test_presigned_url_works_in_strict_mode(self):
        sts = self.server.client("sts")
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        path = url[len(self.server.endpoint):]
        status, _, body = self.server.http("GET", path)
        self.assertEqual(status, 200, body)
        self.assertIn(b"<Account>000000000000</Account>", body)


class PermissiveAuthTest(NimbusTestCase):
    def test_any_key_and_any_secret_work(self):
        r = self.client("sts", access_key="anything", secret_key="whatever").get_caller_identity()
        self.assertEqual(r["Account"], "000000000000")

    def test_garbage_authorization_is_ignored(self):
        status, _, _ = self.server.http(
            "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "Bearer nonsense"})
        self.assertEqual(status, 200)


class CliOptionsTest(unittest.TestCase):
    def test_environment_variables_configure_the_server(self):
        server = NimbusServer(ephemeral=True, env={"NIMBUS_ACCOUNT": "123456789012",
                                                   "NIMBUS_REGION": "eu-west-1"})
        try:
            server.start()
            r = server.client("sts").get_caller_identity()
            self.assertEqual(r["Account"], "123456789012")
            status, _, body = server.http("GET", "/_nimbus/health")
            h = json.loads(body)
            self.assertEqual(h["region"], "eu-west-1")
            self.assertEqual(h["storage"], "memory")
        finally:
            server.cleanup()

    def test_non_loopback_permissive_prints_a_warning(self):
        server = NimbusServer("--host", "0.0.0.0", ephemeral=True)
        try:
            server.start()
            self.assertIn("WARNING: listening on 0.0.0.0 with --auth permissive",
                          server.read_log())
        finally:
            server.cleanup()

    def test_loopback_prints_no_warning(self):
        server = NimbusServer(ephemeral=True)
        try:
            server.start()
            self.assertNotIn("WARNING", server.read_log())
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
