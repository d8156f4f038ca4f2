"""API Gateway v2 HTTP APIs: the control plane (APIs, quick create, routes, integrations, stages,
deployments, tags) with boto3 and the AWS CLI, as AWS answers it (API Gateway v2 API reference;
developer guide "Working with HTTP APIs"), and invocations through both URL forms
(<apiId>.execute-api.localhost:<port> and /_aws/execute-api/<apiId>/...) reaching Lambda
(payload formats 1.0 and 2.0) and HTTP backends."""
import base64
import datetime
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import botocore.exceptions

from nimbus_harness import EchoServer, NimbusTestCase, closed_port

LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:handler"
ClientError = botocore.exceptions.ClientError


class ApiGatewayTestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigatewayv2")
        self.account = self.client("sts").get_caller_identity()["Account"]

    def create_api(self, **kw):
        kw.setdefault("Name", "api")
        kw.setdefault("ProtocolType", "HTTP")
        return self.apigw.create_api(**kw)


class ApisTest(ApiGatewayTestCase):
    def test_create_api_answers_aws_fields_and_defaults(self):
        api = self.create_api(Name="orders", Description="the orders API", Version="1",
                              Tags={"team": "core"})
        self.assertEqual(api["ResponseMetadata"]["HTTPStatusCode"], 201)
        api_id = api["ApiId"]
        self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        self.assertEqual(api["ApiEndpoint"],
                         "http://%s.execute-api.localhost:%d" % (api_id, self.server.port))
        self.assertEqual(api["ApiKeySelectionExpression"], "$request.header.x-api-key")
        self.assertEqual(api["RouteSelectionExpression"], "$request.method $request.path")
        self.assertEqual(api["ProtocolType"], "HTTP")
        self.assertEqual(api["Name"], "orders")
        self.assertEqual(api["Description"], "the orders API")
        self.assertEqual(api["Version"], "1")
        self.assertIs(api["DisableExecuteApiEndpoint"], False)
        self.assertEqual(api["Tags"], {"team": "core"})
        self.assertIsInstance(api["CreatedDate"], datetime.datetime)
        got = self.apigw.get_api(ApiId=api_id)
        for k in ("ApiId", "ApiEndpoint", "Name", "Description", "Tags", "CreatedDate",
                  "RouteSelectionExpression"):
            self.assertEqual(got[k], api[k], k)

    def test_unknown_api_is_not_found_with_aws_message(self):
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_api(ApiId="nosuchapi1")
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:nosuchapi1" % self.account)
        self.assertEqual(err["ResourceType"], "Api")
        for call in (lambda: self.apigw.delete_api(ApiId="nosuchapi1"),
                     lambda: self.apigw.update_api(ApiId="nosuchapi1", Name="x"),
                     lambda: self.apigw.get_routes(ApiId="nosuchapi1"),
                     lambda: self.apigw.create_stage(ApiId="nosuchapi1", StageName="s")):
            with self.assertRaises(ClientError) as cm:
                call()
            self.assertAwsError(cm, "NotFoundException", 404)

    def test_get_apis_pages_with_max_results_and_next_token(self):
        ids = {self.create_api(Name="api%d" % i)["ApiId"] for i in range(5)}
        seen, token, pages = [], None, 0
        while True:
            kw = {"MaxResults": "2"}
            if token:
                kw["NextToken"] = token
            page = self.apigw.get_apis(**kw)
            pages += 1
            self.assertLessEqual(len(page["Items"]), 2)
            seen += [a["ApiId"] for a in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(ids))
        self.assertEqual(len(self.apigw.get_apis()["Items"]), 5)
        self.assertNotIn("NextToken", self.apigw.get_apis())
        for bad in ({"MaxResults": "abc"}, {"MaxResults": "0"}, {"NextToken": "!!!"}):
            with self.assertRaises(ClientError) as cm:
                self.apigw.get_apis(**bad)
            self.assertAwsError(cm, "BadRequestException", 400)

    def test_update_and_delete_api(self):
        api_id = self.create_api(Name="before")["ApiId"]
        cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
        up = self.apigw.update_api(ApiId=api_id, Name="after", Description="d",
                                   CorsConfiguration=cors)
        self.assertEqual(up["Name"], "after")
        self.assertEqual(up["Description"], "d")
        self.assertEqual(up["CorsConfiguration"], cors)
        self.assertEqual(self.apigw.get_api(ApiId=api_id)["Name"], "after")
        resp = self.apigw.delete_api(ApiId=api_id)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_api(ApiId=api_id)
        self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(self.apigw.get_apis()["Items"], [])

    def test_quick_create_with_lambda_target(self):
        api = self.create_api(Name="quick", Target=LAMBDA_ARN)
        api_id = api["ApiId"]
        routes = self.apigw.get_routes(ApiId=api_id)["Items"]
        self.assertEqual(len(routes), 1)
        route = routes[0]
        self.assertEqual(route["RouteKey"], "$default")
        self.assertIs(route["ApiGatewayManaged"], True)
        self.assertEqual(route["AuthorizationType"], "NONE")
        self.assertIs(route["ApiKeyRequired"], False)
        integrations = self.apigw.get_integrations(ApiId=api_id)["Items"]
        self.assertEqual(len(integrations), 1)
        integration = integrations[0]
        self.assertEqual(route["Target"], "integrations/" + integration["IntegrationId"])
        self.assertEqual(integration["IntegrationType"], "AWS_PROXY")
        self.assertEqual(integration["IntegrationUri"], LAMBDA_ARN)
        self.assertEqual(integration["IntegrationMethod"], "POST")
        self.assertEqual(integration["PayloadFormatVersion"], "2.0")
        self.assertEqual(integration["ConnectionType"], "INTERNET")
        self.assertEqual(integration["TimeoutInMillis"], 30000)
        stages = self.apigw.get_stages(ApiId=api_id)["Items"]
        self.assertEqual([s["StageName"] for s in stages], ["$default"])
        self.assertIs(stages[0]["AutoDeploy"], True)
        self.assertIs(stages[0]["ApiGatewayManaged"], True)
        deployments = self.apigw.get_deployments(ApiId=api_id)["Items"]
        self.assertEqual([d["DeploymentId"] for d in deployments], [stages[0]["DeploymentId"]])
        self.assertIs(deployments[0]["AutoDeployed"], True)
        self.assertEqual(deployments[0]["DeploymentStatus"], "DEPLOYED")

    def test_quick_create_with_url_target_and_route_key(self):
        api_id = self.create_api(Target="http://example.com/base", RouteKey="GET /items")["ApiId"]
        route = self.apigw.get_routes(ApiId=api_id)["Items"][0]
        self.assertEqual(route["RouteKey"], "GET /items")
        integration = self.apigw.get_integrations(ApiId=api_id)["Items"][0]
        self.assertEqual(integration["IntegrationType"], "HTTP_PROXY")
        self.assertEqual(integration["IntegrationMethod"], "ANY")
        self.assertEqual(integration["PayloadFormatVersion"], "1.0")
        up = self.apigw.update_api(ApiId=api_id, Target="http://example.com/other")
        self.assertEqual(up["ApiId"], api_id)
        self.assertEqual(self.apigw.get_integrations(ApiId=api_id)["Items"][0]["IntegrationUri"],
                         "http://example.com/other")
        plain = self.create_api()["ApiId"]
        with self.assertRaises(ClientError) as cm:
            self.apigw.update_api(ApiId=plain, Target="http://example.com")
        self.assertAwsError(cm, "BadRequestException", 400)
        for bad in ({"RouteKey": "GET /x"}, {"Target": "ftp://x"},
                    {"Target": LAMBDA_ARN, "RouteKey": "FETCH /x"}):
            with self.assertRaises(ClientError) as cm:
                self.create_api(**bad)
            self.assertAwsError(cm, "BadRequestException", 400)

    def test_websocket_apis_answer_not_implemented(self):
        with self.assertRaises(ClientError) as cm:
            self.create_api(ProtocolType="WEBSOCKET",
                            RouteSelectionExpression="$request.body.action")
        self.assertAwsError(cm, "NotImplementedException", 501)

    def test_malformed_input_answers_bad_request(self):
        cases = [
            (json.dumps({"protocolType": "HTTP"}), "BadRequestException"),
            (json.dumps({"name": "x", "protocolType": "FTP"}), "BadRequestException"),
            (json.dumps({"name": "x" * 129, "protocolType": "HTTP"}), "BadRequestException"),
            (json.dumps({"name": 5, "protocolType": "HTTP"}), "BadRequestException"),
            ("{not json", "BadRequestException"),
            (json.dumps([1, 2]), "BadRequestException"),
            (json.dumps({"name": "x", "protocolType": "HTTP", "tags": [1]}),
             "BadRequestException"),
        ]
        for body, code in cases:
            status, headers, out = self.server.http(
                "POST", "/v2/apis", body=body.encode(),
                headers={"content-type": "application/json"})
            self.assertEqual(status, 400, (body, out))
            self.assertEqual(headers["x-amzn-ErrorType"], code, out)
            self.assertIn("message", json.loads(out))
        self.assertEqual(self.apigw.get_apis()["Items"], [])

    def test_cli_create_get_and_errors(self):
        _, api, _ = self.server.aws("apigatewayv2", "create-api", "--name", "cli",
                                    "--protocol-type", "HTTP")
        self.assertEqual(api["Name"], "cli")
        _, apis, _ = self.server.aws("apigatewayv2", "get-apis")
        self.assertEqual([a["ApiId"] for a in apis["Items"]], [api["ApiId"]])
        code, _, err = self.server.aws("apigatewayv2", "get-api", "--api-id", "missing123",
                                       check=False)
        self.assertEqual(code, 255)  # AWS CLI v1: a service error
        self.assertIn("NotFoundException", err)
        self.assertIn("Invalid API identifier specified", err)


