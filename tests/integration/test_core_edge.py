"""The edge: internal routes, routing by X-Amz-Target / SigV4 scope / Action / path, unserved
services answered in their protocol's envelope, per-request metrics, NotImplemented operations."""
import json
import re
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase


class InternalRoutesTest(NimbusTestCase):
    def test_health_lists_services_with_implemented_counts(self):
        status, headers, body = self.server.http("GET", "/_nimbus/health")
        self.assertEqual(status, 200)
        self.assertIn("application/json", headers["Content-Type"])
        h = json.loads(body)
        self.assertRegex(h["version"], r"^\d+\.\d+\.\d+$")
        self.assertGreaterEqual(h["uptime_seconds"], 0)
        sts = h["services"]["sts"]
        self.assertEqual(sts["state"], "running")
        self.assertEqual(sts["operations"], 11)
        self.assertGreaterEqual(sts["implemented"], 4)
        for name in ("dynamodb", "s3", "sqs", "sns", "lambda", "iam", "logs", "events"):
            self.assertIn(name, h["services"])
            self.assertGreater(h["services"][name]["operations"], 0)

    def test_localstack_health_shape(self):
        status, _, body = self.server.http("GET", "/_localstack/health")
        self.assertEqual(status, 200)
        h = json.loads(body)
        self.assertEqual(h["services"]["sts"], "running")
        self.assertIn(h["services"]["cloudfront"], ("running", "disabled"))
        self.assertEqual(h["edition"], "nimbus")
        self.assertRegex(h["version"], r"^\d+\.\d+\.\d+$")

    def test_metrics_count_requests_per_operation(self):
        sts = self.client("sts")
        for _ in range(3):
            sts.get_caller_identity()
        status, headers, body = self.server.http("GET", "/_nimbus/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        m = re.search(r'nimbus_requests_total\{service="sts",operation="GetCallerIdentity",'
                      r'status="200"\} (\d+)', text)
        self.assertIsNotNone(m, text)
        self.assertGreaterEqual(int(m.group(1)), 3)
        self.assertIn('nimbus_request_duration_seconds_bucket{service="sts",'
                      'operation="GetCallerIdentity",le="+Inf"}', text)
        self.assertIn("# TYPE nimbus_request_duration_seconds histogram", text)

    def test_reset_wipes_state(self):
        creds = self.client("sts").get_session_token()["Credentials"]
        status, _, body = self.server.reset()
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"reset": True})

    def test_unknown_internal_route_is_404_json(self):
        status, _, body = self.server.http("GET", "/_nimbus/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["message"], "Not Found")

    def test_reset_requires_post(self):
        status, _, _ = self.server.http("GET", "/_nimbus/reset")
        self.assertEqual(status, 404)

    def test_every_response_names_its_request_id(self):
        status, headers, _ = self.server.http(
            "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        self.assertRegex(headers["x-amzn-RequestId"], r"^[0-9a-f-]{36}$")


class RoutingTest(NimbusTestCase):
    def test_unsigned_form_action_routes_by_version(self):
        status, headers, body = self.server.http(
            "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        self.assertIn(b"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
                      b"2011-06-15/\">", body)
        self.assertIn(b"<Account>000000000000</Account>", body)

    def test_get_with_query_action(self):
        status, _, body = self.server.http("GET", "/?Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual(status, 200)
        self.assertIn(b"<Arn>arn:aws:iam::000000000000:root</Arn>", body)

    def test_unserved_json_service_answers_json_error(self):
        status, headers, body = self.server.http(
            "POST", "/", b"{}", {"X-Amz-Target": "AWSGlue.GetTables",
                                 "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(status, 501)
        err = json.loads(body)
        self.assertEqual(err["__type"], "NotImplemented")
        self.assertIn("AWSGlue", err["message"])

    def test_unserved_query_service_answers_xml_error_response(self):
        status, _, body = self.server.http(
            "POST", "/", b"Action=DescribeInstances&Version=2016-11-15",
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/"
                              "aws4_request, SignedHeaders=host, Signature=00"})
        self.assertEqual(status, 501)
        self.assertIn(b"<ErrorResponse>", body)
        self.assertIn(b"<Code>NotImplemented</Code>", body)
        self.assertIn(b"the service &apos;ec2&apos;", body)

    def test_unserved_service_through_boto3_is_a_client_error(self):
        glue = self.client("glue")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            glue.get_databases()
        self.assertAwsError(ctx, "NotImplemented", 501)

    def test_model_operation_without_handler_names_the_operation(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.client("kinesis").list_streams()
        err = self.assertAwsError(ctx, "NotImplementedException", 501)
        self.assertIn("ListStreams", err["Error"]["Message"])

    def test_unknown_target_operation(self):
        status, _, body = self.server.http(
            "POST", "/", b"{}", {"X-Amz-Target": "Kinesis_20131202.NoSuchOp",
                                 "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "UnknownOperationException")

    def test_cli_reaches_sts_with_the_endpoint(self):
        code, out, _ = self.server.aws("sts", "get-caller-identity")
        self.assertEqual(out["Account"], "000000000000")


if __name__ == "__main__":
    unittest.main()
