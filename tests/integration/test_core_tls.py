"""nimbus's outgoing https: the callers that reach user endpoints speak TLS to them, as AWS does,
and trust only certificates the system trust store accepts (here a throwaway CA named by
SSL_CERT_FILE in nimbus's environment) for the URL's host name or IP address.

- SNS `https` subscriptions: the SubscriptionConfirmation is POSTed over TLS (with SNI), the
  SubscribeURL or ConfirmSubscription confirms, notifications arrive with the x-amz-sns-*
  headers (the `https` entry of a MessageStructure=json message), unsubscribing POSTs the
  UnsubscribeConfirmation.
- API Gateway HTTP_PROXY integrations to https:// backends (HTTP APIs and REST APIs): method,
  path, query and body pass through, the backend's answer comes back.
- HTTP API JWT authorizers whose issuer is https://: the OpenID configuration and JWKS are
  fetched over TLS and a valid token is accepted.
- A server whose certificate comes from an unknown CA, or names another host, gets nothing:
  the TLS handshake fails, SNS keeps the subscription pending, the gateway answers as for an
  unreachable integration (HTTP API 500 "Internal Server Error", REST API 502 "Internal server
  error"), and a JWT from such an issuer is refused with 401."""
import datetime
import ipaddress
import json
import os
import queue
import shutil
import socket
import ssl
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from authorizer_support import Issuer
from nimbus_harness import EchoServer, NimbusServer


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key, path):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def _write_cert(cert, path):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


