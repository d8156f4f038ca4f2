"""nimbus's Lambda runtime client for Python: the handler contract of AWS's python3.x runtimes.

Started by nimbus in an execution environment with the standard Lambda environment. It imports
the handler named by _HANDLER from LAMBDA_TASK_ROOT, then loops on the Runtime API
(AWS_LAMBDA_RUNTIME_API): GET invocation/next, call the handler, POST response or error. Errors
are reported as AWS's runtime reports them: {"errorMessage", "errorType", "requestId",
"stackTrace"}; a failed import goes to init/error (Runtime.ImportModuleError and friends).
"""
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")


def _add_site_packages():
    """What `site` does at start-up, less the code lines of .pth files. nimbus starts Python with
    -S: a host interpreter's .pth files may import packages at every start (tens of
    milliseconds of a cold start) that no Lambda runtime has. The site-packages directories
    (boto3 and the rest) and the directories named by .pth path lines still join sys.path."""
    if not sys.flags.no_site:
        return
    import site
    known = set(sys.path)
    site.venv(known)
    dirs = list(site.getsitepackages())
    if site.check_enableusersite():
        site.ENABLE_USER_SITE = True
        dirs.insert(0, site.getusersitepackages())
    for d in dirs:
        if not os.path.isdir(d) or d in known:
            continue
        sys.path.append(d)
        known.add(d)
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith(".pth"))
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                if not line.strip() or line.startswith(("#", "import ", "import\t")):
                    continue
                path = os.path.abspath(os.path.join(d, line.rstrip()))
                if path not in known and os.path.exists(path):
                    sys.path.append(path)
                    known.add(path)
    site.setquit()
    site.setcopyright()
    site.sethelper()


class _RuntimeApi:
    """A kept-alive HTTP/1.1 connection to the Runtime API. Plain sockets: http.client would
    add some 20 ms of imports to every cold start."""

    def __init__(self, host_port):
        host, _, port = host_port.rpartition(":")
        self._addr = (host, int(port))
        self._host = host_port
        self._sock = None
        self._buf = b""

    def _head(self, method, path, body, headers):
        head = ("%s /2018-06-01/runtime/%s HTTP/1.1\r\nHost: %s\r\n"
                "Content-Length: %d\r\n" % (method, path, self._host, len(body)))
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        return head.encode() + b"\r\n"

    def _connect(self):
        if self._sock is None:
            self._sock = socket.create_connection(self._addr)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._buf = b""

    def request(self, method, path, body=b"", headers=None):
        for attempt in range(2):
            try:
                self._connect()
                self._sock.sendall(self._head(method, path, body, headers) + body)
                return self._response()
            except OSError:
                self._close()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def respond_and_next(self, path, body, headers):
        """POSTs a result and asks for the next invocation in one write (HTTP/1.1 pipelining):
        one system call and one wake-up of the Runtime API less per invocation. The answer to
        invocation/next, as request() gives it."""
        try:
            self._connect()
            self._sock.sendall(self._head("POST", path, body, headers) + body +
                               self._head("GET", "invocation/next", b"", None))
            self._response()
        except OSError:
            # The result may not have arrived: post it again on a new connection (the Runtime
            # API refuses a second answer to the same invocation, which is then harmless).
            self._close()
            self.request("POST", path, body, headers)
            return self.request("GET", "invocation/next")
        if self._sock is None:  # the Runtime API closed the connection after the result
            return self.request("GET", "invocation/next")
        try:
            return self._response()
        except OSError:
            self._close()
            return self.request("GET", "invocation/next")

    def _close(self):
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    def _fill(self):
        data = self._sock.recv(65536)
        if not data:
            raise ConnectionError("the Runtime API closed the connection")
        self._buf += data

    def _response(self):
        while b"\r\n\r\n" not in self._buf:
            self._fill()
        head, _, self._buf = self._buf.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self._buf) < length:
            self._fill()
        body, self._buf = self._buf[:length], self._buf[length:]
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body


_api = _RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])


def _request(method, path, body=b"", headers=None):
    """One call to the Runtime API: (status, lowercase headers, body)."""
    return _api.request(method, path, body, headers)


def _error_body(exc, error_type=None, request_id=""):
    tb = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(tb),
    }


