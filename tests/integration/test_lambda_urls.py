"""Lambda function URLs. The control plane (Create/Get/Update/Delete/ListFunctionUrlConfig(s))
with boto3 and the AWS CLI as the Lambda API reference describes it: FunctionUrl, FunctionArn,
AuthType, Cors, InvokeMode, CreationTime, LastModifiedTime; aliases only as qualifiers (the
model's pattern ((?!^\\d+$)^[0-9a-zA-Z-_]+$) refuses versions); ResourceConflictException and
ResourceNotFoundException in AWS's words. The data plane: requests to
<url-id>.lambda-url.<region>.<host> reach the function with the payload format 2.0 event and its
answer becomes the response (developer guide, "Invoking Lambda function URLs"); AWS_IAM URLs
need a SigV4 signature; CORS from the URL's configuration."""
import base64
import datetime
import http.client
import json
import os
import re
import tempfile
import urllib.error
import urllib.request

import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import test_lambda_support as support
from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError
NO_RESOURCE = "The resource you requested does not exist."
QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"
LAMBDA_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$"
CLF_TIME = r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$"

PY_ECHO = """
import base64, json
def handler(event, context):
    path = event.get("rawPath", "")
    if path == "/raise":
        raise RuntimeError("boom")
    if path == "/malformed":
        return {"statusCode": "not a number"}
    if path == "/simple":
        return {"hello": "world"}
    if path == "/text":
        return "just text"
    if path == "/created":
        return {"statusCode": 201, "headers": {"location": "/x", "x-n": 5}, "body": "made"}
    if path == "/cookies":
        return {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": "c"}
    if path == "/binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True}
    if path == "/own-cors":
        return {"statusCode": 200, "headers": {"access-control-allow-origin": "https://other"},
                "body": "x"}
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-echo": "yes"},
            "body": json.dumps(event)}
"""


