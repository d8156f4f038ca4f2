"""API Gateway v2 HTTP APIs from and to OpenAPI (developer guide, "Working with OpenAPI
definitions for HTTP APIs"): ImportApi turns each path and operation into a route and each
x-amazon-apigateway-integration into an integration, ReimportApi replaces them, ExportApi writes
the OAS 3.0 definition back (JSON or YAML). Imported routes serve through the data plane like any
other. Malformed definitions answer BadRequestException with the reason."""
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
            "body": json.dumps({"routeKey": event.get("routeKey"),
                                "pathParameters": event.get("pathParameters"),
                                "version": event.get("version")})}
"""


def lambda_uri(arn):
    return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations" % arn


def definition(function_arn, **extra):
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "pets", "description": "the pets API", "version": "2024-01-01"},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "uri": lambda_uri(function_arn),
                        "httpMethod": "POST", "payloadFormatVersion": "2.0",
                        "timeoutInMillis": 10000},
                },
                "post": {
                    "x-amazon-apigateway-integration": {
                        "type": "http_proxy", "uri": "http://backend.example/pets",
                        "httpMethod": "ANY", "payloadFormatVersion": "1.0"},
                },
            },
            "/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": {
                        "type": "AWS_PROXY", "uri": function_arn,
                        "payloadFormatVersion": "1.0"},
                },
            },
        },
        "x-amazon-apigateway-cors": {"allowOrigins": ["https://a.example"],
                                     "allowMethods": ["GET"], "maxAge": 60,
                                     "allowCredentials": False},
        "x-amazon-apigateway-importexport-version": "1.0",
    }
    doc.update(extra)
    return doc


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
        self.apigw = self.client("apigatewayv2")

    def bad(self, call, contains):
        with self.assertRaises(ClientError) as cm:
            call()
        err = self.assertAwsError(cm, "BadRequestException", 400)
        self.assertIn(contains, err["Error"]["Message"])
        return err

    def routes(self, api_id):
        return {r["RouteKey"]: r for r in self.apigw.get_routes(ApiId=api_id)["Items"]}

    def integrations(self, api_id):
        return {i["IntegrationId"]: i
                for i in self.apigw.get_integrations(ApiId=api_id)["Items"]}

    def invoke(self, api_id, path, method="GET"):
        req = urllib.request.Request(
            "http://127.0.0.1:%d%s" % (self.server.port, path), method=method,
            headers={"Host": "%s.execute-api.localhost:%d" % (api_id, self.server.port)})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


class ImportTest(OpenApiTestCase):
    def test_import_makes_routes_integrations_and_api_fields(self):
        api = self.apigw.import_api(Body=json.dumps(definition(self.function_arn)))
        self.assertEqual(api["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(api["ApiId"], r"^[a-z0-9]{10}$")
        self.assertEqual(api["Name"], "pets")
        self.assertEqual(api["Description"], "the pets API")
        self.assertEqual(api["Version"], "2024-01-01")
        self.assertEqual(api["ProtocolType"], "HTTP")
        self.assertEqual(api["CorsConfiguration"], {"AllowOrigins": ["https://a.example"],
                                                    "AllowMethods": ["GET"], "MaxAge": 60,
                                                    "AllowCredentials": False})
        self.assertNotIn("Warnings", api)
        api_id = api["ApiId"]
        self.assertEqual(self.apigw.get_api(ApiId=api_id)["Name"], "pets")
        routes = self.routes(api_id)
        self.assertEqual(sorted(routes), ["ANY /pets/{id}", "GET /pets", "POST /pets"])
        self.assertEqual(routes["GET /pets"]["OperationName"], "listPets")
        self.assertEqual(routes["GET /pets"]["AuthorizationType"], "NONE")
        integrations = self.integrations(api_id)
        get = integrations[routes["GET /pets"]["Target"].split("/")[1]]
        self.assertEqual(get["IntegrationType"], "AWS_PROXY")
        self.assertEqual(get["IntegrationUri"], lambda_uri(self.function_arn))
        self.assertEqual(get["PayloadFormatVersion"], "2.0")
        self.assertEqual(get["TimeoutInMillis"], 10000)
        self.assertEqual(get["IntegrationMethod"], "POST")
        post = integrations[routes["POST /pets"]["Target"].split("/")[1]]
        self.assertEqual(post["IntegrationType"], "HTTP_PROXY")
        self.assertEqual(post["IntegrationMethod"], "ANY")
        self.assertEqual(post["ConnectionType"], "INTERNET")
        anym = integrations[routes["ANY /pets/{id}"]["Target"].split("/")[1]]
        self.assertEqual(anym["PayloadFormatVersion"], "1.0")
        self.assertEqual(anym["TimeoutInMillis"], 30000)

    def test_imported_routes_serve_through_a_default_stage(self):
        api_id = self.apigw.import_api(Body=json.dumps(definition(self.function_arn)))["ApiId"]
        self.apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        status, body = self.invoke(api_id, "/pets")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"routeKey": "GET /pets", "pathParameters": None,
                                            "version": "2.0"})
        status, body = self.invoke(api_id, "/pets/7", method="DELETE")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["pathParameters"], {"id": "7"})
        self.assertEqual(json.loads(body)["version"], "1.0")
        self.assertEqual(self.invoke(api_id, "/other"), (404, b'{"message":"Not Found"}'))

    def test_yaml_definitions_import(self):
        body = yaml.safe_dump(definition(self.function_arn), sort_keys=False)
        api = self.apigw.import_api(Body=body)
        self.assertEqual(sorted(self.routes(api["ApiId"])),
                         ["ANY /pets/{id}", "GET /pets", "POST /pets"])

    def test_default_route_warnings_and_fail_on_warnings(self):
        doc = definition(self.function_arn)
        doc["paths"]["/$default"] = {"x-amazon-apigateway-any-method": {
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": self.function_arn,
                                                "payloadFormatVersion": "2.0"}}}
        doc["paths"]["/bare"] = {"get": {"responses": {}}, "fetch": {}}
        api = self.apigw.import_api(Body=json.dumps(doc))
        routes = self.routes(api["ApiId"])
        self.assertIn("$default", routes)
        self.assertNotIn("Target", routes["GET /bare"])
        self.assertEqual(api["Warnings"], [
            "Route GET /bare has no x-amazon-apigateway-integration; it was imported without "
            "a target",
            "Unknown field fetch in paths./bare ignored"])
        err = self.bad(lambda: self.apigw.import_api(Body=json.dumps(doc), FailOnWarnings=True),
                       "Warnings found during import:")
        self.assertIn("Unknown field fetch", err["Error"]["Message"])

    def test_basepath_modes(self):
        doc = definition(self.function_arn, servers=[{"url": "https://x.example/v1/pets-api"}])
        keys = lambda mode: sorted(self.routes(self.apigw.import_api(
            Body=json.dumps(doc), Basepath=mode)["ApiId"]))
        self.assertEqual(keys("ignore"), ["ANY /pets/{id}", "GET /pets", "POST /pets"])
        self.assertEqual(keys("prepend"), ["ANY /v1/pets-api/pets/{id}", "GET /v1/pets-api/pets",
                                           "POST /v1/pets-api/pets"])
        self.assertEqual(keys("split"), ["ANY /pets-api/pets/{id}", "GET /pets-api/pets",
                                         "POST /pets-api/pets"])
        self.bad(lambda: self.apigw.import_api(Body=json.dumps(doc), Basepath="sideways"),
                 "Invalid basepath sideways")

    def test_reimport_replaces_routes_and_integrations(self):
        api_id = self.apigw.import_api(Body=json.dumps(definition(self.function_arn)))["ApiId"]
        self.apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        doc = {"openapi": "3.0.1", "info": {"title": "pets2", "version": "2"}, "paths": {
            "/cats": {"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "uri": self.function_arn, "payloadFormatVersion": "2.0"}}}}}
        api = self.apigw.reimport_api(ApiId=api_id, Body=json.dumps(doc))
        self.assertEqual(api["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(api["Name"], "pets2")
        self.assertNotIn("CorsConfiguration", api)
        self.assertEqual(sorted(self.routes(api_id)), ["GET /cats"])
        self.assertEqual(len(self.integrations(api_id)), 1)
        self.assertEqual(self.invoke(api_id, "/cats")[0], 200)
        self.assertEqual(self.invoke(api_id, "/pets")[0], 404)
        with self.assertRaises(ClientError) as cm:
            self.apigw.reimport_api(ApiId="nosuchapi1", Body=json.dumps(doc))
        self.assertAwsError(cm, "NotFoundException", 404)
        # A bad definition changes nothing.
        self.bad(lambda: self.apigw.reimport_api(ApiId=api_id, Body="{}"), "openapi")
        self.assertEqual(sorted(self.routes(api_id)), ["GET /cats"])


class ExportTest(OpenApiTestCase):
    def test_export_json_round_trips_through_import(self):
        api_id = self.apigw.import_api(Body=json.dumps(definition(self.function_arn)))["ApiId"]
        body = self.apigw.export_api(ApiId=api_id, Specification="OAS30",
                                     OutputType="JSON")["body"].read()
        doc = json.loads(body)
        self.assertEqual(doc["openapi"], "3.0.1")
        self.assertEqual(doc["info"], {"title": "pets", "description": "the pets API",
                                       "version": "2024-01-01"})
        self.assertEqual(sorted(doc["paths"]), ["/pets", "/pets/{id}"])
        self.assertEqual(sorted(doc["paths"]["/pets"]), ["get", "post"])
        get = doc["paths"]["/pets"]["get"]
        self.assertEqual(get["operationId"], "listPets")
        self.assertEqual(get["x-amazon-apigateway-integration"], {
            "payloadFormatVersion": "2.0", "type": "aws_proxy", "httpMethod": "POST",
            "uri": lambda_uri(self.function_arn), "connectionType": "INTERNET",
            "timeoutInMillis": 10000})
        anym = doc["paths"]["/pets/{id}"]["x-amazon-apigateway-any-method"]
        self.assertEqual(anym["parameters"][0]["name"], "id")
        self.assertEqual(anym["parameters"][0]["in"], "path")
        self.assertEqual(doc["x-amazon-apigateway-cors"]["allowOrigins"], ["https://a.example"])
        self.assertEqual(doc["x-amazon-apigateway-importexport-version"], "1.0")

        again = self.apigw.import_api(Body=body.decode())["ApiId"]
        self.assertEqual(sorted(self.routes(again)), sorted(self.routes(api_id)))
        strip = lambda i: {k: v for k, v in i.items() if k != "IntegrationId"}
        self.assertEqual(sorted(json.dumps(strip(i), sort_keys=True)
                                for i in self.integrations(again).values()),
                         sorted(json.dumps(strip(i), sort_keys=True)
                                for i in self.integrations(api_id).values()))

    def test_export_yaml_without_extensions_and_by_stage(self):
        api_id = self.apigw.import_api(Body=json.dumps(definition(self.function_arn)))["ApiId"]
        out = self.apigw.export_api(ApiId=api_id, Specification="OAS30", OutputType="YAML",
                                    IncludeExtensions=False)
        doc = yaml.safe_load(out["body"].read())
        self.assertEqual(doc["info"]["title"], "pets")
        self.assertNotIn("x-amazon-apigateway-integration", doc["paths"]["/pets"]["get"])
        self.assertNotIn("x-amazon-apigateway-cors", doc)
        self.assertEqual(doc["paths"]["/pets"]["get"]["responses"],
                         {"default": {"description": "Default response for GET /pets"}})
        # A stage that is not auto-deployed exports its deployment.
        deployment = self.apigw.create_deployment(ApiId=api_id)["DeploymentId"]
        self.apigw.create_stage(ApiId=api_id, StageName="prod", DeploymentId=deployment)
        self.apigw.delete_route(ApiId=api_id, RouteId=self.routes(api_id)["POST /pets"]["RouteId"])
        staged = json.loads(self.apigw.export_api(ApiId=api_id, Specification="OAS30",
                                                  OutputType="JSON", StageName="prod")["body"].read())
        self.assertEqual(sorted(staged["paths"]["/pets"]), ["get", "post"])
        self.assertEqual(staged["servers"][0]["variables"]["basePath"]["default"], "prod")
        live = json.loads(self.apigw.export_api(ApiId=api_id, Specification="OAS30",
                                                OutputType="JSON")["body"].read())
        self.assertEqual(sorted(live["paths"]["/pets"]), ["get"])

    def test_disabled_execute_api_endpoint_round_trips(self):
        doc = definition(self.function_arn, servers=[{
            "url": "https://example.com",
            "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": True}}])
        api = self.apigw.import_api(Body=json.dumps(doc))
        self.assertIs(api["DisableExecuteApiEndpoint"], True)
        self.apigw.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
        self.assertEqual(self.invoke(api["ApiId"], "/pets"), (403, b'{"message":"Forbidden"}'))
        out = json.loads(self.apigw.export_api(ApiId=api["ApiId"], Specification="OAS30",
                                               OutputType="JSON")["body"].read())
        self.assertEqual(out["servers"][0]["x-amazon-apigateway-endpoint-configuration"],
                         {"disableExecuteApiEndpoint": True})
        again = self.apigw.reimport_api(ApiId=api["ApiId"],
                                        Body=json.dumps(definition(self.function_arn)))
        self.assertIs(again["DisableExecuteApiEndpoint"], False)

    def test_export_errors(self):
        api_id = self.apigw.import_api(Body=json.dumps(definition(self.function_arn)))["ApiId"]
        with self.assertRaises(ClientError) as cm:
            self.apigw.export_api(ApiId="nosuchapi1", Specification="OAS30", OutputType="JSON")
        self.assertAwsError(cm, "NotFoundException", 404)
        with self.assertRaises(ClientError) as cm:
            self.apigw.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON",
                                  StageName="nope")
        self.assertAwsError(cm, "NotFoundException", 404)
        self.bad(lambda: self.apigw.export_api(ApiId=api_id, Specification="OAS30",
                                               OutputType="JSON", ExportVersion="2.0"),
                 "exportVersion")

    def test_cli_import_and_export(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "api.json")
            with open(path, "w") as f:
                json.dump(definition(self.function_arn), f)
            _, api, _ = self.server.aws("apigatewayv2", "import-api", "--body", "file://" + path)
            self.assertEqual(api["Name"], "pets")
            out = os.path.join(tmp, "out.yaml")
            self.server.aws("apigatewayv2", "export-api", "--api-id", api["ApiId"],
                            "--specification", "OAS30", "--output-type", "YAML", out)
            with open(out) as f:
                doc = yaml.safe_load(f)
            self.assertEqual(sorted(doc["paths"]), ["/pets", "/pets/{id}"])
            with open(path, "w") as f:
                f.write("not: [valid")
            code, _, err = self.server.aws("apigatewayv2", "import-api", "--body",
                                           "file://" + path, check=False)
            self.assertNotEqual(code, 0)
            self.assertIn("BadRequestException", err)


class HostileInputTest(OpenApiTestCase):
    def test_malformed_definitions_answer_bad_request(self):
        arn = self.function_arn
        cases = [
            ("not json at all {", "the definition must be a JSON or YAML object"),
            ("openapi: [3.0\n", "Invalid OpenAPI input: Invalid YAML: line 1"),
            ('{"openapi": ', "Invalid OpenAPI input: Invalid JSON"),
            ("[1, 2, 3]", "the definition must be a JSON or YAML object"),
            ('"just a string"', "the definition must be a JSON or YAML object"),
            ("  \n ", "The API definition is empty."),
            ("{}", "no 'openapi' (or 'swagger') version field"),
            ('{"openapi": "4.0", "info": {"title": "x"}, "paths": {}}',
             "unsupported openapi version 4.0"),
            ('{"openapi": "3.0.1", "info": {"title": "x"}}', "no 'paths' object"),
            ('{"openapi": "3.0.1", "info": {"title": "x"}, "paths": []}',
             "'paths' must be an object"),
            ('{"openapi": "3.0.1", "info": {}, "paths": {}}', "info.title is required"),
            ('{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"pets": {}}}',
             "path pets must start with '/'"),
            ('{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a/{b+}/c": {"get": {}}}}',
             "the route key GET /a/{b+}/c is not valid"),
            ('{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": 5}}}',
             "paths./a.get must be an object"),
            (json.dumps({"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {
                "x-amazon-apigateway-integration": {"type": "mock"}}}}}),
             "Integration type MOCK is not supported for HTTP APIs"),
            (json.dumps({"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {
                "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": arn,
                                                    "timeoutInMillis": "soon"}}}}}),
             "timeoutInMillis must be an integer between 50 and 30000"),
            (json.dumps({"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {
                "x-amazon-apigateway-integration": {"$ref": "#/nowhere"}}}}}),
             "unresolvable reference #/nowhere"),
            ('{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}, '
             '"x-amazon-apigateway-cors": {"allowOrigins": "*"}}',
             "x-amazon-apigateway-cors.allowOrigins must be an array of strings"),
            ("[" * 100000, "Invalid JSON"),
            ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 200)), "nests too deeply"),
        ]
        for body, message in cases:
            with self.subTest(body=body[:60]):
                self.bad(lambda: self.apigw.import_api(Body=body), message)
        self.assertEqual(self.apigw.get_apis()["Items"], [])

    def test_oversized_definition(self):
        doc = definition(self.function_arn)
        doc["info"]["description"] = "x" * (10 << 20)
        self.bad(lambda: self.apigw.import_api(Body=json.dumps(doc)),
                 "larger than the 6 MB API Gateway accepts")
        # The server still answers.
        self.assertEqual(self.apigw.get_apis()["Items"], [])
