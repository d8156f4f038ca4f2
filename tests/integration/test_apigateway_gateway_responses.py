"""API Gateway REST API gateway responses (API reference: PutGatewayResponse, GetGatewayResponse,
GetGatewayResponses, UpdateGatewayResponse, DeleteGatewayResponse; developer guide, "Gateway
responses for REST APIs" and "Gateway response types"). A new API lists every response type as
a default response ({"message":$context.error.messageString}, the type's own status code, no
status for DEFAULT_4XX/DEFAULT_5XX); a customized one answers defaultResponse false. Once
deployed, every error the gateway answers itself goes through the response of its type, else
DEFAULT_4XX or DEFAULT_5XX: its statusCode, its responseParameters
(gatewayresponse.header.X from a 'literal', method.request.header.Y, context.Z, ...) and its
responseTemplates ($context.error.message / messageString / responseType)."""
import json
import urllib.error
import urllib.request

import botocore.exceptions

from nimbus_harness import NimbusTestCase
from test_apigateway_rest import lambda_uri

ClientError = botocore.exceptions.ClientError
DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}
TYPES = ["DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY",
         "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR",
         "INVALID_SIGNATURE", "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN",
         "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR",
         "UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY",
         "REQUEST_TOO_LARGE", "THROTTLED", "QUOTA_EXCEEDED", "WAF_FILTERED"]
