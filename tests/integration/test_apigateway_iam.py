"""AWS_IAM authorization of REST API methods and HTTP API routes: requests signed with SigV4 for
the signing name execute-api (botocore's SigV4Auth, as the SDKs sign them) through the Host form
and the /_aws/execute-api path form; the caller in the Lambda event and in $context.identity;
what unsigned, malformed and (under --auth strict) wrongly signed, stale or unknown-key requests
are answered; gateway responses for those refusals; NONE routes next to them stay open."""
import datetime
import http.client
import json
import os
import tempfile
import unittest
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer, NimbusTestCase
import test_lambda_support as support

OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT = "AKIAOTHERACCOUNT0001", "other-secret", "444455556666"

ECHO = ("import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps(event)}\n")

IDENTITY_TEMPLATE = (
    '{"accessKey": "$context.identity.accessKey", "accountId": "$context.identity.accountId",'
    ' "caller": "$context.identity.caller", "user": "$context.identity.user",'
    ' "userArn": "$context.identity.userArn"}')

MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")


def send(server, api_id, path, method="GET", body=b"", form="host", sign=True,
         access_key=ACCESS_KEY, secret_key=SECRET_KEY, service="execute-api", headers=None,
         tamper=False, presign=False):
    """One invocation: the URL the client asks for (by Host or by the /_aws path), signed as
    botocore signs it. Returns (status, headers, parsed body)."""
    if form == "host":
        netloc = "%s.execute-api.localhost:%d" % (api_id, server.port)
        url = "http://%s%s" % (netloc, path)
    else:
        netloc = "127.0.0.1:%d" % server.port
        url = "http://%s/_aws/execute-api/%s%s" % (netloc, api_id, path)
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                         headers=dict(headers or {}))
    if sign:
        creds = botocore.credentials.Credentials(access_key, secret_key)
        signer = (botocore.auth.SigV4QueryAuth(creds, service, "us-east-1", expires=300)
                  if presign else botocore.auth.SigV4Auth(creds, service, "us-east-1"))
        signer.add_auth(req)
    prepared = req.prepare()
    out_headers = dict(prepared.headers)
    if tamper:
        auth = out_headers["Authorization"]
        out_headers["Authorization"] = auth[:-4] + ("0000" if not auth.endswith("0000")
                                                    else "1111")
    out_headers["Host"] = netloc
    target = prepared.url.split(netloc, 1)[1]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, target, body=body or None, headers=out_headers)
        r = conn.getresponse()
        data = r.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data
        return r.status, r.headers, parsed
    finally:
        conn.close()


def write_credentials():
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                "account_id": "000000000000"},
               {"access_key_id": OTHER_KEY, "secret_access_key": OTHER_SECRET,
                "account_id": OTHER_ACCOUNT}], f)
    f.close()
    return f.name


class Apis:
    """Builders shared by the permissive and the strict tests."""

    def rest_mock_api(self):
        """A REST API, stage prod: GET /iam (AWS_IAM, MOCK answering $context.identity) and
        GET /open (NONE, MOCK)."""
        apigw = self.server.client("apigateway")
        api = apigw.create_rest_api(name="iam")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        for part, auth in (("iam", "AWS_IAM"), ("open", "NONE")):
            res = apigw.create_resource(restApiId=api, parentId=root, pathPart=part)["id"]
            apigw.put_method(restApiId=api, resourceId=res, httpMethod="GET",
                             authorizationType=auth)
            apigw.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                                  requestTemplates={"application/json": '{"statusCode": 200}'})
            apigw.put_method_response(restApiId=api, resourceId=res, httpMethod="GET",
                                      statusCode="200")
            apigw.put_integration_response(
                restApiId=api, resourceId=res, httpMethod="GET", statusCode="200",
                responseTemplates={"application/json": IDENTITY_TEMPLATE if auth == "AWS_IAM"
                                   else '{"open": true}'})
        apigw.create_deployment(restApiId=api, stageName="prod")
        return api

    def http_api(self, function_arn, version="2.0"):
        """An HTTP API ($default stage): GET /iam (AWS_IAM) and GET /open (NONE), both the echo
        function's Lambda proxy."""
        v2 = self.server.client("apigatewayv2")
        api = v2.create_api(Name="iam", ProtocolType="HTTP")["ApiId"]
        integ = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY",
                                      IntegrationUri=function_arn,
                                      PayloadFormatVersion=version)["IntegrationId"]
        v2.create_route(ApiId=api, RouteKey="GET /iam", AuthorizationType="AWS_IAM",
                        Target="integrations/" + integ)
        v2.create_route(ApiId=api, RouteKey="GET /open", Target="integrations/" + integ)
        v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
        return api

    @classmethod
    def make_echo(cls):
        lam = cls.server.client("lambda")
        return lam.create_function(
            FunctionName="echo", Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": ECHO})},
            Timeout=10)["FunctionArn"]


