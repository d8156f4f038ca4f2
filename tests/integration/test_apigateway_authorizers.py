"""API Gateway REST API Lambda authorizers: CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer
(patch operations), DeleteAuthorizer and PutMethod with CUSTOM authorization as AWS answers them
(API Gateway API reference), and invocations through TOKEN and REQUEST authorizers (developer
guide, "Use API Gateway Lambda authorizers"; knowledge center, "How do I troubleshoot HTTP 403
Forbidden errors when using a Lambda authorizer with an API Gateway REST API?"): 401
Unauthorized, 403 with or without an explicit deny, 500 AuthorizerConfigurationException, the
IAM policy checked against the method ARN and cached by the identity."""
import json
import urllib.error
import urllib.request

import botocore.exceptions

from authorizer_support import PY_AUTHORIZER
from nimbus_harness import NimbusTestCase
from test_apigateway_rest import PY_ECHO, lambda_uri

ClientError = botocore.exceptions.ClientError
LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:auth"


class RestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigateway")

    def new_api(self):
        api_id = self.apigw.create_rest_api(name="api")["id"]
        root = self.apigw.get_resources(restApiId=api_id)["items"][0]["id"]
        return api_id, root

    def token_authorizer(self, api_id, uri=None, **kw):
        args = {"restApiId": api_id, "name": "tok", "type": "TOKEN",
                "authorizerUri": uri or lambda_uri(LAMBDA_ARN),
                "identitySource": "method.request.header.Authorization"}
        args.update(kw)
        return self.apigw.create_authorizer(**args)


