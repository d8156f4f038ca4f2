"""API Gateway v2 HTTP API authorizers: CreateAuthorizer and friends as AWS answers them (API
Gateway v2 API reference), JWT authorizers checking RS256 tokens against an issuer's JWKS
(developer guide, "Control access to HTTP APIs with JWT authorizers"; 401 with a
www-authenticate header, 403 for missing scopes) and Lambda REQUEST authorizers (payload
formats 1.0 and 2.0, simple and IAM policy answers, result caching, "Control access to HTTP APIs
with AWS Lambda authorizers")."""
import json
import urllib.error
import urllib.request

import botocore.exceptions

from authorizer_support import PY_AUTHORIZER, Issuer
from nimbus_harness import NimbusTestCase
from test_apigatewayv2 import PY_ECHO

ClientError = botocore.exceptions.ClientError
LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:auth"


def invoke_uri(function_arn):
    return ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"
            % function_arn)


class ControlPlaneTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigatewayv2")
        self.api_id = self.apigw.create_api(Name="a", ProtocolType="HTTP")["ApiId"]

    def jwt(self, **kw):
        args = {"ApiId": self.api_id, "Name": "jwt", "AuthorizerType": "JWT",
                "IdentitySource": ["$request.header.Authorization"],
                "JwtConfiguration": {"Issuer": "https://issuer.example.com",
                                     "Audience": ["app"]}}
        args.update(kw)
        return self.apigw.create_authorizer(**args)

    def test_crud_and_defaults(self):
        a = self.jwt()
        self.assertEqual(a["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(a["AuthorizerId"], r"^[a-z0-9]{6}$")
        self.assertEqual(a["AuthorizerType"], "JWT")
        self.assertEqual(a["IdentitySource"], ["$request.header.Authorization"])
        self.assertEqual(a["JwtConfiguration"], {"Issuer": "https://issuer.example.com",
                                                 "Audience": ["app"]})
        self.assertNotIn("AuthorizerResultTtlInSeconds", a)
        # Lambda authorizer members at their "off" values are dropped for JWT.
        b = self.jwt(Name="jwt2", AuthorizerResultTtlInSeconds=0, EnableSimpleResponses=False)
        self.assertNotIn("AuthorizerResultTtlInSeconds", b)
        self.assertNotIn("EnableSimpleResponses", b)
        self.apigw.delete_authorizer(ApiId=self.api_id, AuthorizerId=b["AuthorizerId"])
        lam = self.apigw.create_authorizer(
            ApiId=self.api_id, Name="lam", AuthorizerType="REQUEST",
            AuthorizerUri=invoke_uri(LAMBDA_ARN), AuthorizerPayloadFormatVersion="2.0",
            IdentitySource=["$request.header.X-User", "$request.querystring.q"])
        self.assertEqual(lam["AuthorizerResultTtlInSeconds"], 0)
        self.assertIs(lam["EnableSimpleResponses"], False)
        self.assertEqual(lam["AuthorizerPayloadFormatVersion"], "2.0")
        got = self.apigw.get_authorizer(ApiId=self.api_id, AuthorizerId=lam["AuthorizerId"])
        for k in ("AuthorizerId", "Name", "AuthorizerUri", "IdentitySource"):
            self.assertEqual(got[k], lam[k])
        items = self.apigw.get_authorizers(ApiId=self.api_id)["Items"]
        self.assertEqual(sorted(i["Name"] for i in items), ["jwt", "lam"])
        page = self.apigw.get_authorizers(ApiId=self.api_id, MaxResults="1")
        self.assertEqual(len(page["Items"]), 1)
        self.assertIn("NextToken", page)
        up = self.apigw.update_authorizer(ApiId=self.api_id, AuthorizerId=lam["AuthorizerId"],
                                          Name="renamed", AuthorizerResultTtlInSeconds=300,
                                          EnableSimpleResponses=True)
        self.assertEqual((up["Name"], up["AuthorizerResultTtlInSeconds"],
                          up["EnableSimpleResponses"]), ("renamed", 300, True))
        resp = self.apigw.delete_authorizer(ApiId=self.api_id, AuthorizerId=a["AuthorizerId"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(ClientError) as cm:
            self.apigw.get_authorizer(ApiId=self.api_id, AuthorizerId=a["AuthorizerId"])
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid Authorizer identifier specified " + a["AuthorizerId"])
        self.assertEqual(err["ResourceType"], "Authorizer")
        for call in (lambda: self.apigw.delete_authorizer(ApiId=self.api_id, AuthorizerId="nope"),
                     lambda: self.apigw.update_authorizer(ApiId=self.api_id, AuthorizerId="nope",
                                                          Name="x"),
                     lambda: self.apigw.get_authorizers(ApiId="nosuchapi1")):
            with self.assertRaises(ClientError) as cm:
                call()
            self.assertAwsError(cm, "NotFoundException", 404)

    def test_validation(self):
        jwt = {"ApiId": self.api_id, "Name": "jwt", "AuthorizerType": "JWT",
               "IdentitySource": ["$request.header.Authorization"],
               "JwtConfiguration": {"Issuer": "https://i", "Audience": ["app"]}}
        no_config = dict(jwt)
        del no_config["JwtConfiguration"]
        for args in (no_config,
                     dict(jwt, JwtConfiguration={"Audience": ["app"]}),
                     dict(jwt, JwtConfiguration={"Issuer": "https://i", "Audience": []}),
                     dict(jwt, JwtConfiguration={"Issuer": "not a url", "Audience": ["a"]}),
                     dict(jwt, IdentitySource=["$request.header.A", "$request.header.B"]),
                     dict(jwt, IdentitySource=["Authorization"]),
                     dict(jwt, IdentitySource=["$context.requestId"]),
                     dict(jwt, AuthorizerResultTtlInSeconds=10),
                     dict(jwt, EnableSimpleResponses=True),
                     dict(jwt, AuthorizerUri=invoke_uri(LAMBDA_ARN))):
            with self.assertRaises(ClientError, msg=str(args)) as cm:
                self.apigw.create_authorizer(**args)
            self.assertAwsError(cm, "BadRequestException", 400)
        request = {"ApiId": self.api_id, "Name": "r", "AuthorizerType": "REQUEST",
                   "IdentitySource": ["$request.header.X"]}
        for kw in ({"AuthorizerPayloadFormatVersion": "2.0"},
                   {"AuthorizerUri": "https://example.com/auth",
                    "AuthorizerPayloadFormatVersion": "2.0"},
                   {"AuthorizerUri": invoke_uri(LAMBDA_ARN)},
                   {"AuthorizerUri": invoke_uri(LAMBDA_ARN), "AuthorizerPayloadFormatVersion": "3.0"},
                   {"AuthorizerUri": invoke_uri(LAMBDA_ARN), "AuthorizerPayloadFormatVersion": "1.0",
                    "EnableSimpleResponses": True},
                   {"AuthorizerUri": invoke_uri(LAMBDA_ARN), "AuthorizerPayloadFormatVersion": "2.0",
                    "IdentitySource": ["$request.body.x"]},
                   {"AuthorizerUri": invoke_uri(LAMBDA_ARN), "AuthorizerPayloadFormatVersion": "2.0",
                    "IdentitySource": [], "AuthorizerResultTtlInSeconds": 60}):
            with self.assertRaises(ClientError, msg=str(kw)) as cm:
                self.apigw.create_authorizer(**dict(request, **kw))
            self.assertAwsError(cm, "BadRequestException", 400)
        # The model's limits: TTL at most 3600, a known type.
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_authorizer(**dict(
                request, AuthorizerUri=invoke_uri(LAMBDA_ARN), AuthorizerPayloadFormatVersion="2.0",
                AuthorizerResultTtlInSeconds=3601))
        self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_authorizer(**dict(request, AuthorizerType="TOKEN"))
        self.assertAwsError(cm, "BadRequestException", 400)
        # No caching needs no identity source.
        a = self.apigw.create_authorizer(**dict(
            request, AuthorizerUri=invoke_uri(LAMBDA_ARN), AuthorizerPayloadFormatVersion="2.0",
            IdentitySource=[]))
        self.assertEqual(a["IdentitySource"], [])

    def test_routes_reference_authorizers_of_their_type(self):
        jwt = self.jwt()["AuthorizerId"]
        lam = self.apigw.create_authorizer(
            ApiId=self.api_id, Name="lam", AuthorizerType="REQUEST",
            AuthorizerUri=invoke_uri(LAMBDA_ARN), AuthorizerPayloadFormatVersion="2.0",
            IdentitySource=["$request.header.X"])["AuthorizerId"]
        route = self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /a",
                                        AuthorizationType="JWT", AuthorizerId=jwt,
                                        AuthorizationScopes=["read"])
        self.assertEqual((route["AuthorizationType"], route["AuthorizerId"],
                          route["AuthorizationScopes"]), ("JWT", jwt, ["read"]))
        custom = self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /b",
                                         AuthorizationType="CUSTOM", AuthorizerId=lam)
        self.assertEqual(custom["AuthorizerId"], lam)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /c",
                                    AuthorizationType="CUSTOM", AuthorizerId=jwt)
        self.assertAwsError(cm, "BadRequestException", 400)
        with self.assertRaises(ClientError) as cm:
            self.apigw.create_route(ApiId=self.api_id, RouteKey="GET /c",
                                    AuthorizationType="JWT", AuthorizerId="abc123")
        err = self.assertAwsError(cm, "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Authorizer identifier specified abc123")
        with self.assertRaises(ClientError) as cm:
            self.apigw.delete_authorizer(ApiId=self.api_id, AuthorizerId=jwt)
        err = self.assertAwsError(cm, "BadRequestException", 400)
        self.assertIn("GET /a", err["Error"]["Message"])
        # Back to NONE: the route lets go of the authorizer, which can then be deleted.
        up = self.apigw.update_route(ApiId=self.api_id, RouteId=route["RouteId"],
                                     AuthorizationType="NONE")
        self.assertNotIn("AuthorizerId", up)
        self.apigw.delete_authorizer(ApiId=self.api_id, AuthorizerId=jwt)
        # A type change is refused while a route uses the authorizer.
        with self.assertRaises(ClientError) as cm:
            self.apigw.update_authorizer(
                ApiId=self.api_id, AuthorizerId=lam, AuthorizerType="JWT",
                IdentitySource=["$request.header.Authorization"],
                JwtConfiguration={"Issuer": "https://i", "Audience": ["a"]})
        self.assertAwsError(cm, "BadRequestException", 400)

    def test_cli(self):
        _, out, _ = self.server.aws("apigatewayv2", "create-authorizer", "--api-id", self.api_id,
                              "--name", "cli", "--authorizer-type", "JWT", "--identity-source",
                              "$request.header.Authorization", "--jwt-configuration",
                              "Audience=app,Issuer=https://issuer.example.com")
        self.assertEqual(out["Name"], "cli")
        _, out, _ = self.server.aws("apigatewayv2", "get-authorizers", "--api-id", self.api_id)
        self.assertEqual(len(out["Items"]), 1)


class InvokeCase(NimbusTestCase):
    """One server, an echo function, an authorizer function and an OpenID issuer per class."""
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
        cls.issuer = Issuer()

    @classmethod
    def tearDownClass(cls):
        cls.issuer.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigatewayv2")

    def api(self, authorizer, routes, version="2.0"):
        """An auto-deployed $default stage; `routes` maps a route key to the route's extra
        members; `authorizer` is CreateAuthorizer's input (its id fills AuthorizerId)."""
        api_id = self.apigw.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
        auth_id = self.apigw.create_authorizer(ApiId=api_id, **authorizer)["AuthorizerId"]
        integration = self.apigw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=self.echo_arn,
            PayloadFormatVersion=version)["IntegrationId"]
        for key, extra in routes.items():
            kw = dict(extra)
            if kw.get("AuthorizationType") in ("JWT", "CUSTOM"):
                kw["AuthorizerId"] = auth_id
            self.apigw.create_route(ApiId=api_id, RouteKey=key,
                                    Target="integrations/" + integration, **kw)
        self.apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        return api_id

    def request(self, api_id, path, headers=None, method="GET"):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.server.port, path),
                                     method=method, headers=dict(headers or {}))
        req.add_header("Host", "%s.execute-api.localhost:%d" % (api_id, self.server.port))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def ok_event(self, api_id, path, headers=None):
        status, _, body = self.request(api_id, path, headers)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def refused(self, api_id, path, headers, status, message):
        got, resp_headers, body = self.request(api_id, path, headers)
        self.assertEqual((got, json.loads(body)), (status, {"message": message}), headers)
        self.assertTrue(resp_headers["apigw-requestid"])
        return resp_headers