class PermissiveIamTest(NimbusTestCase, Apis):
    """Default (permissive) mode: a well-formed execute-api signature is required, its value is
    not checked."""
    reset_between_tests = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.function_arn = cls.make_echo()

    def test_rest_signed_both_url_forms_reach_mapping_template(self):
        api = self.rest_mock_api()
        for form in ("host", "path"):
            status, _, body = send(self.server, api, "/prod/iam", form=form)
            self.assertEqual(status, 200, (form, body))
            self.assertEqual(body, {"accessKey": ACCESS_KEY, "accountId": "000000000000",
                                    "caller": "000000000000", "user": "000000000000",
                                    "userArn": "arn:aws:iam::000000000000:root"}, form)

    def test_rest_unsigned_is_missing_authentication_token(self):
        api = self.rest_mock_api()
        for form in ("host", "path"):
            status, headers, body = send(self.server, api, "/prod/iam", form=form, sign=False)
            self.assertEqual(status, 403)
            self.assertEqual(body, {"message": "Missing Authentication Token"})
            self.assertEqual(headers["x-amzn-ErrorType"], "MissingAuthenticationTokenException")
        # The NONE method next to it is open.
        status, _, body = send(self.server, api, "/prod/open", sign=False)
        self.assertEqual((status, body), (200, {"open": True}))

    def test_rest_malformed_and_wrongly_scoped_signatures(self):
        api = self.rest_mock_api()
        status, headers, body = send(self.server, api, "/prod/iam", sign=False,
                                     headers={"Authorization": "Bearer abc"})
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-ErrorType"], "IncompleteSignatureException")
        self.assertIn("AWS4-HMAC-SHA256", body["message"])
        status, headers, body = send(self.server, api, "/prod/iam", service="lambda")
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-ErrorType"], "InvalidSignatureException")
        self.assertEqual(body["message"],
                         "Credential should be scoped to correct service: 'execute-api'. ")

    def test_rest_permissive_accepts_any_signature_value(self):
        api = self.rest_mock_api()
        status, _, body = send(self.server, api, "/prod/iam", tamper=True,
                               access_key="123456789012")
        self.assertEqual(status, 200, body)
        # A 12-digit access key id stands for its account, as for AWS APIs.
        self.assertEqual(body["accountId"], "123456789012")
        status, _, body = send(self.server, api, "/prod/iam", presign=True)
        self.assertEqual(status, 200, body)

    def test_rest_missing_token_gateway_response(self):
        api = self.rest_mock_api()
        apigw = self.server.client("apigateway")
        apigw.put_gateway_response(
            restApiId=api, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="401",
            responseTemplates={"application/json":
                               '{"why": $context.error.messageString, '
                               '"type": "$context.error.responseType"}'})
        apigw.create_deployment(restApiId=api, stageName="prod")
        status, _, body = send(self.server, api, "/prod/iam", sign=False)
        self.assertEqual(status, 401)
        self.assertEqual(body, {"why": "Missing Authentication Token",
                                "type": "MISSING_AUTHENTICATION_TOKEN"})

    def test_rest_lambda_proxy_event_identity(self):
        apigw = self.server.client("apigateway")
        api = apigw.create_rest_api(name="iam-proxy")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        res = apigw.create_resource(restApiId=api, parentId=root, pathPart="iam")["id"]
        apigw.put_method(restApiId=api, resourceId=res, httpMethod="POST",
                         authorizationType="AWS_IAM")
        apigw.put_integration(
            restApiId=api, resourceId=res, httpMethod="POST", type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"
                % self.function_arn)
        apigw.create_deployment(restApiId=api, stageName="prod")
        for form in ("host", "path"):
            status, _, event = send(self.server, api, "/prod/iam?x=1", method="POST",
                                    body=b'{"a": 1}', form=form,
                                    headers={"Content-Type": "application/json"})
            self.assertEqual(status, 200, event)
            identity = event["requestContext"]["identity"]
            self.assertEqual(identity["accessKey"], ACCESS_KEY)
            self.assertEqual(identity["accountId"], "000000000000")
            self.assertEqual(identity["caller"], "000000000000")
            self.assertEqual(identity["user"], "000000000000")
            self.assertEqual(identity["userArn"], "arn:aws:iam::000000000000:root")
            self.assertIsNone(identity["cognitoIdentityId"])
            self.assertEqual(event["body"], '{"a": 1}')

    def test_http_api_v2_authorizer_iam(self):
        api = self.http_api(self.function_arn)
        for form in ("host", "path"):
            status, _, event = send(self.server, api, "/iam", form=form)
            self.assertEqual(status, 200, event)
            self.assertEqual(event["requestContext"]["authorizer"], {"iam": {
                "accessKey": ACCESS_KEY, "accountId": "000000000000",
                "callerId": "000000000000", "cognitoIdentity": None, "principalOrgId": None,
                "userArn": "arn:aws:iam::000000000000:root", "userId": "000000000000"}})
            status, headers, body = send(self.server, api, "/iam", form=form, sign=False)
            self.assertEqual((status, body), (403, {"message": "Forbidden"}))
            self.assertIn("apigw-requestid", headers)
        status, _, event = send(self.server, api, "/open", sign=False)
        self.assertEqual(status, 200)
        self.assertNotIn("authorizer", event["requestContext"])

    def test_http_api_v1_identity(self):
        api = self.http_api(self.function_arn, version="1.0")
        status, _, event = send(self.server, api, "/iam")
        self.assertEqual(status, 200, event)
        identity = event["requestContext"]["identity"]
        self.assertEqual((identity["accessKey"], identity["accountId"], identity["userArn"]),
                         (ACCESS_KEY, "000000000000", "arn:aws:iam::000000000000:root"))


