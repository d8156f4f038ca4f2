"""A function that exceeds its MemorySize, in every runtime that has no heap limit of its own
(Python's is in test_lambda_invoke): the environment's memory cgroup kills it and Invoke answers
`Runtime.OutOfMemory` / "Runtime exited with error: signal: killed", as Lambda does; the next
invocation starts a fresh environment. Skipped where no cgroup memory controller is writable
(nimbus then runs functions without memory limits and says so in its start-up log)."""
import json
import shutil
import unittest

from test_lambda_support import LambdaTestCase

NODE_HOG = """
exports.handler = async () => {
  const blocks = [];
  for (let i = 0; i < 64; i++) blocks.push(Buffer.alloc(16 << 20, 1));
  return blocks.length;
};
"""

RUBY_HOG = """
def handler(event:, context:)
  return "small" if event["small"]
  blocks = []
  64.times { blocks << ("x" * (16 << 20)) }
  blocks.size
end
"""

# A custom runtime whose bootstrap grows itself (a shell variable of 256 MiB) on the first event.
SHELL_HOG = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  case "$EVENT" in
    *small*) ;;
    *) BIG="$(head -c 268435456 /dev/zero | tr '\\0' a)"; echo "${#BIG}" ;;
  esac
  curl -sS -X POST "$API/invocation/$ID/response" -d '"small"' >/dev/null
done
"""


def payload(resp):
    return json.loads(resp["Payload"].read())


class OutOfMemoryTest(LambdaTestCase):
    def setUp(self):
        super().setUp()
        if "memory limits: none" in self.server_log():
            self.skipTest("no writable cgroup memory controller on this machine: nimbus runs "
                          "functions without memory limits")

    def assert_out_of_memory(self, name):
        resp = self.lam.invoke(FunctionName=name, Payload=b"{}")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "Runtime.OutOfMemory", err)
        self.assertEqual(err["errorMessage"],
                         "RequestId: %s Error: Runtime exited with error: signal: killed"
                         % resp["ResponseMetadata"]["RequestId"])

    def test_node(self):
        self.create("js-hog", {"index.js": NODE_HOG}, "index.handler", runtime="nodejs20.x",
                    MemorySize=128, Timeout=30)
        self.assert_out_of_memory("js-hog")

    @unittest.skipUnless(shutil.which("ruby"), "ruby is not installed")
    def test_ruby_then_a_fresh_environment(self):
        self.create("rb-hog", {"app.rb": RUBY_HOG}, "app.handler", runtime="ruby3.3",
                    MemorySize=128, Timeout=30)
        self.assert_out_of_memory("rb-hog")
        resp = self.lam.invoke(FunctionName="rb-hog", Payload=b'{"small": true}')
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(payload(resp), "small")

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_custom_runtime(self):
        self.create("sh-hog", {"bootstrap": SHELL_HOG}, "x", runtime="provided.al2023",
                    modes={"bootstrap": 0o755}, MemorySize=128, Timeout=30)
        self.assert_out_of_memory("sh-hog")


if __name__ == "__main__":
    unittest.main()