class JwtTest(InvokeCase):
    def jwt_api(self, version="2.0", scopes=None, audience=("app",)):
        route = {"AuthorizationType": "JWT"}
        if scopes:
            route["AuthorizationScopes"] = scopes
        return self.api({"Name": "jwt", "AuthorizerType": "JWT",
                         "IdentitySource": ["$request.header.Authorization"],
                         "JwtConfiguration": {"Issuer": self.issuer.url,
                                              "Audience": list(audience)}},
                        {"GET /private": route, "GET /public": {}}, version)

    def test_valid_tokens_reach_the_integration_with_claims(self):
        api_id = self.jwt_api()
        token = self.issuer.token(scope="read write", groups=["a", "b"], admin=True)
        for header in ("Bearer " + token, token):
            event = self.ok_event(api_id, "/private", {"Authorization": header})
            auth = event["requestContext"]["authorizer"]
            self.assertEqual(set(auth), {"jwt"})
            claims = auth["jwt"]["claims"]
            self.assertEqual(claims["sub"], "user1")
            self.assertEqual(claims["iss"], self.issuer.url)
            self.assertEqual(claims["groups"], "[a b]")
            self.assertEqual(claims["admin"], "true")
            self.assertIsInstance(claims["exp"], str)
            self.assertEqual(auth["jwt"]["scopes"], ["read", "write"])
        # The issuer's keys are cached: more tokens fetch nothing more.
        fetched = len(self.issuer.requests)
        for _ in range(3):
            self.ok_event(api_id, "/private", {"Authorization": token})
        self.assertEqual(len(self.issuer.requests), fetched)
        # A route without an authorizer needs no token; its event has no authorizer.
        self.assertNotIn("authorizer", self.ok_event(api_id, "/public")["requestContext"])
        # client_id stands in for a missing aud.
        self.ok_event(api_id, "/private",
                      {"Authorization": self.issuer.token(aud=None, client_id="app")})

    def test_payload_1_0_claims(self):
        api_id = self.jwt_api(version="1.0")
        event = self.ok_event(api_id, "/private", {"Authorization": self.issuer.token()})
        auth = event["requestContext"]["authorizer"]
        self.assertEqual(auth["claims"]["sub"], "user1")
        self.assertIsNone(auth["scopes"])

    def test_refused_tokens_answer_401_with_www_authenticate(self):
        api_id = self.jwt_api()
        self.refused(api_id, "/private", {}, 401, "Unauthorized")
        self.refused(api_id, "/private", {"Authorization": ""}, 401, "Unauthorized")
        headers = self.refused(api_id, "/private",
                               {"Authorization": self.issuer.token(aud="someone-else")},
                               401, "Unauthorized")
        self.assertEqual(headers["www-authenticate"],
                         'Bearer scope="" error="invalid_token" '
                         'error_description="the token does not have a valid audience"')
        headers = self.refused(api_id, "/private",
                               {"Authorization": self.issuer.token(exp=1000000000)},
                               401, "Unauthorized")
        self.assertIn('error_description="the token has expired"', headers["www-authenticate"])
        headers = self.refused(api_id, "/private",
                               {"Authorization": self.issuer.token(iss="http://evil.example")},
                               401, "Unauthorized")
        self.assertIn("valid issuer", headers["www-authenticate"])
        self.refused(api_id, "/private",
                     {"Authorization": self.issuer.token(nbf=4102444800)}, 401, "Unauthorized")
        self.refused(api_id, "/private", {"Authorization": self.issuer.token(exp=None)},
                     401, "Unauthorized")

    def test_forged_and_malformed_tokens(self):
        api_id = self.jwt_api()
        good = self.issuer.token()
        head, body, sig = good.split(".")
        other_key = self.issuer.keys["k2"]
        forged = [
            self.issuer.token(key=other_key),               # signed by k2, claims k1
            self.issuer.token(kid="unknown", key=self.issuer.keys["k1"]),
            head + "." + body + ".",                        # no signature
            head + "." + body + "." + sig[:-4] + "AAAA",    # altered signature
            head + ".eyJzdWIiOiJhZG1pbiJ9." + sig,          # altered claims
            "not-a-token", "a.b.c", "....", "Bearer", "Bearer  ",
            head + "." + body + ".@@@@",                    # bad base64
            "eyJhbGciOiJub25lIn0." + body + ".",            # alg none
            "x" * 60000,                                    # a huge header
            "Bearer " + ".".join(["e" * 5000] * 3),
        ]
        for token in forged:
            status, headers, resp = self.request(api_id, "/private", {"Authorization": token})
            self.assertEqual((status, json.loads(resp)), (401, {"message": "Unauthorized"}),
                             token[:80])
        # alg none and HMAC tokens name the algorithm they were refused for.
        headers = self.refused(api_id, "/private",
                               {"Authorization": self.issuer.token(header={"alg": "none"})},
                               401, "Unauthorized")
        self.assertIn("signing method none is invalid", headers["www-authenticate"])
        headers = self.refused(api_id, "/private",
                               {"Authorization": self.issuer.token(header={"alg": "HS256"})},
                               401, "Unauthorized")
        self.assertIn("signing method HS256 is invalid", headers["www-authenticate"])
        # k2 is published too: a token signed by k2 and naming k2 passes.
        self.ok_event(api_id, "/private", {"Authorization": self.issuer.token(kid="k2")})

    def test_scopes(self):
        api_id = self.jwt_api(scopes=["read", "admin"])
        headers = self.refused(api_id, "/private",
                               {"Authorization": self.issuer.token(scope="write")},
                               403, "Forbidden")
        self.assertIn('error="insufficient_scope"', headers["www-authenticate"])
        self.refused(api_id, "/private", {"Authorization": self.issuer.token()}, 403, "Forbidden")
        event = self.ok_event(api_id, "/private",
                              {"Authorization": self.issuer.token(scp=["admin"])})
        self.assertEqual(event["requestContext"]["authorizer"]["jwt"]["scopes"], ["admin"])

    def test_unreachable_issuer(self):
        api_id = self.api({"Name": "jwt", "AuthorizerType": "JWT",
                           "IdentitySource": ["$request.querystring.token"],
                           "JwtConfiguration": {"Issuer": "http://127.0.0.1:1",
                                                "Audience": ["app"]}},
                          {"GET /x": {"AuthorizationType": "JWT"}})
        token = self.issuer.token(iss="http://127.0.0.1:1")
        self.refused(api_id, "/x?token=" + token, {}, 401, "Unauthorized")
        self.refused(api_id, "/x", {}, 401, "Unauthorized")