class StrictIamTest(unittest.TestCase, Apis):
    """--auth strict: the signature is verified against the key's secret."""

    @classmethod
    def setUpClass(cls):
        cls.cred_file = write_credentials()
        cls.server = NimbusServer("--auth", "strict", "--credentials", cls.cred_file).start()
        cls.function_arn = cls.make_echo()
        cls.rest = Apis.rest_mock_api(cls)
        cls.http = Apis.http_api(cls, cls.function_arn)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.cred_file)

    def test_known_key_passes_with_its_account(self):
        for form in ("host", "path"):
            status, _, body = send(self.server, self.rest, "/prod/iam", form=form,
                                   access_key=OTHER_KEY, secret_key=OTHER_SECRET)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["accountId"], OTHER_ACCOUNT)
            self.assertEqual(body["userArn"], "arn:aws:iam::%s:root" % OTHER_ACCOUNT)
        status, _, body = send(self.server, self.rest, "/prod/iam", presign=True)
        self.assertEqual(status, 200, body)
        status, _, event = send(self.server, self.http, "/iam")
        self.assertEqual(status, 200, event)
        self.assertEqual(event["requestContext"]["authorizer"]["iam"]["accessKey"], ACCESS_KEY)

    def test_wrong_secret_is_signature_mismatch(self):
        for form in ("host", "path"):
            status, headers, body = send(self.server, self.rest, "/prod/iam", form=form,
                                         secret_key="not-the-secret")
            self.assertEqual(status, 403)
            self.assertEqual(headers["x-amzn-ErrorType"], "InvalidSignatureException")
            self.assertTrue(body["message"].startswith(MISMATCH), body)
            self.assertIn("The Canonical String for this request should have been\n'GET\n",
                          body["message"])
        status, headers, body = send(self.server, self.rest, "/prod/iam", tamper=True)
        self.assertEqual(status, 403)
        self.assertTrue(body["message"].startswith(MISMATCH), body)
        status, headers, body = send(self.server, self.http, "/iam", tamper=True)
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-ErrorType"], "InvalidSignatureException")
        self.assertTrue(body["message"].startswith(MISMATCH), body)
        # The NONE method and route stay open.
        self.assertEqual(send(self.server, self.rest, "/prod/open", sign=False)[0], 200)
        self.assertEqual(send(self.server, self.http, "/open", sign=False)[0], 200)

    def test_unknown_key(self):
        status, headers, body = send(self.server, self.rest, "/prod/iam",
                                     access_key="AKIANOTKNOWN00000000")
        self.assertEqual(status, 403)
        self.assertEqual(body, {"message": "The security token included in the request is "
                                           "invalid."})
        self.assertEqual(headers["x-amzn-ErrorType"], "AccessDeniedException")
        status, _, body = send(self.server, self.http, "/iam", access_key="AKIANOTKNOWN00000000")
        self.assertEqual((status, body), (403, {"message": "The security token included in the "
                                                           "request is invalid."}))

    def test_stale_date_is_signature_expired(self):
        then = (datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
                - datetime.timedelta(minutes=10))
        with mock.patch("botocore.auth.get_current_datetime", return_value=then):
            status, headers, body = send(self.server, self.rest, "/prod/iam")
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-ErrorType"], "InvalidSignatureException")
        self.assertRegex(body["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                                          r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$")

    def test_unsigned_in_strict_mode(self):
        status, _, body = send(self.server, self.rest, "/prod/iam", sign=False)
        self.assertEqual((status, body), (403, {"message": "Missing Authentication Token"}))
        status, _, body = send(self.server, self.http, "/iam", sign=False)
        self.assertEqual((status, body), (403, {"message": "Forbidden"}))


class StrictGatewayResponsesTest(unittest.TestCase, Apis):
    """INVALID_SIGNATURE, EXPIRED_TOKEN and ACCESS_DENIED gateway responses."""

    @classmethod
    def setUpClass(cls):
        cls.cred_file = write_credentials()
        cls.server = NimbusServer("--auth", "strict", "--credentials", cls.cred_file).start()
        cls.rest = Apis.rest_mock_api(cls)
        apigw = cls.server.client("apigateway")
        for kind, code in (("INVALID_SIGNATURE", "401"), ("EXPIRED_TOKEN", "419"),
                           ("ACCESS_DENIED", "418")):
            apigw.put_gateway_response(
                restApiId=cls.rest, responseType=kind, statusCode=code,
                responseParameters={"gatewayresponse.header.X-Kind": "'%s'" % kind},
                responseTemplates={"application/json":
                                   '{"type": "$context.error.responseType"}'})
        apigw.create_deployment(restApiId=cls.rest, stageName="prod")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.cred_file)

    def test_types(self):
        then = (datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
                - datetime.timedelta(minutes=10))
        with mock.patch("botocore.auth.get_current_datetime", return_value=then):
            stale = send(self.server, self.rest, "/prod/iam")
        for (status, headers, body), kind, code in (
                (send(self.server, self.rest, "/prod/iam", secret_key="x"), "INVALID_SIGNATURE",
                 401),
                (stale, "EXPIRED_TOKEN", 419),
                (send(self.server, self.rest, "/prod/iam", access_key="AKIANOTKNOWN00000000"),
                 "ACCESS_DENIED", 418)):
            self.assertEqual(status, code, body)
            self.assertEqual(body, {"type": kind})
            self.assertEqual(headers["X-Kind"], kind)


if __name__ == "__main__":
    unittest.main()
