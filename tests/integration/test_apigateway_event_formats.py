"""The events functions receive through API Gateway, compared with the examples AWS documents for
them, field for field: every member of the documented example is there (and nothing else), with
the same kind of value. The documented examples are those of the developer guide's "Create AWS
Lambda proxy integrations for HTTP APIs" (payload format 2.0 and 1.0) and "Lambda proxy
integrations in API Gateway" (REST APIs), reduced to their shape: a string stands for any
string, 0 for any integer, None for null, and a dict or list for one of the same shape. Members
AWS sends only with mutual TLS (`authentication`, `clientCert`) or an authorizer are left out,
as the requests here use neither."""
import json
import urllib.request

from nimbus_harness import NimbusTestCase
from test_lambda_support import PYTHON_RUNTIME, ROLE, make_zip

ECHO = ("import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps(event)}\n")

HTTP_V2 = {
    "version": "2.0", "routeKey": "", "rawPath": "", "rawQueryString": "",
    "cookies": [""], "headers": {"": ""}, "queryStringParameters": {"": ""},
    "requestContext": {
        "accountId": "", "apiId": "", "domainName": "", "domainPrefix": "",
        "http": {"method": "", "path": "", "protocol": "", "sourceIp": "", "userAgent": ""},
        "requestId": "", "routeKey": "", "stage": "", "time": "", "timeEpoch": 0},
    "body": "", "pathParameters": {"": ""}, "isBase64Encoded": False,
    "stageVariables": {"": ""},
}

HTTP_V1 = {
    "version": "1.0", "resource": "", "path": "", "httpMethod": "",
    "headers": {"": ""}, "multiValueHeaders": {"": [""]},
    "queryStringParameters": {"": ""}, "multiValueQueryStringParameters": {"": [""]},
    "requestContext": {
        "accountId": "", "apiId": "", "domainName": "", "domainPrefix": "",
        "extendedRequestId": "", "httpMethod": "",
        "identity": {"accessKey": None, "accountId": None, "caller": None,
                     "cognitoAuthenticationProvider": None, "cognitoAuthenticationType": None,
                     "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
                     "principalOrgId": None, "sourceIp": "", "user": None, "userAgent": "",
                     "userArn": None},
        "path": "", "protocol": "", "requestId": "", "requestTime": "", "requestTimeEpoch": 0,
        "resourceId": "", "resourcePath": "", "stage": ""},
    "pathParameters": {"": ""}, "stageVariables": {"": ""}, "body": "",
    "isBase64Encoded": False,
}

REST = dict(HTTP_V1)
del REST["version"]


