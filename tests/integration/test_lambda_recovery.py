"""Lambda after a runtime process exits (developer guide, "Troubleshoot invocation issues",
Runtime.ExitError; "Lambda execution environment lifecycle"): the invocation the process died in
answers Runtime.ExitError with FunctionError Unhandled, the environment is discarded, and the
next invocation starts a fresh environment (a new log stream whose REPORT has Init Duration) and
succeeds. An environment whose process died while idle is never handed an invocation."""
import json
import time
import unittest

from test_lambda_support import LambdaTestCase

PY_CRASH = """
import os, threading
def handler(event, context):
    if event.get("crash"):
        os._exit(1)
    if event.get("die_idle"):
        threading.Timer(0.2, os._exit, (1,)).start()
    return {"ok": True, "stream": context.log_stream_name}
"""

NODE_EXIT = """
exports.handler = async (event, context) => {
  if (event.crash) {
    await new Promise(() => { setTimeout(() => process.exit(1), 10); });
  }
  return { ok: true, stream: context.logStreamName };
};
"""

NODE_UNCAUGHT = """
exports.handler = async (event, context) => {
  if (event.crash) {
    await new Promise(() => { setTimeout(() => { throw new Error('boom'); }, 10); });
  }
  return { ok: true, stream: context.logStreamName };
};
"""

# Answers each invocation; {"crash": true} makes it exit 1 before answering, {"last": true}
# makes it exit 0 half a second after answering, without asking for the next invocation (the
# next Invoke arrives while the process still runs).
SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  case "$EVENT" in *crash*) exit 1 ;; esac
  curl -sS -X POST "$API/invocation/$ID/response" \\
    -d "{\\"ok\\": true, \\"stream\\": \\"$AWS_LAMBDA_LOG_STREAM_NAME\\"}" >/dev/null
  case "$EVENT" in *last*) sleep 0.5; exit 0 ;; esac
done
"""


class RecoveryTest(LambdaTestCase):
    def invoke(self, name, event):
        resp = self.lam.invoke(FunctionName=name, Payload=json.dumps(event))
        body = json.loads(resp["Payload"].read())
        return resp, body

    def assert_exit_error(self, name, event, status):
        resp, body = self.invoke(name, event)
        rid = resp["ResponseMetadata"]["RequestId"]
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled", body)
        self.assertEqual(body, {
            "errorType": "Runtime.ExitError",
            "errorMessage": "RequestId: %s Error: Runtime exited with error: exit status %d"
                            % (rid, status)})
        return rid

    def assert_ok(self, name):
        resp, body = self.invoke(name, {})
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body["ok"], True, body)
        return resp["ResponseMetadata"]["RequestId"], body["stream"]

    def stream_messages(self, name, stream, rid, timeout=10):
        """The messages of `stream` once it holds the REPORT line of `rid`."""
        logs = self.client("logs")
        deadline = time.time() + timeout
        messages = []
        while time.time() < deadline:
            try:
                messages = [e["message"] for e in logs.get_log_events(
                    logGroupName="/aws/lambda/" + name, logStreamName=stream,
                    startFromHead=True)["events"]]
            except logs.exceptions.ResourceNotFoundException:
                messages = []
            if any(m.startswith("REPORT RequestId: " + rid) for m in messages):
                return messages
            time.sleep(0.05)
        self.fail("no REPORT for %s in %s: %r" % (rid, stream, messages))

    def assert_fresh_environment(self, name, rid, stream, old_stream=None):
        if old_stream is not None:
            self.assertNotEqual(stream, old_stream)
        messages = self.stream_messages(name, stream, rid)
        self.assertEqual(messages[0], "START RequestId: %s Version: $LATEST" % rid, messages)
        report = [m for m in messages if m.startswith("REPORT RequestId: " + rid)]
        self.assertEqual(len(report), 1, messages)
        self.assertRegex(report[0], r"\tInit Duration: \d+\.\d\d ms\t$")

    def crash_then_recover(self, name, crash_event, status):
        _, first_stream = self.assert_ok(name)
        self.assert_exit_error(name, crash_event, status)
        rid, stream = self.assert_ok(name)  # at once: the dead environment is not reused
        self.assert_fresh_environment(name, rid, stream, first_stream)
        rid2, stream2 = self.assert_ok(name)  # the fresh environment is warm now
        self.assertEqual(stream2, stream)
        report = [m for m in self.stream_messages(name, stream, rid2)
                  if m.startswith("REPORT RequestId: " + rid2)]
        self.assertNotIn("Init Duration", report[0])

    def test_python_exit_in_handler(self):
        self.create("rec-py", {"app.py": PY_CRASH}, "app.handler")
        self.crash_then_recover("rec-py", {"crash": True}, 1)

    def test_python_crash_on_first_invocation(self):
        self.create("rec-py-cold", {"app.py": PY_CRASH}, "app.handler")
        self.assert_exit_error("rec-py-cold", {"crash": True}, 1)
        rid, stream = self.assert_ok("rec-py-cold")
        self.assert_fresh_environment("rec-py-cold", rid, stream)

    def test_python_process_dies_while_idle(self):
        self.create("rec-py-idle", {"app.py": PY_CRASH}, "app.handler")
        resp, body = self.invoke("rec-py-idle", {"die_idle": True})
        self.assertNotIn("FunctionError", resp, body)
        old = body["stream"]
        time.sleep(1)  # the timer ends the process between invocations
        rid, stream = self.assert_ok("rec-py-idle")
        self.assert_fresh_environment("rec-py-idle", rid, stream, old)

    def test_node_exit_in_handler(self):
        self.create("rec-node", {"index.js": NODE_EXIT}, "index.handler", runtime="nodejs20.x")
        self.crash_then_recover("rec-node", {"crash": True}, 1)

    def test_node_uncaught_exception(self):
        # The runtime reports the exception for the invocation, then the process exits (129).
        self.create("rec-node-uncaught", {"index.js": NODE_UNCAUGHT}, "index.handler",
                    runtime="nodejs20.x")
        _, first_stream = self.assert_ok("rec-node-uncaught")
        resp, body = self.invoke("rec-node-uncaught", {"crash": True})
        self.assertEqual(resp.get("FunctionError"), "Unhandled", body)
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "boom")
        rid, stream = self.assert_ok("rec-node-uncaught")
        self.assert_fresh_environment("rec-node-uncaught", rid, stream, first_stream)

    def test_provided_bootstrap_exit(self):
        self.create("rec-sh", {"bootstrap": SHELL_BOOTSTRAP}, "x", runtime="provided.al2023",
                    modes={"bootstrap": 0o755})
        self.crash_then_recover("rec-sh", {"crash": True}, 1)

    def test_provided_bootstrap_that_serves_one_invocation(self):
        # Each Invoke waits for the previous environment's exit, then gets a fresh one.
        self.create("rec-sh-once", {"bootstrap": SHELL_BOOTSTRAP}, "x",
                    runtime="provided.al2023", modes={"bootstrap": 0o755})
        streams = set()
        for _ in range(3):
            resp, body = self.invoke("rec-sh-once", {"last": True})
            self.assertNotIn("FunctionError", resp, body)
            rid = resp["ResponseMetadata"]["RequestId"]
            self.assert_fresh_environment("rec-sh-once", rid, body["stream"])
            streams.add(body["stream"])
        self.assertEqual(len(streams), 3)


if __name__ == "__main__":
    unittest.main()
