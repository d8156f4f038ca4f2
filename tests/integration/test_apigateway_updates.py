"""API Gateway REST APIs: the PATCH operations of the resource tree (API reference, "PATCH
operations"): UpdateResource (/pathPart, /parentId, moving a subtree), UpdateMethod,
UpdateMethodResponse, UpdateIntegration, UpdateIntegrationResponse and UpdateDeployment. Each
applies its patchOperations in order and is reflected by the matching Get*; a path a resource has
no member for is BadRequestException "Invalid patch path <path>", an op a path does not take
"Invalid patch path '<path>' specified for op '<op>'. ..." (UpdateMethod ignores it, as AWS
does), a bad value BadRequestException, a missing target NotFoundException with the words of
Get*. A failed request changes nothing, and a stage serves the change only once deployed again."""
import json

import test_apigateway_rest as rest

NOT_FOUND = "NotFoundException"
BAD = "BadRequestException"


def op(o, path, value=None):
    d = {"op": o, "path": path}
    if value is not None:
        d["value"] = value
    return d


class ResourceTreeUpdates(rest.RestApiTestCase):
    def tree(self):
        """/a/b/c and /x under a new API: (api id, {path: id})."""
        api_id = self.apigw.create_rest_api(name="tree")["id"]
        ids = {"/": self.root_id(api_id)}
        for path in ("/a", "/a/b", "/a/b/c", "/x"):
            parent, part = path.rsplit("/", 1)
            ids[path] = self.apigw.create_resource(restApiId=api_id, parentId=ids[parent or "/"],
                                                   pathPart=part)["id"]
        return api_id, ids

    def paths(self, api_id):
        return {r["id"]: r["path"] for r in self.apigw.get_resources(restApiId=api_id)["items"]}

    def test_update_resource_renames_and_moves_a_subtree(self):
        api_id, ids = self.tree()
        r = self.apigw.update_resource(restApiId=api_id, resourceId=ids["/a"],
                                       patchOperations=[op("replace", "/pathPart", "z")])
        self.assertEqual((r["pathPart"], r["path"], r["parentId"]), ("z", "/z", ids["/"]))
        paths = self.paths(api_id)
        self.assertEqual((paths[ids["/a/b"]], paths[ids["/a/b/c"]]), ("/z/b", "/z/b/c"))
        # Move /z/b under /x: b and c follow.
        r = self.apigw.update_resource(restApiId=api_id, resourceId=ids["/a/b"],
                                       patchOperations=[op("replace", "/parentId", ids["/x"])])
        self.assertEqual((r["parentId"], r["path"]), (ids["/x"], "/x/b"))
        got = self.apigw.get_resource(restApiId=api_id, resourceId=ids["/a/b/c"])
        self.assertEqual(got["path"], "/x/b/c")
        # Both in one request, through the AWS CLI.
        _, out, _ = self.server.aws(
            "apigateway", "update-resource", "--rest-api-id", api_id, "--resource-id",
            ids["/a/b"], "--patch-operations",
            json.dumps([op("replace", "/parentId", ids["/"]), op("replace", "/pathPart", "{id}")]))
        self.assertEqual((out["path"], out["pathPart"]), ("/{id}", "{id}"))
        self.assertEqual(self.paths(api_id)[ids["/a/b/c"]], "/{id}/c")

    def test_update_resource_errors(self):
        api_id, ids = self.tree()
        upd = lambda rid, *ops: lambda: self.apigw.update_resource(  # noqa: E731
            restApiId=api_id, resourceId=rid, patchOperations=list(ops))
        self.error(upd(ids["/a"], op("replace", "/path", "q")), BAD, 400,
                   "Invalid patch path '/path' specified for op 'replace'. Must be one of: "
                   "[/parentId, /pathPart]")
        self.error(upd(ids["/a"], op("add", "/pathPart", "q")), BAD, 400,
                   "Invalid patch path '/pathPart' specified for op 'add'. Please choose "
                   "supported operations")
        self.error(upd(ids["/"], op("replace", "/pathPart", "q")), BAD, 400,
                   "Root resource cannot update its pathPart.")
        self.error(upd(ids["/a"], op("replace", "/pathPart", "x")), "ConflictException", 409,
                   "Another resource with the same parent already has this name: x")
        self.error(upd(ids["/a"], op("replace", "/parentId", ids["/a/b/c"])), BAD, 400,
                   "Resources cannot be cyclical.")
        self.error(upd(ids["/a"], op("replace", "/parentId", ids["/a"])), BAD, 400,
                   "Resources cannot be cyclical.")
        self.error(upd(ids["/a"], op("replace", "/parentId", "nosuchres1")), NOT_FOUND, 404,
                   "Invalid Resource identifier specified")
        self.error(upd(ids["/a"], op("replace", "/pathPart", "bad/part")), BAD, 400)
        self.error(upd("nosuchres1", op("replace", "/pathPart", "q")), NOT_FOUND, 404,
                   "Invalid Resource identifier specified")
        self.error(lambda: self.apigw.update_resource(
            restApiId="nosuchapi1", resourceId=ids["/a"], patchOperations=[]), NOT_FOUND, 404)
        # A second variable sibling, and a child of a greedy resource.
        self.apigw.update_resource(restApiId=api_id, resourceId=ids["/x"],
                                   patchOperations=[op("replace", "/pathPart", "{p}")])
        self.error(upd(ids["/a"], op("replace", "/pathPart", "{q}")), BAD, 400,
                   "A sibling ({p}) of this resource already has a variable path part -- only "
                   "one is allowed")
        self.apigw.update_resource(restApiId=api_id, resourceId=ids["/x"],
                                   patchOperations=[op("replace", "/pathPart", "{p+}")])
        self.error(upd(ids["/a"], op("replace", "/parentId", ids["/x"])), BAD, 400,
                   "Cannot create a child of a resource with a greedy path variable: {p+}")
        # Nothing of a failed request is applied.
        self.error(upd(ids["/a"], op("replace", "/pathPart", "w"),
                       op("replace", "/nosuch", "v")), BAD, 400)
        self.assertEqual(self.paths(api_id)[ids["/a/b/c"]], "/a/b/c")


