"""What passes through API Gateway to an HTTP backend (HTTP_PROXY) intact, on HTTP APIs and REST
APIs: bodies up to 10 MB (API Gateway's payload limit) byte for byte, repeated headers and query
parameters, unicode paths; a larger body is refused with 413 (REST APIs: the REQUEST_TOO_LARGE
gateway response, "Request Too Long")."""
import hashlib
import http.client
import json
import os
import urllib.parse

from nimbus_harness import EchoServer, NimbusTestCase

LIMIT = 10 * 1024 * 1024


class PassThroughTest(NimbusTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = EchoServer()
        cls.backend_url = cls.backend.url

    @classmethod
    def tearDownClass(cls):
        cls.backend.close()
        super().tearDownClass()

    def http_api(self):
        v2 = self.client("apigatewayv2")
        api = v2.create_api(Name="edges", ProtocolType="HTTP",
                            Target=self.backend_url)["ApiId"]
        return api, ""

    def rest_api(self):
        rest = self.client("apigateway")
        api = rest.create_rest_api(name="edges")["id"]
        root = rest.get_resources(restApiId=api)["items"][0]["id"]
        proxy = rest.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
        rest.put_method(restApiId=api, resourceId=proxy, httpMethod="ANY",
                        authorizationType="NONE",
                        requestParameters={"method.request.path.proxy": True})
        rest.put_integration(restApiId=api, resourceId=proxy, httpMethod="ANY",
                             type="HTTP_PROXY", integrationHttpMethod="ANY",
                             uri=self.backend_url + "/{proxy}",
                             requestParameters={"integration.request.path.proxy":
                                                "method.request.path.proxy"})
        rest.create_deployment(restApiId=api, stageName="prod")
        return api, "/prod"

    def send(self, api, path, body=None, headers=(), method="POST"):
        """A raw request (http.client keeps repeated headers as sent)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        try:
            conn.putrequest(method, "/_aws/execute-api/%s%s" % (api, path))
            for k, v in headers:
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Type", "application/octet-stream")
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"null")
        finally:
            conn.close()

    def check_api(self, api, prefix, too_large):
        body = os.urandom(LIMIT)
        status, out = self.send(api, prefix + "/upload", body)
        self.assertEqual(status, 200, out)
        self.assertEqual((out["length"], out["sha256"]),
                         (LIMIT, hashlib.sha256(body).hexdigest()))
        status, out = self.send(api, prefix + "/upload", body + b"x")
        self.assertEqual((status, out), (413, {"message": too_large}))
        path = prefix + "/" + urllib.parse.quote("ünï/日本") + "?a=1&a=2&b=%20x"
        status, out = self.send(api, path, None, [("x-multi", "one"), ("x-multi", "two")],
                                method="GET")
        self.assertEqual(status, 200, out)
        self.assertEqual(out["path"], "/" + urllib.parse.quote("ünï/日本") + "?a=1&a=2&b=%20x")
        self.assertEqual(out["x-multi"], ["one", "two"])

    def test_http_api(self):
        self.check_api(*self.http_api(), "Request Entity Too Large")

    def test_rest_api(self):
        self.check_api(*self.rest_api(), "Request Too Long")
