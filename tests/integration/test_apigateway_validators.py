"""API Gateway REST API models and request validators (API reference: CreateModel, GetModel(s),
UpdateModel, DeleteModel, CreateRequestValidator, GetRequestValidator(s),
UpdateRequestValidator, DeleteRequestValidator) with boto3 and the AWS CLI, PutMethod's
requestValidatorId and requestModels, and what an invocation answers when a deployed method's
validator rejects it (developer guide, "Request validation for REST APIs"): 400 {"message":
"Missing required request parameters: [...]"} or {"message": "Invalid request body"}."""
import json
import urllib.error
import urllib.request

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError

PET = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
       "required": ["name"], "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"},
                                            "age": {"type": "integer", "minimum": 0}}}


class ValidatorsTestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigateway")
        self.api_id = self.apigw.create_rest_api(name="pets")["id"]
        self.root = self.apigw.get_rest_api(restApiId=self.api_id)["rootResourceId"]

    def error(self, call, code, status, message=None):
        with self.assertRaises(ClientError) as cm:
            call()
        err = self.assertAwsError(cm, code, status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err


class ModelsTest(ValidatorsTestCase):
    def test_new_apis_have_empty_and_error_models(self):
        models = {m["name"]: m for m in self.apigw.get_models(restApiId=self.api_id)["items"]}
        self.assertEqual(sorted(models), ["Empty", "Error"])
        self.assertEqual(json.loads(models["Empty"]["schema"])["title"], "Empty Schema")
        self.assertEqual(models["Error"]["contentType"], "application/json")

    def test_create_get_update_delete(self):
        m = self.apigw.create_model(restApiId=self.api_id, name="Pet", description="a pet",
                                    contentType="application/json", schema=json.dumps(PET))
        self.assertEqual(m["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(m["id"], r"^[a-z0-9]{6}$")
        self.assertEqual((m["name"], m["description"], m["contentType"]),
                         ("Pet", "a pet", "application/json"))
        self.assertEqual(json.loads(m["schema"]), PET)
        got = self.apigw.get_model(restApiId=self.api_id, modelName="Pet")
        self.assertEqual(got["id"], m["id"])
        ref = {"type": "array", "items": {
            "$ref": "https://apigateway.amazonaws.com/restapis/%s/models/Pet" % self.api_id}}
        self.apigw.create_model(restApiId=self.api_id, name="Pets",
                                contentType="application/json", schema=json.dumps(ref))
        flat = json.loads(self.apigw.get_model(restApiId=self.api_id, modelName="Pets",
                                               flatten=True)["schema"])
        self.assertEqual(flat, {"type": "array", "items": {k: v for k, v in PET.items()
                                                           if k != "$schema"}})
        self.assertEqual(json.loads(self.apigw.get_model(restApiId=self.api_id,
                                                         modelName="Pets")["schema"]), ref)
        updated = self.apigw.update_model(restApiId=self.api_id, modelName="Pet", patchOperations=[
            {"op": "replace", "path": "/description", "value": "still a pet"},
            {"op": "replace", "path": "/schema", "value": '{"type": "object"}'}])
        self.assertEqual(updated["description"], "still a pet")
        self.assertEqual(updated["schema"], '{"type": "object"}')
        names = [x["name"] for x in self.apigw.get_models(restApiId=self.api_id, limit=2)["items"]]
        self.assertEqual(len(names), 2)
        self.apigw.delete_model(restApiId=self.api_id, modelName="Pets")
        self.error(lambda: self.apigw.get_model(restApiId=self.api_id, modelName="Pets"),
                   "NotFoundException", 404, "Invalid model name specified")

    def test_model_errors(self):
        self.apigw.create_model(restApiId=self.api_id, name="Pet",
                                contentType="application/json", schema=json.dumps(PET))
        self.error(lambda: self.apigw.create_model(restApiId=self.api_id, name="Pet",
                                                   contentType="application/json"),
                   "ConflictException", 409, "Model name already exists for this REST API")
        self.error(lambda: self.apigw.create_model(restApiId=self.api_id, name="bad-name",
                                                   contentType="application/json"),
                   "BadRequestException", 400, "Model name must be alphanumeric")
        for schema in ("{not json", "[1, 2]", "[" * 1000):
            self.error(lambda: self.apigw.create_model(restApiId=self.api_id, name="Bad",
                                                       contentType="application/json",
                                                       schema=schema),
                       "BadRequestException", 400,
                       "Invalid model specified: Validation Result: warnings : [], errors : "
                       "[Invalid model schema specified]")
        self.error(lambda: self.apigw.create_model(
            restApiId=self.api_id, name="Bad", contentType="application/json",
            schema='{"$ref": "#/definitions/Nope"}'), "BadRequestException", 400,
            "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model "
            "name specified: Nope]")
        self.error(lambda: self.apigw.update_model(
            restApiId=self.api_id, modelName="Pet",
            patchOperations=[{"op": "replace", "path": "/name", "value": "X"}]),
            "BadRequestException", 400)
        for call in (lambda: self.apigw.get_model(restApiId=self.api_id, modelName="Nope"),
                     lambda: self.apigw.delete_model(restApiId=self.api_id, modelName="Nope"),
                     lambda: self.apigw.update_model(restApiId=self.api_id, modelName="Nope",
                                                     patchOperations=[])):
            self.error(call, "NotFoundException", 404, "Invalid model name specified")
        self.error(lambda: self.apigw.get_models(restApiId="nosuchapi1"), "NotFoundException",
                   404)
        # A model a method uses cannot be deleted.
        self.apigw.put_method(restApiId=self.api_id, resourceId=self.root, httpMethod="POST",
                              authorizationType="NONE",
                              requestModels={"application/json": "Pet"})
        self.error(lambda: self.apigw.delete_model(restApiId=self.api_id, modelName="Pet"),
                   "ConflictException", 409,
                   "Cannot delete model 'Pet', is referenced in method request: //POST")

    def test_cli_models(self):
        _, m, _ = self.server.aws("apigateway", "create-model", "--rest-api-id", self.api_id,
                                  "--name", "Pet", "--content-type", "application/json",
                                  "--schema", json.dumps(PET))
        self.assertEqual(m["name"], "Pet")
        _, got, _ = self.server.aws("apigateway", "get-models", "--rest-api-id", self.api_id)
        self.assertEqual(sorted(x["name"] for x in got["items"]), ["Empty", "Error", "Pet"])
        code, _, err = self.server.aws("apigateway", "get-model", "--rest-api-id", self.api_id,
                                       "--model-name", "Nope", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("NotFoundException", err)


class RequestValidatorsTest(ValidatorsTestCase):
    def test_create_get_update_delete(self):
        v = self.apigw.create_request_validator(restApiId=self.api_id, name="body",
                                                validateRequestBody=True)
        self.assertEqual(v["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(v["id"], r"^[a-z0-9]{6}$")
        self.assertEqual((v["name"], v["validateRequestBody"], v["validateRequestParameters"]),
                         ("body", True, False))
        got = self.apigw.get_request_validator(restApiId=self.api_id, requestValidatorId=v["id"])
        self.assertEqual(got["name"], "body")
        u = self.apigw.update_request_validator(
            restApiId=self.api_id, requestValidatorId=v["id"], patchOperations=[
                {"op": "replace", "path": "/validateRequestParameters", "value": "true"},
                {"op": "replace", "path": "/name", "value": "both"}])
        self.assertEqual((u["name"], u["validateRequestParameters"]), ("both", True))
        items = self.apigw.get_request_validators(restApiId=self.api_id)["items"]
        self.assertEqual([x["id"] for x in items], [v["id"]])
        self.apigw.delete_request_validator(restApiId=self.api_id, requestValidatorId=v["id"])
        self.assertEqual(self.apigw.get_request_validators(restApiId=self.api_id)["items"], [])

    def test_validator_errors_and_put_method_references(self):
        missing = "Invalid Request Validator identifier specified"
        for call in (
                lambda: self.apigw.get_request_validator(restApiId=self.api_id,
                                                         requestValidatorId="nope00"),
                lambda: self.apigw.delete_request_validator(restApiId=self.api_id,
                                                            requestValidatorId="nope00"),
                lambda: self.apigw.update_request_validator(restApiId=self.api_id,
                                                            requestValidatorId="nope00",
                                                            patchOperations=[])):
            self.error(call, "NotFoundException", 404, missing)
        self.error(lambda: self.apigw.put_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="GET", authorizationType="NONE",
                                                 requestValidatorId="nope00"),
                   "BadRequestException", 400, missing)
        self.error(lambda: self.apigw.put_method(restApiId=self.api_id, resourceId=self.root,
                                                 httpMethod="GET", authorizationType="NONE",
                                                 requestModels={"application/json": "Nope"}),
                   "BadRequestException", 400, "Invalid model identifier specified: Nope")
        v = self.apigw.create_request_validator(restApiId=self.api_id, name="p",
                                                validateRequestParameters=True)
        self.error(lambda: self.apigw.update_request_validator(
            restApiId=self.api_id, requestValidatorId=v["id"],
            patchOperations=[{"op": "replace", "path": "/validateRequestBody",
                              "value": "maybe"}]), "BadRequestException", 400)
        m = self.apigw.put_method(restApiId=self.api_id, resourceId=self.root, httpMethod="GET",
                                  authorizationType="NONE", requestValidatorId=v["id"],
                                  requestModels={"application/json": "Empty"})
        self.assertEqual(m["requestValidatorId"], v["id"])
        self.assertEqual(m["requestModels"], {"application/json": "Empty"})
        self.error(lambda: self.apigw.delete_request_validator(restApiId=self.api_id,
                                                               requestValidatorId=v["id"]),
                   "ConflictException", 409)


class ValidationAtInvocationTest(ValidatorsTestCase):
    def build(self, validator, request_parameters=None, request_models=None):
        res = self.apigw.create_resource(restApiId=self.api_id, parentId=self.root,
                                         pathPart="pets")["id"]
        kw = {}
        if request_parameters:
            kw["requestParameters"] = request_parameters
        if request_models:
            kw["requestModels"] = request_models
        self.apigw.put_method(restApiId=self.api_id, resourceId=res, httpMethod="POST",
                              authorizationType="NONE", requestValidatorId=validator, **kw)
        self.apigw.put_integration(restApiId=self.api_id, resourceId=res, httpMethod="POST",
                                   type="MOCK",
                                   requestTemplates={"application/json": '{"statusCode": 200}'})
        self.apigw.put_integration_response(restApiId=self.api_id, resourceId=res,
                                            httpMethod="POST", statusCode="200",
                                            responseTemplates={"application/json": '{"ok":1}'})
        self.apigw.create_deployment(restApiId=self.api_id, stageName="prod")
        return res

    def call(self, path, body=b"", headers=None):
        headers = dict(headers or {})
        headers.setdefault("content-type", "application/json")
        headers["Host"] = "%s.execute-api.localhost:%d" % (self.api_id, self.server.port)
        req = urllib.request.Request("http://127.0.0.1:%d/prod%s" % (self.server.port, path),
                                     data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read())

    def test_required_parameters(self):
        v = self.apigw.create_request_validator(restApiId=self.api_id, name="params",
                                                validateRequestParameters=True)["id"]
        self.build(v, request_parameters={"method.request.querystring.kind": True,
                                          "method.request.header.X-Owner": True,
                                          "method.request.querystring.page": False})
        status, headers, body = self.call("/pets", b"{}")
        self.assertEqual((status, body),
                         (400, {"message": "Missing required request parameters: [kind, X-Owner]"}))
        self.assertEqual(headers["x-amzn-ErrorType"], "BadRequestException")
        self.assertEqual(self.call("/pets?kind=dog", b"{}")[2],
                         {"message": "Missing required request parameters: [X-Owner]"})
        self.assertEqual(self.call("/pets?kind=dog", b"{}", {"X-Owner": "me"})[:3:2],
                         (200, {"ok": 1}))

    def test_body_against_the_model_of_its_content_type(self):
        self.apigw.create_model(restApiId=self.api_id, name="Pet",
                                contentType="application/json", schema=json.dumps(PET))
        v = self.apigw.create_request_validator(restApiId=self.api_id, name="body",
                                                validateRequestBody=True)["id"]
        res = self.build(v, request_models={"application/json": "Pet"})
        ok = (200, {"ok": 1})
        self.assertEqual(self.call("/pets", b'{"name": "rex", "age": 3}')[::2], ok)
        invalid = (400, {"message": "Invalid request body"})
        for bad in (b'{"age": 3}', b'{"name": "Rex"}', b'{"name": "rex", "age": -1}',
                    b'{"name": 1}', b"[]", b"nope", b""):
            with self.subTest(body=bad):
                self.assertEqual(self.call("/pets", bad)[::2], invalid)
        # Without a content type the body is taken as JSON; another type has no model here.
        self.assertEqual(self.call("/pets", b'{"age": 3}', {"content-type": "text/plain"})[0],
                         200)
        # What a stage serves changes with the next deployment only.
        self.apigw.update_model(restApiId=self.api_id, modelName="Pet", patchOperations=[
            {"op": "replace", "path": "/schema", "value": '{"type": "object"}'}])
        self.assertEqual(self.call("/pets", b'{"age": 3}')[::2], invalid)
        self.apigw.create_deployment(restApiId=self.api_id, stageName="prod")
        self.assertEqual(self.call("/pets", b'{"age": 3}')[::2], ok)
        self.assertTrue(res)
