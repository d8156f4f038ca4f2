"""API Gateway REST APIs: non-proxy integrations (MOCK, HTTP, and AWS with a Lambda function)
through mapping templates (developer guide, "Set up data transformations for REST APIs" and
"Mapping template and access logging variable reference"). The request template is chosen by
the request's content type, passthroughBehavior refuses unmapped types with 415
{"message":"Unsupported Media Type"}, requestParameters feed the backend's path, query string
and headers, an integration response is selected by matching its selectionPattern against the
backend's status code (HTTP), the mock's statusCode (MOCK) or a function error's errorMessage
(Lambda), and its responseTemplates and responseParameters make the method response. A
template that fails answers 500 {"message":"Internal server error"}."""
import http.client
import json

import test_apigateway_rest as rest
from nimbus_harness import EchoServer

PY_GREETER = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("Bad input: " + event["fail"])
    return {"greeting": "hello " + event["name"], "seen": event}
"""

INTERNAL = {"message": "Internal server error"}


class MappingTestCase(rest.InvokeTestCase):
    greeter_arn = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import test_lambda_support as support
        cls.greeter_arn = cls.server.client("lambda").create_function(
            FunctionName="greeter", Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": PY_GREETER})},
            Timeout=10)["FunctionArn"]

    def method(self, api_id, resource_id, http_method="GET", params=None, **integration):
        self.apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method,
                              authorizationType="NONE", requestParameters=params or {})
        self.apigw.put_integration(restApiId=api_id, resourceId=resource_id,
                                   httpMethod=http_method, **integration)

    def response(self, api_id, resource_id, status, http_method="GET", **kw):
        self.apigw.put_method_response(restApiId=api_id, resourceId=resource_id,
                                       httpMethod=http_method, statusCode=status)
        self.apigw.put_integration_response(restApiId=api_id, resourceId=resource_id,
                                            httpMethod=http_method, statusCode=status, **kw)

    def api(self, *parts):
        """A REST API with one resource per path part under the root: (api id, [ids])."""
        api_id = self.apigw.create_rest_api(name="mapped")["id"]
        parent = self.root_id(api_id)
        ids = []
        for part in parts:
            ids.append(self.apigw.create_resource(restApiId=api_id, parentId=parent,
                                                  pathPart=part)["id"])
        return api_id, ids

    def deploy(self, api_id, variables=None):
        self.apigw.create_deployment(restApiId=api_id, stageName="prod",
                                     **({"variables": variables} if variables else {}))

    def call(self, api_id, path, **kw):
        status, headers, body = self.request(api_id, path, **kw)
        return status, headers, json.loads(body) if body else None


class MockMappingTest(MappingTestCase):
    def test_templates_and_selection(self):
        api_id, (item,) = self.api("{id}")
        self.method(api_id, item, type="MOCK", requestTemplates={"application/json": (
            "#if($input.params('fail') == 'yes')\n"
            "  {\"statusCode\": 404}\n"
            "#else\n"
            "  {\"statusCode\": 200}\n"
            "#end")})
        self.response(api_id, item, "200", responseTemplates={"application/json": (
            "#set($n = $input.params('n'))\n"
            "{\"id\": \"$input.params('id')\", \"stage\": \"$context.stage\",\n"
            " \"env\": \"$stageVariables.env\", \"ip\": \"$context.identity.sourceIp\",\n"
            " \"method\": \"$context.httpMethod\", \"resource\": \"$context.resourcePath\",\n"
            " \"requestId\": \"$context.requestId\", \"missing\": \"$!nothing\",\n"
            " \"list\": [#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end]}"
            "#if($n == '201')#set($context.responseOverride.status = 201)#end")},
            responseParameters={"method.response.header.X-Mock": "'yes'",
                                "method.response.header.X-Echo": "method.request.header.x-custom"})
        self.response(api_id, item, "404", selectionPattern="404",
                      responseTemplates={"application/json": '{"gone": "$input.params(\'id\')"}'})
        self.deploy(api_id, {"env": "test"})
        for form in ("host", "path"):
            status, headers, body = self.call(api_id, "/prod/42", headers={"X-Custom": "c"},
                                              form=form)
            self.assertEqual(status, 200, body)
            self.assertEqual(body, {"id": "42", "stage": "prod", "env": "test",
                                    "ip": "127.0.0.1", "method": "GET", "resource": "/{id}",
                                    "requestId": headers["x-amzn-RequestId"], "missing": "",
                                    "list": [1, 2, 3]})
            self.assertEqual(headers["content-type"], "application/json")
            self.assertEqual((headers["x-mock"], headers["x-echo"]), ("yes", "c"))
            status, _, body = self.call(api_id, "/prod/7?fail=yes", form=form)
            self.assertEqual((status, body), (404, {"gone": "7"}))
        status, _, body = self.call(api_id, "/prod/9?n=201")
        self.assertEqual((status, body["id"]), (201, "9"))

    def test_header_names_keep_the_clients_case(self):
        # $input.params().header keeps header names as the client sent them (as the REST proxy
        # event does); $input.params('name') and method.request.header.name match in any case.
        api_id, (item,) = self.api("h")
        self.method(api_id, item, type="MOCK",
                    requestTemplates={"application/json": '{"statusCode": 200}'})
        self.response(api_id, item, "200", responseTemplates={"application/json": (
            '{"names": [#foreach($k in $input.params().header.keySet())"$k"'
            '#if($foreach.hasNext),#end#end],'
            ' "byName": "$input.params(\'x-mixed-case\')",'
            ' "exact": "$input.params().header.get(\'X-Mixed-Case\')",'
            ' "joined": "$input.params(\'X-TWICE\')"}')},
            responseParameters={
                "method.response.header.X-Echo": "method.request.header.X-MIXED-CASE"})
        self.deploy(api_id)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.putrequest("GET", "/_aws/execute-api/%s/prod/h" % api_id)
        for name, value in (("X-Mixed-Case", "m"), ("lower-only", "l"), ("UPPER-ONLY", "U"),
                            ("x-Twice", "1"), ("X-twice", "2")):
            conn.putheader(name, value)
        conn.endheaders()
        r = conn.getresponse()
        body = json.loads(r.read())
        self.assertEqual(r.status, 200, body)
        self.assertEqual(r.getheader("X-Echo"), "m")
        conn.close()
        names = body["names"]
        self.assertEqual([n for n in names if n.lower() in
                          ("x-mixed-case", "lower-only", "upper-only", "x-twice")],
                         ["X-Mixed-Case", "lower-only", "UPPER-ONLY", "x-Twice"])
        self.assertIn("Host", names)
        self.assertEqual((body["byName"], body["exact"], body["joined"]), ("m", "m", "1,2"))

    def test_passthrough_behavior(self):
        api_id, (never, no_templates, no_match, none) = self.api("never", "nt", "nm", "none")
        json_template = {"application/json": '{"statusCode": 200}'}
        self.method(api_id, never, "POST", type="MOCK", passthroughBehavior="NEVER",
                    requestTemplates=json_template)
        self.method(api_id, no_templates, "POST", type="MOCK",
                    passthroughBehavior="WHEN_NO_TEMPLATES", requestTemplates=json_template)
        self.method(api_id, no_match, "POST", type="MOCK", requestTemplates=json_template)
        self.method(api_id, none, "POST", type="MOCK", passthroughBehavior="WHEN_NO_TEMPLATES")
        for rid in (never, no_templates, no_match, none):
            self.response(api_id, rid, "200", "POST",
                          responseTemplates={"application/json": '{"ok": true}'})
        self.deploy(api_id)
        text = {"Content-Type": "text/plain"}
        unsupported = (415, {"message": "Unsupported Media Type"})
        for path in ("/prod/never", "/prod/nt"):
            status, headers, body = self.call(api_id, path, method="POST",
                                              body=b'{"statusCode": 200}', headers=text)
            self.assertEqual((status, body), unsupported, path)
            # A mapped content type is served (parameters and case do not matter).
            status, _, body = self.call(api_id, path, method="POST", body=b"{}",
                                        headers={"Content-Type": "Application/JSON; charset=utf-8"})
            self.assertEqual((status, body), (200, {"ok": True}), path)
        # WHEN_NO_MATCH and WHEN_NO_TEMPLATES without templates pass the body through: the mock
        # reads its statusCode from it.
        for path in ("/prod/nm", "/prod/none"):
            status, _, body = self.call(api_id, path, method="POST",
                                        body=b'{"statusCode": 200}', headers=text)
            self.assertEqual((status, body), (200, {"ok": True}), path)
            status, _, body = self.call(api_id, path, method="POST", body=b"plain", headers=text)
            self.assertEqual((status, body), (500, INTERNAL), path)

    def test_hostile_templates_are_internal_errors(self):
        templates = {
            "unterminated": "#if($input.params('x') == 'y')\n{\"statusCode\": 200}",
            "stray-end": '{"statusCode": 200}#end',
            "loop": "#foreach($i in [1..1000000])x#end{\"statusCode\": 200}",
            "nested": "#foreach($i in [1..5000])#foreach($j in [1..5000])#end#end"
                      "{\"statusCode\": 200}",
            "deep": "#if(true)" * 500 + '{"statusCode": 200}' + "#end" * 500,
            "doubling": "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..60])#set($s = \"$s$s\")"
                        "#end{\"statusCode\": 200}",
            "huge": '{"statusCode": 200}' + " " * (300 * 1024),
            "macro": "#macro(m)#m()#end#m()",
        }
        api_id, ids = self.api(*templates)
        for (name, template), rid in zip(templates.items(), ids):
            self.method(api_id, rid, type="MOCK",
                        requestTemplates={"application/json": template})
            self.response(api_id, rid, "200", responseTemplates={"application/json": '{}'})
        self.deploy(api_id)
        for name in templates:
            status, headers, body = self.call(api_id, "/prod/" + name)
            self.assertEqual((status, body), (500, INTERNAL), name)
            self.assertEqual(headers["x-amzn-ErrorType"], "InternalServerErrorException")
        # A response template that fails, and a body that is not JSON read as JSON.
        api_id, (rid,) = self.api("r")
        self.method(api_id, rid, "POST", type="MOCK", requestTemplates={
            "application/json": '{"statusCode": 200, "x": $input.json(\'$\')}'})
        self.response(api_id, rid, "200", "POST",
                      responseTemplates={"application/json": "#foreach($a in [1..2])"})
        self.deploy(api_id)
        as_json = {"Content-Type": "application/json"}
        status, _, body = self.call(api_id, "/prod/r", method="POST", body=b"{}", headers=as_json)
        self.assertEqual((status, body), (500, INTERNAL))
        status, headers, body = self.call(api_id, "/prod/r", method="POST", body=b"{not json",
                                          headers=as_json)
        self.assertEqual(status, 400)
        self.assertTrue(body["message"].startswith("Could not parse request body into json"),
                        body)
        # The server is still serving.
        self.assertEqual(self.apigw.get_rest_api(restApiId=api_id)["id"], api_id)


class HttpMappingTest(MappingTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = EchoServer()
        cls.backend_url = cls.backend.url

    @classmethod
    def tearDownClass(cls):
        cls.backend.close()
        super().tearDownClass()

    def test_templates_and_parameter_mapping(self):
        api_id, (items,) = self.api("{id}")
        self.method(
            api_id, items, "POST", type="HTTP", integrationHttpMethod="PUT",
            uri=self.backend_url + "/things/{thing}",
            params={"method.request.path.id": True, "method.request.querystring.search": False,
                    "method.request.header.x-custom": False},
            requestParameters={"integration.request.path.thing": "method.request.path.id",
                               "integration.request.querystring.q": "method.request.querystring.search",
                               "integration.request.header.x-api": "'static-key'",
                               "integration.request.header.x-from": "method.request.header.x-custom",
                               "integration.request.header.x-stage": "stageVariables.env"},
            requestTemplates={"application/json": (
                '{"wrapped": $input.json(\'$\'), '
                '"name": "$util.escapeJavaScript($input.path(\'$.name\'))"}')})
        self.response(api_id, items, "200", "POST", responseTemplates={"application/json": (
            "#set($b = $input.path('$'))\n"
            "#set($sent = $util.parseJson($b.body))\n"
            '{"path": "$b.path", "method": "$b.method", "sentName": "$util.escapeJavaScript($sent.name)",'
            ' "wrapped": $sent.wrapped.n, "api": "$b.headers[\'x-api\']",'
            ' "from": "$b.headers[\'x-from\']", "stage": "$b.headers[\'x-stage\']",'
            ' "type": "$b.headers[\'content-type\']"}')},
            responseParameters={"method.response.header.X-Backend": "integration.response.header.x-backend",
                                "method.response.header.X-Path": "integration.response.body.path",
                                "method.response.header.X-Static": "'s'"})
        self.response(api_id, items, "400", "POST", selectionPattern="4\\d{2}",
                      responseTemplates={"application/json":
                                         '{"error": "backend said no to $input.path(\'$.path\')"}'})
        self.deploy(api_id, {"env": "test"})
        status, headers, body = self.call(
            api_id, "/prod/42?search=a%20b&other=1", method="POST",
            body=json.dumps({"n": 5, "name": 'R"ex'}).encode(),
            headers={"Content-Type": "application/json", "X-Custom": "c"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"path": "/things/42?q=a%20b", "method": "PUT",
                                "sentName": 'R"ex', "wrapped": 5, "api": "static-key",
                                "from": "c", "stage": "test", "type": "application/json"})
        self.assertEqual((headers["x-backend"], headers["x-path"], headers["x-static"]),
                         ("1", "/things/42?q=a%20b", "s"))
        self.assertEqual(headers["content-type"], "application/json")
        # The backend's 418 selects the 4\d{2} response; its template reads the backend's body.
        api_id, (tea,) = self.api("tea")
        self.method(api_id, tea, type="HTTP", integrationHttpMethod="GET",
                    uri=self.backend_url + "/teapot")
        self.response(api_id, tea, "200", responseTemplates={"application/json": '{"ok": 1}'})
        self.response(api_id, tea, "400", selectionPattern="4\\d{2}",
                      responseTemplates={"application/json":
                                         '{"error": "backend said no to $input.path(\'$.path\')"}'})
        self.deploy(api_id)
        status, headers, body = self.call(api_id, "/prod/tea")
        self.assertEqual((status, body), (400, {"error": "backend said no to /teapot"}))
        self.assertNotIn("x-backend", headers)


class LambdaMappingTest(MappingTestCase):
    def test_custom_integration_and_error_selection(self):
        api_id, (hello,) = self.api("hello")
        self.method(api_id, hello, type="AWS", integrationHttpMethod="POST",
                    uri=rest.lambda_uri(self.greeter_arn),
                    requestTemplates={"application/json": (
                        '{"name": "$input.params(\'name\')", "fail": "$input.params(\'fail\')",'
                        ' "stage": "$context.stage"}')})
        self.response(api_id, hello, "200", responseTemplates={"application/json": (
            '{"message": $input.json(\'$.greeting\'), "stage": "$input.path(\'$.seen.stage\')"}')})
        self.response(api_id, hello, "400", selectionPattern="Bad input:.*",
                      responseTemplates={"application/json": (
                          '{"error": "$input.path(\'$.errorMessage\')",'
                          ' "type": "$input.path(\'$.errorType\')"}')},
                      responseParameters={"method.response.header.X-Error": "'yes'"})
        self.deploy(api_id)
        status, _, body = self.call(api_id, "/prod/hello?name=Ann")
        self.assertEqual((status, body), (200, {"message": "hello Ann", "stage": "prod"}))
        status, headers, body = self.call(api_id, "/prod/hello?name=Ann&fail=empty")
        self.assertEqual((status, body), (400, {"error": "Bad input: empty", "type": "ValueError"}))
        self.assertEqual(headers["x-error"], "yes")

    def test_unmatched_error_takes_the_default_response(self):
        api_id, (hello,) = self.api("hello")
        self.method(api_id, hello, type="AWS", integrationHttpMethod="POST",
                    uri=rest.lambda_uri(self.greeter_arn),
                    requestTemplates={"application/json": '{"fail": "x"}'})
        self.response(api_id, hello, "200")  # no template: the payload passes through
        # A pattern that backtracks exponentially on "Bad input: x" must not hold the gateway.
        self.response(api_id, hello, "400", selectionPattern="(.*)*y")
        self.response(api_id, hello, "404", selectionPattern="(a)\\1")  # backreference
        self.deploy(api_id)
        status, _, body = self.call(api_id, "/prod/hello")
        self.assertEqual(status, 200)
        self.assertEqual((body["errorMessage"], body["errorType"]), ("Bad input: x", "ValueError"))

    def test_put_integration_types(self):
        api_id, (rid,) = self.api("x")
        self.apigw.put_method(restApiId=api_id, resourceId=rid, httpMethod="GET",
                              authorizationType="NONE")
        base = {"restApiId": api_id, "resourceId": rid, "httpMethod": "GET"}
        got = self.apigw.put_integration(type="AWS", integrationHttpMethod="POST",
                                         uri=rest.lambda_uri(self.greeter_arn), **base)
        self.assertEqual((got["type"], got["passthroughBehavior"]), ("AWS", "WHEN_NO_MATCH"))
        got = self.apigw.put_integration(type="HTTP", integrationHttpMethod="GET",
                                         uri="http://example.com/a", **base)
        self.assertEqual((got["type"], got["connectionType"]), ("HTTP", "INTERNET"))
        got = self.apigw.put_integration(
            type="AWS", integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue", **base)
        self.assertEqual(got["uri"], "arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue")
        self.error(lambda: self.apigw.put_integration(
            type="AWS", integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:kinesis:action/PutRecord", **base),
            "NotImplementedException", 501)
        self.error(lambda: self.apigw.put_integration(type="HTTP", uri="http://x", **base),
                   "BadRequestException", 400, "Enumeration value for HttpMethod must be non-empty")
        self.error(lambda: self.apigw.put_integration(type="HTTP", integrationHttpMethod="GET",
                                                      uri="ftp://x", **base),
                   "BadRequestException", 400, "Invalid HTTP endpoint specified for URI")


if __name__ == "__main__":
    import unittest
    unittest.main()
