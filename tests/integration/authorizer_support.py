"""Shared by the API Gateway authorizer tests (no tests of its own): a Lambda authorizer whose
answer the token chooses, an OpenID issuer serving its JWKS over HTTP, and RS256 tokens signed
with the `cryptography` package."""
import base64
import http.server
import json
import threading
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# The token (TOKEN authorizers), the Authorization header or the "token" query parameter names
# the answer: "simple-allow", "simple-deny", "policy-allow" (Allow on the route/method ARN),
# "policy-deny", "policy-elsewhere" (Allow on another ARN), "policy-wild" (Allow GET on any
# stage and path of any API), "boom" (raises), "unauthorized" (raises "Unauthorized"), "junk" (a
# list), "nested" (a context with an object). Every answer's context carries a fresh nonce (so a
# cached answer shows) and the event it was given.
PY_AUTHORIZER = """
import json, uuid
def handler(event, context):
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    query = event.get("queryStringParameters") or {}
    token = (event.get("authorizationToken") if event.get("type") == "TOKEN"
             else headers.get("authorization") or query.get("token") or "")
    kind = token.split(":")[0]
    ctx = {"user": token, "nonce": uuid.uuid4().hex, "event": json.dumps(event), "n": 7,
           "ok": True}
    arn = event.get("routeArn") or event.get("methodArn")
    if kind == "boom":
        raise RuntimeError("boom")
    if kind == "unauthorized":
        raise Exception("Unauthorized")
    if kind == "junk":
        return [1, 2]
    if kind == "simple-allow":
        return {"isAuthorized": True, "context": ctx}
    if kind == "simple-deny":
        return {"isAuthorized": False}
    if kind == "nested":
        ctx["obj"] = {"a": 1}
    effect, resource = "Allow", arn
    if kind == "policy-deny":
        effect = "Deny"
    if kind == "policy-elsewhere":
        resource = "arn:aws:execute-api:us-east-1:000000000000:other/*"
    if kind == "policy-wild":
        resource = ["arn:aws:execute-api:*:*:*/*/GET/*"]
    return {"principalId": "user-" + token, "context": ctx,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
"""


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_int(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Issuer:
    """An OpenID issuer on 127.0.0.1 serving /.well-known/openid-configuration and its JWKS
    (two RSA keys, "k1" and "k2"); `requests` counts what it served."""

    def __init__(self):
        self.keys = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)
                     for kid in ("k1", "k2")}
        self.published = ["k1", "k2"]
        self.requests = []
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                issuer.requests.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"}
                elif self.path == "/jwks.json":
                    body = {"keys": [issuer.jwk(kid) for kid in issuer.published]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def jwk(self, kid):
        numbers = self.keys[kid].public_key().public_numbers()
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                "n": b64url_int(numbers.n), "e": b64url_int(numbers.e)}

    def token(self, kid="k1", alg="RS256", key=None, header=None, **claims):
        """A signed token: claims default to this issuer, audience "app", an hour to live."""
        now = int(time.time())
        body = {"iss": self.url, "aud": "app", "sub": "user1", "iat": now, "exp": now + 3600}
        body.update(claims)
        for k in [k for k, v in body.items() if v is None]:
            del body[k]
        head = {"alg": alg, "typ": "JWT", "kid": kid}
        head.update(header or {})
        signing_input = (b64url(json.dumps(head).encode()) + "." +
                         b64url(json.dumps(body).encode()))
        signer = key or self.keys[kid]
        signature = signer.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)