def credentials_file():
    fd, path = tempfile.mkstemp(prefix="nimbus-creds-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                    "account_id": "000000000000"}], f)
    return path


class UrlTestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.lam = self.client("lambda")

    def create_function(self, name):
        return self.lam.create_function(
            FunctionName=name, Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": PY_ECHO})},
            Timeout=10)["FunctionArn"]

    def assertError(self, call, code, message=None, status=None, **kw):
        with self.assertRaises(ClientError) as cm:
            call(**kw)
        err = self.assertAwsError(cm, code, status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err


class ControlPlaneTest(UrlTestCase):
    def url_re(self):
        return r"^http://([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:%d/$" % self.server.port

    def test_create_get_update_list_delete(self):
        arn = self.create_function("fn")
        created = self.lam.create_function_url_config(FunctionName="fn", AuthType="NONE")
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(created["FunctionUrl"], self.url_re())
        self.assertEqual(created["FunctionArn"], arn)
        self.assertEqual(created["AuthType"], "NONE")
        self.assertEqual(created["InvokeMode"], "BUFFERED")
        self.assertRegex(created["CreationTime"], LAMBDA_TIME)
        self.assertNotIn("LastModifiedTime", created)
        self.assertNotIn("Cors", created)
        got = self.lam.get_function_url_config(FunctionName=arn)
        self.assertEqual(got["FunctionUrl"], created["FunctionUrl"])
        self.assertEqual(got["CreationTime"], created["CreationTime"])
        self.assertRegex(got["LastModifiedTime"], LAMBDA_TIME)
        cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET"],
                "AllowHeaders": ["x-a"], "ExposeHeaders": ["x-b"], "MaxAge": 60,
                "AllowCredentials": True}
        updated = self.lam.update_function_url_config(
            FunctionName="fn", AuthType="AWS_IAM", Cors=cors, InvokeMode="RESPONSE_STREAM")
        self.assertEqual((updated["AuthType"], updated["InvokeMode"], updated["Cors"]),
                         ("AWS_IAM", "RESPONSE_STREAM", cors))
        self.assertEqual(updated["FunctionUrl"], created["FunctionUrl"])
        self.assertEqual(updated["CreationTime"], created["CreationTime"])
        # Members left out keep their values.
        again = self.lam.update_function_url_config(FunctionName="fn", AuthType="NONE")
        self.assertEqual((again["InvokeMode"], again["Cors"]), ("RESPONSE_STREAM", cors))
        listed = self.lam.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["FunctionUrl"], created["FunctionUrl"])
        self.assertEqual(listed[0]["AuthType"], "NONE")
        deleted = self.lam.delete_function_url_config(FunctionName="fn")
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError(self.lam.get_function_url_config, "ResourceNotFoundException",
                         NO_RESOURCE, 404, FunctionName="fn")
        self.assertEqual(self.lam.list_function_url_configs(FunctionName="fn")
                         ["FunctionUrlConfigs"], [])
        # The address is stable for the function: made again, the same URL.
        remade = self.lam.create_function_url_config(FunctionName="fn", AuthType="NONE")
        self.assertEqual(remade["FunctionUrl"], created["FunctionUrl"])

    def test_alias_qualifiers_versions_refused_and_paging(self):
        arn = self.create_function("fn")
        self.lam.publish_version(FunctionName="fn")
        self.lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
        self.lam.create_alias(FunctionName="fn", Name="beta", FunctionVersion="$LATEST")
        latest = self.lam.create_function_url_config(FunctionName="fn", AuthType="NONE")
        live = self.lam.create_function_url_config(FunctionName="fn", Qualifier="live",
                                                   AuthType="NONE")
        self.assertEqual(live["FunctionArn"], arn + ":live")
        self.assertNotEqual(live["FunctionUrl"], latest["FunctionUrl"])
        beta = self.lam.create_function_url_config(FunctionName="fn:beta", AuthType="AWS_IAM")
        self.assertEqual(beta["FunctionArn"], arn + ":beta")
        self.assertEqual(self.lam.get_function_url_config(FunctionName="fn", Qualifier="beta")
                         ["AuthType"], "AWS_IAM")
        for q in ("1", "$LATEST", "bad.name"):
            self.assertError(
                self.lam.create_function_url_config, "ValidationException",
                "1 validation error detected: Value '%s' at 'qualifier' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: %s"
                % (q, QUALIFIER_PATTERN), 400, FunctionName="fn", Qualifier=q, AuthType="NONE")
        self.assertError(self.lam.get_function_url_config, "ValidationException", None, 400,
                         FunctionName="fn", Qualifier="1")
        self.assertError(self.lam.create_function_url_config, "ResourceNotFoundException",
                         "Function does not exist", 404, FunctionName="fn", Qualifier="nosuch",
                         AuthType="NONE")
        self.assertError(self.lam.get_function_url_config, "ResourceNotFoundException",
                         NO_RESOURCE, 404, FunctionName="fn", Qualifier="nosuch")
        # Paging: three configs, in qualifier order ($LATEST, beta, live).
        first = self.lam.list_function_url_configs(FunctionName="fn", MaxItems=2)
        self.assertEqual([c["FunctionArn"] for c in first["FunctionUrlConfigs"]],
                         [arn, arn + ":beta"])
        second = self.lam.list_function_url_configs(FunctionName="fn", MaxItems=2,
                                                    Marker=first["NextMarker"])
        self.assertEqual([c["FunctionArn"] for c in second["FunctionUrlConfigs"]],
                         [arn + ":live"])
        self.assertNotIn("NextMarker", second)
        paginator = self.lam.get_paginator("list_function_url_configs")
        self.assertEqual(sum(len(p["FunctionUrlConfigs"]) for p in paginator.paginate(
            FunctionName="fn", PaginationConfig={"PageSize": 1})), 3)
        # Deleting an alias deletes its URL.
        self.lam.delete_alias(FunctionName="fn", Name="live")
        self.assertEqual(len(self.lam.list_function_url_configs(FunctionName="fn")
                             ["FunctionUrlConfigs"]), 2)

    def test_conflict_and_not_found_messages(self):
        arn = self.create_function("fn")
        self.lam.create_function_url_config(FunctionName="fn", AuthType="NONE")
        self.assertError(
            self.lam.create_function_url_config, "ResourceConflictException",
            "Failed to create function url config for [functionArn = %s]. Error message:  "
            "FunctionUrlConfig exists for this Lambda function" % arn, 409,
            FunctionName="fn", AuthType="AWS_IAM")
        self.assertError(self.lam.create_function_url_config, "ResourceNotFoundException",
                         "Function does not exist", 404, FunctionName="nope", AuthType="NONE")
        for call in (self.lam.get_function_url_config, self.lam.delete_function_url_config,
                     self.lam.list_function_url_configs):
            self.assertError(call, "ResourceNotFoundException", NO_RESOURCE, 404,
                             FunctionName="nope")
        self.assertError(self.lam.update_function_url_config, "ResourceNotFoundException",
                         NO_RESOURCE, 404, FunctionName="nope", AuthType="NONE")
        self.create_function("other")
        self.assertError(self.lam.update_function_url_config, "ResourceNotFoundException",
                         NO_RESOURCE, 404, FunctionName="other", AuthType="NONE")
        self.assertError(self.lam.delete_function_url_config, "ResourceNotFoundException",
                         NO_RESOURCE, 404, FunctionName="other")
        # Another region's ARN.
        self.assertError(self.lam.get_function_url_config, "ResourceNotFoundException", None,
                         404, FunctionName=arn.replace("us-east-1", "eu-west-1"))

    def test_malformed_input(self):
        self.create_function("fn")
        self.assertError(self.lam.create_function_url_config, "ValidationException", None, 400,
                         FunctionName="fn", AuthType="SOMETIMES")
        self.assertError(self.lam.create_function_url_config, "ValidationException", None, 400,
                         FunctionName="fn", AuthType="NONE", InvokeMode="STREAMING")
        self.assertError(self.lam.create_function_url_config, "ValidationException", None, 400,
                         FunctionName="fn", AuthType="NONE", Cors={"MaxAge": 86401})
        self.assertError(self.lam.list_function_url_configs, "ValidationException", None, 400,
                         FunctionName="fn", MaxItems=51)
        self.assertError(self.lam.create_function_url_config, "InvalidParameterValueException",
                         None, 400, FunctionName="bad name!", AuthType="NONE")
        # Raw bodies: missing AuthType, not JSON, a list where an object belongs.
        url = self.server.endpoint + "/2021-10-31/functions/fn/url"
        for body in (b"{}", b"{not json", b'{"AuthType": "NONE", "Cors": []}',
                     b'{"AuthType": ["NONE"]}'):
            req = AWSRequest(method="POST", url=url, data=body,
                             headers={"content-type": "application/json"})
            SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "lambda", "us-east-1").add_auth(req)
            status, headers, raw = self.server.http(
                "POST", "/2021-10-31/functions/fn/url", body=body, headers=dict(req.headers))
            self.assertEqual(status, 400, (body, raw))
            self.assertIn(headers["x-amzn-ErrorType"].split(":")[0],
                          ("ValidationException", "SerializationException",
                           "InvalidRequestContentException"), raw)
        self.assertEqual(self.lam.list_function_url_configs(FunctionName="fn")
                         ["FunctionUrlConfigs"], [])

    def test_cli(self):
        self.create_function("clifn")
        _, created, _ = self.server.aws("lambda", "create-function-url-config",
                                        "--function-name", "clifn", "--auth-type", "NONE",
                                        "--cors", "AllowOrigins=*,MaxAge=10")
        self.assertRegex(created["FunctionUrl"], self.url_re())
        self.assertEqual(created["Cors"], {"AllowOrigins": ["*"], "MaxAge": 10})
        _, got, _ = self.server.aws("lambda", "get-function-url-config", "--function-name",
                                    "clifn")
        self.assertEqual(got["FunctionUrl"], created["FunctionUrl"])
        _, listed, _ = self.server.aws("lambda", "list-function-url-configs", "--function-name",
                                       "clifn")
        self.assertEqual([c["FunctionUrl"] for c in listed["FunctionUrlConfigs"]],
                         [created["FunctionUrl"]])
        code, _, err = self.server.aws("lambda", "create-function-url-config", "--function-name",
                                       "clifn", "--auth-type", "NONE", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceConflictException", err)
        self.server.aws("lambda", "delete-function-url-config", "--function-name", "clifn")
        code, _, err = self.server.aws("lambda", "get-function-url-config", "--function-name",
                                       "clifn", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)
        self.assertIn(NO_RESOURCE, err)

    def test_deleting_the_function_removes_its_urls(self):
        self.create_function("fn")
        url = self.lam.create_function_url_config(FunctionName="fn", AuthType="NONE")["FunctionUrl"]
        url_id = re.match(self.url_re(), url).group(1)
        self.lam.delete_function(FunctionName="fn")
        self.create_function("fn")
        self.assertError(self.lam.get_function_url_config, "ResourceNotFoundException",
                         NO_RESOURCE, 404, FunctionName="fn")
        req = urllib.request.Request("http://127.0.0.1:%d/" % self.server.port, headers={
            "Host": "%s.lambda-url.us-east-1.localhost:%d" % (url_id, self.server.port)})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(cm.exception.code, 404)


class DataPlaneTest(UrlTestCase):
    """One server with three functions: NONE, AWS_IAM and CORS URLs."""
    reset_between_tests = False

    @classmethod
    def setUpClass(cls):
        cls.creds = credentials_file()
        cls.server = NimbusServer("--credentials", cls.creds).start()
        lam = cls.server.client("lambda")
        cls.ids = {}
        cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
                "AllowHeaders": ["content-type", "x-token"], "ExposeHeaders": ["x-echo"],
                "MaxAge": 300, "AllowCredentials": True}
        for name, auth, extra in (("open", "NONE", {}), ("iam", "AWS_IAM", {}),
                                  ("cors", "NONE", {"Cors": cors})):
            lam.create_function(
                FunctionName=name, Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
                Handler="index.handler",
                Code={"ZipFile": support.make_zip({"index.py": PY_ECHO})}, Timeout=10)
            url = lam.create_function_url_config(FunctionName=name, AuthType=auth,
                                                 **extra)["FunctionUrl"]
            cls.ids[name] = url.split("//")[1].split(".")[0]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.creds)

    def host(self, name, suffix=None):
        url_id = self.ids.get(name, name)
        return "%s.lambda-url.us-east-1.%s" % (url_id, suffix or "localhost:%d" % self.server.port)

    def request(self, name, path, method="GET", body=None, headers=None, host=None):
        headers = dict(headers or {})
        headers["Host"] = host or self.host(name)
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.server.port, path),
                                     data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def raw_request(self, name, method, target, header_lines, body=b""):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", self.host(name))
        for k, v in header_lines:
            conn.putheader(k, v)
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        r = conn.getresponse()
        out = (r.status, r.headers, r.read())
        conn.close()
        return out

    def event(self, *args, **kw):
        status, headers, body = self.request(*args, **kw)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["x-echo"], "yes")
        return json.loads(body), headers

    def signed(self, name, path, method="GET", body=b"", secret=SECRET_KEY, service="lambda",
               headers=None):
        host = self.host(name)
        req = AWSRequest(method=method, url="http://%s%s" % (host, path), data=body,
                         headers=dict(headers or {}, Host=host))
        SigV4Auth(Credentials(ACCESS_KEY, secret), service, "us-east-1").add_auth(req)
        return self.request(name, path, method=method, body=body or None,
                            headers={k: v for k, v in req.headers.items() if k != "Host"})

    def test_event_fields(self):
        url_id = self.ids["open"]
        status, headers, body = self.raw_request(
            "open", "GET", "/hello/world?x=1&x=2&y=%20z&flag",
            [("Cookie", "a=1; b=2"), ("Cookie", "c=3"), ("X-Custom", "v1"), ("X-Custom", "v2"),
             ("User-Agent", "nimbus-test/1")])
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "$default")
        self.assertEqual(event["rawPath"], "/hello/world")
        self.assertEqual(event["rawQueryString"], "x=1&x=2&y=%20z&flag")
        self.assertEqual(event["cookies"], ["a=1", "b=2", "c=3"])
        self.assertNotIn("cookie", event["headers"])
        self.assertEqual(event["headers"]["x-custom"], "v1,v2")
        self.assertEqual(event["headers"]["host"], self.host("open"))
        self.assertEqual(event["headers"]["user-agent"], "nimbus-test/1")
        self.assertEqual(event["headers"]["x-forwarded-proto"], "http")
        self.assertEqual(event["headers"]["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(event["queryStringParameters"], {"x": "1,2", "y": " z", "flag": ""})
        self.assertIs(event["isBase64Encoded"], False)
        ctx = event["requestContext"]
        self.assertEqual(ctx["accountId"], "anonymous")
        self.assertEqual(ctx["apiId"], url_id)
        self.assertEqual(ctx["domainName"], "%s.lambda-url.us-east-1.localhost" % url_id)
        self.assertEqual(ctx["domainPrefix"], url_id)
        self.assertEqual(ctx["http"], {"method": "GET", "path": "/hello/world",
                                       "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                       "userAgent": "nimbus-test/1"})
        self.assertEqual(ctx["requestId"], headers["x-amzn-RequestId"])
        self.assertRegex(ctx["requestId"], r"^[0-9a-f-]{36}$")
        self.assertEqual(ctx["routeKey"], "$default")
        self.assertEqual(ctx["stage"], "$default")
        self.assertRegex(ctx["time"], CLF_TIME)
        self.assertLess(abs(ctx["timeEpoch"] / 1000 - datetime.datetime.now().timestamp()), 60)
        self.assertNotIn("authorizer", ctx)
        self.assertEqual(set(event), {"version", "routeKey", "rawPath", "rawQueryString",
                                      "cookies", "headers", "queryStringParameters",
                                      "requestContext", "isBase64Encoded"})
        # No query, no cookies: those members are absent.
        event, _ = self.event("open", "/")
        self.assertEqual((event["rawPath"], event["rawQueryString"]), ("/", ""))
        self.assertNotIn("cookies", event)
        self.assertNotIn("queryStringParameters", event)

    def test_bodies(self):
        doc = json.dumps({"name": "ünïcode"}).encode()
        event, _ = self.event("open", "/items", method="POST", body=doc,
                              headers={"content-type": "application/json"})
        self.assertEqual(event["body"], doc.decode())
        self.assertIs(event["isBase64Encoded"], False)
        self.assertEqual(event["requestContext"]["http"]["method"], "POST")
        blob = bytes(range(256))
        event, _ = self.event("open", "/items", method="PUT", body=blob,
                              headers={"content-type": "application/octet-stream"})
        self.assertIs(event["isBase64Encoded"], True)
        self.assertEqual(base64.b64decode(event["body"]), blob)

    def test_response_mapping(self):
        status, headers, body = self.request("open", "/simple")
        self.assertEqual((status, json.loads(body)), (200, {"hello": "world"}))
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(self.request("open", "/text")[::2], (200, b"just text"))
        status, headers, body = self.request("open", "/created")
        self.assertEqual((status, body, headers["location"], headers["x-n"]),
                         (201, b"made", "/x", "5"))
        status, headers, body = self.request("open", "/cookies")
        self.assertEqual((status, body), (200, b"c"))
        self.assertEqual(headers.get_all("set-cookie"), ["a=1; Path=/", "b=2"])
        status, headers, body = self.request("open", "/binary")
        self.assertEqual((status, body), (200, bytes(range(256))))
        self.assertEqual(headers["content-type"], "application/octet-stream")
        for path in ("/raise", "/malformed"):
            status, headers, body = self.request("open", path)
            self.assertEqual((status, body), (502, b"Internal Server Error"), path)
            self.assertTrue(headers["x-amzn-RequestId"])

    def test_unknown_url_and_host_forms(self):
        for name in ("0" * 32, "nosuchurl"):
            status, _, body = self.request(name, "/x")
            self.assertEqual((status, json.loads(body)), (404, {"Message": "Not Found"}))
        for suffix in ("localhost.localstack.cloud:4566", "on.aws"):
            status, _, body = self.request("open", "/simple", host=self.host("open", suffix))
            self.assertEqual((status, json.loads(body)), (200, {"hello": "world"}), suffix)
        event, _ = self.event("open", "/", host=self.host("open", "localhost.localstack.cloud"))
        self.assertEqual(event["requestContext"]["domainName"],
                         "%s.lambda-url.us-east-1.localhost.localstack.cloud" % self.ids["open"])

    def test_aws_iam_needs_a_valid_signature(self):
        forbidden = (403, {"Message": "Forbidden"})
        status, _, body = self.request("iam", "/simple")
        self.assertEqual((status, json.loads(body)), forbidden)
        status, _, body = self.request("iam", "/simple", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=garbage"})
        self.assertEqual((status, json.loads(body)), forbidden)
        status, _, body = self.signed("iam", "/simple", secret="wrong-secret")
        self.assertEqual((status, json.loads(body)), forbidden)
        status, _, body = self.signed("iam", "/simple", service="execute-api")
        self.assertEqual((status, json.loads(body)), forbidden)
        status, headers, body = self.signed("iam", "/echo?q=1", method="POST", body=b'{"a":1}',
                                            headers={"content-type": "application/json"})
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual(event["body"], '{"a":1}')
        ctx = event["requestContext"]
        self.assertEqual(ctx["accountId"], "000000000000")
        self.assertEqual(ctx["authorizer"]["iam"]["accessKey"], ACCESS_KEY)
        self.assertEqual(ctx["authorizer"]["iam"]["accountId"], "000000000000")
        self.assertEqual(ctx["authorizer"]["iam"]["userArn"], "arn:aws:iam::000000000000:root")
        # The NONE URL takes signed requests as anonymous ones.
        status, _, body = self.signed("open", "/")
        self.assertEqual(json.loads(body)["requestContext"]["accountId"], "anonymous")

    def test_cors(self):
        preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
        status, headers, body = self.request("cors", "/anything", method="OPTIONS",
                                             headers=preflight)
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(headers["access-control-allow-origin"], "https://app.example")
        self.assertEqual(headers["access-control-allow-methods"], "GET,POST")
        self.assertEqual(headers["access-control-allow-headers"], "content-type,x-token")
        self.assertEqual(headers["access-control-max-age"], "300")
        self.assertEqual(headers["access-control-allow-credentials"], "true")
        status, headers, _ = self.request("cors", "/anything", method="OPTIONS", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 200)
        self.assertNotIn("access-control-allow-origin", headers)
        status, headers, body = self.request("cors", "/own-cors",
                                             headers={"Origin": "https://app.example"})
        self.assertEqual((status, body), (200, b"x"))
        self.assertEqual(headers["access-control-allow-origin"], "https://app.example")
        self.assertEqual(headers["access-control-expose-headers"], "x-echo")
        status, headers, _ = self.request("cors", "/simple")
        self.assertNotIn("access-control-allow-origin", headers)
        # Without a Cors configuration OPTIONS reaches the function.
        event, headers = self.event("open", "/x", method="OPTIONS", headers=preflight)
        self.assertEqual(event["requestContext"]["http"]["method"], "OPTIONS")
        self.assertNotIn("access-control-allow-origin", headers)


if __name__ == "__main__":
    import unittest
    unittest.main()