class Authority:
    """A throwaway certificate authority that issues server certificates into `directory`."""

    def __init__(self, directory, name):
        self.directory = directory
        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name)).issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(self.key, hashes.SHA256()))
        self.path = os.path.join(directory, name + ".pem")
        _write_cert(self.cert, self.path)

    def issue(self, label, dns_names=(), ip_addresses=()):
        """A server certificate for the names; returns (certificate path, key path)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        names = [x509.DNSName(n) for n in dns_names]
        names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(label)).issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256()))
        cert_path = os.path.join(self.directory, label + ".crt")
        key_path = os.path.join(self.directory, label + ".key")
        _write_cert(cert, cert_path)
        _write_key(key, key_path)
        return cert_path, key_path


class TlsServer(EchoServer):
    """An https endpoint on 127.0.0.1 with the given certificate that echoes requests
    (X-Backend: tls), serves an issuer's OpenID configuration and JWKS when it has one, and a
    body that runs to the end of the connection at /eof. Handshakes run on each connection's
    thread; the names clients asked for (SNI) and failed handshakes are kept."""

    def __init__(self, cert_path, key_path, issuer=None):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_path, key_path)
        self.context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
        self.server_names = []
        self.handshake_failures = []
        self.issuer = issuer
        super().__init__(label="tls")

    def respond(self, handler, seen):
        issuer = self.issuer
        if issuer and handler.path == "/.well-known/openid-configuration":
            handler.answer(200, {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"})
        elif issuer and handler.path == "/jwks.json":
            handler.answer(200, {"keys": [issuer.jwk(kid) for kid in issuer.published]})
        elif handler.path == "/eof":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(b"until the connection closes")
            handler.close_connection = True
        else:
            return False
        return True

    def finish_request(self, request, client_address):
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.handshake_failures.append(str(e))
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            tls.close()

    def wait_for_handshake_failure(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline and not self.handshake_failures:
            time.sleep(0.02)
        return list(self.handshake_failures)


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nimbus-tls-")
        trusted = Authority(cls.dir, "trusted-ca")
        rogue = Authority(cls.dir, "rogue-ca")
        cls.good_cert = trusted.issue("good", ["localhost"], ["127.0.0.1"])
        cls.other_name_cert = trusted.issue("other-name", ["other.example"])
        cls.rogue_cert = rogue.issue("rogue", ["localhost"], ["127.0.0.1"])
        cls.server = NimbusServer(env={"SSL_CERT_FILE": trusted.path}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        status, _, _ = self.server.reset()
        self.assertEqual(status, 200)

    def tls_server(self, cert, issuer=None):
        s = TlsServer(*cert, issuer=issuer)
        self.addCleanup(s.close)
        return s

    def client(self, service):
        return self.server.client(service)

    def assert_no_requests(self, endpoint, seconds=0.3):
        with self.assertRaises(queue.Empty):
            endpoint.requests.get(timeout=seconds)

    # SNS

    def test_sns_https_subscription_confirms_and_receives_notifications(self):
        endpoint = self.tls_server(self.good_cert)
        sns = self.client("sns")
        topic = sns.create_topic(Name="secure")["TopicArn"]
        url = "https://localhost:%d/sns-endpoint?x=1" % endpoint.port
        r = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=url)
        self.assertEqual(r["SubscriptionArn"], "pending confirmation")
        confirmation = endpoint.next()
        self.assertEqual(endpoint.server_names[-1], "localhost")
        self.assertEqual((confirmation["method"], confirmation["path"]),
                         ("POST", "/sns-endpoint?x=1"))
        headers = confirmation["headers"]
        self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertEqual(headers["x-amz-sns-topic-arn"], topic)
        self.assertEqual(headers["user-agent"], "Amazon Simple Notification Service Agent")
        self.assertEqual(headers["host"], "localhost:%d" % endpoint.port)
        doc = json.loads(confirmation["body"])
        self.assertEqual(doc["Type"], "SubscriptionConfirmation")
        self.assertEqual(doc["TopicArn"], topic)
        self.assertEqual(headers["x-amz-sns-message-id"], doc["MessageId"])
        with urllib.request.urlopen(doc["SubscribeURL"], timeout=10) as answer:
            self.assertEqual(answer.status, 200)
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(len(subs), 1)
        arn = subs[0]["SubscriptionArn"]
        self.assertTrue(arn.startswith(topic + ":"), arn)
        self.assertEqual((subs[0]["Protocol"], subs[0]["Endpoint"]), ("https", url))

        message = {"default": "for everyone", "https": "for https", "http": "for http"}
        published = sns.publish(TopicArn=topic, Message=json.dumps(message),
                                MessageStructure="json", Subject="hello")
        note = endpoint.next()
        headers = note["headers"]
        self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
        self.assertEqual(headers["x-amz-sns-message-id"], published["MessageId"])
        self.assertEqual(headers["x-amz-sns-topic-arn"], topic)
        self.assertEqual(headers["x-amz-sns-subscription-arn"], arn)
        self.assertEqual(headers["content-type"], "text/plain; charset=UTF-8")
        self.assertNotIn("x-amz-sns-rawdelivery", headers)
        body = json.loads(note["body"])
        self.assertEqual((body["Type"], body["MessageId"], body["TopicArn"], body["Subject"],
                          body["Message"]),
                         ("Notification", published["MessageId"], topic, "hello", "for https"))
        self.assertIn("Signature", body)

        sns.unsubscribe(SubscriptionArn=arn)
        goodbye = endpoint.next()
        self.assertEqual(goodbye["headers"]["x-amz-sns-message-type"], "UnsubscribeConfirmation")
        self.assertEqual(goodbye["headers"]["x-amz-sns-subscription-arn"], arn)
        # Nothing about https subscribers is kept for /_nimbus/sns/messages any more.
        _, _, kept = self.server.http("GET", "/_nimbus/sns/messages?protocol=https")
        self.assertEqual(json.loads(kept)["messages"], [])

    def test_sns_https_confirm_subscription_and_raw_delivery(self):
        endpoint = self.tls_server(self.good_cert)
        sns = self.client("sns")
        topic = sns.create_topic(Name="raw")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="https",
                      Endpoint="https://localhost:%d/raw" % endpoint.port,
                      Attributes={"RawMessageDelivery": "true"})
        token = json.loads(endpoint.next()["body"])["Token"]
        arn = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
        sns.publish(TopicArn=topic, Message="just the text")
        note = endpoint.next()
        self.assertEqual(note["body"], "just the text")
        self.assertEqual(note["headers"]["x-amz-sns-rawdelivery"], "true")
        self.assertEqual(note["headers"]["x-amz-sns-subscription-arn"], arn)

    def check_sns_refused(self, cert, reason):
        endpoint = self.tls_server(cert)
        sns = self.client("sns")
        topic = sns.create_topic(Name="refused")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="https",
                      Endpoint="https://localhost:%d/hook" % endpoint.port)
        self.assertTrue(endpoint.wait_for_handshake_failure())
        self.assert_no_requests(endpoint)
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(subs[0]["SubscriptionArn"], "PendingConfirmation")
        # nimbus's log says why.
        expected = "TLS handshake with localhost:%d failed: certificate verify failed (%s)" % (
            endpoint.port, reason)
        deadline = time.time() + 5
        while expected not in self.server.read_log() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn(expected, self.server.read_log())

    def test_sns_untrusted_certificate_is_not_delivered_to(self):
        self.check_sns_refused(self.rogue_cert, "unable to get local issuer certificate")

    def test_sns_certificate_for_another_name_is_not_delivered_to(self):
        self.check_sns_refused(self.other_name_cert, "hostname mismatch")

    # API Gateway

    def invoke(self, api_id, path, method="GET", body=None, headers=None):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/_aws/execute-api/%s%s" % (self.server.port, api_id, path),
            data=body, method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def http_api(self, target):
        return self.client("apigatewayv2").create_api(Name="tls", ProtocolType="HTTP",
                                                      Target=target)["ApiId"]

    def test_http_api_proxies_to_https_backend(self):
        backend = self.tls_server(self.good_cert)
        api_id = self.http_api("https://127.0.0.1:%d" % backend.port)
        status, headers, body = self.invoke(api_id, "/items/7?x=1&y=2", method="PUT",
                                            body=b"payload", headers={"X-Custom": "c"})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["x-backend"], "tls")
        seen = json.loads(body)
        self.assertEqual((seen["method"], seen["path"], seen["body"]),
                         ("PUT", "/items/7?x=1&y=2", "payload"))
        self.assertEqual(seen["headers"]["x-custom"], "c")
        # An IP address is verified against the certificate and sent without SNI (RFC 6066).
        self.assertEqual(backend.server_names, [None])
        # A body that runs to the end of the connection (closed without close_notify).
        status, _, body = self.invoke(api_id, "/eof")
        self.assertEqual((status, body), (200, b"until the connection closes"))

    def test_http_api_refuses_backends_whose_certificate_fails(self):
        for cert in (self.rogue_cert, self.other_name_cert):
            backend = self.tls_server(cert)
            api_id = self.http_api("https://127.0.0.1:%d" % backend.port)
            status, _, body = self.invoke(api_id, "/items", method="POST", body=b"x")
            self.assertEqual((status, json.loads(body)),
                             (500, {"message": "Internal Server Error"}), cert)
            self.assertTrue(backend.wait_for_handshake_failure(), cert)
            self.assert_no_requests(backend, 0)

    def test_http_api_handshake_counts_against_the_integration_timeout(self):
        """A backend that takes the connection but never answers the TLS handshake times out
        after TimeoutInMillis: 503, as HTTP APIs answer an integration timeout."""
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections complete in the backlog; nothing ever reads them
        self.addCleanup(silent.close)
        v2 = self.client("apigatewayv2")
        api_id = v2.create_api(Name="slow", ProtocolType="HTTP")["ApiId"]
        integration = v2.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
            IntegrationUri="https://localhost:%d" % silent.getsockname()[1],
            PayloadFormatVersion="1.0", TimeoutInMillis=300)["IntegrationId"]
        v2.create_route(ApiId=api_id, RouteKey="$default", Target="integrations/" + integration)
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        started = time.time()
        status, _, body = self.invoke(api_id, "/x")
        elapsed = time.time() - started
        self.assertEqual((status, json.loads(body)), (503, {"message": "Service Unavailable"}))
        self.assertLess(elapsed, 5)

    def rest_api(self, uri):
        rest = self.client("apigateway")
        api = rest.create_rest_api(name="tls")["id"]
        root = rest.get_resources(restApiId=api)["items"][0]["id"]
        proxy = rest.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
        rest.put_method(restApiId=api, resourceId=proxy, httpMethod="ANY",
                        authorizationType="NONE",
                        requestParameters={"method.request.path.proxy": True})
        rest.put_integration(restApiId=api, resourceId=proxy, httpMethod="ANY",
                             type="HTTP_PROXY", integrationHttpMethod="ANY", uri=uri,
                             requestParameters={"integration.request.path.proxy":
                                                "method.request.path.proxy"})
        rest.create_deployment(restApiId=api, stageName="prod")
        return api

    def test_rest_api_proxies_to_https_backend(self):
        backend = self.tls_server(self.good_cert)
        api_id = self.rest_api("https://localhost:%d/base/{proxy}" % backend.port)
        status, headers, body = self.invoke(api_id, "/prod/a/b?q=1", method="POST",
                                            body=b"rest payload")
        self.assertEqual(status, 200, body)
        seen = json.loads(body)
        self.assertEqual((seen["method"], seen["path"], seen["body"]),
                         ("POST", "/base/a/b?q=1", "rest payload"))
        self.assertEqual(backend.server_names, ["localhost"])

    def test_rest_api_refuses_backends_whose_certificate_fails(self):
        backend = self.tls_server(self.rogue_cert)
        api_id = self.rest_api("https://localhost:%d/{proxy}" % backend.port)
        status, _, body = self.invoke(api_id, "/prod/a")
        self.assertEqual((status, json.loads(body)), (502, {"message": "Internal server error"}))
        self.assertTrue(backend.wait_for_handshake_failure())
        self.assert_no_requests(backend, 0)

    # JWT authorizers

    def jwt_api(self, issuer_url, backend):
        v2 = self.client("apigatewayv2")
        api_id = v2.create_api(Name="jwt", ProtocolType="HTTP")["ApiId"]
        auth_id = v2.create_authorizer(
            ApiId=api_id, Name="jwt", AuthorizerType="JWT",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Issuer": issuer_url, "Audience": ["app"]})["AuthorizerId"]
        integration = v2.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
            IntegrationUri="https://localhost:%d/backend" % backend.port,
            PayloadFormatVersion="1.0")["IntegrationId"]
        v2.create_route(ApiId=api_id, RouteKey="GET /private", AuthorizationType="JWT",
                        AuthorizerId=auth_id, Target="integrations/" + integration)
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        return api_id

    def issuer_at(self, cert):
        issuer = Issuer()
        issuer.stop()  # its plain-HTTP server; the keys and tokens are what is reused
        server = self.tls_server(cert, issuer=issuer)
        issuer.url = "https://localhost:%d" % server.port
        return issuer, server

    def test_jwt_authorizer_with_https_issuer(self):
        issuer, server = self.issuer_at(self.good_cert)
        api_id = self.jwt_api(issuer.url, server)
        status, _, body = self.invoke(api_id, "/private",
                                      headers={"Authorization": "Bearer " + issuer.token()})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["path"], "/backend")
        fetched = []
        while not server.requests.empty():
            fetched.append(server.requests.get()["path"])
        self.assertEqual(fetched, ["/.well-known/openid-configuration", "/jwks.json", "/backend"])
        status, headers, body = self.invoke(api_id, "/private")
        self.assertEqual((status, json.loads(body)), (401, {"message": "Unauthorized"}))

    def test_jwt_issuer_whose_certificate_fails_refuses_tokens(self):
        issuer, server = self.issuer_at(self.rogue_cert)
        backend = self.tls_server(self.good_cert)
        api_id = self.jwt_api(issuer.url, backend)
        status, _, body = self.invoke(api_id, "/private",
                                      headers={"Authorization": "Bearer " + issuer.token()})
        self.assertEqual((status, json.loads(body)), (401, {"message": "Unauthorized"}))
        self.assertTrue(server.wait_for_handshake_failure())
        self.assert_no_requests(server, 0)
        self.assert_no_requests(backend, 0)


if __name__ == "__main__":
    unittest.main()