class MethodUpdates(rest.RestApiTestCase):
    def setUp(self):
        super().setUp()
        self.api_id = self.apigw.create_rest_api(name="m")["id"]
        self.res = self.apigw.create_resource(restApiId=self.api_id,
                                              parentId=self.root_id(self.api_id),
                                              pathPart="pets")["id"]
        self.apigw.put_method(restApiId=self.api_id, resourceId=self.res, httpMethod="GET",
                              authorizationType="NONE")
        self.apigw.create_model(restApiId=self.api_id, name="Pet", contentType="application/json",
                                schema='{"type": "object"}')

    def update(self, *ops, method="GET", resource=None):
        return self.apigw.update_method(restApiId=self.api_id, resourceId=resource or self.res,
                                        httpMethod=method, patchOperations=list(ops))

    def get(self):
        return self.apigw.get_method(restApiId=self.api_id, resourceId=self.res, httpMethod="GET")

    def test_update_method_paths(self):
        validator = self.apigw.create_request_validator(restApiId=self.api_id, name="v",
                                                        validateRequestParameters=True)["id"]
        m = self.update(op("replace", "/apiKeyRequired", "true"),
                        op("replace", "/operationName", "ListPets"),
                        op("add", "/requestParameters/method.request.querystring.q", "true"),
                        op("add", "/requestParameters/method.request.header.x-a", "false"),
                        op("add", "/requestModels/application~1json", "Pet"),
                        op("replace", "/requestValidatorId", validator),
                        op("replace", "/authorizationType", "AWS_IAM"),
                        op("add", "/authorizationScopes", "read"),
                        op("add", "/authorizationScopes", "write"))
        want = {"httpMethod": "GET", "authorizationType": "AWS_IAM", "apiKeyRequired": True,
                "operationName": "ListPets", "requestValidatorId": validator,
                "requestParameters": {"method.request.querystring.q": True,
                                      "method.request.header.x-a": False},
                "requestModels": {"application/json": "Pet"},
                "authorizationScopes": ["read", "write"]}
        for got in (m, self.get()):
            self.assertEqual({k: got.get(k) for k in want}, want)
        m = self.update(op("remove", "/requestParameters/method.request.header.x-a"),
                        op("replace", "/requestParameters/method.request.querystring.q", "false"),
                        op("remove", "/requestModels/application~1json"),
                        op("replace", "/requestValidatorId", ""),
                        op("remove", "/authorizationScopes", "read"),
                        op("replace", "/apiKeyRequired", "false"))
        got = self.get()
        self.assertEqual(got["requestParameters"], {"method.request.querystring.q": False})
        self.assertNotIn("requestModels", got)
        self.assertNotIn("requestValidatorId", got)
        self.assertEqual((got["authorizationScopes"], got["apiKeyRequired"]), (["write"], False))
        self.assertEqual(m["requestParameters"], got["requestParameters"])
        # An op a known path does not take is ignored, as AWS does.
        self.update(op("add", "/apiKeyRequired", "true"), op("remove", "/operationName"))
        got = self.get()
        self.assertEqual((got["apiKeyRequired"], got["operationName"]), (False, "ListPets"))

    def test_update_method_authorizer(self):
        auth = self.apigw.create_authorizer(
            restApiId=self.api_id, name="a", type="TOKEN",
            identitySource="method.request.header.Authorization",
            authorizerUri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                          "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations")["id"]
        err = self.error(lambda: self.update(op("replace", "/authorizationType", "CUSTOM")),
                         BAD, 400)
        self.assertIn("Invalid authorizer ID specified", err["Error"]["Message"])
        err_msg = err["Error"]["Message"]
        self.assertEqual(self.get()["authorizationType"], "NONE")
        self.error(lambda: self.update(op("replace", "/authorizationType", "CUSTOM"),
                                       op("replace", "/authorizerId", "nosuch")), BAD, 400,
                   err_msg)
        m = self.update(op("replace", "/authorizationType", "CUSTOM"),
                        op("replace", "/authorizerId", auth))
        self.assertEqual((m["authorizationType"], m["authorizerId"]), ("CUSTOM", auth))
        m = self.update(op("replace", "/authorizationType", "NONE"))
        self.assertNotIn("authorizerId", m)
        self.assertNotIn("authorizerId", self.get())

    def test_update_method_errors(self):
        self.error(lambda: self.update(op("replace", "/foo", "x")), BAD, 400,
                   "Invalid patch path /foo")
        self.error(lambda: self.update(op("replace", "/httpMethod", "POST")), BAD, 400,
                   "Invalid patch path /httpMethod")
        self.error(lambda: self.update(op("replace", "/apiKeyRequired", "maybe")), BAD, 400)
        self.error(lambda: self.update(op("replace", "/authorizationType", "OPEN")), BAD, 400,
                   "Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,"
                   "COGNITO_USER_POOLS")
        self.error(lambda: self.update(op("replace", "/requestValidatorId", "nosuch")), BAD, 400,
                   "Invalid Request Validator identifier specified")
        self.error(lambda: self.update(op("add", "/requestModels/application~1json", "Nope")),
                   BAD, 400, "Invalid model identifier specified: Nope")
        # An op outside the model's enumeration is refused by validation.
        err = self.error(lambda: self.update(op("frobnicate", "/apiKeyRequired", "true")),
                         BAD, 400)
        self.assertIn("frobnicate", err["Error"]["Message"])
        self.error(lambda: self.update(op("replace", "/apiKeyRequired", "true"), method="POST"),
                   NOT_FOUND, 404, "Invalid Method identifier specified")
        self.error(lambda: self.update(op("replace", "/apiKeyRequired", "true"),
                                       resource="nosuchres1"),
                   NOT_FOUND, 404, "Invalid Resource identifier specified")
        # Nothing of a failed request is applied.
        self.error(lambda: self.update(op("replace", "/apiKeyRequired", "true"),
                                       op("replace", "/foo", "x")), BAD, 400)
        self.assertIs(self.get()["apiKeyRequired"], False)

    def test_malformed_patch_operations(self):
        url = "/restapis/%s/resources/%s/methods/GET/integration" % (self.api_id, self.res)
        self.apigw.put_integration(restApiId=self.api_id, resourceId=self.res, httpMethod="GET",
                                   type="MOCK")
        cases = [(b'{"patchOperations": "no"}', None),
                 (b'{"patchOperations": [{"op": "replace", "path": 5}]}', None),
                 (b'{"patchOperations": [{"op": "replace", "value": "x"}]}',
                  "Invalid patch path "),
                 (b'{"patchOperations": [{"op": "add", "path": "/requestTemplates/"}]}',
                  "Invalid patch path /requestTemplates/"),
                 (json.dumps({"patchOperations": [op("replace", "/" + "u" * 20000, "x")]})
                  .encode(), "Invalid patch path /" + "u" * 20000),
                 (b"{not json", None)]
        for body, message in cases:
            status, headers, out = self.server.http(
                "PATCH", url, body=body, headers={"Content-Type": "application/json"})
            self.assertEqual(status, 400, (body[:80], out[:200]))
            self.assertEqual(headers["x-amzn-ErrorType"].split(":")[0], BAD)
            if message is not None:
                self.assertEqual(json.loads(out)["message"], message)
        self.assertEqual(self.apigw.get_integration(restApiId=self.api_id, resourceId=self.res,
                                                    httpMethod="GET")["type"], "MOCK")

    def test_update_method_response(self):
        self.apigw.put_method_response(restApiId=self.api_id, resourceId=self.res,
                                       httpMethod="GET", statusCode="200")
        upd = lambda *ops, code="200": self.apigw.update_method_response(  # noqa: E731
            restApiId=self.api_id, resourceId=self.res, httpMethod="GET", statusCode=code,
            patchOperations=list(ops))
        r = upd(op("add", "/responseParameters/method.response.header.X-A", "true"),
                op("add", "/responseModels/application~1json", "Pet"))
        want = {"statusCode": "200",
                "responseParameters": {"method.response.header.X-A": True},
                "responseModels": {"application/json": "Pet"}}
        self.assertEqual({k: r.get(k) for k in want}, want)
        got = self.apigw.get_method_response(restApiId=self.api_id, resourceId=self.res,
                                             httpMethod="GET", statusCode="200")
        self.assertEqual({k: got.get(k) for k in want}, want)
        r = upd(op("remove", "/responseParameters/method.response.header.X-A"),
                op("replace", "/responseModels/application~1json", "Empty"))
        self.assertNotIn("responseParameters", r)
        self.assertEqual(r["responseModels"], {"application/json": "Empty"})
        self.error(lambda: upd(op("replace", "/statusCode", "201")), BAD, 400,
                   "Invalid patch path /statusCode")
        self.error(lambda: upd(op("add", "/responseModels/text~1plain", "Nope")), BAD, 400,
                   "Invalid model identifier specified: Nope")
        self.error(lambda: upd(op("move", "/responseModels/text~1plain", "Pet")), BAD, 400)
        self.error(lambda: upd(op("add", "/responseModels/a", "Pet"), code="404"),
                   NOT_FOUND, 404, "Invalid Response status code specified")


