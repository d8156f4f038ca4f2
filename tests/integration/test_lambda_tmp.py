"""A function's /tmp holds its EphemeralStorage.Size (512 to 10,240 MB): writing past it fails
inside the function with ENOSPC ("No space left on device"), as on Lambda. Under bubblewrap
/tmp is a tmpfs of that size; its pages count against the environment's memory limit (see
docs/lambda.md). Skipped without bubblewrap: a plain process's TMPDIR has no size limit."""
import json

import botocore.exceptions

from test_lambda_support import LambdaTestCase, make_zip, PYTHON_RUNTIME, ROLE

# Writes event["mb"] MiB to /tmp/fill with unbuffered writes (an error surfaces at the write
# that fails), then reports what it wrote and the size of /tmp; the file is removed either way.
PY_FILL = """
import os, shutil
def handler(event, context):
    chunk = b"x" * (1 << 20)
    written = 0
    try:
        with open("/tmp/fill", "wb", buffering=0) as f:
            for _ in range(event["mb"]):
                f.write(chunk)
                written += 1
    except OSError as e:
        if event.get("raise"):
            raise
        return {"written_mb": written, "errno": e.errno, "strerror": e.strerror}
    finally:
        size = os.path.getsize("/tmp/fill")
        os.remove("/tmp/fill")
    return {"written_mb": written, "file_mb": size >> 20,
            "tmp_total_mb": shutil.disk_usage("/tmp").total >> 20}
"""


def payload(resp):
    return json.loads(resp["Payload"].read())


class EphemeralStorageTest(LambdaTestCase):
    def setUp(self):
        super().setUp()
        if "bubblewrap" not in self.server_log():
            self.skipTest("functions run as plain processes here: TMPDIR has no size limit")

    def fill(self, name, mb, **event):
        return self.lam.invoke(FunctionName=name, Payload=json.dumps(dict(mb=mb, **event)))

    def test_writing_under_the_size_works(self):
        # 600 MB fits only because the function asked for 1,024 (the default is 512).
        self.create("tmp-1g", {"app.py": PY_FILL}, "app.handler", MemorySize=1024, Timeout=60,
                    EphemeralStorage={"Size": 1024})
        resp = self.fill("tmp-1g", 600)
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(payload(resp), {"written_mb": 600, "file_mb": 600, "tmp_total_mb": 1024})
        # The space is free again once the file is gone.
        self.assertEqual(payload(self.fill("tmp-1g", 600))["written_mb"], 600)

    def test_writing_past_the_size_is_enospc(self):
        self.create("tmp-512", {"app.py": PY_FILL}, "app.handler", MemorySize=1024, Timeout=60)
        out = payload(self.fill("tmp-512", 600))
        self.assertEqual(out, {"written_mb": 512, "errno": 28,
                               "strerror": "No space left on device"})
        resp = self.fill("tmp-512", 600, **{"raise": True})
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "OSError")
        self.assertEqual(err["errorMessage"], "[Errno 28] No space left on device")
        # The environment lives on: the next invocation has its /tmp back.
        self.assertEqual(payload(self.fill("tmp-512", 100))["written_mb"], 100)

    def test_tmp_counts_against_the_memory_size(self):
        # The trade-off docs/lambda.md describes: on Lambda this write fits in /tmp.
        if "memory limits: none" in self.server_log():
            self.skipTest("no writable cgroup memory controller: no memory limit to reach")
        self.create("tmp-small", {"app.py": PY_FILL}, "app.handler", MemorySize=128, Timeout=60)
        err = payload(self.fill("tmp-small", 300))
        self.assertEqual(err["errorType"], "Runtime.OutOfMemory")

    def test_size_out_of_range_is_a_validation_error(self):
        lam = self.client("lambda", parameter_validation=False)
        for size, words in ((256, "greater than or equal to 512"),
                            (20480, "less than or equal to 10240")):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                lam.create_function(FunctionName="tmp-bad", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                    Handler="app.handler", EphemeralStorage={"Size": size},
                                    Code={"ZipFile": make_zip({"app.py": PY_FILL})})
            e = cm.exception.response["Error"]
            self.assertEqual(e["Code"], "ValidationException")
            self.assertEqual(e["Message"], "1 validation error detected: Value '%d' at "
                             "'ephemeralStorage.size' failed to satisfy constraint: Member must "
                             "have value %s" % (size, words))


class UnsizedTmpTest(LambdaTestCase):
    """NIMBUS_LAMBDA_TMP=directory: /tmp is a directory on nimbus's disk, without a size limit."""
    server_env = dict(LambdaTestCase.server_env, NIMBUS_LAMBDA_TMP="directory")

    def test_writing_past_the_size_works(self):
        self.assertIn("(a directory, no size limit: NIMBUS_LAMBDA_TMP=directory)"
                      if "bubblewrap" in self.server_log() else "TMPDIR (no size limit)",
                      self.server_log())
        self.create("tmp-dir", {"app.py": PY_FILL}, "app.handler", Timeout=60)
        resp = self.lam.invoke(FunctionName="tmp-dir", Payload=json.dumps({"mb": 520}))
        self.assertNotIn("FunctionError", resp)
        out = payload(resp)
        self.assertEqual(out["written_mb"], 520)
        self.assertEqual(out["file_mb"], 520)