def _log_error(body):
    lines = ["[ERROR] %s: %s" % (body["errorType"], body["errorMessage"])]
    if body["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(s.rstrip("\n") for s in body["stackTrace"])
    # One log event per error, as AWS writes it: line breaks become carriage returns.
    sys.stdout.write("\r".join(lines) + "\n")
    sys.stdout.flush()


def _post_json(path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    _request("POST", path, json.dumps(body).encode(), headers)


class _Client:
    """context.client_context.client: the mobile SDK's app fields."""

    def __init__(self, d):
        self.installation_id = d.get("installation_id")
        self.app_title = d.get("app_title")
        self.app_version_name = d.get("app_version_name")
        self.app_version_code = d.get("app_version_code")
        self.app_package_name = d.get("app_package_name")


class _ClientContext:
    """context.client_context, from the invocation's X-Amz-Client-Context."""

    def __init__(self, d):
        self.client = _Client(d["client"]) if d.get("client") else None
        self.custom = d.get("custom")
        self.env = d.get("env")


class _CognitoIdentity:
    def __init__(self, d):
        self.cognito_identity_id = d.get("cognitoIdentityId")
        self.cognito_identity_pool_id = d.get("cognitoIdentityPoolId")


class LambdaContext:
    """The context object of AWS's Python runtime."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s])" % (
                    self.aws_request_id, self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb, self.function_version,
                    self.invoked_function_arn))


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RequestIdFilter())
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper())


def _load_handler():
    """The handler callable; on failure an (errorType, exception) pair for init/error."""
    spec = os.environ.get("_HANDLER", "")
    module_path, _, func_name = spec.rpartition(".")
    if not module_path or not func_name:
        return None, ("Runtime.MalformedHandlerName",
                      ValueError("Bad handler '%s': not enough values to unpack "
                                 "(expected 2, got 1)" % spec))
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        return None, ("Runtime.ImportModuleError",
                      ImportError("Unable to import module '%s': %s" % (module_name, e)))
    except SyntaxError as e:
        return None, ("Runtime.UserCodeSyntaxError", e)
    except Exception as e:  # an exception raised by the module's own code at import
        return None, (type(e).__name__, e)
    handler = getattr(module, func_name, None)
    if handler is None:
        return None, ("Runtime.HandlerNotFound",
                      AttributeError("Handler '%s' missing on module '%s'"
                                     % (func_name, module_name)))
    return handler, None


def main():
    _add_site_packages()
    sys.path.insert(0, TASK_ROOT)
    version = "python%d.%d" % sys.version_info[:2]
    for layer_dir in ("/opt/python/lib/%s/site-packages" % version, "/opt/python"):
        if os.path.isdir(layer_dir):
            sys.path.insert(1, layer_dir)
    _setup_logging()
    handler, failure = _load_handler()
    if failure:
        error_type, exc = failure
        body = _error_body(exc, error_type)
        if error_type.startswith("Runtime."):
            body["stackTrace"] = []
        _log_error(body)
        _post_json("init/error", body, error_type)
        sys.exit(1)

    status, headers, payload = _request("GET", "invocation/next")
    while True:
        if status != 200:
            time.sleep(0.01)
            status, headers, payload = _request("GET", "invocation/next")
            continue
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        _RequestIdFilter.request_id = request_id
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms", "0")),
                                headers.get("lambda-runtime-invoked-function-arn"),
                                _ClientContext(json.loads(client_context))
                                if client_context else None,
                                _CognitoIdentity(json.loads(identity)) if identity else None)
        base = "invocation/%s/" % request_id
        try:
            event = json.loads(payload) if payload else {}
            result = handler(event, context)
        except Exception as e:  # the function's error, reported as AWS reports it
            body = _error_body(e, request_id=request_id)
            _log_error(body)
            _post_json(base + "error", body, "Unhandled")
            status, headers, payload = _request("GET", "invocation/next")
            continue
        try:
            out = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            body = {"errorMessage": "Unable to marshal response: %s" % e,
                    "errorType": "Runtime.MarshalError", "requestId": request_id,
                    "stackTrace": []}
            _log_error(body)
            _post_json(base + "error", body, "Runtime.MarshalError")
            status, headers, payload = _request("GET", "invocation/next")
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        status, headers, payload = _api.respond_and_next(
            base + "response", out, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
