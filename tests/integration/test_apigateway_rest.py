"""API Gateway REST APIs (the `apigateway` service): the control plane (REST APIs, resources,
methods, integrations and their responses, deployments, stages, tags) with boto3 and the AWS CLI,
as AWS answers it (API Gateway REST API reference), and invocations through both URL forms
(<apiId>.execute-api.localhost:<port>/<stage>/... and /_aws/execute-api/<apiId>/<stage>/...)
reaching Lambda (the REST proxy event), HTTP backends and MOCK integrations. A missing stage,
resource or method answers 403 {"message":"Missing Authentication Token"} (AWS knowledge center,
"API Gateway REST API Missing Authentication Token errors"); a failing function 502."""
import datetime
import json
import urllib.error
import urllib.request

import botocore.exceptions

from nimbus_harness import EchoServer, NimbusTestCase, closed_port

ClientError = botocore.exceptions.ClientError
CLF_TIME = r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$"
MISSING_TOKEN = {"message": "Missing Authentication Token"}


def lambda_uri(function_arn):
    return ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"
            % function_arn)


class RestApiTestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigateway")
        self.account = self.client("sts").get_caller_identity()["Account"]

    def root_id(self, api_id):
        return self.apigw.get_rest_api(restApiId=api_id)["rootResourceId"]

    def error(self, call, code, status, message=None):
        with self.assertRaises(ClientError) as cm:
            call()
        err = self.assertAwsError(cm, code, status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err


class RestApisTest(RestApiTestCase):
    def test_create_rest_api_answers_aws_fields_and_defaults(self):
        api = self.apigw.create_rest_api(name="orders", description="the orders API",
                                         version="1", tags={"team": "core"})
        self.assertEqual(api["ResponseMetadata"]["HTTPStatusCode"], 201)
        api_id = api["id"]
        self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        self.assertEqual(api["name"], "orders")
        self.assertEqual(api["description"], "the orders API")
        self.assertEqual(api["version"], "1")
        self.assertEqual(api["apiKeySource"], "HEADER")
        self.assertEqual(api["endpointConfiguration"]["types"], ["EDGE"])
        self.assertIs(api["disableExecuteApiEndpoint"], False)
        self.assertEqual(api["tags"], {"team": "core"})
        self.assertIsInstance(api["createdDate"], datetime.datetime)
        self.assertRegex(api["rootResourceId"], r"^[a-z0-9]{10}$")
        got = self.apigw.get_rest_api(restApiId=api_id)
        for k in ("id", "name", "description", "rootResourceId", "createdDate", "tags",
                  "endpointConfiguration"):
            self.assertEqual(got[k], api[k], k)
        resources = self.apigw.get_resources(restApiId=api_id)["items"]
        self.assertEqual(resources, [{"id": api["rootResourceId"], "path": "/"}])
        regional = self.apigw.create_rest_api(
            name="r", endpointConfiguration={"types": ["REGIONAL"]}, binaryMediaTypes=["image/png"])
        self.assertEqual(regional["endpointConfiguration"]["types"], ["REGIONAL"])
        self.assertEqual(regional["binaryMediaTypes"], ["image/png"])

    def test_unknown_api_is_not_found_with_aws_message(self):
        message = "Invalid API identifier specified %s:nosuchapi1" % self.account
        self.error(lambda: self.apigw.get_rest_api(restApiId="nosuchapi1"),
                   "NotFoundException", 404, message)
        for call in (lambda: self.apigw.delete_rest_api(restApiId="nosuchapi1"),
                     lambda: self.apigw.update_rest_api(restApiId="nosuchapi1", patchOperations=[]),
                     lambda: self.apigw.get_resources(restApiId="nosuchapi1"),
                     lambda: self.apigw.create_deployment(restApiId="nosuchapi1"),
                     lambda: self.apigw.get_stages(restApiId="nosuchapi1")):
            self.error(call, "NotFoundException", 404, message)

    def test_get_rest_apis_pages_with_limit_and_position(self):
        ids = {self.apigw.create_rest_api(name="api%d" % i)["id"] for i in range(5)}
        seen, position, pages = [], None, 0
        while True:
            kw = {"limit": 2}
            if position:
                kw["position"] = position
            page = self.apigw.get_rest_apis(**kw)
            pages += 1
            self.assertLessEqual(len(page["items"]), 2)
            seen += [a["id"] for a in page["items"]]
            position = page.get("position")
            if not position:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(ids))
        self.assertEqual(len(self.apigw.get_rest_apis()["items"]), 5)
        self.error(lambda: self.apigw.get_rest_apis(limit=501), "BadRequestException", 400)

    def test_update_rest_api_with_patch_operations(self):
        api_id = self.apigw.create_rest_api(name="old")["id"]
        api = self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/name", "value": "new"},
            {"op": "replace", "path": "/description", "value": "d"},
            {"op": "add", "path": "/binaryMediaTypes/image~1png"},
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"},
            {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"}])
        self.assertEqual(api["name"], "new")
        self.assertEqual(api["description"], "d")
        self.assertEqual(api["binaryMediaTypes"], ["image/png"])
        self.assertIs(api["disableExecuteApiEndpoint"], True)
        self.assertEqual(api["minimumCompressionSize"], 1024)
        self.assertEqual(self.apigw.get_rest_api(restApiId=api_id)["name"], "new")
        api = self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"}])
        self.assertNotIn("binaryMediaTypes", api)
        err = self.error(lambda: self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/nosuch", "value": "x"}]), "BadRequestException", 400)
        self.assertIn("Invalid patch path '/nosuch'", err["Error"]["Message"])
        self.error(lambda: self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "maybe"}]),
            "BadRequestException", 400)
        self.error(lambda: self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/name", "value": ""}]), "BadRequestException", 400)

    def test_delete_rest_api(self):
        api_id = self.apigw.create_rest_api(name="gone")["id"]
        out = self.apigw.delete_rest_api(restApiId=api_id)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.error(lambda: self.apigw.get_rest_api(restApiId=api_id), "NotFoundException", 404)
        self.assertEqual(self.apigw.get_rest_apis()["items"], [])

    def test_malformed_input_answers_bad_request(self):
        self.error(lambda: self.apigw.create_rest_api(name=""), "BadRequestException", 400)
        self.error(lambda: self.apigw.create_rest_api(
            name="x", endpointConfiguration={"types": ["EDGE", "REGIONAL"]}),
            "BadRequestException", 400)
        # Raw bodies: a missing required member and a member of the wrong type.
        for body in (b"{}", b'{"name": 5}', b'{"name": "x", "tags": "no"}', b"{not json"):
            status, headers, out = self.server.http(
                "POST", "/restapis", body=body, headers={"Content-Type": "application/json"})
            self.assertEqual(status, 400, (body, out))
            self.assertEqual(headers["x-amzn-ErrorType"].split(":")[0], "BadRequestException")
        self.assertEqual(self.apigw.get_rest_apis()["items"], [])

    def test_cli_create_get_and_errors(self):
        _, api, _ = self.server.aws("apigateway", "create-rest-api", "--name", "cli")
        self.assertEqual(api["name"], "cli")
        self.assertEqual(api["apiKeySource"], "HEADER")
        _, apis, _ = self.server.aws("apigateway", "get-rest-apis")
        self.assertEqual([a["id"] for a in apis["items"]], [api["id"]])
        _, resources, _ = self.server.aws("apigateway", "get-resources", "--rest-api-id",
                                          api["id"])
        self.assertEqual(resources["items"][0]["path"], "/")
        code, _, err = self.server.aws("apigateway", "get-rest-api", "--rest-api-id",
                                       "missing123", check=False)
        self.assertEqual(code, 255)
        self.assertIn("NotFoundException", err)
        self.assertIn("Invalid API identifier specified", err)


class ResourcesTest(RestApiTestCase):
    def setUp(self):
        super().setUp()
        self.api_id = self.apigw.create_rest_api(name="api")["id"]
        self.root = self.root_id(self.api_id)

    def create(self, parent, part):
        return self.apigw.create_resource(restApiId=self.api_id, parentId=parent, pathPart=part)

    def test_resource_tree_paths_and_conflicts(self):
        pets = self.create(self.root, "pets")
        self.assertEqual(pets["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(pets["id"], r"^[a-z0-9]{10}$")
        self.assertEqual((pets["parentId"], pets["pathPart"], pets["path"]),
                         (self.root, "pets", "/pets"))
        pet = self.create(pets["id"], "{petId}")
        self.assertEqual(pet["path"], "/pets/{petId}")
        proxy = self.create(self.root, "{proxy+}")
        self.assertEqual(proxy["path"], "/{proxy+}")
        got = self.apigw.get_resource(restApiId=self.api_id, resourceId=pet["id"])
        self.assertEqual((got["id"], got["path"], got["parentId"]),
                         (pet["id"], "/pets/{petId}", pets["id"]))
        paths = sorted(r["path"] for r in self.apigw.get_resources(restApiId=self.api_id)["items"])
        self.assertEqual(paths, ["/", "/pets", "/pets/{petId}", "/{proxy+}"])

        self.error(lambda: self.create(self.root, "pets"), "ConflictException", 409,
                   "Another resource with the same parent already has this name: pets")
        self.error(lambda: self.create(pets["id"], "{other}"), "BadRequestException", 400,
                   "A sibling ({petId}) of this resource already has a variable path part -- "
                   "only one is allowed")
        self.error(lambda: self.create(proxy["id"], "x"), "BadRequestException", 400)
        for bad in ("a b", "x/y", "{}", "{a", "a}", "{a+}b"):
            self.error(lambda: self.create(self.root, bad), "BadRequestException", 400,
                       "Resource's path part only allow a-zA-Z0-9._- and curly braces at the "
                       "beginning and the end and an optional plus sign before the closing brace.")
        self.error(lambda: self.create("nosuchres1", "x"), "NotFoundException", 404,
                   "Invalid Resource identifier specified")
        self.error(lambda: self.apigw.get_resource(restApiId=self.api_id, resourceId="nosuchres1"),
                   "NotFoundException", 404, "Invalid Resource identifier specified")

        # Deleting a resource deletes what is under it.
        self.apigw.delete_resource(restApiId=self.api_id, resourceId=pets["id"])
        paths = sorted(r["path"] for r in self.apigw.get_resources(restApiId=self.api_id)["items"])
        self.assertEqual(paths, ["/", "/{proxy+}"])
        self.error(lambda: self.apigw.get_resource(restApiId=self.api_id, resourceId=pet["id"]),
                   "NotFoundException", 404)
        self.error(lambda: self.apigw.delete_resource(restApiId=self.api_id, resourceId=self.root),
                   "BadRequestException", 400)

    def test_methods(self):
        m = self.apigw.put_method(restApiId=self.api_id, resourceId=self.root, httpMethod="GET",
                                  authorizationType="NONE",
                                  requestParameters={"method.request.querystring.q": False})
        self.assertEqual(m["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((m["httpMethod"], m["authorizationType"], m["apiKeyRequired"]),
                         ("GET", "NONE", False))
        self.assertEqual(m["requestParameters"], {"method.request.querystring.q": False})
        self.error(lambda: self.apigw.put_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="GET", authorizationType="NONE"),
                   "ConflictException", 409, "Method already exists for this resource")
        self.error(lambda: self.apigw.put_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="FETCH", authorizationType="NONE"),
                   "BadRequestException", 400)
        self.error(lambda: self.apigw.put_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="POST", authorizationType="MAGIC"),
                   "BadRequestException", 400)
        got = self.apigw.get_method(restApiId=self.api_id, resourceId=self.root, httpMethod="GET")
        self.assertEqual(got["httpMethod"], "GET")
        self.assertNotIn("methodIntegration", got)
        res = self.apigw.get_resource(restApiId=self.api_id, resourceId=self.root)
        self.assertEqual(res["resourceMethods"], {"GET": {}})
        res = self.apigw.get_resource(restApiId=self.api_id, resourceId=self.root,
                                      embed=["methods"])
        self.assertEqual(res["resourceMethods"]["GET"]["authorizationType"], "NONE")
        self.error(lambda: self.apigw.get_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="PUT"),
                   "NotFoundException", 404, "Invalid Method identifier specified")
        self.apigw.delete_method(restApiId=self.api_id, resourceId=self.root, httpMethod="GET")
        self.error(lambda: self.apigw.get_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="GET"), "NotFoundException", 404)

    def test_integrations_defaults_and_validation(self):
        for method in ("GET", "POST", "PUT"):
            self.apigw.put_method(restApiId=self.api_id, resourceId=self.root, httpMethod=method,
                                  authorizationType="NONE")
        base = {"restApiId": self.api_id, "resourceId": self.root}
        self.error(lambda: self.apigw.get_integration(httpMethod="GET", **base),
                   "NotFoundException", 404, "Invalid Integration identifier specified")
        uri = lambda_uri("arn:aws:lambda:us-east-1:%s:function:f" % self.account)
        i = self.apigw.put_integration(httpMethod="GET", type="AWS_PROXY",
                                       integrationHttpMethod="POST", uri=uri, **base)
        self.assertEqual(i["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((i["type"], i["httpMethod"], i["uri"]), ("AWS_PROXY", "POST", uri))
        self.assertEqual(i["passthroughBehavior"], "WHEN_NO_MATCH")
        self.assertEqual(i["timeoutInMillis"], 29000)
        self.assertEqual(i["cacheNamespace"], self.root)
        self.assertEqual(i["cacheKeyParameters"], [])
        got = self.apigw.get_integration(httpMethod="GET", **base)
        self.assertEqual((got["type"], got["uri"]), ("AWS_PROXY", uri))
        method = self.apigw.get_method(httpMethod="GET", **base)
        self.assertEqual(method["methodIntegration"]["uri"], uri)

        h = self.apigw.put_integration(httpMethod="POST", type="HTTP_PROXY",
                                       integrationHttpMethod="ANY", uri="http://example.com/{p}",
                                       timeoutInMillis=1000, **base)
        self.assertEqual((h["connectionType"], h["timeoutInMillis"]), ("INTERNET", 1000))
        m = self.apigw.put_integration(httpMethod="PUT", type="MOCK",
                                       requestTemplates={"application/json": '{"statusCode": 200}'},
                                       **base)
        self.assertEqual(m["requestTemplates"], {"application/json": '{"statusCode": 200}'})
        self.assertNotIn("uri", m)

        cases = [
            ({"type": "AWS_PROXY", "uri": uri}, "Enumeration value for HttpMethod must be non-empty"),
            ({"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": "not-an-arn"},
             "Invalid ARN specified in the request"),
            ({"type": "AWS_PROXY", "integrationHttpMethod": "POST",
              "uri": "arn:aws:apigateway:us-east-1:lambda"},
             "AWS ARN for integration must contain path or action"),
            ({"type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": "ftp://x"},
             "Invalid HTTP endpoint specified for URI"),
            ({"type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": "http://x",
              "timeoutInMillis": 10}, "Timeout should be between 50 ms and 29000 ms"),
            ({"type": "NOPE"}, None),
        ]
        for kw, message in cases:
            self.error(lambda: self.apigw.put_integration(httpMethod="GET", **base, **kw),
                       "BadRequestException", 400, message)
        self.error(lambda: self.apigw.put_integration(httpMethod="DELETE", type="MOCK", **base),
                   "NotFoundException", 404, "Invalid Method identifier specified")
        self.error(lambda: self.apigw.put_integration(
            httpMethod="GET", type="AWS", integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:states:action/StartExecution", **base),
            "NotImplementedException", 501)
        self.apigw.delete_integration(httpMethod="GET", **base)
        self.error(lambda: self.apigw.get_integration(httpMethod="GET", **base),
                   "NotFoundException", 404)
        self.error(lambda: self.apigw.delete_integration(httpMethod="GET", **base),
                   "NotFoundException", 404)

    def test_method_and_integration_responses(self):
        base = {"restApiId": self.api_id, "resourceId": self.root, "httpMethod": "GET"}
        self.apigw.put_method(authorizationType="NONE", **base)
        mr = self.apigw.put_method_response(statusCode="200",
                                            responseModels={"application/json": "Empty"}, **base)
        self.assertEqual(mr["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(mr["statusCode"], "200")
        self.assertEqual(mr["responseModels"], {"application/json": "Empty"})
        self.error(lambda: self.apigw.put_integration_response(statusCode="200", **base),
                   "NotFoundException", 404, "Invalid Integration identifier specified")
        self.apigw.put_integration(type="MOCK", **base)
        ir = self.apigw.put_integration_response(
            statusCode="200", responseTemplates={"application/json": '{"ok": true}'}, **base)
        self.assertEqual(ir["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(ir["responseTemplates"], {"application/json": '{"ok": true}'})
        got = self.apigw.get_integration_response(statusCode="200", **base)
        self.assertEqual(got["statusCode"], "200")
        method = self.apigw.get_method(**base)
        self.assertEqual(method["methodResponses"]["200"]["statusCode"], "200")
        self.assertEqual(method["methodIntegration"]["integrationResponses"]["200"]
                         ["responseTemplates"], {"application/json": '{"ok": true}'})
        self.error(lambda: self.apigw.get_integration_response(statusCode="404", **base),
                   "NotFoundException", 404, "Invalid Response status code specified")
        self.error(lambda: self.apigw.get_method_response(statusCode="404", **base),
                   "NotFoundException", 404, "Invalid Response status code specified")
        self.error(lambda: self.apigw.put_method_response(statusCode="2000", **base),
                   "BadRequestException", 400)
        self.apigw.delete_integration_response(statusCode="200", **base)
        self.apigw.delete_method_response(statusCode="200", **base)
        self.error(lambda: self.apigw.get_method_response(statusCode="200", **base),
                   "NotFoundException", 404)


class StagesAndDeploymentsTest(RestApiTestCase):
    def setUp(self):
        super().setUp()
        self.api_id = self.apigw.create_rest_api(name="api")["id"]
        self.root = self.root_id(self.api_id)

    def test_deployments_need_methods_with_integrations(self):
        self.error(lambda: self.apigw.create_deployment(restApiId=self.api_id),
                   "BadRequestException", 400, "The REST API doesn't contain any methods")
        base = {"restApiId": self.api_id, "resourceId": self.root, "httpMethod": "GET"}
        self.apigw.put_method(authorizationType="NONE", **base)
        self.error(lambda: self.apigw.create_deployment(restApiId=self.api_id),
                   "BadRequestException", 400, "No integration defined for method")
        self.apigw.put_integration(type="MOCK", **base)
        d = self.apigw.create_deployment(restApiId=self.api_id, description="first")
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(d["id"], r"^[a-z0-9]{6}$")
        self.assertEqual(d["description"], "first")
        self.assertIsInstance(d["createdDate"], datetime.datetime)
        got = self.apigw.get_deployment(restApiId=self.api_id, deploymentId=d["id"])
        self.assertEqual((got["id"], got["description"]), (d["id"], "first"))
        items = self.apigw.get_deployments(restApiId=self.api_id)["items"]
        self.assertEqual([i["id"] for i in items], [d["id"]])
        self.error(lambda: self.apigw.get_deployment(restApiId=self.api_id, deploymentId="nosuch"),
                   "NotFoundException", 404, "Invalid Deployment identifier specified")

        # With stageName the deployment creates the stage.
        d2 = self.apigw.create_deployment(restApiId=self.api_id, stageName="prod",
                                          stageDescription="production", variables={"a": "1"})
        stage = self.apigw.get_stage(restApiId=self.api_id, stageName="prod")
        self.assertEqual((stage["deploymentId"], stage["description"], stage["variables"]),
                         (d2["id"], "production", {"a": "1"}))
        self.error(lambda: self.apigw.delete_deployment(restApiId=self.api_id,
                                                        deploymentId=d2["id"]),
                   "BadRequestException", 400,
                   "Active stages pointing to this deployment must be moved or deleted")
        self.apigw.delete_deployment(restApiId=self.api_id, deploymentId=d["id"])
        self.assertEqual([i["id"] for i in self.apigw.get_deployments(
            restApiId=self.api_id)["items"]], [d2["id"]])

    def test_stage_fields_conflict_update_and_delete(self):
        base = {"restApiId": self.api_id, "resourceId": self.root, "httpMethod": "GET"}
        self.apigw.put_method(authorizationType="NONE", **base)
        self.apigw.put_integration(type="MOCK", **base)
        d = self.apigw.create_deployment(restApiId=self.api_id)["id"]
        s = self.apigw.create_stage(restApiId=self.api_id, stageName="dev", deploymentId=d,
                                    description="development", variables={"k": "v"},
                                    tags={"t": "1"})
        self.assertEqual(s["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((s["stageName"], s["deploymentId"], s["description"]),
                         ("dev", d, "development"))
        self.assertEqual(s["variables"], {"k": "v"})
        self.assertIs(s["cacheClusterEnabled"], False)
        self.assertEqual(s["cacheClusterStatus"], "NOT_AVAILABLE")
        self.assertIs(s["tracingEnabled"], False)
        self.assertEqual(s["tags"], {"t": "1"})
        self.assertIsInstance(s["createdDate"], datetime.datetime)
        self.assertIsInstance(s["lastUpdatedDate"], datetime.datetime)
        self.error(lambda: self.apigw.create_stage(restApiId=self.api_id, stageName="dev",
                                                   deploymentId=d),
                   "ConflictException", 409, "Stage already exists")
        self.error(lambda: self.apigw.create_stage(restApiId=self.api_id, stageName="x",
                                                   deploymentId="nosuch"),
                   "NotFoundException", 404, "Invalid Deployment identifier specified")
        self.error(lambda: self.apigw.create_stage(restApiId=self.api_id, stageName="bad name",
                                                   deploymentId=d), "BadRequestException", 400)
        self.error(lambda: self.apigw.get_stage(restApiId=self.api_id, stageName="nosuch"),
                   "NotFoundException", 404, "Invalid Stage identifier specified")
        s = self.apigw.update_stage(restApiId=self.api_id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/variables/k", "value": "v2"},
            {"op": "replace", "path": "/variables/new", "value": "n"},
            {"op": "replace", "path": "/description", "value": "changed"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"}])
        self.assertEqual(s["variables"], {"k": "v2", "new": "n"})
        self.assertEqual(s["description"], "changed")
        self.assertIs(s["tracingEnabled"], True)
        s = self.apigw.update_stage(restApiId=self.api_id, stageName="dev", patchOperations=[
            {"op": "remove", "path": "/variables/k"}])
        self.assertEqual(s["variables"], {"new": "n"})
        self.error(lambda: self.apigw.update_stage(restApiId=self.api_id, stageName="dev",
                                                   patchOperations=[{"op": "replace",
                                                                     "path": "/deploymentId",
                                                                     "value": "nosuch"}]),
                   "NotFoundException", 404)
        self.error(lambda: self.apigw.update_stage(restApiId=self.api_id, stageName="dev",
                                                   patchOperations=[{"op": "replace",
                                                                     "path": "/bogus",
                                                                     "value": "x"}]),
                   "BadRequestException", 400)
        stages = self.apigw.get_stages(restApiId=self.api_id)["item"]
        self.assertEqual([st["stageName"] for st in stages], ["dev"])
        self.assertEqual(self.apigw.get_stages(restApiId=self.api_id, deploymentId="other")["item"],
                         [])
        out = self.apigw.delete_stage(restApiId=self.api_id, stageName="dev")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.error(lambda: self.apigw.delete_stage(restApiId=self.api_id, stageName="dev"),
                   "NotFoundException", 404)

    def test_tags_on_apis_and_stages(self):
        arn = "arn:aws:apigateway:us-east-1::/restapis/%s" % self.api_id
        self.apigw.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
        self.assertEqual(self.apigw.get_tags(resourceArn=arn)["tags"], {"a": "1", "b": "2"})
        self.apigw.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.apigw.get_tags(resourceArn=arn)["tags"], {"b": "2"})
        self.assertEqual(self.apigw.get_rest_api(restApiId=self.api_id)["tags"], {"b": "2"})
        base = {"restApiId": self.api_id, "resourceId": self.root, "httpMethod": "GET"}
        self.apigw.put_method(authorizationType="NONE", **base)
        self.apigw.put_integration(type="MOCK", **base)
        self.apigw.create_deployment(restApiId=self.api_id, stageName="prod")
        stage_arn = arn + "/stages/prod"
        self.apigw.tag_resource(resourceArn=stage_arn, tags={"s": "1"})
        self.assertEqual(self.apigw.get_stage(restApiId=self.api_id, stageName="prod")["tags"],
                         {"s": "1"})
        self.error(lambda: self.apigw.get_tags(
            resourceArn="arn:aws:apigateway:us-east-1::/restapis/nosuchapi1"),
            "NotFoundException", 404)


# Invocations

PY_ECHO = """
import json
def handler(event, context):
    path = event.get("path") or ""
    if path.endswith("/raise"):
        raise RuntimeError("boom")
    if path.endswith("/malformed"):
        return {"statusCode": "not a number"}
    if path.endswith("/nostatus"):
        return {"hello": "world"}
    if path.endswith("/multi"):
        return {"statusCode": 202, "headers": {"x-one": 1},
                "multiValueHeaders": {"x-m": ["1", "2"]}, "body": "m"}
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-echo": "yes"},
            "body": json.dumps(event)}
"""


class InvokeTestCase(RestApiTestCase):
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

    def build(self, spec, stage="prod", variables=None, integration=None):
        """A REST API with resources and methods: spec maps a path to its methods. Every
        method gets `integration` (default: the echo function's AWS_PROXY); deployed to
        `stage`. Returns (api id, {path: resource id})."""
        api_id = self.apigw.create_rest_api(name="api")["id"]
        ids = {"/": self.root_id(api_id)}
        for path in sorted(spec, key=lambda p: p.count("/")):
            if path != "/":
                parent = path.rsplit("/", 1)[0] or "/"
                if parent not in ids:
                    raise AssertionError("declare %s before %s" % (parent, path))
                ids[path] = self.apigw.create_resource(
                    restApiId=api_id, parentId=ids[parent],
                    pathPart=path.rsplit("/", 1)[1])["id"]
            for method in spec[path]:
                self.apigw.put_method(restApiId=api_id, resourceId=ids[path], httpMethod=method,
                                      authorizationType="NONE")
                kw = integration or {"type": "AWS_PROXY", "integrationHttpMethod": "POST",
                                     "uri": lambda_uri(self.function_arn)}
                self.apigw.put_integration(restApiId=api_id, resourceId=ids[path],
                                           httpMethod=method, **kw)
        kw = {"variables": variables} if variables else {}
        self.apigw.create_deployment(restApiId=api_id, stageName=stage, **kw)
        return api_id, ids

    def event(self, *args, **kw):
        status, headers, body = self.request(*args, **kw)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["x-echo"], "yes")
        return json.loads(body), headers


class LambdaProxyTest(InvokeTestCase):
    def test_event_fields_by_host_and_by_path(self):
        api_id, ids = self.build({"/": [], "/pets": [], "/pets/{petId}": ["POST"]},
                                 variables={"env": "test"})
        for form in ("host", "path"):
            event, headers = self.event(
                api_id, "/prod/pets/42?q=1&q=2&r=x", method="POST", body=b'{"a": 1}',
                headers={"Content-Type": "application/json", "User-Agent": "nimbus-test/1",
                         "X-Custom": "c"}, form=form)
            self.assertNotIn("version", event)
            self.assertEqual(event["resource"], "/pets/{petId}")
            self.assertEqual(event["path"], "/pets/42")
            self.assertEqual(event["httpMethod"], "POST")
            self.assertEqual(event["headers"]["X-Custom"], "c")
            self.assertEqual(event["multiValueHeaders"]["X-Custom"], ["c"])
            self.assertEqual(event["queryStringParameters"], {"q": "2", "r": "x"})
            self.assertEqual(event["multiValueQueryStringParameters"],
                             {"q": ["1", "2"], "r": ["x"]})
            self.assertEqual(event["pathParameters"], {"petId": "42"})
            self.assertEqual(event["stageVariables"], {"env": "test"})
            self.assertEqual(event["body"], '{"a": 1}')
            self.assertIs(event["isBase64Encoded"], False)
            ctx = event["requestContext"]
            self.assertEqual(ctx["accountId"], self.account)
            self.assertEqual(ctx["apiId"], api_id)
            self.assertEqual(ctx["resourceId"], ids["/pets/{petId}"])
            self.assertEqual(ctx["resourcePath"], "/pets/{petId}")
            self.assertEqual(ctx["httpMethod"], "POST")
            self.assertEqual(ctx["path"], "/prod/pets/42")
            self.assertEqual(ctx["stage"], "prod")
            self.assertEqual(ctx["requestId"], headers["x-amzn-RequestId"])
            self.assertRegex(ctx["requestId"], r"^[0-9a-f-]{36}$")
            self.assertRegex(ctx["requestTime"], CLF_TIME)
            self.assertIsInstance(ctx["requestTimeEpoch"], int)
            self.assertEqual(ctx["identity"]["sourceIp"], "127.0.0.1")
            self.assertEqual(ctx["identity"]["userAgent"], "nimbus-test/1")
            self.assertEqual(ctx["protocol"], "HTTP/1.1")
            self.assertEqual(ctx["domainName"], "%s.execute-api.localhost" % api_id)

    def test_empty_request_binary_media_types_and_responses(self):
        api_id, _ = self.build({"/": ["GET"], "/{proxy+}": ["ANY"]})
        event, _ = self.event(api_id, "/prod/")
        self.assertEqual(event["resource"], "/")
        self.assertEqual(event["path"], "/")
        self.assertIsNone(event["queryStringParameters"])
        self.assertIsNone(event["multiValueQueryStringParameters"])
        self.assertIsNone(event["pathParameters"])
        self.assertIsNone(event["stageVariables"])
        self.assertIsNone(event["body"])
        # A REST API passes any body as text unless its type is one of binaryMediaTypes.
        event, _ = self.event(api_id, "/prod/a/b", method="PUT", body=b"x=1&y=2",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(event["pathParameters"], {"proxy": "a/b"})
        self.assertEqual((event["body"], event["isBase64Encoded"]), ("x=1&y=2", False))
        status, headers, body = self.request(api_id, "/prod/multi")
        self.assertEqual((status, body), (202, b"m"))
        self.assertEqual(headers.get_all("x-m"), ["1", "2"])
        self.assertEqual(headers["x-one"], "1")

    def test_binary_media_types_travel_base64(self):
        api_id, _ = self.build({"/": ["POST"]})
        self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "add", "path": "/binaryMediaTypes/image~1*"}])
        event, _ = self.event(api_id, "/prod", method="POST", body=b"\x89PNG",
                              headers={"Content-Type": "image/png"})
        self.assertEqual((event["body"], event["isBase64Encoded"]), ("iVBORw==", True))

    def test_resource_precedence_and_any(self):
        api_id, ids = self.build({"/": [], "/{proxy+}": ["ANY"], "/pets": ["GET"],
                                  "/pets/{id}": ["GET"], "/pets/dog": ["GET", "ANY"]})
        cases = [("GET", "/pets", "/pets", None),
                 ("GET", "/pets/dog", "/pets/dog", None),
                 ("DELETE", "/pets/dog", "/pets/dog", None),
                 ("GET", "/pets/7", "/pets/{id}", {"id": "7"}),
                 ("GET", "/pets/7/toys", "/{proxy+}", {"proxy": "pets/7/toys"}),
                 ("POST", "/other", "/{proxy+}", {"proxy": "other"})]
        for method, path, resource, params in cases:
            event, _ = self.event(api_id, "/prod" + path, method=method,
                                  body=b"" if method == "POST" else None)
            self.assertEqual((event["resource"], event["httpMethod"], event["pathParameters"]),
                             (resource, method, params), path)
        event, _ = self.event(api_id, "/prod/pets/dog", method="DELETE")
        self.assertEqual(event["requestContext"]["resourceId"], ids["/pets/dog"])

    def test_missing_stage_resource_or_method_is_missing_authentication_token(self):
        api_id, ids = self.build({"/": [], "/items": ["GET"]})
        for method, path in (("POST", "/prod/items"), ("GET", "/prod/nothing"), ("GET", "/prod"),
                             ("GET", "/dev/items"), ("GET", "/"), ("GET", "/prod/items/1")):
            for form in ("host", "path"):
                status, headers, body = self.request(api_id, path, method=method, form=form,
                                                     body=b"" if method == "POST" else None)
                self.assertEqual((status, json.loads(body)), (403, MISSING_TOKEN), (path, form))
                self.assertEqual(headers["x-amzn-ErrorType"],
                                 "MissingAuthenticationTokenException")
        # What is not deployed is not served.
        self.apigw.put_method(restApiId=api_id, resourceId=ids["/items"], httpMethod="DELETE",
                              authorizationType="NONE")
        self.apigw.put_integration(restApiId=api_id, resourceId=ids["/items"],
                                   httpMethod="DELETE", type="AWS_PROXY",
                                   integrationHttpMethod="POST",
                                   uri=lambda_uri(self.function_arn))
        status, _, _ = self.request(api_id, "/prod/items", method="DELETE")
        self.assertEqual(status, 403)
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        event, _ = self.event(api_id, "/prod/items", method="DELETE")
        self.assertEqual(event["httpMethod"], "DELETE")
        # An id no API has: Not Found, as for HTTP APIs.
        status, _, body = self.request("nosuchapi1", "/prod/items")
        self.assertEqual((status, json.loads(body)), (404, {"message": "Not Found"}))
        # A disabled execute-api endpoint.
        self.apigw.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"}])
        status, _, body = self.request(api_id, "/prod/items")
        self.assertEqual((status, json.loads(body)), (403, {"message": "Forbidden"}))

    def test_failing_function_is_bad_gateway(self):
        api_id, _ = self.build({"/{proxy+}": ["ANY"]})
        for path in ("/prod/raise", "/prod/malformed", "/prod/nostatus"):
            status, headers, body = self.request(api_id, path)
            self.assertEqual((status, json.loads(body)), (502, {"message": "Internal server error"}),
                             path)
            self.assertEqual(headers["x-amzn-ErrorType"], "InternalServerErrorException")
        # A function that does not exist.
        api_id, _ = self.build({"/": ["GET"]}, integration={
            "type": "AWS_PROXY", "integrationHttpMethod": "POST",
            "uri": lambda_uri(self.function_arn.replace("echo", "nosuchfn"))})
        status, _, body = self.request(api_id, "/prod")
        self.assertEqual((status, json.loads(body)), (502, {"message": "Internal server error"}))

    def test_http_api_ids_still_reach_apigatewayv2(self):
        v2 = self.client("apigatewayv2")
        api_id = v2.create_api(Name="v2", ProtocolType="HTTP", Target=self.function_arn)["ApiId"]
        event, _ = self.event(api_id, "/anything")
        self.assertEqual(event["version"], "2.0")
        event, _ = self.event(api_id, "/anything", form="path")
        self.assertEqual(event["rawPath"], "/anything")


class MockTest(InvokeTestCase):
    def test_mock_answers_the_integration_response_template(self):
        api_id, ids = self.build({"/": ["GET"], "/gone": ["GET"]}, integration={
            "type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
        root, gone = ids["/"], ids["/gone"]
        self.apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                       statusCode="200")
        self.apigw.put_integration_response(
            restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
            responseTemplates={"application/json": '{"mocked": true}'},
            responseParameters={"method.response.header.X-Mock": "'yes'"})
        self.apigw.put_integration(restApiId=api_id, resourceId=gone, httpMethod="GET",
                                   type="MOCK",
                                   requestTemplates={"application/json": '{"statusCode": 404}'})
        self.apigw.put_integration_response(
            restApiId=api_id, resourceId=gone, httpMethod="GET", statusCode="200",
            responseTemplates={"application/json": '{"ok": true}'})
        self.apigw.put_integration_response(
            restApiId=api_id, resourceId=gone, httpMethod="GET", statusCode="404",
            selectionPattern="404", responseTemplates={"application/json": '{"gone": true}'})
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        for form in ("host", "path"):
            status, headers, body = self.request(api_id, "/prod", form=form)
            self.assertEqual((status, json.loads(body)), (200, {"mocked": True}))
            self.assertEqual(headers["content-type"], "application/json")
            self.assertEqual(headers["x-mock"], "yes")
            status, _, body = self.request(api_id, "/prod/gone", form=form)
            self.assertEqual((status, json.loads(body)), (404, {"gone": True}))

    def test_mock_without_integration_response_is_an_error(self):
        api_id, _ = self.build({"/": ["GET"]}, integration={
            "type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
        status, _, body = self.request(api_id, "/prod")
        self.assertEqual((status, json.loads(body)), (500, {"message": "Internal server error"}))


class HttpProxyTest(InvokeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = EchoServer()
        cls.backend_url = cls.backend.url

    @classmethod
    def tearDownClass(cls):
        cls.backend.close()
        super().tearDownClass()

    def test_proxy_to_backend(self):
        api_id, ids = self.build({"/{proxy+}": ["ANY"]}, integration={
            "type": "HTTP_PROXY", "integrationHttpMethod": "ANY",
            "uri": self.backend_url + "/base/{proxy}",
            "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"}})
        for form in ("host", "path"):
            status, headers, body = self.request(api_id, "/prod/a/b?x=1", method="POST",
                                                 body=b"payload", headers={"X-Custom": "c"},
                                                 form=form)
            self.assertEqual(status, 200, body)
            self.assertEqual(headers["x-backend"], "1")
            seen = json.loads(body)
            self.assertEqual(seen["method"], "POST")
            self.assertEqual(seen["path"], "/base/a/b?x=1")
            self.assertEqual(seen["headers"]["x-custom"], "c")
            self.assertEqual(seen["body"], "payload")
        status, _, _ = self.request(api_id, "/prod/teapot")
        self.assertEqual(status, 200)  # "/base/teapot": the backend's 418 only at /teapot
        api_id, _ = self.build({"/tea": ["GET"]}, integration={
            "type": "HTTP_PROXY", "integrationHttpMethod": "GET",
            "uri": self.backend_url + "/teapot"})
        status, _, _ = self.request(api_id, "/prod/tea")
        self.assertEqual(status, 418)

    def test_unreachable_backend(self):
        port = closed_port()
        api_id, _ = self.build({"/": ["GET"]}, integration={
            "type": "HTTP_PROXY", "integrationHttpMethod": "GET",
            "uri": "http://127.0.0.1:%d/" % port})
        status, _, body = self.request(api_id, "/prod")
        self.assertEqual((status, json.loads(body)), (502, {"message": "Internal server error"}))


if __name__ == "__main__":
    import unittest
    unittest.main()