class RoutesAndIntegrationsTest(ApiGatewayTestCase):
    def setUp(self):
        super().setUp()
        self.api_id = self.create_api()["ApiId"]

    def integration(self, **kw):
        kw.setdefault("IntegrationType", "AWS_PROXY")
        if kw["IntegrationType"] == "AWS_PROXY":
            kw.setdefault("IntegrationUri", LAMBDA_ARN)
        return self.apigw.create_integration(ApiId=self.api_id, **kw)

    def test_integration_defaults_and_validation(self):
        v1 = self.integration()
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(v1["IntegrationId"], r"^[a-z0-9]{7}$")
        self.assertEqual(v1["PayloadFormatVersion"], "1.0")
        self.assertEqual(v1["IntegrationMethod"], "POST")
        self.assertEqual(v1["ConnectionType"], "INTERNET")
        self.assertEqual(v1["TimeoutInMillis"], 30000)
        v2 = self.integration(PayloadFormatVersion="2.0", TimeoutInMillis=5000)
        self.assertEqual(v2["PayloadFormatVersion"], "2.0")
        self.assertEqual(v2["TimeoutInMillis"], 5000)
        http = self.integration(IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                                IntegrationUri="http://example.com/{proxy}")
        self.assertEqual(http["PayloadFormatVersion"], "1.0")
        bad = [
            {"PayloadFormatVersion": "3.0"},
            {"IntegrationType": "MOCK"},
            {"IntegrationType": "HTTP_PROXY", "IntegrationUri": "http://example.com"},
            {"IntegrationType": "HTTP_PROXY", "IntegrationMethod": "GET",
             "IntegrationUri": "not-a-url"},
            {"IntegrationType": "HTTP_PROXY", "IntegrationMethod": "GET",
             "IntegrationUri": "http://example.com", "PayloadFormatVersion": "2.0"},
            {"IntegrationUri": "function-name"},
            {"TimeoutInMillis": 30001},
        ]
        for kw in bad:
            with self.assertRaises(ClientError, msg=kw) as cm:
                self.integration(**kw)
            self.assertAwsError(cm, "BadRequestException", 400)
        items = self.apigw.get_integrations(ApiId=self.api_id)["Items"]
        self.assertEqual(len(items), 3)
        up = self.apigw.update_integration(ApiId=self.api_id, IntegrationId=v1["IntegrationId"],
                                           PayloadFormatVersion="2.0", Description="now v2")
        self.assertEqual(up["PayloadFormatVersion"], "2.0")
        self.assertEqual(up["Description"], "now v2")
        got = self.apigw.get_integration(ApiId=self.api_id, IntegrationId=v1["IntegrationId"])
        self.assertEqual(got["PayloadFormatVersion"], "2.0")
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_integration(ApiId=self.api_id, IntegrationId="nope123")
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Integration identifier specified nope123")

    def test_routes_crud_conflicts_and_bad_keys(self):
        integration_id = self.integration()["IntegrationId"]
        route = self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /pets/{id}",
                                        Target="integrations/" + integration_id)
        self.assertEqual(route["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(route["RouteId"], r"^[a-z0-9]{7}$")
        self.assertEqual(route["AuthorizationType"], "NONE")
        self.assertIs(route["ApiKeyRequired"], False)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /pets/{id}")
        err = self.assertAwsError(cm, "ConflictException", 409)
        self.assertEqual(err["Error"]["Message"],
                         "Route with key GET /pets/{id} already exists for this API")
        for key in ("GET", "/pets", "FETCH /pets", "GET pets", "GET /a/{proxy+}/b", "GET /a//b",
                    "GET /{}", "GET /a{b}"):
            with self.assertRaises(ClientError, msg=key) as cm:
                self.apigw.create_route(ApiId=self.api_id, RouteKey=key)
            self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /x",
                                    Target="integrations/missing")
        self.assertAwsError(cm, "NotFoundException", 404)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /x", Target="lambda")
        self.assertAwsError(cm, "BadRequestException", 400)
        for key in ("$default", "ANY /{proxy+}", "POST /", "DELETE /pets/{id}/toys/{toy}"):
            self.apigw.create_route(ApiId=self.api_id, RouteKey=key)
        up = self.apigw.update_route(ApiId=self.api_id, RouteId=route["RouteId"],
                                     RouteKey="PUT /pets/{id}")
        self.assertEqual(up["RouteKey"], "PUT /pets/{id}")
        self.assertEqual(up["Target"], "integrations/" + integration_id)
        got = self.apigw.get_route(ApiId=self.api_id, RouteId=route["RouteId"])
        self.assertEqual(got["RouteKey"], "PUT /pets/{id}")
        # A route still targets the integration: it cannot go.
        with self.assertRaises(ClientError) as cm:
            self.apigw.delete_integration(ApiId=self.api_id, IntegrationId=integration_id)
        self.assertAwsError(cm, "ConflictException", 409)
        keys, token = [], None
        while True:
            kw = {"ApiId": self.api_id, "MaxResults": "2"}
            if token:
                kw["NextToken"] = token
            page = self.apigw.get_routes(**kw)
            keys += [r["RouteKey"] for r in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(keys), sorted(["PUT /pets/{id}", "$default", "ANY /{proxy+}",
                                               "POST /", "DELETE /pets/{id}/toys/{toy}"]))
        self.apigw.delete_route(ApiId=self.api_id, RouteId=route["RouteId"])
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_route(ApiId=self.api_id, RouteId=route["RouteId"])
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid Route identifier specified " + route["RouteId"])
        self.apigw.delete_integration(ApiId=self.api_id, IntegrationId=integration_id)
        self.assertEqual(len(self.apigw.get_integrations(ApiId=self.api_id)["Items"]), 0)

    def test_jwt_routes_need_an_authorizer(self):
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /x", AuthorizationType="JWT")
        self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /x", AuthorizationType="JWT",
                                    AuthorizerId="abc123")
        self.assertAwsError(cm, "NotFoundException", 404)