class ControlPlaneTest(RestCase):
    def test_crud(self):
        api_id, _ = self.new_api()
        a = self.token_authorizer(api_id, identityValidationExpression="^Bearer .+$")
        self.assertEqual(a["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(a["id"], r"^[a-z0-9]{6}$")
        self.assertEqual((a["name"], a["type"], a["authorizerResultTtlInSeconds"]),
                         ("tok", "TOKEN", 300))
        self.assertEqual(a["identityValidationExpression"], "^Bearer .+$")
        r = self.apigw.create_authorizer(
            restApiId=api_id, name="req", type="REQUEST", authorizerUri=lambda_uri(LAMBDA_ARN),
            identitySource="method.request.header.X-User, method.request.querystring.q",
            authorizerResultTtlInSeconds=0)
        self.assertEqual(r["authorizerResultTtlInSeconds"], 0)
        got = self.apigw.get_authorizer(restApiId=api_id, authorizerId=a["id"])
        self.assertEqual({k: got[k] for k in ("id", "name", "type", "authorizerUri",
                                              "identitySource")},
                         {k: a[k] for k in ("id", "name", "type", "authorizerUri",
                                            "identitySource")})
        items = self.apigw.get_authorizers(restApiId=api_id)["items"]
        self.assertEqual(sorted(i["name"] for i in items), ["req", "tok"])
        page = self.apigw.get_authorizers(restApiId=api_id, limit=1)
        self.assertEqual(len(page["items"]), 1)
        self.assertIn("position", page)
        up = self.apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "60"}])
        self.assertEqual((up["name"], up["authorizerResultTtlInSeconds"]), ("renamed", 60))
        for ops in ([{"op": "replace", "path": "/nope", "value": "x"}],
                    [{"op": "add", "path": "/name", "value": "x"}],
                    [{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "x"}],
                    [{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "9999"}],
                    [{"op": "replace", "path": "/identitySource", "value": "header.X"}]):
            with self.assertRaises(ClientError, msg=str(ops)) as cm:
                self.apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"],
                                             patchOperations=ops)
            self.assertAwsError(cm, "BadRequestException", 400)
        resp = self.apigw.delete_authorizer(restApiId=api_id, authorizerId=r["id"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_authorizer(restApiId=api_id, authorizerId=r["id"])
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Authorizer identifier specified")
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_authorizers(restApiId="nosuchapi1")
        self.assertAwsError(cm, "NotFoundException", 404)

    def test_validation(self):
        api_id, _ = self.new_api()
        for kw in ({"identitySource": "method.request.querystring.t"},
                   {"identitySource": "Authorization"},
                   {"identitySource": "method.request.header.A,method.request.header.B"},
                   {"authorizerUri": "arn:aws:lambda:us-east-1:000000000000:function:f"},
                   {"authorizerUri": ""},
                   {"authorizerResultTtlInSeconds": 3601},
                   {"identityValidationExpression": "(unclosed"}):
            with self.assertRaises(ClientError, msg=str(kw)) as cm:
                self.token_authorizer(api_id, **kw)
            self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_authorizer(restApiId=api_id, name="r", type="REQUEST",
                                         authorizerUri=lambda_uri(LAMBDA_ARN),
                                         identitySource="method.request.body.x")
        self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_authorizer(restApiId=api_id, name="r", type="REQUEST",
                                         authorizerUri=lambda_uri(LAMBDA_ARN))
        self.assertAwsError(cm, "BadRequestException", 400)  # caching needs an identity source
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS",
                                         providerARNs=["arn:aws:cognito-idp:us-east-1:1:userpool/x"])
        self.assertAwsError(cm, "NotImplementedException", 501)

    def test_methods_name_authorizers(self):
        api_id, root = self.new_api()
        auth_id = self.token_authorizer(api_id)["id"]
        with self.assertRaises(ClientError) as cm:
            self.apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  authorizationType="CUSTOM", authorizerId="nope00")
        err = self.assertAwsError(cm, "BadRequestException", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid authorizer ID specified")
        with self.assertRaises(ClientError) as cm:
            self.apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  authorizationType="COGNITO_USER_POOLS", authorizerId=auth_id)
        self.assertAwsError(cm, "BadRequestException", 400)
        m = self.apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  authorizationType="CUSTOM", authorizerId=auth_id)
        self.assertEqual((m["authorizationType"], m["authorizerId"]), ("CUSTOM", auth_id))
        got = self.apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
        self.assertEqual(got["authorizerId"], auth_id)
        with self.assertRaises(ClientError) as cm:
            self.apigw.delete_authorizer(restApiId=api_id, authorizerId=auth_id)
        self.assertAwsError(cm, "ConflictException", 409)
        self.apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
        self.apigw.delete_authorizer(restApiId=api_id, authorizerId=auth_id)

    def test_cli(self):
        api_id, _ = self.new_api()
        _, out, _ = self.server.aws("apigateway", "create-authorizer", "--rest-api-id", api_id,
                              "--name", "cli", "--type", "TOKEN", "--authorizer-uri",
                              lambda_uri(LAMBDA_ARN), "--identity-source",
                              "method.request.header.Authorization")
        self.assertEqual(out["authorizerResultTtlInSeconds"], 300)