class LambdaAuthorizerTest(InvokeCase):
    def lambda_api(self, version="2.0", simple=True, ttl=0, sources=("$request.header.Authorization",),
                   integration_version="2.0"):
        authorizer = {"Name": "lam", "AuthorizerType": "REQUEST",
                      "AuthorizerUri": invoke_uri(self.auth_arn),
                      "AuthorizerPayloadFormatVersion": version,
                      "IdentitySource": list(sources), "AuthorizerResultTtlInSeconds": ttl}
        if version == "2.0":
            authorizer["EnableSimpleResponses"] = simple
        return self.api(authorizer, {"GET /items/{id}": {"AuthorizationType": "CUSTOM"},
                                     "POST /items/{id}": {"AuthorizationType": "CUSTOM"}},
                        integration_version)

    def test_simple_responses_and_the_authorizer_event(self):
        api_id = self.lambda_api()
        event = self.ok_event(api_id, "/items/7?x=1", {"Authorization": "simple-allow",
                                                       "X-Other": "o"})
        ctx = event["requestContext"]["authorizer"]["lambda"]
        self.assertEqual(ctx["user"], "simple-allow")
        self.assertEqual((ctx["n"], ctx["ok"]), (7, True))
        seen = json.loads(ctx["event"])
        self.assertEqual(seen["version"], "2.0")
        self.assertEqual(seen["type"], "REQUEST")
        self.assertEqual(seen["routeArn"], "arn:aws:execute-api:us-east-1:%s:%s/$default/GET/items/7"
                         % (event["requestContext"]["accountId"], api_id))
        self.assertEqual(seen["identitySource"], ["simple-allow"])
        self.assertEqual(seen["routeKey"], "GET /items/{id}")
        self.assertEqual(seen["pathParameters"], {"id": "7"})
        self.assertEqual(seen["queryStringParameters"], {"x": "1"})
        self.assertEqual(seen["headers"]["x-other"], "o")
        self.assertNotIn("body", seen)
        self.refused(api_id, "/items/7", {"Authorization": "simple-deny"}, 403, "Forbidden")
        # A missing identity source refuses without calling the function.
        self.refused(api_id, "/items/7", {}, 401, "Unauthorized")
        self.refused(api_id, "/items/7", {"Authorization": "boom"}, 500, "Internal Server Error")
        # A simple-response authorizer answering something else fails.
        self.refused(api_id, "/items/7", {"Authorization": "policy-allow"}, 500,
                     "Internal Server Error")
        self.refused(api_id, "/items/7", {"Authorization": "junk"}, 500, "Internal Server Error")

    def test_policy_responses(self):
        api_id = self.lambda_api(simple=False)
        event = self.ok_event(api_id, "/items/1", {"Authorization": "policy-allow"})
        self.assertEqual(event["requestContext"]["authorizer"]["lambda"]["user"], "policy-allow")
        self.refused(api_id, "/items/1", {"Authorization": "policy-deny"}, 403, "Forbidden")
        self.refused(api_id, "/items/1", {"Authorization": "policy-elsewhere"}, 403, "Forbidden")
        self.ok_event(api_id, "/items/1", {"Authorization": "policy-wild"})
        status, _, _ = self.request(api_id, "/items/1", {"Authorization": "policy-wild"},
                                    method="POST")
        self.assertEqual(status, 403)
        self.refused(api_id, "/items/1", {"Authorization": "simple-allow"}, 500,
                     "Internal Server Error")

    def test_payload_1_0_authorizer_and_integration(self):
        api_id = self.lambda_api(version="1.0", integration_version="1.0",
                                 sources=("$request.header.Authorization",
                                          "$request.querystring.q"))
        self.refused(api_id, "/items/2", {"Authorization": "policy-allow"}, 401, "Unauthorized")
        event = self.ok_event(api_id, "/items/2?q=z", {"Authorization": "policy-allow"})
        auth = event["requestContext"]["authorizer"]
        self.assertEqual(auth["principalId"], "user-policy-allow")
        self.assertEqual(auth["user"], "policy-allow")
        seen = json.loads(auth["event"])
        self.assertEqual(seen["version"], "1.0")
        self.assertEqual(seen["type"], "REQUEST")
        self.assertTrue(seen["methodArn"].endswith(api_id + "/$default/GET/items/2"))
        self.assertEqual(seen["identitySource"], "policy-allow,z")
        self.assertEqual(seen["httpMethod"], "GET")

    def test_caching_by_identity_source(self):
        api_id = self.lambda_api(ttl=300)
        nonce = lambda tok: self.ok_event(  # noqa: E731
            api_id, "/items/1", {"Authorization": tok})["requestContext"]["authorizer"][
                "lambda"]["nonce"]
        first = nonce("simple-allow:a")
        self.assertEqual(nonce("simple-allow:a"), first)
        self.assertNotEqual(nonce("simple-allow:b"), first)
        uncached = self.lambda_api(ttl=0)
        n1 = self.ok_event(uncached, "/items/1", {"Authorization": "simple-allow:a"})
        n2 = self.ok_event(uncached, "/items/1", {"Authorization": "simple-allow:a"})
        self.assertNotEqual(n1["requestContext"]["authorizer"]["lambda"]["nonce"],
                            n2["requestContext"]["authorizer"]["lambda"]["nonce"])

    def test_stage_serves_the_deployed_authorizer(self):
        api_id = self.apigw.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
        integration = self.apigw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=self.echo_arn,
            PayloadFormatVersion="2.0")["IntegrationId"]
        auth = self.apigw.create_authorizer(
            ApiId=api_id, Name="lam", AuthorizerType="REQUEST",
            AuthorizerUri=invoke_uri(self.auth_arn), AuthorizerPayloadFormatVersion="2.0",
            EnableSimpleResponses=True, IdentitySource=["$request.header.Authorization"])
        self.apigw.create_route(ApiId=api_id, RouteKey="GET /x", AuthorizationType="CUSTOM",
                                AuthorizerId=auth["AuthorizerId"],
                                Target="integrations/" + integration)
        self.apigw.create_stage(ApiId=api_id, StageName="prod")
        self.apigw.create_deployment(ApiId=api_id, StageName="prod")
        self.ok_event(api_id, "/prod/x", {"Authorization": "simple-allow"})
        self.refused(api_id, "/prod/x", {}, 401, "Unauthorized")


