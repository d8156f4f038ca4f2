"""Starts a real nimbus process for integration tests and hands out real AWS clients.

Each test module gets its own server on a free port with a temporary data directory
(NimbusServer), or shares one per module through NimbusTestCase. Clients are the stock boto3
clients and the AWS CLI (run with this Python, never through a version-manager shim)."""
import hashlib
import http.server
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BINARY = os.environ.get("NIMBUS_BINARY", os.path.join(ROOT, "build", "nimbus"))
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        text = body.decode("latin-1") if len(body) <= EchoServer.MAX_ECHOED_BODY else None
        seen = {"method": self.command, "path": self.path, "body": text,
                "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "header_names": list(self.headers.keys()),
                "x-multi": self.headers.get_all("x-multi")}
        self.server.requests.put(seen)
        if not self.server.respond(self, seen):
            self.answer(418 if self.path.startswith("/teapot") else 200, seen)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Backend", self.server.label)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class EchoServer(http.server.ThreadingHTTPServer):
    """An HTTP backend on 127.0.0.1 (port chosen by the system) that answers each request with a
    JSON description of it: method, path (with query), body (latin-1; None past 1 MiB, so an
    answer to a large upload stays small), length, sha256, headers
    (lowercased names, last value each), header_names (as sent) and x-multi (every x-multi
    value). Paths under /teapot answer 418, the rest 200; every answer carries
    X-Backend: <label>. Requests are queued for next(). Subclasses answer some requests
    themselves by overriding respond()."""
    daemon_threads = True
    MAX_ECHOED_BODY = 1 << 20

    def __init__(self, label="1"):
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.label = label
        self.requests = queue.Queue()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def respond(self, handler, seen):
        """Answers `seen` through `handler` and returns True, or returns False for the echo."""
        return False

    def next(self, timeout=10):
        return self.requests.get(timeout=timeout)

    def close(self):
        self.shutdown()
        self.server_close()


def closed_port():
    """A port on 127.0.0.1 that nothing listens on (an unreachable backend)."""
    return free_port()


class NimbusServer:
    def __init__(self, *extra_args, data_dir=None, ephemeral=False, env=None):
        self.port = free_port()
        self.own_dir = data_dir is None and not ephemeral
        self.data_dir = data_dir or (None if ephemeral else tempfile.mkdtemp(prefix="nimbus-test-"))
        self.extra_args = list(extra_args)
        self.ephemeral = ephemeral
        self.env = env or {}
        self.proc = None
        self.log_path = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=10):
        args = [BINARY, "serve", "--port", str(self.port), "--log-level", "info"]
        if self.ephemeral:
            args.append("--ephemeral")
        else:
            args += ["--data-dir", self.data_dir]
        args += self.extra_args
        if getattr(self, "log", None):
            self.log.close()
            os.unlink(self.log_path)
        fd, self.log_path = tempfile.mkstemp(prefix="nimbus-log-", suffix=".txt")
        env = dict(os.environ)
        env.update(self.env)
        self.log = os.fdopen(fd, "w")  # closed in cleanup()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nimbus exited early:\n" + self.read_log())
            try:
                with urllib.request.urlopen(self.endpoint + "/_nimbus/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("nimbus did not become ready:\n" + self.read_log())

    def read_log(self):
        if not self.log_path:
            return ""
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        self.stop()
        if getattr(self, "log", None):
            self.log.close()
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)
        if self.own_dir and self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def client(self, service, region="us-east-1", access_key=ACCESS_KEY, secret_key=SECRET_KEY,
               session_token=None, **config):
        cfg = Config(retries={"max_attempts": 1}, **config)
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                            aws_session_token=session_token, config=cfg)

    def client_via_host(self, service, endpoint_host, region="us-east-1", **config):
        """A boto3 client whose endpoint is http://<endpoint_host>:<port> (a name that need not
        resolve here: <bucket>.s3.localhost, localhost.localstack.cloud...). Each request goes to
        127.0.0.1 with the Host header botocore built; returns (client, list of Hosts sent)."""
        from urllib.parse import urlsplit, urlunsplit
        port = self.port
        client = boto3.client(service, endpoint_url="http://%s:%d" % (endpoint_host, port),
                              region_name=region, aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY,
                              config=Config(retries={"max_attempts": 1}, **config))
        hosts = []

        def to_loopback(request, **_):
            parts = urlsplit(request.url)
            hosts.append(parts.netloc)
            request.headers["Host"] = parts.netloc
            request.url = urlunsplit(parts._replace(netloc="127.0.0.1:%d" % port))

        client.meta.events.register("before-send", to_loopback)
        return client, hosts

    def aws(self, *args, check=True, access_key=ACCESS_KEY, secret_key=SECRET_KEY):
        """Runs the AWS CLI against this server; returns (exit code, parsed JSON or text, stderr)."""
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key,
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""})
        env.pop("AWS_PROFILE", None)
        proc = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", self.endpoint,
                               "--output", "json"] + list(args),
                              capture_output=True, text=True, env=env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError("aws %s failed (%d): %s" % (" ".join(args), proc.returncode,
                                                             proc.stderr))
        out = proc.stdout
        try:
            out = json.loads(out) if out.strip() else None
        except ValueError:
            pass
        return proc.returncode, out, proc.stderr

    def http(self, method, path, body=None, headers=None, timeout=10):
        """A raw HTTP request (for unsigned and hostile input); returns (status, headers, body)
        with case-insensitive headers."""
        req = urllib.request.Request(self.endpoint + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def reset(self):
        return self.http("POST", "/_nimbus/reset")


class NimbusTestCase(unittest.TestCase):
    """One nimbus server per test class (started in setUpClass, wiped before each test)."""
    server_args = ()
    reset_between_tests = True

    @classmethod
    def setUpClass(cls):
        cls.server = NimbusServer(*cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        if self.reset_between_tests:
            status, _, _ = self.server.reset()
            self.assertEqual(status, 200)

    def client(self, service, **kw):
        return self.server.client(service, **kw)

    def assertAwsError(self, ctx, code, status=None):
        """ctx is the context manager of assertRaises(botocore.exceptions.ClientError)."""
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        if status is not None:
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        return err
