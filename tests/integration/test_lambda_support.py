"""Shared by the Lambda tests (no tests of its own): deployment packages built in memory, a
server whose asynchronous retries are quick, and functions created with boto3."""
import io
import os
import sys
import zipfile

from nimbus_harness import NimbusServer, NimbusTestCase, ROOT

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
# The runtime whose interpreter is this Python (it has boto3, as AWS's runtimes do).
PYTHON_RUNTIME = "python%d.%d" % sys.version_info[:2]
JS_NODE_MODULES = os.path.join(ROOT, "tests", "js", "node_modules")


def make_zip(files, modes=None):
    """A zip of {name: text}; `modes` gives unix permissions ({"bootstrap": 0o755})."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return buf.getvalue()


class LambdaTestCase(NimbusTestCase):
    """A nimbus per class, with asynchronous retries one second apart."""
    server_env = {"NIMBUS_LAMBDA_ASYNC_RETRY_SECONDS": "1"}

    @classmethod
    def setUpClass(cls):
        cls.server = NimbusServer(*cls.server_args, env=cls.server_env).start()

    def setUp(self):
        super().setUp()
        self.lam = self.client("lambda")

    def create(self, name, files, handler, runtime=PYTHON_RUNTIME, modes=None, **kw):
        return self.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE,
                                        Handler=handler, Code={"ZipFile": make_zip(files, modes)},
                                        **kw)

    def server_log(self):
        return self.server.read_log()
