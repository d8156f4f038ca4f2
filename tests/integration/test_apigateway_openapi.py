"""API Gateway REST APIs and OpenAPI: ImportRestApi and PutRestApi (merge and overwrite) read
Swagger 2.0 and OpenAPI 3.0 definitions with API Gateway's extensions (developer guide, "API
Gateway extensions to OpenAPI") into resources, methods, integrations, models and request
validators; GetExport writes what a stage serves back as swagger or oas30, JSON or YAML. Imported
APIs serve like any other once deployed. Malformed definitions answer BadRequestException."""
import json
import os
import tempfile
import urllib.error
import urllib.request

import botocore.exceptions
import yaml

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError

PY_ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"resource": event["resource"], "body": event["body"],
                                "pathParameters": event["pathParameters"]})}
"""


def lambda_uri(arn):
    return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations" % arn


def swagger(function_arn):
    return {
        "swagger": "2.0",
        "info": {"title": "PetStore", "description": "pets", "version": "1.0"},
        "basePath": "/v1",
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params-only": {"validateRequestBody": False, "validateRequestParameters": True}},
        "x-amazon-apigateway-request-validator": "params-only",
        "securityDefinitions": {"api_key": {"type": "apiKey", "name": "x-api-key",
                                            "in": "header"}},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "ListPets",
                    "parameters": [{"name": "type", "in": "query", "required": True,
                                    "type": "string"},
                                   {"name": "page", "in": "query", "type": "string"}],
                    "responses": {"200": {"description": "ok",
                                          "schema": {"$ref": "#/definitions/Pets"},
                                          "headers": {"Access-Control-Allow-Origin":
                                                      {"type": "string"}}}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {"default": {
                            "statusCode": "200",
                            "responseTemplates": {"application/json": '[{"id": 1}]'},
                            "responseParameters": {
                                "method.response.header.Access-Control-Allow-Origin": "'*'"}}},
                        "passthroughBehavior": "when_no_match"},
                },
                "post": {
                    "x-amazon-apigateway-request-validator": "all",
                    "consumes": ["application/json"],
                    "parameters": [{"in": "body", "name": "Pet", "required": True,
                                    "schema": {"$ref": "#/definitions/Pet"}}],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST",
                        "uri": lambda_uri(function_arn), "timeoutInMillis": 5000},
                },
            },
            "/admin": {
                "delete": {
                    "security": [{"api_key": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 204}'},
                        "responses": {"default": {"statusCode": "204"}}},
                },
            },
            "/pets/{petId}": {
                "get": {
                    "parameters": [{"name": "petId", "in": "path", "required": True,
                                    "type": "string"}],
                    "responses": {},
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST",
                        "uri": lambda_uri(function_arn)},
                },
            },
        },
        "definitions": {
            "Pet": {"type": "object", "required": ["name", "price"], "properties": {
                "name": {"type": "string", "minLength": 1},
                "price": {"type": "number", "minimum": 25, "maximum": 500},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}},
                "additionalProperties": False},
            "Tag": {"type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}}},
            "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
        },
    }


def oas30(function_arn):
    return {
        "openapi": "3.0.1",
        "info": {"title": "Orders", "version": "3"},
        "paths": {
            "/orders/{id}": {
                "put": {
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "string"}},
                                   {"name": "X-Trace", "in": "header", "required": True,
                                    "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object", "required": ["qty"],
                        "properties": {"qty": {"type": "integer", "minimum": 1}}}}}},
                    "x-amazon-apigateway-request-validator": "full",
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST",
                        "uri": lambda_uri(function_arn)},
                },
            },
            "/{proxy+}": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": {
                        "type": "http_proxy", "httpMethod": "ANY",
                        "uri": "http://backend.example/{proxy}",
                        "requestParameters": {
                            "integration.request.path.proxy": "method.request.path.proxy"}},
                },
            },
        },
        "x-amazon-apigateway-request-validators": {
            "full": {"validateRequestBody": True, "validateRequestParameters": True}},
    }


class OpenApiTestCase(NimbusTestCase):
    reset_between_tests = False
    function_arn = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import test_lambda_support as support
        cls.function_arn = cls.server.client("lambda").create_function(
            FunctionName="pets", Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": PY_ECHO})},
            Timeout=10)["FunctionArn"]

    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigateway")

    def error(self, call, code, status, contains=None):
        with self.assertRaises(ClientError) as cm:
            call()
        err = self.assertAwsError(cm, code, status)
        if contains is not None:
            self.assertIn(contains, err["Error"]["Message"])
        return err

    def resources(self, api_id):
        items = self.apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
        return {r["path"]: r for r in items}

    def import_api(self, doc, **kw):
        return self.apigw.import_rest_api(body=json.dumps(doc).encode(), **kw)

    def invoke(self, api_id, path, method="GET", body=None, headers=None):
        headers = dict(headers or {})
        headers["Host"] = "%s.execute-api.localhost:%d" % (api_id, self.server.port)
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.server.port, path),
                                     data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()


class ImportRestApiTest(OpenApiTestCase):
    def test_swagger_import_makes_resources_methods_integrations_models_validators(self):
        api = self.import_api(swagger(self.function_arn))
        self.assertEqual(api["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(api["name"], "PetStore")
        self.assertEqual(api["description"], "pets")
        self.assertEqual(api["version"], "1.0")
        self.assertEqual(api["binaryMediaTypes"], ["image/png"])
        self.assertEqual(api["endpointConfiguration"]["types"], ["EDGE"])
        self.assertNotIn("warnings", api)
        api_id = api["id"]
        res = self.resources(api_id)
        self.assertEqual(sorted(res), ["/", "/admin", "/pets", "/pets/{petId}"])
        self.assertEqual(res["/admin"]["resourceMethods"]["DELETE"]["apiKeyRequired"], True)
        self.assertEqual(res["/pets/{petId}"]["pathPart"], "{petId}")
        self.assertEqual(res["/pets/{petId}"]["parentId"], res["/pets"]["id"])
        self.assertEqual(res["/"]["id"], api["rootResourceId"])
        validators = {v["name"]: v for v in
                      self.apigw.get_request_validators(restApiId=api_id)["items"]}
        self.assertEqual(validators["all"]["validateRequestBody"], True)
        self.assertEqual(validators["params-only"]["validateRequestBody"], False)
        self.assertEqual(validators["params-only"]["validateRequestParameters"], True)

        get = res["/pets"]["resourceMethods"]["GET"]
        self.assertEqual(get["authorizationType"], "NONE")
        self.assertEqual(get["apiKeyRequired"], False)
        self.assertEqual(get["operationName"], "ListPets")
        self.assertEqual(get["requestParameters"], {"method.request.querystring.type": True,
                                                    "method.request.querystring.page": False})
        self.assertEqual(get["requestValidatorId"], validators["params-only"]["id"])
        self.assertEqual(get["methodResponses"]["200"]["responseModels"],
                         {"application/json": "Pets"})
        self.assertEqual(get["methodResponses"]["200"]["responseParameters"],
                         {"method.response.header.Access-Control-Allow-Origin": False})
        mock = get["methodIntegration"]
        self.assertEqual(mock["type"], "MOCK")
        self.assertEqual(mock["passthroughBehavior"], "WHEN_NO_MATCH")
        self.assertEqual(mock["integrationResponses"]["200"]["responseTemplates"],
                         {"application/json": '[{"id": 1}]'})
        self.assertNotIn("selectionPattern", mock["integrationResponses"]["200"])

        post = self.apigw.get_method(restApiId=api_id, resourceId=res["/pets"]["id"],
                                     httpMethod="POST")
        self.assertEqual(post["apiKeyRequired"], False)
        self.assertEqual(post["requestModels"], {"application/json": "Pet"})
        self.assertEqual(post["requestValidatorId"], validators["all"]["id"])
        integration = self.apigw.get_integration(restApiId=api_id, resourceId=res["/pets"]["id"],
                                                 httpMethod="POST")
        self.assertEqual(integration["type"], "AWS_PROXY")
        self.assertEqual(integration["uri"], lambda_uri(self.function_arn))
        self.assertEqual(integration["httpMethod"], "POST")
        self.assertEqual(integration["timeoutInMillis"], 5000)
        self.assertEqual(integration["cacheNamespace"], res["/pets"]["id"])

        models = {m["name"]: m for m in self.apigw.get_models(restApiId=api_id)["items"]}
        self.assertEqual(sorted(models), ["Empty", "Error", "Pet", "Pets", "Tag"])
        self.assertEqual(models["Pet"]["contentType"], "application/json")
        pet = json.loads(self.apigw.get_model(restApiId=api_id, modelName="Pet")["schema"])
        self.assertEqual(pet["properties"]["tags"]["items"]["$ref"],
                         "https://apigateway.amazonaws.com/restapis/%s/models/Tag" % api_id)

    def test_oas30_import_with_basepath_and_endpoint_type(self):
        api = self.import_api(oas30(self.function_arn),
                              parameters={"endpointConfigurationTypes": "REGIONAL"})
        self.assertEqual(api["endpointConfiguration"]["types"], ["REGIONAL"])
        res = self.resources(api["id"])
        self.assertEqual(sorted(res), ["/", "/orders", "/orders/{id}", "/{proxy+}"])
        put = res["/orders/{id}"]["resourceMethods"]["PUT"]
        self.assertEqual(put["requestParameters"], {"method.request.path.id": True,
                                                    "method.request.header.X-Trace": True})
        self.assertEqual(put["requestModels"], {"application/json": "PUTordersidBody"})
        proxy = res["/{proxy+}"]["resourceMethods"]["ANY"]["methodIntegration"]
        self.assertEqual(proxy["type"], "HTTP_PROXY")
        self.assertEqual(proxy["connectionType"], "INTERNET")
        self.assertEqual(proxy["requestParameters"],
                         {"integration.request.path.proxy": "method.request.path.proxy"})
        doc = swagger(self.function_arn)
        prepend = self.import_api(doc, parameters={"basepath": "prepend"})
        self.assertIn("/v1/pets/{petId}", self.resources(prepend["id"]))
        self.error(lambda: self.import_api(doc, parameters={"basepath": "upward"}),
                   "BadRequestException", 400, "Invalid basepath parameter upward")
        self.error(lambda: self.import_api(doc, parameters={"endpointConfigurationTypes": "X"}),
                   "BadRequestException", 400, "Invalid endpoint configuration type X")

    def test_imported_api_serves_and_validates_requests(self):
        api_id = self.import_api(swagger(self.function_arn))["id"]
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, headers, body = self.invoke(api_id, "/prod/pets")
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body),
                         {"message": "Missing required request parameters: [type]"})
        self.assertEqual(headers["x-amzn-ErrorType"], "BadRequestException")
        status, headers, body = self.invoke(api_id, "/prod/pets?type=dog")
        self.assertEqual((status, body), (200, b'[{"id": 1}]'))
        self.assertEqual(headers["Access-Control-Allow-Origin"], "*")

        ok = json.dumps({"name": "rex", "price": 30, "tags": [{"name": "good"}]}).encode()
        status, _, body = self.invoke(api_id, "/prod/pets", "POST", ok,
                                      {"content-type": "application/json"})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["resource"], "/pets")
        for bad in (b'{"name": "rex"}', b'{"name": "rex", "price": 1}',
                    b'{"name": "rex", "price": 30, "tags": [{}]}',
                    b'{"name": "rex", "price": 30, "color": "red"}', b"not json", b""):
            with self.subTest(body=bad):
                status, headers, body = self.invoke(api_id, "/prod/pets", "POST", bad,
                                                    {"content-type": "application/json"})
                self.assertEqual(status, 400)
                self.assertEqual(json.loads(body), {"message": "Invalid request body"})
                self.assertEqual(headers["x-amzn-ErrorType"], "BadRequestException")
        status, _, body = self.invoke(api_id, "/prod/pets/9")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["pathParameters"], {"petId": "9"})

    def test_oas30_validation_of_headers_and_inline_body_models(self):
        api_id = self.import_api(oas30(self.function_arn))["id"]
        self.apigw.create_deployment(restApiId=api_id, stageName="s")
        status, _, body = self.invoke(api_id, "/s/orders/1", "PUT", b'{"qty": 2}',
                                      {"content-type": "application/json"})
        self.assertEqual((status, json.loads(body)),
                         (400, {"message": "Missing required request parameters: [X-Trace]"}))
        status, _, body = self.invoke(api_id, "/s/orders/1", "PUT", b'{"qty": 0}',
                                      {"content-type": "application/json", "X-Trace": "t"})
        self.assertEqual((status, json.loads(body)), (400, {"message": "Invalid request body"}))
        status, _, body = self.invoke(api_id, "/s/orders/1", "PUT", b'{"qty": 2}',
                                      {"content-type": "application/json", "X-Trace": "t"})
        self.assertEqual(status, 200, body)

    def test_warnings_and_fail_on_warnings(self):
        doc = swagger(self.function_arn)
        doc["paths"]["/bare"] = {"get": {"responses": {}}, "trace": {}}
        api = self.import_api(doc)
        self.assertEqual(api["warnings"], [
            "Method GET /bare has no x-amazon-apigateway-integration; it was imported without "
            "an integration",
            "Method TRACE of /bare is not supported by API Gateway and was not imported"])
        self.error(lambda: self.import_api(doc, failOnWarnings=True), "BadRequestException", 400,
                   "Warnings found during import:")

    def test_put_rest_api_merge_and_overwrite(self):
        api_id = self.import_api(swagger(self.function_arn))["id"]
        root = self.apigw.get_rest_api(restApiId=api_id)["rootResourceId"]
        extra = {"swagger": "2.0", "info": {"title": "Renamed", "version": "2"}, "paths": {
            "/pets": {"delete": {"x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 204}'},
                "responses": {"default": {"statusCode": "204"}}}}},
            "/toys": {"get": {"x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}}}}}}}
        merged = self.apigw.put_rest_api(restApiId=api_id, mode="merge",
                                         body=json.dumps(extra).encode())
        self.assertEqual(merged["name"], "PetStore")
        res = self.resources(api_id)
        self.assertEqual(sorted(res), ["/", "/admin", "/pets", "/pets/{petId}", "/toys"])
        self.assertEqual(sorted(res["/pets"]["resourceMethods"]), ["DELETE", "GET", "POST"])
        self.assertEqual(len(self.apigw.get_models(restApiId=api_id)["items"]), 5)

        over = self.apigw.put_rest_api(restApiId=api_id, mode="overwrite",
                                       body=json.dumps(extra).encode())
        self.assertEqual(over["name"], "Renamed")
        self.assertNotIn("binaryMediaTypes", over)
        res = self.resources(api_id)
        self.assertEqual(sorted(res), ["/", "/pets", "/toys"])
        self.assertEqual(res["/"]["id"], root)
        self.assertEqual(sorted(res["/pets"]["resourceMethods"]), ["DELETE"])
        self.assertEqual(sorted(m["name"] for m in
                                self.apigw.get_models(restApiId=api_id)["items"]),
                         ["Empty", "Error"])
        self.assertEqual(self.apigw.get_request_validators(restApiId=api_id)["items"], [])
        self.error(lambda: self.apigw.put_rest_api(restApiId="nosuchapi1",
                                                   body=json.dumps(extra).encode()),
                   "NotFoundException", 404)
        # A definition that cannot be imported changes nothing.
        self.error(lambda: self.apigw.put_rest_api(restApiId=api_id, mode="overwrite",
                                                   body=b'{"swagger": "2.0"}'),
                   "BadRequestException", 400, "no 'info' object")
        self.assertEqual(sorted(self.resources(api_id)), ["/", "/pets", "/toys"])

    def test_malformed_definitions_answer_bad_request(self):
        cases = [
            (b"{not json", "Invalid OpenAPI input: Invalid JSON"),
            (b"[]", "the definition must be a JSON or YAML object"),
            (b"{}", "no 'swagger: \"2.0\"' or 'openapi: \"3.0.x\"' field"),
            (b'{"swagger": "2.0", "info": {"title": "x"}}', "no 'paths' object"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a b": {}}}',
             "resource path parts only allow"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/{a+}/b": {}}}',
             "a greedy path variable must be the last part"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/{a}": {}, "/{b}": {}}}',
             "only one is allowed"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"get": {'
             b'"x-amazon-apigateway-integration": {"type": "lambda"}}}}}',
             "integration type 'lambda' is not one of"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"get": {'
             b'"x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", '
             b'"uri": "ftp://x"}}}}}', "invalid HTTP endpoint specified for URI ftp://x"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"get": {'
             b'"x-amazon-apigateway-request-validator": "nope"}}}}',
             "request validator nope is not defined"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {}, '
             b'"definitions": {"Bad-Name": {}}}', "model name Bad-Name must be alphanumeric"),
            (b'{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"post": {'
             b'"parameters": [{"in": "body", "name": "b", "schema": {"$ref": "#/definitions/Z"}}]'
             b'}}}}', "unresolvable schema reference #/definitions/Z"),
            (b"[" * 100000, "Invalid JSON"),
            (b"\xff\xfe binary", "Invalid"),
        ]
        for body, message in cases:
            with self.subTest(body=body[:60]):
                self.error(lambda: self.apigw.import_rest_api(body=body), "BadRequestException",
                           400, message)
        big = json.dumps(swagger(self.function_arn)).encode() + b" " * (10 << 20)
        self.error(lambda: self.apigw.import_rest_api(body=big), "BadRequestException", 400,
                   "larger than the 6 MB API Gateway accepts")


class ExportTest(OpenApiTestCase):
    def test_swagger_export_round_trips_through_import(self):
        api_id = self.import_api(swagger(self.function_arn))["id"]
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        out = self.apigw.get_export(restApiId=api_id, stageName="prod", exportType="swagger",
                                    parameters={"extensions": "apigateway"},
                                    accepts="application/json")
        self.assertEqual(out["contentType"], "application/json")
        self.assertIn("attachment", out["contentDisposition"])
        doc = json.loads(out["body"].read())
        self.assertEqual(doc["swagger"], "2.0")
        self.assertEqual(doc["info"], {"description": "pets", "version": "1.0",
                                       "title": "PetStore"})
        self.assertEqual(doc["basePath"], "/prod")
        self.assertEqual(sorted(doc["paths"]), ["/admin", "/pets", "/pets/{petId}"])
        self.assertEqual(doc["paths"]["/admin"]["delete"]["security"], [{"api_key": []}])
        post = doc["paths"]["/pets"]["post"]
        self.assertEqual(post["x-amazon-apigateway-request-validator"], "all")
        self.assertEqual(post["parameters"][0]["schema"], {"$ref": "#/definitions/Pet"})
        self.assertEqual(post["x-amazon-apigateway-integration"]["type"], "aws_proxy")
        self.assertEqual(doc["definitions"]["Pet"]["properties"]["tags"]["items"],
                         {"$ref": "#/definitions/Tag"})
        self.assertEqual(doc["securityDefinitions"]["api_key"],
                         {"type": "apiKey", "name": "x-api-key", "in": "header"})
        self.assertEqual(doc["x-amazon-apigateway-binary-media-types"], ["image/png"])
        self.assertEqual(sorted(doc["x-amazon-apigateway-request-validators"]),
                         ["all", "params-only"])

        again = self.apigw.import_rest_api(body=json.dumps(doc).encode())["id"]
        a, b = self.resources(api_id), self.resources(again)
        self.assertEqual(sorted(a), sorted(b))
        for path in a:
            for name, m in a[path].get("resourceMethods", {}).items():
                n = b[path]["resourceMethods"][name]
                for field in ("authorizationType", "apiKeyRequired", "requestParameters",
                              "requestModels", "operationName"):
                    self.assertEqual(m.get(field), n.get(field), (path, name, field))
                self.assertEqual(m["methodIntegration"]["type"], n["methodIntegration"]["type"])
                self.assertEqual(m["methodIntegration"].get("uri"),
                                 n["methodIntegration"].get("uri"))
        self.apigw.create_deployment(restApiId=again, stageName="prod")
        status, _, body = self.invoke(again, "/prod/pets")
        self.assertEqual((status, json.loads(body)),
                         (400, {"message": "Missing required request parameters: [type]"}))

    def test_oas30_yaml_export_and_plain_export_without_extensions(self):
        api_id = self.import_api(oas30(self.function_arn))["id"]
        self.apigw.create_deployment(restApiId=api_id, stageName="s")
        out = self.apigw.get_export(restApiId=api_id, stageName="s", exportType="oas30",
                                    parameters={"extensions": "integrations"},
                                    accepts="application/yaml")
        self.assertEqual(out["contentType"], "application/yaml")
        doc = yaml.safe_load(out["body"].read())
        self.assertEqual(doc["openapi"], "3.0.1")
        self.assertEqual(doc["servers"][0]["variables"]["basePath"]["default"], "s")
        put = doc["paths"]["/orders/{id}"]["put"]
        self.assertEqual(put["requestBody"]["content"]["application/json"]["schema"],
                         {"$ref": "#/components/schemas/PUTordersidBody"})
        self.assertIn("PUTordersidBody", doc["components"]["schemas"])
        self.assertEqual(put["x-amazon-apigateway-integration"]["httpMethod"], "POST")
        self.assertNotIn("x-amazon-apigateway-request-validators", doc)
        self.assertIn("x-amazon-apigateway-any-method", doc["paths"]["/{proxy+}"])
        plain = json.loads(self.apigw.get_export(restApiId=api_id, stageName="s",
                                                 exportType="oas30")["body"].read())
        self.assertNotIn("x-amazon-apigateway-integration", plain["paths"]["/orders/{id}"]["put"])

    def test_export_errors(self):
        api_id = self.import_api(oas30(self.function_arn))["id"]
        self.error(lambda: self.apigw.get_export(restApiId=api_id, stageName="nope",
                                                 exportType="oas30"),
                   "NotFoundException", 404, "Invalid Stage identifier specified")
        self.apigw.create_deployment(restApiId=api_id, stageName="s")
        self.error(lambda: self.apigw.get_export(restApiId=api_id, stageName="s",
                                                 exportType="raml"),
                   "BadRequestException", 400, "Invalid export type specified: raml")
        self.error(lambda: self.apigw.get_export(restApiId="nosuchapi1", stageName="s",
                                                 exportType="oas30"),
                   "NotFoundException", 404)

    def test_cli_import_and_export(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "api.yaml")
            with open(path, "w") as f:
                yaml.safe_dump(swagger(self.function_arn), f, sort_keys=False)
            _, api, _ = self.server.aws("apigateway", "import-rest-api",
                                        "--body", "fileb://" + path)
            self.assertEqual(api["name"], "PetStore")
            self.server.aws("apigateway", "create-deployment", "--rest-api-id", api["id"],
                            "--stage-name", "prod")
            out = os.path.join(tmp, "export.json")
            self.server.aws("apigateway", "get-export", "--rest-api-id", api["id"],
                            "--stage-name", "prod", "--export-type", "oas30",
                            "--parameters", "extensions=apigateway", out)
            with open(out) as f:
                doc = json.load(f)
            self.assertEqual(doc["openapi"], "3.0.1")
            self.assertIn("Pet", doc["components"]["schemas"])