class StagesAndDeploymentsTest(ApiGatewayTestCase):
    def setUp(self):
        super().setUp()
        self.api_id = self.create_api()["ApiId"]

    def test_stage_fields_conflict_and_update(self):
        stage = self.apigw.create_stage(ApiId=self.api_id, StageName="prod",
                                        StageVariables={"color": "blue"}, Description="p",
                                        Tags={"env": "prod"})
        self.assertEqual(stage["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(stage["StageName"], "prod")
        self.assertEqual(stage["StageVariables"], {"color": "blue"})
        self.assertEqual(stage["DefaultRouteSettings"], {"DetailedMetricsEnabled": False})
        self.assertEqual(stage["RouteSettings"], {})
        self.assertEqual(stage["Tags"], {"env": "prod"})
        self.assertIsInstance(stage["CreatedDate"], datetime.datetime)
        self.assertIsInstance(stage["LastUpdatedDate"], datetime.datetime)
        self.assertNotIn("DeploymentId", stage)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_stage(ApiId=self.api_id, StageName="prod")
        self.assertAwsError(cm, "ConflictException", 409)
        up = self.apigw.update_stage(ApiId=self.api_id, StageName="prod",
                                     StageVariables={"color": "green", "size": "L"},
                                     DefaultRouteSettings={"ThrottlingBurstLimit": 10})
        self.assertEqual(up["StageVariables"], {"color": "green", "size": "L"})
        self.assertEqual(up["DefaultRouteSettings"],
                         {"DetailedMetricsEnabled": False, "ThrottlingBurstLimit": 10})
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_stage(ApiId=self.api_id, StageName="nope")
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid stage identifier specified nope")
        with self.assertRaises(ClientError) as cm:
            self.apigw.update_stage(ApiId=self.api_id, StageName="prod", DeploymentId="zzzzzz")
        self.assertAwsError(cm, "NotFoundException", 404)
        self.apigw.delete_stage(ApiId=self.api_id, StageName="prod")
        self.assertEqual(self.apigw.get_stages(ApiId=self.api_id)["Items"], [])

    def test_deployments(self):
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_deployment(ApiId=self.api_id)
        err = self.assertAwsError(cm, "BadRequestException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "At least one route is required before deploying the Api.")
        self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /x")
        self.apigw.create_stage(ApiId=self.api_id, StageName="dev")
        d = self.apigw.create_deployment(ApiId=self.api_id, StageName="dev", Description="first")
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(d["DeploymentId"], r"^[a-z0-9]{6}$")
        self.assertEqual(d["DeploymentStatus"], "DEPLOYED")
        self.assertIs(d["AutoDeployed"], False)
        self.assertEqual(d["Description"], "first")
        self.assertEqual(self.apigw.get_stage(ApiId=self.api_id, StageName="dev")["DeploymentId"],
                         d["DeploymentId"])
        got = self.apigw.get_deployment(ApiId=self.api_id, DeploymentId=d["DeploymentId"])
        self.assertEqual(got["Description"], "first")
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_deployment(ApiId=self.api_id, StageName="nostage")
        self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.delete_deployment(ApiId=self.api_id, DeploymentId=d["DeploymentId"])
        self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_deployment(ApiId=self.api_id, DeploymentId="abcdef")
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Deployment identifier specified abcdef")
        auto = self.apigw.create_stage(ApiId=self.api_id, StageName="auto", AutoDeploy=True)
        self.assertIs(auto["AutoDeploy"], True)
        self.assertIn("DeploymentId", auto)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_deployment(ApiId=self.api_id, StageName="auto")
        self.assertAwsError(cm, "BadRequestException", 400)
        self.assertEqual(len(self.apigw.get_deployments(ApiId=self.api_id)["Items"]), 2)
        self.apigw.delete_stage(ApiId=self.api_id, StageName="dev")
        self.apigw.delete_deployment(ApiId=self.api_id, DeploymentId=d["DeploymentId"])
        self.assertEqual(len(self.apigw.get_deployments(ApiId=self.api_id)["Items"]), 1)


class TagsTest(ApiGatewayTestCase):
    def test_tag_untag_get_for_apis_and_stages(self):
        api_id = self.create_api(Tags={"a": "1"})["ApiId"]
        arn = "arn:aws:apigateway:us-east-1::/apis/" + api_id
        resp = self.apigw.tag_resource(ResourceArn=arn, Tags={"b": "2"})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(self.apigw.get_tags(ResourceArn=arn)["Tags"], {"a": "1", "b": "2"})
        self.apigw.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.apigw.get_tags(ResourceArn=arn)["Tags"], {"b": "2"})
        self.assertEqual(self.apigw.get_api(ApiId=api_id)["Tags"], {"b": "2"})
        self.apigw.create_stage(ApiId=api_id, StageName="prod")
        stage_arn = arn + "/stages/prod"
        self.apigw.tag_resource(ResourceArn=stage_arn, Tags={"s": "x"})
        self.assertEqual(self.apigw.get_tags(ResourceArn=stage_arn)["Tags"], {"s": "x"})
        self.assertEqual(self.apigw.get_stage(ApiId=api_id, StageName="prod")["Tags"], {"s": "x"})
        for bad in ("arn:aws:apigateway:us-east-1::/apis/missing123",
                    arn + "/stages/none", arn + "/routes/x", "not-an-arn"):
            with self.assertRaises(ClientError, msg=bad) as cm:
                self.apigw.get_tags(ResourceArn=bad)
            self.assertAwsError(cm, "NotFoundException", 404)


# ---------------------------------------------------------------------------------------------
# Invocations

PY_ECHO = """
import base64, json
def handler(event, context):
    path = event.get("rawPath") or event.get("path") or ""
    if path.endswith("/raise"):
        raise RuntimeError("boom")
    if path.endswith("/malformed"):
        return {"statusCode": "not a number"}
    if path.endswith("/simple"):
        return {"hello": "world"}
    if path.endswith("/text"):
        return "just text"
    if path.endswith("/cookies"):
        return {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": "c"}
    if path.endswith("/binary"):
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True}
    if path.endswith("/multi"):
        return {"statusCode": 202, "headers": {"x-one": 1},
                "multiValueHeaders": {"x-m": ["1", "2"]}, "body": "m"}
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-echo": "yes"},
            "body": json.dumps(event)}
"""

CLF_TIME = r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$"


class InvokeTestCase(ApiGatewayTestCase):
    """One server and one echo function for the class; each test makes its own APIs."""
    reset_between_tests = False
    function_arn = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import test_lambda_support as support
        lam = cls.server.client("lambda")
        cls.function_arn = lam.create_function(
            FunctionName="echo", Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": PY_ECHO})},
            Timeout=10)["FunctionArn"]

    def request(self, api_id, path, method="GET", body=None, headers=None, form="host"):
        """(status, headers, body bytes) of one invocation, by Host or by the /_aws path."""
        headers = dict(headers or {})
        if form == "host":
            url = "http://127.0.0.1:%d%s" % (self.server.port, path)
            headers["Host"] = "%s.execute-api.localhost:%d" % (api_id, self.server.port)
        else:
            url = "http://127.0.0.1:%d/_aws/execute-api/%s%s" % (self.server.port, api_id, path)
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def raw_request(self, api_id, method, target, header_lines, body=b""):
        """For repeated headers (urllib folds them): (status, headers, body)."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", "%s.execute-api.localhost:%d" % (api_id, self.server.port))
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

    def api_with(self, version, route_keys=("$default",), stage="$default", auto=True,
                 variables=None):
        api_id = self.create_api()["ApiId"]
        integration = self.apigw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=self.function_arn,
            PayloadFormatVersion=version)["IntegrationId"]
        for key in route_keys:
            self.apigw.create_route(ApiId=api_id, RouteKey=key,
                                    Target="integrations/" + integration)
        kw = {"StageVariables": variables} if variables else {}
        self.apigw.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=auto, **kw)
        return api_id


class PayloadV2Test(InvokeTestCase):
    def test_event_fields_by_host(self):
        api_id = self.create_api(Target=self.function_arn)["ApiId"]
        status, headers, body = self.raw_request(
            api_id, "GET", "/hello/world?x=1&x=2&y=%20z&flag",
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
        self.assertEqual(event["headers"]["host"],
                         "%s.execute-api.localhost:%d" % (api_id, self.server.port))
        self.assertEqual(event["headers"]["user-agent"], "nimbus-test/1")
        self.assertEqual(event["headers"]["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(event["headers"]["x-forwarded-port"], str(self.server.port))
        self.assertEqual(event["headers"]["x-forwarded-proto"], "http")
        self.assertEqual(event["queryStringParameters"], {"x": "1,2", "y": " z", "flag": ""})
        self.assertNotIn("pathParameters", event)
        self.assertNotIn("stageVariables", event)
        self.assertNotIn("body", event)
        self.assertIs(event["isBase64Encoded"], False)
        ctx = event["requestContext"]
        self.assertEqual(ctx["accountId"], self.account)
        self.assertEqual(ctx["apiId"], api_id)
        self.assertEqual(ctx["domainName"], "%s.execute-api.localhost" % api_id)
        self.assertEqual(ctx["domainPrefix"], api_id)
        self.assertEqual(ctx["http"], {"method": "GET", "path": "/hello/world",
                                       "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                       "userAgent": "nimbus-test/1"})
        self.assertEqual(ctx["requestId"], headers["apigw-requestid"])
        self.assertEqual(ctx["routeKey"], "$default")
        self.assertEqual(ctx["stage"], "$default")
        self.assertRegex(ctx["time"], CLF_TIME)
        self.assertIsInstance(ctx["timeEpoch"], int)
        self.assertLess(abs(ctx["timeEpoch"] / 1000 - datetime.datetime.now().timestamp()), 60)
        self.assertEqual(set(event), {"version", "routeKey", "rawPath", "rawQueryString",
                                      "cookies", "headers", "queryStringParameters",
                                      "requestContext", "isBase64Encoded"})

    def test_named_stage_by_path_with_parameters_variables_and_bodies(self):
        api_id = self.api_with("2.0", ("GET /items/{id}", "POST /items"), stage="prod",
                               auto=False, variables={"color": "blue"})
        # Never deployed: nothing is served yet.
        status, _, body = self.request(api_id, "/prod/items/1", form="path")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        self.apigw.create_deployment(ApiId=api_id, StageName="prod")
        event, _ = self.event(api_id, "/prod/items/42", form="path")
        self.assertEqual(event["routeKey"], "GET /items/{id}")
        self.assertEqual(event["rawPath"], "/prod/items/42")
        self.assertEqual(event["pathParameters"], {"id": "42"})
        self.assertEqual(event["stageVariables"], {"color": "blue"})
        self.assertEqual(event["requestContext"]["stage"], "prod")
        self.assertEqual(event["requestContext"]["http"]["path"], "/prod/items/42")
        self.assertEqual(event["requestContext"]["domainName"],
                         "%s.execute-api.localhost" % api_id)
        # Unicode in the path: parameters and rawPath arrive decoded.
        event, _ = self.event(api_id, "/prod/items/" + urllib.parse.quote("ü日本"), form="path")
        self.assertEqual(event["pathParameters"], {"id": "ü日本"})
        self.assertEqual(event["rawPath"], "/prod/items/ü日本")
        # Text bodies as text, binary ones base64-encoded.
        doc = json.dumps({"name": "ünïcode"}).encode()
        event, _ = self.event(api_id, "/prod/items", method="POST", body=doc,
                              headers={"content-type": "application/json"}, form="path")
        self.assertEqual(event["body"], doc.decode())
        self.assertIs(event["isBase64Encoded"], False)
        blob = bytes(range(256))
        event, _ = self.event(api_id, "/prod/items", method="POST", body=blob,
                              headers={"content-type": "application/octet-stream"})
        self.assertIs(event["isBase64Encoded"], True)
        self.assertEqual(base64.b64decode(event["body"]), blob)
        # A route added after the deployment is served only once deployed.
        integration = self.apigw.get_integrations(ApiId=api_id)["Items"][0]["IntegrationId"]
        self.apigw.create_route(ApiId=api_id, RouteKey="GET /later",
                                Target="integrations/" + integration)
        self.assertEqual(self.request(api_id, "/prod/later")[0], 404)
        self.apigw.create_deployment(ApiId=api_id, StageName="prod")
        self.assertEqual(self.event(api_id, "/prod/later")[0]["routeKey"], "GET /later")
        # No such route, no such stage (and no $default stage): Not Found.
        for path in ("/prod/nothing", "/prod/items/1/2", "/dev/items/1", "/"):
            status, headers, body = self.request(api_id, path)
            self.assertEqual(status, 404, path)
            self.assertEqual(json.loads(body), {"message": "Not Found"})
        self.assertEqual(self.request(api_id, "/prod/items/1", method="DELETE")[0], 404)

    def test_route_precedence(self):
        keys = ("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}",
                "GET /any", "ANY /any")
        api_id = self.api_with("2.0", keys)
        cases = [("GET", "/pets/dog/1", "GET /pets/dog/1", None),
                 ("GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}),
                 ("GET", "/pets/cat/1", "GET /pets/{proxy+}", {"proxy": "cat/1"}),
                 ("POST", "/pets/dog/1", "ANY /{proxy+}", {"proxy": "pets/dog/1"}),
                 ("GET", "/any", "GET /any", None),
                 ("PUT", "/any", "ANY /any", None)]
        for method, path, key, params in cases:
            event, _ = self.event(api_id, path, method=method,
                                  body=b"x" if method in ("POST", "PUT") else None)
            self.assertEqual(event["routeKey"], key, path)
            self.assertEqual(event.get("pathParameters"), params, path)
        # "/" matches no greedy route and there is no $default route.
        status, _, body = self.request(api_id, "/")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        self.apigw.create_route(ApiId=api_id, RouteKey="$default", Target=self.apigw.get_routes(
            ApiId=api_id)["Items"][0]["Target"])
        self.assertEqual(self.event(api_id, "/")[0]["routeKey"], "$default")

    def test_response_mapping(self):
        api_id = self.create_api(Target=self.function_arn)["ApiId"]
        for form in ("host", "path"):
            status, headers, body = self.request(api_id, "/simple", form=form)
            self.assertEqual((status, json.loads(body)), (200, {"hello": "world"}))
            self.assertEqual(headers["content-type"], "application/json")
        status, headers, body = self.request(api_id, "/text")
        self.assertEqual((status, body), (200, b"just text"))
        status, headers, body = self.request(api_id, "/cookies")
        self.assertEqual((status, body), (200, b"c"))
        self.assertEqual(headers.get_all("set-cookie"), ["a=1; Path=/", "b=2"])
        status, headers, body = self.request(api_id, "/binary")
        self.assertEqual((status, body), (200, bytes(range(256))))
        self.assertEqual(headers["content-type"], "application/octet-stream")
        for path in ("/raise", "/malformed"):
            status, headers, body = self.request(api_id, path)
            self.assertEqual(status, 500, path)
            self.assertEqual(json.loads(body), {"message": "Internal Server Error"})
            self.assertTrue(headers["apigw-requestid"])

    def test_unknown_api_and_disabled_endpoint(self):
        for form in ("host", "path"):
            status, _, body = self.request("nosuchapi0", "/x", form=form)
            self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        status, _, body = self.server.http("GET", "/_aws/execute-api/")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        api_id = self.create_api(Target=self.function_arn)["ApiId"]
        self.apigw.update_api(ApiId=api_id, DisableExecuteApiEndpoint=True)
        status, _, body = self.request(api_id, "/simple")
        self.assertEqual((status, json.loads(body)), (403, {"message": "Forbidden"}))

    def test_other_host_forms(self):
        api_id = self.create_api(Target=self.function_arn)["ApiId"]
        for host in ("%s.execute-api.localhost.localstack.cloud:4566" % api_id,
                     "%s.execute-api.us-east-1.amazonaws.com" % api_id):
            req = urllib.request.Request("http://127.0.0.1:%d/simple" % self.server.port,
                                         headers={"Host": host})
            with urllib.request.urlopen(req, timeout=30) as r:
                self.assertEqual(json.loads(r.read()), {"hello": "world"})


class CorsTest(InvokeTestCase):
    def test_preflight_and_response_headers(self):
        cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
                "AllowHeaders": ["content-type", "x-token"], "ExposeHeaders": ["x-echo"],
                "MaxAge": 300, "AllowCredentials": True}
        api_id = self.create_api(Target=self.function_arn, CorsConfiguration=cors)["ApiId"]
        preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
        for form in ("host", "path"):
            status, headers, body = self.request(api_id, "/anything", method="OPTIONS",
                                                 headers=preflight, form=form)
            self.assertEqual((status, body), (204, b""))
            self.assertEqual(headers["access-control-allow-origin"], "https://app.example")
            self.assertEqual(headers["access-control-allow-methods"], "GET,POST")
            self.assertEqual(headers["access-control-allow-headers"], "content-type,x-token")
            self.assertEqual(headers["access-control-max-age"], "300")
            self.assertEqual(headers["access-control-allow-credentials"], "true")
        status, headers, _ = self.request(api_id, "/anything", method="OPTIONS", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 204)
        self.assertNotIn("access-control-allow-origin", headers)
        status, headers, body = self.request(api_id, "/simple",
                                             headers={"Origin": "https://app.example"})
        self.assertEqual((status, json.loads(body)), (200, {"hello": "world"}))
        self.assertEqual(headers["access-control-allow-origin"], "https://app.example")
        self.assertEqual(headers["access-control-expose-headers"], "x-echo")
        self.assertEqual(headers["access-control-allow-credentials"], "true")
        status, headers, _ = self.request(api_id, "/simple")
        self.assertNotIn("access-control-allow-origin", headers)
        # Any origin.
        self.apigw.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["*"]})
        status, headers, _ = self.request(api_id, "/x", method="OPTIONS", headers=preflight)
        self.assertEqual((status, headers["access-control-allow-origin"]), (204, "*"))
        self.assertNotIn("access-control-allow-methods", headers)

    def test_without_cors_options_reaches_the_routes(self):
        api_id = self.create_api(Target=self.function_arn)["ApiId"]
        event, headers = self.event(api_id, "/x", method="OPTIONS", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
        self.assertEqual(event["requestContext"]["http"]["method"], "OPTIONS")
        self.assertNotIn("access-control-allow-origin", headers)


class PayloadV1Test(InvokeTestCase):
    def test_event_fields(self):
        api_id = self.api_with("1.0", ("ANY /v1/{proxy+}",))
        status, headers, body = self.raw_request(
            api_id, "POST", "/v1/a/b?q=1&q=2&r=x",
            [("X-Custom", "v1"), ("X-Custom", "v2"), ("Content-Type", "text/plain"),
             ("User-Agent", "nimbus-test/1"), ("Cookie", "a=1")], body="héllo".encode())
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual(event["version"], "1.0")
        self.assertEqual(event["resource"], "/v1/{proxy+}")
        self.assertEqual(event["path"], "/v1/a/b")
        self.assertEqual(event["httpMethod"], "POST")
        self.assertEqual(event["headers"]["x-custom"], "v2")
        self.assertEqual(event["multiValueHeaders"]["x-custom"], ["v1", "v2"])
        self.assertEqual(event["headers"]["cookie"], "a=1")
        self.assertEqual(event["queryStringParameters"], {"q": "2", "r": "x"})
        self.assertEqual(event["multiValueQueryStringParameters"], {"q": ["1", "2"], "r": ["x"]})
        self.assertEqual(event["pathParameters"], {"proxy": "a/b"})
        self.assertIsNone(event["stageVariables"])
        self.assertEqual(event["body"], "héllo")
        self.assertIs(event["isBase64Encoded"], False)
        ctx = event["requestContext"]
        self.assertEqual(ctx["accountId"], self.account)
        self.assertEqual(ctx["apiId"], api_id)
        self.assertEqual(ctx["domainName"], "%s.execute-api.localhost" % api_id)
        self.assertEqual(ctx["domainPrefix"], api_id)
        self.assertEqual(ctx["httpMethod"], "POST")
        self.assertEqual(ctx["path"], "/v1/a/b")
        self.assertEqual(ctx["protocol"], "HTTP/1.1")
        self.assertEqual(ctx["requestId"], headers["apigw-requestid"])
        self.assertEqual(ctx["extendedRequestId"], headers["apigw-requestid"])
        self.assertRegex(ctx["requestTime"], CLF_TIME)
        self.assertIsInstance(ctx["requestTimeEpoch"], int)
        self.assertEqual(ctx["resourcePath"], "/v1/{proxy+}")
        self.assertEqual(ctx["stage"], "$default")
        self.assertEqual(ctx["identity"]["sourceIp"], "127.0.0.1")
        self.assertEqual(ctx["identity"]["userAgent"], "nimbus-test/1")
        self.assertIsNone(ctx["identity"]["accessKey"])

    def test_empty_request_and_v1_responses(self):
        api_id = self.api_with("1.0", ("GET /{proxy+}",), stage="live", variables={"k": "v"})
        event, _ = self.event(api_id, "/live/x", form="path")
        self.assertIsNone(event["queryStringParameters"])
        self.assertIsNone(event["multiValueQueryStringParameters"])
        self.assertIsNone(event["body"])
        self.assertEqual(event["stageVariables"], {"k": "v"})
        self.assertEqual(event["requestContext"]["stage"], "live")
        status, headers, body = self.request(api_id, "/live/multi")
        self.assertEqual((status, body), (202, b"m"))
        self.assertEqual(headers.get_all("x-m"), ["1", "2"])
        self.assertEqual(headers["x-one"], "1")
        # Format 1.0 infers nothing: an answer without statusCode is malformed.
        status, _, body = self.request(api_id, "/live/simple")
        self.assertEqual((status, json.loads(body)), (500, {"message": "Internal Server Error"}))


class HttpProxyTest(ApiGatewayTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = EchoServer()
        cls.backend_url = cls.backend.url

    @classmethod
    def tearDownClass(cls):
        cls.backend.close()
        super().tearDownClass()

    def call(self, api_id, path, method="GET", body=None):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/_aws/execute-api/%s%s" % (self.server.port, api_id, path),
            data=body, method=method, headers={"X-Custom": "c"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def test_proxy_routes_and_default(self):
        api_id = self.create_api(Target=self.backend_url)["ApiId"]  # $default route, full path
        status, headers, body = self.call(api_id, "/store/checkout?a=1&a=2", method="POST",
                                          body=b"payload")
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-backend"], "1")
        seen = json.loads(body)
        self.assertEqual(seen["method"], "POST")
        self.assertEqual(seen["path"], "/store/checkout?a=1&a=2")
        self.assertEqual(seen["body"], "payload")
        self.assertEqual(seen["headers"]["x-custom"], "c")
        self.assertEqual(seen["headers"]["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(seen["headers"]["host"], self.backend_url[len("http://"):])
        status, _, body = self.call(api_id, "/teapot")
        self.assertEqual(status, 418)
        integration = self.apigw.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="PUT",
            IntegrationUri=self.backend_url + "/backend/{proxy}")["IntegrationId"]
        self.apigw.create_route(ApiId=api_id, RouteKey="GET /p/{proxy+}",
                                Target="integrations/" + integration)
        status, _, body = self.call(api_id, "/p/x/y?z=1")
        self.assertEqual(status, 200)
        seen = json.loads(body)
        self.assertEqual((seen["method"], seen["path"]), ("PUT", "/backend/x/y?z=1"))

    def test_unreachable_backend(self):
        dead = closed_port()
        api_id = self.create_api(Target="http://127.0.0.1:%d" % dead)["ApiId"]
        status, _, body = self.call(api_id, "/x")
        self.assertEqual((status, json.loads(body)), (500, {"message": "Internal Server Error"}))


class ConfigurationChangesTest(InvokeTestCase):
    """The data plane serves what the control plane last wrote: every change below reaches the
    very next request (nimbus keeps the deployed API in memory between changes)."""

    def test_each_change_reaches_the_next_request(self):
        api_id = self.api_with("2.0", ("GET /a", "GET /b"), variables={"v": "1"})
        self.assertEqual(self.event(api_id, "/a")[0]["stageVariables"], {"v": "1"})
        # Stage variables.
        self.apigw.update_stage(ApiId=api_id, StageName="$default", StageVariables={"v": "2"})
        self.assertEqual(self.event(api_id, "/a")[0]["stageVariables"], {"v": "2"})
        # A route deleted.
        route_a = [r for r in self.apigw.get_routes(ApiId=api_id)["Items"]
                   if r["RouteKey"] == "GET /a"][0]
        self.apigw.delete_route(ApiId=api_id, RouteId=route_a["RouteId"])
        status, _, body = self.request(api_id, "/a")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        # An integration changed to payload format 1.0: the event's shape follows.
        self.assertEqual(self.event(api_id, "/b")[0]["version"], "2.0")
        integration = self.apigw.get_integrations(ApiId=api_id)["Items"][0]["IntegrationId"]
        self.apigw.update_integration(ApiId=api_id, IntegrationId=integration,
                                      PayloadFormatVersion="1.0")
        event, _ = self.event(api_id, "/b")
        self.assertEqual((event["version"], event["httpMethod"]), ("1.0", "GET"))
        # A route key changed.
        route_b = self.apigw.get_routes(ApiId=api_id)["Items"][0]["RouteId"]
        self.apigw.update_route(ApiId=api_id, RouteId=route_b, RouteKey="GET /c")
        self.assertEqual(self.request(api_id, "/b")[0], 404)
        self.assertEqual(self.event(api_id, "/c")[0]["resource"], "/c")
        # The stage deleted: nothing is served; the API deleted: the API is unknown.
        self.apigw.delete_stage(ApiId=api_id, StageName="$default")
        status, _, body = self.request(api_id, "/c")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        self.apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        self.assertEqual(self.event(api_id, "/c")[0]["resource"], "/c")
        self.apigw.delete_api(ApiId=api_id)
        status, _, body = self.request(api_id, "/c")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))



class ResetTest(ApiGatewayTestCase):
    def call(self, api_id, path):
        return self.server.http("GET", "/_aws/execute-api/%s%s" % (api_id, path))

    def test_reset_forgets_served_apis(self):
        dead = closed_port()
        api_id = self.create_api(Target="http://127.0.0.1:%d" % dead)["ApiId"]
        # Served (its backend is down): the API is known.
        status, _, body = self.call(api_id, "/x")
        self.assertEqual((status, json.loads(body)), (500, {"message": "Internal Server Error"}))
        self.assertEqual(self.server.reset()[0], 200)
        status, _, body = self.call(api_id, "/x")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