class KeyRotationTest(InvokeCase):
    server_args = ("--enable-clock-control",)

    def test_unknown_kid_refetches_at_most_every_ten_seconds(self):
        issuer = Issuer()
        self.addCleanup(issuer.stop)
        issuer.published = ["k1"]
        api_id = self.api({"Name": "jwt", "AuthorizerType": "JWT",
                           "IdentitySource": ["$request.header.Authorization"],
                           "JwtConfiguration": {"Issuer": issuer.url, "Audience": ["app"]}},
                          {"GET /x": {"AuthorizationType": "JWT"}})
        self.ok_event(api_id, "/x", {"Authorization": issuer.token(kid="k1")})
        issuer.published = ["k1", "k2"]  # a new key appears
        rotated = {"Authorization": issuer.token(kid="k2")}
        headers = self.refused(api_id, "/x", rotated, 401, "Unauthorized")
        self.assertIn("signing key was not found", headers["www-authenticate"])
        fetched = len(issuer.requests)
        self.refused(api_id, "/x", rotated, 401, "Unauthorized")
        self.assertEqual(len(issuer.requests), fetched)  # not asked again so soon
        status, _, body = self.server.http("POST", "/_nimbus/clock",
                                           json.dumps({"advance_seconds": 11}).encode())
        self.assertEqual(status, 200, body)
        self.ok_event(api_id, "/x", rotated)
        self.assertGreater(len(issuer.requests), fetched)