class InvokeTest(RestCase):
    reset_between_tests = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import test_lambda_support as support
        lam = cls.server.client("lambda")
        make = lambda name, code: lam.create_function(  # noqa: E731
            FunctionName=name, Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": code})},
            Timeout=10)["FunctionArn"]
        cls.echo_arn = make("echo", PY_ECHO)
        cls.auth_arn = make("authorizer", PY_AUTHORIZER)

    def api(self, authorizer, paths=("/pets", "/toys"), stage="prod"):
        """A REST API whose GET methods on `paths` use the authorizer (CreateAuthorizer input),
        deployed to `stage`. Returns the API id."""
        api_id, root = self.new_api()
        auth_id = self.apigw.create_authorizer(restApiId=api_id,
                                               authorizerUri=lambda_uri(self.auth_arn),
                                               **authorizer)["id"]
        for path in paths:
            res = self.apigw.create_resource(restApiId=api_id, parentId=root,
                                             pathPart=path[1:])["id"]
            self.apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                                  authorizationType="CUSTOM", authorizerId=auth_id)
            self.apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET",
                                       type="AWS_PROXY", integrationHttpMethod="POST",
                                       uri=lambda_uri(self.echo_arn))
        self.apigw.create_deployment(restApiId=api_id, stageName=stage,
                                     variables={"color": "blue"})
        return api_id

    def request(self, api_id, path, headers=None):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/_aws/execute-api/%s%s" % (self.server.port, api_id, path),
            headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def ok(self, api_id, path, headers=None):
        status, _, body = self.request(api_id, path, headers)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def refused(self, api_id, path, headers, status, message, error_type):
        got, resp_headers, body = self.request(api_id, path, headers)
        self.assertEqual((got, json.loads(body)), (status, {"message": message}), headers)
        self.assertEqual(resp_headers["x-amzn-ErrorType"], error_type)

    def token_api(self, **kw):
        args = {"name": "tok", "type": "TOKEN",
                "identitySource": "method.request.header.Authorization"}
        args.update(kw)
        return self.api(args)

    def test_token_authorizer_allows_with_principal_and_context(self):
        api_id = self.token_api(authorizerResultTtlInSeconds=0)
        event = self.ok(api_id, "/prod/pets", {"Authorization": "policy-allow"})
        auth = event["requestContext"]["authorizer"]
        self.assertEqual(auth["principalId"], "user-policy-allow")
        self.assertEqual((auth["user"], auth["n"], auth["ok"]), ("policy-allow", 7, True))
        self.assertIsInstance(auth["integrationLatency"], int)
        seen = json.loads(auth["event"])
        self.assertEqual(seen, {"type": "TOKEN", "authorizationToken": "policy-allow",
                                "methodArn": "arn:aws:execute-api:us-east-1:%s:%s/prod/GET/pets"
                                % (event["requestContext"]["accountId"], api_id)})
        self.ok(api_id, "/prod/toys", {"Authorization": "policy-wild"})

    def test_token_refusals(self):
        api_id = self.token_api(authorizerResultTtlInSeconds=0,
                                identityValidationExpression="^[a-z-]+$")
        self.refused(api_id, "/prod/pets", {}, 401, "Unauthorized", "UnauthorizedException")
        self.refused(api_id, "/prod/pets", {"Authorization": "Not Valid!"}, 401, "Unauthorized",
                     "UnauthorizedException")
        self.refused(api_id, "/prod/pets", {"Authorization": "unauthorized"}, 401,
                     "Unauthorized", "UnauthorizedException")
        self.refused(api_id, "/prod/pets", {"Authorization": "policy-deny"}, 403,
                     "User is not authorized to access this resource with an explicit deny",
                     "AccessDeniedException")
        self.refused(api_id, "/prod/pets", {"Authorization": "policy-elsewhere"}, 403,
                     "User is not authorized to access this resource", "AccessDeniedException")
        for token in ("boom", "junk", "nested", "simple-allow"):
            self.refused(api_id, "/prod/pets", {"Authorization": token}, 500, None,
                         "AuthorizerConfigurationException")
        # Long tokens are matched against the expression; huge ones are refused, never a crash.
        self.ok(api_id, "/prod/pets", {"Authorization": "a" * 4000})
        self.refused(api_id, "/prod/pets", {"Authorization": "a" * 60000}, 401, "Unauthorized",
                     "UnauthorizedException")
        self.ok(api_id, "/prod/pets", {"Authorization": "policy-allow"})

    def test_cached_policies_are_checked_against_each_method_arn(self):
        api_id = self.token_api()  # the default TTL, 300 seconds
        first = self.ok(api_id, "/prod/pets", {"Authorization": "policy-allow"})
        again = self.ok(api_id, "/prod/pets", {"Authorization": "policy-allow"})
        self.assertEqual(first["requestContext"]["authorizer"]["nonce"],
                         again["requestContext"]["authorizer"]["nonce"])
        # The cached policy allows /pets only (knowledge center, "Why is my API Gateway proxy
        # resource with a Lambda authorizer that has caching activated returning HTTP 403").
        self.refused(api_id, "/prod/toys", {"Authorization": "policy-allow"}, 403,
                     "User is not authorized to access this resource", "AccessDeniedException")
        other = self.ok(api_id, "/prod/pets", {"Authorization": "policy-allow:2"})
        self.assertNotEqual(other["requestContext"]["authorizer"]["nonce"],
                            first["requestContext"]["authorizer"]["nonce"])

    def test_request_authorizer(self):
        api_id = self.api({"name": "req", "type": "REQUEST", "authorizerResultTtlInSeconds": 0,
                           "identitySource": "method.request.querystring.token, "
                                             "method.request.header.X-User, stageVariables.color"})
        self.refused(api_id, "/prod/pets?token=policy-allow", {}, 401, "Unauthorized",
                     "UnauthorizedException")
        event = self.ok(api_id, "/prod/pets?token=policy-allow", {"X-User": "u1"})
        seen = json.loads(event["requestContext"]["authorizer"]["event"])
        self.assertEqual(seen["type"], "REQUEST")
        self.assertTrue(seen["methodArn"].endswith(":%s/prod/GET/pets" % api_id))
        self.assertEqual(seen["resource"], "/pets")
        self.assertEqual(seen["path"], "/pets")
        self.assertEqual(seen["httpMethod"], "GET")
        self.assertEqual(seen["headers"]["X-User"], "u1")
        self.assertEqual(seen["queryStringParameters"], {"token": "policy-allow"})
        self.assertEqual(seen["stageVariables"], {"color": "blue"})
        self.assertEqual(seen["requestContext"]["stage"], "prod")
        self.assertNotIn("body", seen)
        self.refused(api_id, "/prod/pets?token=policy-deny", {"X-User": "u1"}, 403,
                     "User is not authorized to access this resource with an explicit deny",
                     "AccessDeniedException")

    def test_deployment_keeps_the_authorizer_it_was_made_with(self):
        api_id = self.token_api(authorizerResultTtlInSeconds=0)
        auth_id = self.apigw.get_authorizers(restApiId=api_id)["items"][0]["id"]
        self.apigw.update_authorizer(restApiId=api_id, authorizerId=auth_id, patchOperations=[
            {"op": "replace", "path": "/identitySource", "value": "method.request.header.X-Tok"}])
        # Not deployed yet: the stage still reads Authorization.
        self.ok(api_id, "/prod/pets", {"Authorization": "policy-allow"})
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        self.refused(api_id, "/prod/pets", {"Authorization": "policy-allow"}, 401,
                     "Unauthorized", "UnauthorizedException")
        self.ok(api_id, "/prod/pets", {"X-Tok": "policy-allow"})

    def test_test_invoke_authorizer(self):
        api_id = self.token_api()
        auth_id = self.apigw.get_authorizers(restApiId=api_id)["items"][0]["id"]
        out = self.apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth_id,
                                                headers={"Authorization": "policy-allow"},
                                                pathWithQueryString="/pets?x=1")
        self.assertEqual(out["clientStatus"], 200)
        self.assertEqual(out["principalId"], "user-policy-allow")
        policy = json.loads(out["policy"])
        self.assertEqual(policy["Statement"][0]["Resource"],
                         "arn:aws:execute-api:us-east-1:%s:%s/ESTestInvoke-stage/GET/"
                         % (self.client("sts").get_caller_identity()["Account"], api_id))
        self.assertIn(auth_id, out["log"])
        # Without pathWithQueryString the request is GET /
        again = self.apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=auth_id,
                                                  headers={"Authorization": "policy-allow"})
        self.assertEqual(again["clientStatus"], 200)
        self.assertEqual(self.apigw.test_invoke_authorizer(
            restApiId=api_id, authorizerId=auth_id)["clientStatus"], 401)
        self.assertEqual(self.apigw.test_invoke_authorizer(
            restApiId=api_id, authorizerId=auth_id,
            headers={"Authorization": "boom"})["clientStatus"], 500)
        with self.assertRaises(ClientError) as cm:
            self.apigw.test_invoke_authorizer(restApiId=api_id, authorizerId="nope00")
        self.assertAwsError(cm, "NotFoundException", 404)