CORS = {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
TEMPLATE = ('{"error": $context.error.messageString, "type": "$context.error.responseType", '
            '"raw": "$context.error.message", "stage": "$context.stage", '
            '"requestId": "$context.requestId"}')


class GatewayResponsesCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigateway")

    def error(self, call, code, status, message=None):
        with self.assertRaises(ClientError) as ctx:
            call()
        err = self.assertAwsError(ctx, code, status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)


class ControlPlaneTest(GatewayResponsesCase):
    def test_defaults_listed_then_customized(self):
        api_id = self.apigw.create_rest_api(name="api")["id"]
        items = self.apigw.get_gateway_responses(restApiId=api_id)["items"]
        self.assertEqual([i["responseType"] for i in items], TYPES)
        by_type = {i["responseType"]: i for i in items}
        self.assertEqual(by_type["MISSING_AUTHENTICATION_TOKEN"], {
            "responseType": "MISSING_AUTHENTICATION_TOKEN", "statusCode": "403",
            "responseParameters": {}, "responseTemplates": DEFAULT_TEMPLATE,
            "defaultResponse": True})
        self.assertEqual(by_type["DEFAULT_4XX"], {
            "responseType": "DEFAULT_4XX", "responseParameters": {},
            "responseTemplates": DEFAULT_TEMPLATE, "defaultResponse": True})
        self.assertEqual(by_type["THROTTLED"]["statusCode"], "429")
        self.assertEqual(by_type["INTEGRATION_TIMEOUT"]["statusCode"], "504")
        page = self.apigw.get_gateway_responses(restApiId=api_id, limit=5)
        self.assertEqual([i["responseType"] for i in page["items"]], TYPES[:5])
        self.assertIn("position", page)

        put = self.apigw.put_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX", statusCode="418",
            responseParameters=CORS, responseTemplates={"application/json": TEMPLATE})
        self.assertEqual(put["ResponseMetadata"]["HTTPStatusCode"], 201)
        del put["ResponseMetadata"]
        self.assertEqual(put, {"responseType": "DEFAULT_4XX", "statusCode": "418",
                               "responseParameters": CORS,
                               "responseTemplates": {"application/json": TEMPLATE},
                               "defaultResponse": False})
        got = self.apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
        del got["ResponseMetadata"]
        self.assertEqual(got, put)
        # The other 4XX types that are not customized take DEFAULT_4XX's; 5XX ones do not.
        missing = self.apigw.get_gateway_response(restApiId=api_id,
                                                  responseType="MISSING_AUTHENTICATION_TOKEN")
        self.assertEqual((missing["statusCode"], missing["responseParameters"],
                          missing["defaultResponse"]), ("418", CORS, True))
        timeout = self.apigw.get_gateway_response(restApiId=api_id,
                                                  responseType="INTEGRATION_TIMEOUT")
        self.assertEqual((timeout["statusCode"], timeout["responseParameters"]), ("504", {}))

        updated = self.apigw.update_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
                {"op": "replace", "path": "/statusCode", "value": "400"},
                {"op": "add", "path": "/responseParameters/gatewayresponse.header.X-Id",
                 "value": "context.requestId"},
                {"op": "remove",
                 "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin"},
            ])
        self.assertEqual((updated["statusCode"], updated["responseParameters"]),
                         ("400", {"gatewayresponse.header.X-Id": "context.requestId"}))
        # Updating a response never put starts from its default.
        throttled = self.apigw.update_gateway_response(
            restApiId=api_id, responseType="THROTTLED", patchOperations=[
                {"op": "add", "path": "/responseParameters/gatewayresponse.header.Retry-After",
                 "value": "'1'"}])
        self.assertEqual((throttled["statusCode"], throttled["defaultResponse"],
                          throttled["responseTemplates"]), ("429", False, DEFAULT_TEMPLATE))

        self.assertEqual(self.apigw.delete_gateway_response(
            restApiId=api_id, responseType="THROTTLED")["ResponseMetadata"]["HTTPStatusCode"], 202)
        back = self.apigw.get_gateway_response(restApiId=api_id, responseType="THROTTLED")
        self.assertIs(back["defaultResponse"], True)
        self.error(lambda: self.apigw.delete_gateway_response(restApiId=api_id,
                                                              responseType="THROTTLED"),
                   "NotFoundException", 404, "Invalid Gateway Response specified")

    def test_validation(self):
        api_id = self.apigw.create_rest_api(name="api")["id"]
        bad_type = ("1 validation error detected: Value 'NOT_A_TYPE' at 'responseType' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [%s]"
                    % ", ".join(TYPES))
        for call in (lambda: self.apigw.put_gateway_response(restApiId=api_id,
                                                             responseType="NOT_A_TYPE"),
                     lambda: self.apigw.get_gateway_response(restApiId=api_id,
                                                             responseType="NOT_A_TYPE"),
                     lambda: self.apigw.delete_gateway_response(restApiId=api_id,
                                                                responseType="NOT_A_TYPE")):
            self.error(call, "BadRequestException", 400, bad_type)
        self.error(lambda: self.apigw.put_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX", statusCode="600"),
            "BadRequestException", 400,
            "1 validation error detected: Value '600' at 'statusCode' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d")
        self.error(lambda: self.apigw.put_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX",
            responseParameters={"method.response.header.X": "'x'"}),
            "BadRequestException", 400,
            "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
            "[Invalid mapping expression specified: method.response.header.X]")
        self.error(lambda: self.apigw.put_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX",
            responseParameters={"gatewayresponse.header.X": "nonsense"}),
            "BadRequestException", 400,
            "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
            "[Invalid mapping expression parameter specified: nonsense]")
        self.error(lambda: self.apigw.update_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX",
            patchOperations=[{"op": "replace", "path": "/nothing", "value": "x"}]),
            "BadRequestException", 400)
        for call in (lambda: self.apigw.get_gateway_responses(restApiId="nosuchapi1"),
                     lambda: self.apigw.put_gateway_response(restApiId="nosuchapi1",
                                                             responseType="DEFAULT_4XX")):
            self.error(call, "NotFoundException", 404)
        # Nothing was stored by the refused calls.
        self.assertIs(self.apigw.get_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX")["defaultResponse"], True)

    def test_cli(self):
        api_id = self.apigw.create_rest_api(name="api")["id"]
        _, out, _ = self.server.aws(
            "apigateway", "put-gateway-response", "--rest-api-id", api_id,
            "--response-type", "DEFAULT_4XX", "--response-parameters", json.dumps(CORS))
        self.assertEqual((out["responseType"], out["responseParameters"],
                          out["defaultResponse"]), ("DEFAULT_4XX", CORS, False))
        _, out, _ = self.server.aws("apigateway", "get-gateway-responses", "--rest-api-id", api_id)
        self.assertEqual(len(out["items"]), len(TYPES))
        _, out, _ = self.server.aws("apigateway", "get-gateway-response", "--rest-api-id",
                                    api_id, "--response-type", "DEFAULT_4XX")
        self.assertEqual(out["responseParameters"], CORS)
        code, _, err = self.server.aws("apigateway", "delete-gateway-response", "--rest-api-id",
                                       api_id, "--response-type", "DEFAULT_4XX")
        self.assertEqual(code, 0, err)
        code, _, err = self.server.aws("apigateway", "put-gateway-response", "--rest-api-id",
                                       api_id, "--response-type", "BOGUS", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("BadRequestException", err)


class InvokeTest(GatewayResponsesCase):
    """Errors the gateway answers itself, through the deployed gateway responses."""

    def request(self, api_id, path, headers=None, method="GET", body=None):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/_aws/execute-api/%s%s" % (self.server.port, api_id, path),
            headers=dict(headers or {}), method=method, data=body)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def api(self):
        """A REST API: GET /key (MOCK, API key required), GET /open (MOCK), GET /auth (a TOKEN
        authorizer), GET /broken (a MOCK whose request template makes no JSON), deployed to
        prod. Returns the API id."""
        api_id = self.apigw.create_rest_api(name="api")["id"]
        root = self.apigw.get_rest_api(restApiId=api_id)["rootResourceId"]
        auth = self.apigw.create_authorizer(
            restApiId=api_id, name="tok", type="TOKEN",
            authorizerUri=lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:auth"),
            identitySource="method.request.header.Authorization")["id"]
        for part, extra, template in (("key", {"apiKeyRequired": True}, '{"statusCode": 200}'),
                                      ("open", {}, '{"statusCode": 200}'),
                                      ("auth", {"authorizationType": "CUSTOM",
                                                "authorizerId": auth}, '{"statusCode": 200}'),
                                      ("broken", {}, "not json")):
            res = self.apigw.create_resource(restApiId=api_id, parentId=root,
                                             pathPart=part)["id"]
            base = {"restApiId": api_id, "resourceId": res, "httpMethod": "GET"}
            self.apigw.put_method(**{"authorizationType": "NONE", **base, **extra})
            self.apigw.put_integration(type="MOCK",
                                       requestTemplates={"application/json": template}, **base)
            self.apigw.put_method_response(statusCode="200", **base)
            self.apigw.put_integration_response(
                statusCode="200", responseTemplates={"application/json": '{"ok": true}'}, **base)
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        return api_id

    def test_default_answers_without_customization(self):
        api_id = self.api()
        status, headers, body = self.request(api_id, "/prod/nope")
        self.assertEqual((status, body), (403, b'{"message":"Missing Authentication Token"}'))
        self.assertEqual(headers["x-amzn-ErrorType"], "MissingAuthenticationTokenException")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertIsNone(headers["Access-Control-Allow-Origin"])

    def test_default_4xx_cors_applies_after_deployment(self):
        api_id = self.api()
        self.apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                        responseParameters=CORS)
        # Not deployed yet: the stage answers as before.
        status, headers, _ = self.request(api_id, "/prod/nope")
        self.assertEqual(status, 403)
        self.assertIsNone(headers["Access-Control-Allow-Origin"])
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        refusals = [
            ("/prod/nope", {}, 403, "Missing Authentication Token",
             "MissingAuthenticationTokenException"),
            ("/prod/key", {}, 403, "Forbidden", "ForbiddenException"),
            ("/prod/auth", {}, 401, "Unauthorized", "UnauthorizedException"),
        ]
        for path, headers, want_status, message, error_type in refusals:
            status, got_headers, body = self.request(api_id, path, headers)
            self.assertEqual((status, json.loads(body)), (want_status, {"message": message}),
                             path)
            self.assertEqual(got_headers["Access-Control-Allow-Origin"], "*", path)
            self.assertEqual(got_headers["x-amzn-ErrorType"], error_type, path)
        # 5XX answers do not take DEFAULT_4XX's header.
        status, headers, body = self.request(api_id, "/prod/broken")
        self.assertEqual((status, json.loads(body)), (500, {"message": "Internal server error"}))
        self.assertIsNone(headers["Access-Control-Allow-Origin"])
        # Success answers neither.
        status, headers, _ = self.request(api_id, "/prod/open")
        self.assertEqual(status, 200)
        self.assertIsNone(headers["Access-Control-Allow-Origin"])

    def test_typed_responses_status_parameters_and_templates(self):
        api_id = self.api()
        self.apigw.put_gateway_response(
            restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
            responseParameters={"gatewayresponse.header.X-Trace": "method.request.header.x-trace",
                                "gatewayresponse.header.X-Request": "context.requestId",
                                "gatewayresponse.header.X-Fixed": "'fixed'"},
            responseTemplates={"application/json": TEMPLATE})
        self.apigw.put_gateway_response(
            restApiId=api_id, responseType="UNAUTHORIZED",
            responseTemplates={"application/json": '{"why": $context.error.messageString}'})
        self.apigw.put_gateway_response(
            restApiId=api_id, responseType="INVALID_API_KEY", statusCode="401",
            responseParameters={"gatewayresponse.header.WWW-Authenticate": "'ApiKey'"})
        self.apigw.put_gateway_response(
            restApiId=api_id, responseType="THROTTLED",
            responseParameters={"gatewayresponse.header.Retry-After": "'30'"},
            responseTemplates={"application/json": '{"slow": "$context.error.responseType"}'})
        self.apigw.put_gateway_response(
            restApiId=api_id, responseType="DEFAULT_5XX", statusCode="503",
            responseParameters={"gatewayresponse.header.X-Five": "'yes'"})
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        self.apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/~1open/GET/throttling/burstLimit", "value": "0"},
            {"op": "replace", "path": "/~1open/GET/throttling/rateLimit", "value": "0"}])

        status, headers, body = self.request(api_id, "/prod/nope", {"X-Trace": "t-1"})
        self.assertEqual(status, 404)
        out = json.loads(body)
        self.assertEqual(out, {"error": "Missing Authentication Token",
                               "type": "MISSING_AUTHENTICATION_TOKEN",
                               "raw": "Missing Authentication Token", "stage": "prod",
                               "requestId": headers["x-amzn-RequestId"]})
        self.assertEqual((headers["X-Trace"], headers["X-Request"], headers["X-Fixed"]),
                         ("t-1", headers["x-amzn-RequestId"], "fixed"))
        self.assertEqual(headers["x-amzn-ErrorType"], "MissingAuthenticationTokenException")

        status, _, body = self.request(api_id, "/prod/auth")
        self.assertEqual((status, json.loads(body)), (401, {"why": "Unauthorized"}))
        status, headers, body = self.request(api_id, "/prod/key", {"x-api-key": "no-such-key"})
        self.assertEqual((status, json.loads(body)), (401, {"message": "Forbidden"}))
        self.assertEqual(headers["WWW-Authenticate"], "ApiKey")
        status, headers, body = self.request(api_id, "/prod/open")
        self.assertEqual((status, json.loads(body)), (429, {"slow": "THROTTLED"}))
        self.assertEqual(headers["Retry-After"], "30")
        self.assertEqual(headers["x-amzn-ErrorType"], "TooManyRequestsException")
        # API_CONFIGURATION_ERROR falls back to DEFAULT_5XX: its status and header.
        status, headers, body = self.request(api_id, "/prod/broken")
        self.assertEqual((status, json.loads(body)), (503, {"message": "Internal server error"}))
        self.assertEqual(headers["X-Five"], "yes")

    def test_openapi_export_and_import(self):
        api_id = self.api()
        self.apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                        responseParameters=CORS)
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        out = self.apigw.get_export(restApiId=api_id, stageName="prod", exportType="oas30",
                                    parameters={"extensions": "apigateway"},
                                    accepts="application/json")
        doc = json.loads(out["body"].read())
        self.assertEqual(doc["x-amazon-apigateway-gateway-responses"],
                         {"DEFAULT_4XX": {"responseParameters": CORS}})
        doc["x-amazon-apigateway-gateway-responses"]["THROTTLED"] = {
            "statusCode": "503", "responseTemplates": {"application/json": '{"x": 1}'}}
        imported = self.apigw.import_rest_api(body=json.dumps(doc).encode())
        self.assertNotIn("warnings", imported)
        got = self.apigw.get_gateway_response(restApiId=imported["id"], responseType="THROTTLED")
        self.assertEqual((got["statusCode"], got["responseTemplates"], got["defaultResponse"]),
                         ("503", {"application/json": '{"x": 1}'}, False))
        got = self.apigw.get_gateway_response(restApiId=imported["id"],
                                              responseType="DEFAULT_4XX")
        self.assertEqual(got["responseParameters"], CORS)
        doc["x-amazon-apigateway-gateway-responses"]["NOPE"] = {}
        self.error(lambda: self.apigw.import_rest_api(body=json.dumps(doc).encode()),
                   "BadRequestException", 400)


if __name__ == "__main__":
    import unittest
    unittest.main()
