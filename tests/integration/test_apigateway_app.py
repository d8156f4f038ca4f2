"""The classic serverless app, end to end, built only with the AWS CLI: a DynamoDB table, a
Python function that writes and reads it through boto3, a Node function that reads it through
the JS SDK's DocumentClient, an HTTP API with a JWT authorizer (an OpenID issuer the test serves)
and a REST API whose method needs an API key of a usage plan, in front of them. The app is then used
as a browser or a script would: with curl and with Node's fetch, through both invocation URL
forms (`<apiId>.execute-api.localhost:<port>` with curl and `/_aws/execute-api/<apiId>/...`
with both)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from authorizer_support import Issuer
from test_lambda_support import JS_NODE_MODULES, PYTHON_RUNTIME, ROLE, make_zip
from nimbus_harness import NimbusServer, NimbusTestCase

ITEMS_PY = r'''
import json
import boto3

table = boto3.resource("dynamodb").Table("app-items")


def answer(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(body)}


def handler(event, context):
    method = event.get("httpMethod") or event["requestContext"]["http"]["method"]
    if method == "POST":
        item = json.loads(event["body"])
        table.put_item(Item={"id": item["id"], "name": item["name"]})
        return answer(201, {"created": item["id"]})
    item_id = event["pathParameters"]["id"]
    found = table.get_item(Key={"id": item_id}).get("Item")
    if not found:
        return answer(404, {"missing": item_id})
    return answer(200, {"item": found, "via": "rest" if "httpMethod" in event else "http"})
'''

STATS_JS = r'''
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, ScanCommand } = require("@aws-sdk/lib-dynamodb");
const docs = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  const out = await docs.send(new ScanCommand({ TableName: "app-items" }));
  const names = out.Items.map((i) => i.name).sort();
  return { count: out.Count, names, runtime: process.version.startsWith("v") ? "node" : "?" };
};
'''

FETCH_JS = r'''
const [url, method, body, extra] = process.argv.slice(2);
const headers = { "content-type": "application/json", ...JSON.parse(extra || "{}") };
const init = { method, headers };
if (body) init.body = body;
const r = await fetch(url, init);
process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }));
'''


@unittest.skipUnless(shutil.which("curl"), "curl is not installed")
@unittest.skipUnless(os.path.isdir(os.path.join(JS_NODE_MODULES, "@aws-sdk", "lib-dynamodb")),
                     "the JS SDK is not installed in tests/js (npm ci there)")
class ServerlessAppTest(NimbusTestCase):
    reset_between_tests = False

    @classmethod
    def setUpClass(cls):
        env = {}
        # Sandboxed functions get a private /tmp: a checkout under /tmp (and the JS SDK in it)
        # is visible to them only as plain processes.
        if os.path.realpath(JS_NODE_MODULES).startswith(tempfile.gettempdir() + "/"):
            env["NIMBUS_LAMBDA_ISOLATION"] = "process"
        cls.server = NimbusServer(env=env).start()
        cls.work = tempfile.mkdtemp(prefix="nimbus-app-")
        cls.issuer = Issuer()
        cls.build_app()

    @classmethod
    def tearDownClass(cls):
        cls.issuer.stop()
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def cli(cls, *args):
        _, out, _ = cls.server.aws(*args)
        return out

    @classmethod
    def build_app(cls):
        cli = cls.cli
        cli("dynamodb", "create-table", "--table-name", "app-items",
            "--attribute-definitions", "AttributeName=id,AttributeType=S",
            "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
        cli("dynamodb", "wait", "table-exists", "--table-name", "app-items")

        arns = {}
        for name, files, handler, runtime, env in (
                ("app-items", {"items.py": ITEMS_PY}, "items.handler", PYTHON_RUNTIME, {}),
                ("app-stats", {"stats.js": STATS_JS}, "stats.handler", "nodejs20.x",
                 {"NODE_PATH": JS_NODE_MODULES})):
            path = os.path.join(cls.work, name + ".zip")
            with open(path, "wb") as f:
                f.write(make_zip(files))
            args = ["lambda", "create-function", "--function-name", name, "--runtime", runtime,
                    "--role", ROLE, "--handler", handler, "--timeout", "30",
                    "--zip-file", "fileb://" + path]
            if env:
                args += ["--environment", json.dumps({"Variables": env})]
            arns[name] = cli(*args)["FunctionArn"]
            cli("lambda", "wait", "function-active-v2", "--function-name", name)
            cli("lambda", "add-permission", "--function-name", name, "--statement-id", "apigw",
                "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com")
        cls.arns = arns

        # HTTP API: POST /items and GET /items/{id} to Python, GET /stats to Node.
        api = cli("apigatewayv2", "create-api", "--name", "app-http", "--protocol-type", "HTTP")
        cls.http_api = api["ApiId"]
        cls.jwt_authorizer = cli(
            "apigatewayv2", "create-authorizer", "--api-id", cls.http_api, "--name", "users",
            "--authorizer-type", "JWT", "--identity-source", "$request.header.Authorization",
            "--jwt-configuration", "Audience=app,Issuer=" + cls.issuer.url)["AuthorizerId"]
        targets = {}
        for name, arn in arns.items():
            targets[name] = cli("apigatewayv2", "create-integration", "--api-id", cls.http_api,
                                "--integration-type", "AWS_PROXY", "--integration-uri", arn,
                                "--payload-format-version", "2.0")["IntegrationId"]
        # Writes and the stats need a token of the issuer; reading an item does not.
        for key, fn, jwt in (("POST /items", "app-items", True),
                             ("GET /items/{id}", "app-items", False),
                             ("GET /stats", "app-stats", True)):
            auth = (["--authorization-type", "JWT", "--authorizer-id", cls.jwt_authorizer]
                    if jwt else [])
            cli("apigatewayv2", "create-route", "--api-id", cls.http_api, "--route-key", key,
                "--target", "integrations/" + targets[fn], *auth)
        cli("apigatewayv2", "create-stage", "--api-id", cls.http_api, "--stage-name", "$default",
            "--auto-deploy")

        # REST API: GET /items/{id} to Python (proxy), stage prod.
        rest = cli("apigateway", "create-rest-api", "--name", "app-rest")
        cls.rest_api = rest["id"]
        root = [r for r in cli("apigateway", "get-resources", "--rest-api-id",
                               cls.rest_api)["items"] if r["path"] == "/"][0]["id"]
        items = cli("apigateway", "create-resource", "--rest-api-id", cls.rest_api,
                    "--parent-id", root, "--path-part", "items")["id"]
        item = cli("apigateway", "create-resource", "--rest-api-id", cls.rest_api,
                   "--parent-id", items, "--path-part", "{id}")["id"]
        cls.rest_item_resource = item
        cli("apigateway", "put-method", "--rest-api-id", cls.rest_api, "--resource-id", item,
            "--http-method", "GET", "--authorization-type", "NONE", "--api-key-required")
        uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"
               % arns["app-items"])
        cli("apigateway", "put-integration", "--rest-api-id", cls.rest_api, "--resource-id", item,
            "--http-method", "GET", "--type", "AWS_PROXY", "--integration-http-method", "POST",
            "--uri", uri)
        cli("apigateway", "create-deployment", "--rest-api-id", cls.rest_api,
            "--stage-name", "prod")
        key = cli("apigateway", "create-api-key", "--name", "partner", "--enabled")
        cls.api_key = key["value"]
        plan = cli("apigateway", "create-usage-plan", "--name", "partners",
                   "--api-stages", "apiId=%s,stage=prod" % cls.rest_api,
                   "--throttle", "burstLimit=100,rateLimit=50")
        cli("apigateway", "create-usage-plan-key", "--usage-plan-id", plan["id"],
            "--key-id", key["id"], "--key-type", "API_KEY")
        cls.token = cls.issuer.token()

    # --- clients ---------------------------------------------------------------------------

    def host_url(self, api_id, path):
        return "http://%s.execute-api.localhost:%d%s" % (api_id, self.server.port, path)

    def path_url(self, api_id, path):
        return "%s/_aws/execute-api/%s%s" % (self.server.endpoint, api_id, path)

    def curl(self, method, url, body=None, headers=()):
        """curl against the URL; `*.localhost` names resolve to loopback (curl does that
        itself, as browsers do). Returns (status, parsed JSON body)."""
        args = ["curl", "-sS", "-X", method, "-o", "-", "-w", "\n%{http_code}", url,
                "-H", "content-type: application/json"]
        for h in headers:
            args += ["-H", h]
        if body is not None:
            args += ["--data-binary", body]
        out = subprocess.run(args, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        text, _, status = out.stdout.rpartition("\n")
        return int(status), json.loads(text) if text else None

    def fetch(self, method, url, body=None, headers=None):
        """Node's built-in fetch (undici) against the URL: the host-free form, as Node's resolver
        (getaddrinfo) does not resolve `*.localhost` names the way curl and browsers do."""
        script = os.path.join(self.work, "fetch.mjs")
        with open(script, "w") as f:
            f.write(FETCH_JS)
        out = subprocess.run(["node", script, url, method, body or "",
                              json.dumps(headers or {})], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        r = json.loads(out.stdout)
        return r["status"], json.loads(r["body"]) if r["body"] else None

    # --- the app ---------------------------------------------------------------------------

    def bearer(self):
        return "Authorization: Bearer " + self.token

    def test_1_write_through_the_http_api_with_curl_and_fetch(self):
        url = self.host_url(self.http_api, "/items")
        status, body = self.curl("POST", url, json.dumps({"id": "a1", "name": "apple"}))
        self.assertEqual((status, body), (401, {"message": "Unauthorized"}))
        status, body = self.curl("POST", url, json.dumps({"id": "a1", "name": "apple"}),
                                 headers=[self.bearer()])
        self.assertEqual((status, body), (201, {"created": "a1"}))
        status, body = self.fetch("POST", self.path_url(self.http_api, "/items"),
                                  json.dumps({"id": "b2", "name": "banana"}),
                                  {"authorization": "Bearer " + self.token})
        self.assertEqual((status, body), (201, {"created": "b2"}))
        # The items are in the table, as the AWS CLI sees it.
        got = self.cli("dynamodb", "get-item", "--table-name", "app-items",
                       "--key", json.dumps({"id": {"S": "b2"}}))
        self.assertEqual(got["Item"], {"id": {"S": "b2"}, "name": {"S": "banana"}})

    def test_2_read_through_both_apis(self):
        for url in (self.host_url(self.http_api, "/items/a1"),
                    self.path_url(self.http_api, "/items/a1")):
            status, body = self.curl("GET", url)
            self.assertEqual((status, body), (200, {"item": {"id": "a1", "name": "apple"},
                                                    "via": "http"}))
        # The REST API's method needs the partner's key.
        rest_url = self.host_url(self.rest_api, "/prod/items/b2")
        status, body = self.curl("GET", rest_url)
        self.assertEqual((status, body), (403, {"message": "Forbidden"}))
        status, body = self.curl("GET", rest_url, headers=["x-api-key: not-the-key-at-all-0000"])
        self.assertEqual((status, body), (403, {"message": "Forbidden"}))
        status, body = self.curl("GET", rest_url, headers=["x-api-key: " + self.api_key])
        self.assertEqual((status, body), (200, {"item": {"id": "b2", "name": "banana"},
                                                "via": "rest"}))
        status, body = self.fetch("GET", self.path_url(self.rest_api, "/prod/items/b2"),
                                  headers={"x-api-key": self.api_key})
        self.assertEqual((status, body), (200, {"item": {"id": "b2", "name": "banana"},
                                                "via": "rest"}))
        status, body = self.curl("GET", self.host_url(self.rest_api, "/prod/items/zz"),
                                 headers=["x-api-key: " + self.api_key])
        self.assertEqual((status, body), (404, {"missing": "zz"}))

    def test_3_node_function_reads_the_table(self):
        url = self.path_url(self.http_api, "/stats")
        status, body = self.fetch("GET", url)
        self.assertEqual((status, body), (401, {"message": "Unauthorized"}))
        status, body = self.fetch("GET", url, headers={"authorization": "Bearer " + self.token})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"count": 2, "names": ["apple", "banana"], "runtime": "node"})

    def test_4_edges_answer_as_aws(self):
        status, body = self.curl("GET", self.host_url(self.http_api, "/nowhere"))
        self.assertEqual((status, body), (404, {"message": "Not Found"}))
        status, body = self.curl("DELETE", self.host_url(self.http_api, "/items/a1"))
        self.assertEqual((status, body), (404, {"message": "Not Found"}))
        status, body = self.fetch("GET", self.path_url(self.rest_api, "/prod/nowhere"))
        self.assertEqual((status, body), (403, {"message": "Missing Authentication Token"}))
        # A token of another issuer's key is refused.
        other = self.issuer.token(kid="k1", key=self.issuer.keys["k2"])
        status, body = self.curl("POST", self.host_url(self.http_api, "/items"), "{}",
                                 headers=["Authorization: Bearer " + other])
        self.assertEqual((status, body), (401, {"message": "Unauthorized"}))
        # A body the function cannot parse: its error is the gateway's 500 (HTTP APIs).
        status, body = self.curl("POST", self.host_url(self.http_api, "/items"), "not json",
                                 headers=[self.bearer()])
        self.assertEqual((status, body), (500, {"message": "Internal Server Error"}))

if __name__ == "__main__":
    unittest.main()