def shape(value):
    """The documented example's notation for `value`."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return ""
    if isinstance(value, int):
        return 0
    return value


class EventFormatTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        lam = self.client("lambda")
        lam.create_function(FunctionName="echo", Runtime=PYTHON_RUNTIME, Role=ROLE,
                            Handler="app.handler", Code={"ZipFile": make_zip({"app.py": ECHO})})
        self.arn = lam.get_function(FunctionName="echo")["Configuration"]["FunctionArn"]

    def call(self, api_id, path):
        req = urllib.request.Request(
            "%s/_aws/execute-api/%s%s?parameter1=value1&parameter1=value2&parameter2=value" % (
                self.server.endpoint, api_id, path),
            data=b"Hello from Lambda", method="POST",
            headers={"Cookie": "cookie1=1; cookie2=2", "Header1": "value1", "User-Agent": "agent",
                     "Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def assert_fields(self, documented, event, where="event"):
        """Every documented member is there with a value of the documented kind, and no other."""
        self.assertEqual(sorted(event), sorted(documented), where)
        for k, doc in documented.items():
            got = event[k]
            if isinstance(doc, dict) and "" not in doc:
                self.assertIsInstance(got, dict, "%s.%s" % (where, k))
                self.assert_fields(doc, got, "%s.%s" % (where, k))
            elif isinstance(doc, dict):  # a map of names: its values' kind
                self.assertIsInstance(got, dict, "%s.%s" % (where, k))
                for name, v in got.items():
                    self.assertEqual(shape(v), doc[""], "%s.%s.%s" % (where, k, name))
            elif doc is None:
                self.assertIsNone(got, "%s.%s" % (where, k))
            else:
                self.assertEqual(shape(got), shape(doc), "%s.%s" % (where, k))

    def http_api(self, version):
        v2 = self.client("apigatewayv2")
        api = v2.create_api(Name="formats", ProtocolType="HTTP")["ApiId"]
        integration = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY",
                                            IntegrationUri=self.arn,
                                            PayloadFormatVersion=version)["IntegrationId"]
        v2.create_route(ApiId=api, RouteKey="POST /my/{parameter}",
                        Target="integrations/" + integration)
        v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True,
                        StageVariables={"stageVariable1": "value1"})
        return api

    def test_http_api_payload_2_0(self):
        event = self.call(self.http_api("2.0"), "/my/path")
        self.assert_fields(HTTP_V2, event)
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["rawQueryString"],
                         "parameter1=value1&parameter1=value2&parameter2=value")
        self.assertEqual(event["cookies"], ["cookie1=1", "cookie2=2"])
        self.assertEqual(event["queryStringParameters"],
                         {"parameter1": "value1,value2", "parameter2": "value"})
        self.assertEqual(event["pathParameters"], {"parameter": "path"})
        self.assertEqual(event["requestContext"]["http"]["method"], "POST")
        self.assertEqual(event["body"], "Hello from Lambda")
        # HTTP APIs lowercase header names.
        self.assertEqual(event["headers"]["header1"], "value1")
        self.assertIn("x-forwarded-for", event["headers"])
        self.assertNotIn("Header1", event["headers"])

    def test_http_api_payload_1_0(self):
        event = self.call(self.http_api("1.0"), "/my/path")
        self.assert_fields(HTTP_V1, event)
        self.assertEqual(event["version"], "1.0")
        self.assertEqual(event["resource"], "/my/{parameter}")
        self.assertEqual(event["multiValueQueryStringParameters"],
                         {"parameter1": ["value1", "value2"], "parameter2": ["value"]})
        self.assertEqual(event["queryStringParameters"],
                         {"parameter1": "value2", "parameter2": "value"})
        self.assertEqual(event["requestContext"]["resourceId"], "POST /my/{parameter}")

    def test_rest_api_proxy(self):
        rest = self.client("apigateway")
        api = rest.create_rest_api(name="formats")["id"]
        root = rest.get_resources(restApiId=api)["items"][0]["id"]
        my = rest.create_resource(restApiId=api, parentId=root, pathPart="my")["id"]
        res = rest.create_resource(restApiId=api, parentId=my, pathPart="{parameter}")["id"]
        rest.put_method(restApiId=api, resourceId=res, httpMethod="POST",
                        authorizationType="NONE")
        rest.put_integration(
            restApiId=api, resourceId=res, httpMethod="POST", type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"
                % self.arn)
        rest.create_deployment(restApiId=api, stageName="prod",
                               variables={"stageVariable1": "value1"})
        event = self.call(api, "/prod/my/path")
        self.assert_fields(REST, event)
        self.assertEqual(event["resource"], "/my/{parameter}")
        self.assertEqual(event["path"], "/my/path")
        self.assertEqual(event["requestContext"]["resourcePath"], "/my/{parameter}")
        self.assertEqual(event["requestContext"]["path"], "/prod/my/path")
        self.assertEqual(event["requestContext"]["stage"], "prod")
        self.assertEqual(event["stageVariables"], {"stageVariable1": "value1"})
        # REST APIs pass header names in the client's case and add their own capitalised
        # (AWS's example: "Header1", "User-Agent", "X-Forwarded-For", "X-Amzn-Trace-Id").
        self.assertEqual(event["headers"]["Header1"], "value1")
        self.assertEqual(event["headers"]["User-Agent"], "agent")
        self.assertEqual(event["multiValueHeaders"]["Header1"], ["value1"])
        for name in ("X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto",
                     "X-Amzn-Trace-Id"):
            self.assertIn(name, event["headers"])
        self.assertNotIn("header1", event["headers"])