class IntegrationUpdates(rest.RestApiTestCase):
    def setUp(self):
        super().setUp()
        self.api_id = self.apigw.create_rest_api(name="i")["id"]
        self.res = self.apigw.create_resource(restApiId=self.api_id,
                                              parentId=self.root_id(self.api_id),
                                              pathPart="items")["id"]
        self.apigw.put_method(restApiId=self.api_id, resourceId=self.res, httpMethod="GET",
                              authorizationType="NONE",
                              requestParameters={"method.request.querystring.q": False})
        self.apigw.put_integration(restApiId=self.api_id, resourceId=self.res, httpMethod="GET",
                                   type="HTTP", integrationHttpMethod="GET",
                                   uri="http://example.com/old")
        self.apigw.put_integration_response(restApiId=self.api_id, resourceId=self.res,
                                            httpMethod="GET", statusCode="200")

    def update(self, *ops, method="GET"):
        return self.apigw.update_integration(restApiId=self.api_id, resourceId=self.res,
                                             httpMethod=method, patchOperations=list(ops))

    def get(self):
        return self.apigw.get_integration(restApiId=self.api_id, resourceId=self.res,
                                          httpMethod="GET")

    def test_update_integration_paths(self):
        i = self.update(op("replace", "/uri", "https://example.com/new/{q}"),
                        op("replace", "/httpMethod", "POST"),
                        op("replace", "/timeoutInMillis", "1234"),
                        op("replace", "/passthroughBehavior", "NEVER"),
                        op("replace", "/contentHandling", "CONVERT_TO_TEXT"),
                        op("replace", "/credentials", "arn:aws:iam::000000000000:role/r"),
                        op("replace", "/cacheNamespace", "ns"),
                        op("add", "/cacheKeyParameters/method.request.querystring.q"),
                        op("add", "/requestParameters/integration.request.path.q",
                           "method.request.querystring.q"),
                        op("add", "/requestTemplates/application~1json", '{"a": 1}'),
                        op("add", "/requestTemplates/text~1plain"),
                        op("replace", "/tlsConfig/insecureSkipVerification", "true"))
        want = {"type": "HTTP", "uri": "https://example.com/new/{q}", "httpMethod": "POST",
                "timeoutInMillis": 1234, "passthroughBehavior": "NEVER",
                "contentHandling": "CONVERT_TO_TEXT",
                "credentials": "arn:aws:iam::000000000000:role/r", "cacheNamespace": "ns",
                "cacheKeyParameters": ["method.request.querystring.q"],
                "requestParameters": {"integration.request.path.q":
                                      "method.request.querystring.q"},
                "requestTemplates": {"application/json": '{"a": 1}', "text/plain": None},
                "tlsConfig": {"insecureSkipVerification": True},
                "connectionType": "INTERNET"}
        for got in (i, self.get()):
            self.assertEqual({k: got.get(k) for k in want}, want)
        self.assertIn("200", self.get()["integrationResponses"])  # responses are kept
        i = self.update(op("remove", "/cacheKeyParameters/method.request.querystring.q"),
                        op("remove", "/requestParameters/integration.request.path.q"),
                        op("replace", "/requestTemplates/application~1json", "{}"),
                        op("remove", "/requestTemplates/text~1plain"),
                        op("replace", "/contentHandling", ""))
        got = self.get()
        self.assertEqual(got["cacheKeyParameters"], [])
        self.assertNotIn("requestParameters", got)
        self.assertNotIn("contentHandling", got)
        self.assertEqual(got["requestTemplates"], {"application/json": "{}"})
        # The AWS CLI's JSON form.
        _, out, _ = self.server.aws(
            "apigateway", "update-integration", "--rest-api-id", self.api_id,
            "--resource-id", self.res, "--http-method", "GET", "--patch-operations",
            json.dumps([op("replace", "/uri", "http://example.com/cli"),
                        op("replace", "/requestTemplates/application~1json", "$input.body")]))
        self.assertEqual((out["uri"], out["requestTemplates"]),
                         ("http://example.com/cli", {"application/json": "$input.body"}))
        self.assertEqual(self.get()["uri"], "http://example.com/cli")

    def test_update_integration_errors(self):
        def bad(message, *ops):
            return self.error(lambda: self.update(*ops), BAD, 400, message)
        bad("Invalid patch path /type", op("replace", "/type", "MOCK"))
        bad("Invalid patch path /nosuch", op("replace", "/nosuch", "x"))
        bad("Invalid patch path '/uri' specified for op 'add'. Please choose supported "
            "operations", op("add", "/uri", "http://example.com/x"))
        bad("Timeout should be between 50 ms and 29000 ms",
            op("replace", "/timeoutInMillis", "29001"))
        bad("Timeout should be between 50 ms and 29000 ms",
            op("replace", "/timeoutInMillis", "49"))
        bad("Timeout should be between 50 ms and 29000 ms",
            op("replace", "/timeoutInMillis", "soon"))
        bad("Invalid HTTP endpoint specified for URI", op("replace", "/uri", "ftp://x"))
        bad("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,"
            "HEAD,ANY", op("replace", "/httpMethod", "FETCH"))
        bad(None, op("replace", "/passthroughBehavior", "SOMETIMES"))
        bad(None, op("replace", "/connectionType", "CARRIER_PIGEON"))
        bad(None, op("replace", "/tlsConfig/insecureSkipVerification", "perhaps"))
        bad(None, op("replace", "/cacheKeyParameters/x"))
        self.assertEqual(self.get()["uri"], "http://example.com/old")  # nothing applied
        self.assertEqual(self.get()["timeoutInMillis"], 29000)
        self.apigw.put_method(restApiId=self.api_id, resourceId=self.res, httpMethod="POST",
                              authorizationType="NONE")
        self.error(lambda: self.update(op("replace", "/uri", "http://x"), method="POST"),
                   NOT_FOUND, 404, "Invalid Integration identifier specified")
        self.error(lambda: self.update(op("replace", "/uri", "http://x"), method="PUT"),
                   NOT_FOUND, 404, "Invalid Method identifier specified")
        code, _, stderr = self.server.aws(
            "apigateway", "update-integration", "--rest-api-id", self.api_id,
            "--resource-id", self.res, "--http-method", "GET", "--patch-operations",
            "op=replace,path=/foo,value=x", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("BadRequestException", stderr)
        self.assertIn("Invalid patch path /foo", stderr)

    def test_update_integration_response(self):
        upd = lambda *ops, code="200": self.apigw.update_integration_response(  # noqa: E731
            restApiId=self.api_id, resourceId=self.res, httpMethod="GET", statusCode=code,
            patchOperations=list(ops))
        r = upd(op("replace", "/selectionPattern", "2\\d\\d"),
                op("replace", "/contentHandling", "CONVERT_TO_BINARY"),
                op("add", "/responseParameters/method.response.header.X-A", "'a'"),
                op("add", "/responseTemplates/application~1json", '{"ok": true}'))
        want = {"statusCode": "200", "selectionPattern": "2\\d\\d",
                "contentHandling": "CONVERT_TO_BINARY",
                "responseParameters": {"method.response.header.X-A": "'a'"},
                "responseTemplates": {"application/json": '{"ok": true}'}}
        got = self.apigw.get_integration_response(restApiId=self.api_id, resourceId=self.res,
                                                  httpMethod="GET", statusCode="200")
        for x in (r, got):
            self.assertEqual({k: x.get(k) for k in want}, want)
        r = upd(op("remove", "/responseTemplates/application~1json"),
                op("remove", "/responseParameters/method.response.header.X-A"),
                op("replace", "/selectionPattern"))
        for k in ("responseTemplates", "responseParameters", "selectionPattern"):
            self.assertNotIn(k, r)
        self.error(lambda: upd(op("replace", "/statusCode", "201")), BAD, 400,
                   "Invalid patch path /statusCode")
        self.error(lambda: upd(op("replace", "/contentHandling", "CONVERT_TO_JSON")), BAD, 400)
        self.error(lambda: upd(op("copy", "/selectionPattern", "x")), BAD, 400)
        self.error(lambda: upd(op("replace", "/selectionPattern", "x"), code="500"),
                   NOT_FOUND, 404, "Invalid Response status code specified")


class DeploymentUpdates(rest.RestApiTestCase):
    def test_update_and_delete_deployment(self):
        api_id = self.apigw.create_rest_api(name="d")["id"]
        self.apigw.put_method(restApiId=api_id, resourceId=self.root_id(api_id),
                              httpMethod="GET", authorizationType="NONE")
        self.apigw.put_integration(restApiId=api_id, resourceId=self.root_id(api_id),
                                   httpMethod="GET", type="MOCK")
        dep = self.apigw.create_deployment(restApiId=api_id, stageName="prod")["id"]
        d = self.apigw.update_deployment(restApiId=api_id, deploymentId=dep,
                                         patchOperations=[op("replace", "/description", "v2")])
        self.assertEqual((d["id"], d["description"]), (dep, "v2"))
        self.assertEqual(self.apigw.get_deployment(restApiId=api_id,
                                                   deploymentId=dep)["description"], "v2")
        self.error(lambda: self.apigw.update_deployment(
            restApiId=api_id, deploymentId=dep,
            patchOperations=[op("replace", "/stageName", "x")]), BAD, 400,
            "Invalid patch path '/stageName' specified for op 'replace'. Must be one of: "
            "[/description]")
        self.error(lambda: self.apigw.update_deployment(
            restApiId=api_id, deploymentId="nosuch",
            patchOperations=[op("replace", "/description", "x")]), NOT_FOUND, 404,
            "Invalid Deployment identifier specified")
        self.error(lambda: self.apigw.delete_deployment(restApiId=api_id, deploymentId=dep),
                   BAD, 400, "Active stages pointing to this deployment must be moved or deleted")
        self.apigw.delete_stage(restApiId=api_id, stageName="prod")
        self.apigw.delete_deployment(restApiId=api_id, deploymentId=dep)
        self.error(lambda: self.apigw.get_deployment(restApiId=api_id, deploymentId=dep),
                   NOT_FOUND, 404)


class UpdateThenRedeploy(rest.InvokeTestCase):
    def test_changes_are_served_after_the_next_deployment(self):
        """An integration's uri and template and a method's apiKeyRequired change in place; the
        stage serves them once deployed again."""
        api_id, ids = self.build({"/fn": ["GET"], "/mock": ["GET"]}, integration={
            "type": "AWS_PROXY", "integrationHttpMethod": "POST",
            "uri": rest.lambda_uri(self.function_arn.replace(":echo", ":nosuchfn"))})
        # /mock: a MOCK integration answering its response template.
        self.apigw.put_integration(restApiId=api_id, resourceId=ids["/mock"], httpMethod="GET",
                                   type="MOCK",
                                   requestTemplates={"application/json": '{"statusCode": 200}'})
        self.apigw.put_method_response(restApiId=api_id, resourceId=ids["/mock"],
                                       httpMethod="GET", statusCode="200")
        self.apigw.put_integration_response(restApiId=api_id, resourceId=ids["/mock"],
                                            httpMethod="GET", statusCode="200",
                                            responseTemplates={"application/json": '{"v": 1}'})
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.request(api_id, "/prod/fn")
        self.assertEqual(status, 502, body)
        self.assertEqual(json.loads(self.request(api_id, "/prod/mock")[2]), {"v": 1})

        self.server.aws("apigateway", "update-integration", "--rest-api-id", api_id,
                        "--resource-id", ids["/fn"], "--http-method", "GET",
                        "--patch-operations",
                        "op=replace,path=/uri,value=" + rest.lambda_uri(self.function_arn))
        self.apigw.update_integration_response(
            restApiId=api_id, resourceId=ids["/mock"], httpMethod="GET", statusCode="200",
            patchOperations=[op("replace", "/responseTemplates/application~1json",
                                '{"v": 2, "q": "$input.params(\'q\')"}')])
        self.apigw.update_integration(
            restApiId=api_id, resourceId=ids["/mock"], httpMethod="GET",
            patchOperations=[op("replace", "/requestTemplates/application~1json",
                                '#if($input.params(\'q\') == \'gone\'){"statusCode": 404}'
                                '#else{"statusCode": 200}#end')])
        self.apigw.put_integration_response(restApiId=api_id, resourceId=ids["/mock"],
                                            httpMethod="GET", statusCode="404",
                                            selectionPattern="404",
                                            responseTemplates={"application/json": '"gone"'})
        self.apigw.update_method(restApiId=api_id, resourceId=ids["/mock"], httpMethod="GET",
                                 patchOperations=[op("replace", "/apiKeyRequired", "true")])
        # Not deployed yet: the stage serves what it served.
        self.assertEqual(self.request(api_id, "/prod/fn")[0], 502)
        self.assertEqual(json.loads(self.request(api_id, "/prod/mock?q=x")[2]), {"v": 1})

        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        self.event(api_id, "/prod/fn")  # 200 from the echo function
        status, _, body = self.request(api_id, "/prod/mock?q=x")
        self.assertEqual((status, json.loads(body)), (403, {"message": "Forbidden"}))
        key = self.apigw.create_api_key(name="k", enabled=True)
        plan = self.apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id,
                                                                  "stage": "prod"}])
        self.apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                         keyType="API_KEY")
        headers = {"x-api-key": key["value"]}
        status, _, body = self.request(api_id, "/prod/mock?q=x", headers=headers)
        self.assertEqual((status, json.loads(body)), (200, {"v": 2, "q": "x"}))
        status, _, body = self.request(api_id, "/prod/mock?q=gone", headers=headers)
        self.assertEqual((status, json.loads(body)), (404, "gone"))


if __name__ == "__main__":
    import unittest
    unittest.main()
