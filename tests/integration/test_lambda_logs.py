"""Lambda function logs in CloudWatch Logs (developer guide, "Working with Lambda function
logs"): group /aws/lambda/<name>, one stream per execution environment named
YYYY/MM/DD/[$LATEST]<id>, the function's output and the START/END/REPORT lines."""
import time
import unittest

from nimbus_harness import NimbusServer
from test_lambda_support import LambdaTestCase, PYTHON_RUNTIME, ROLE, make_zip

CODE = {"app.py": "def handler(event, context):\n    print('line one')\n    print('line two')\n"
                  "    return 1\n"}


class LambdaLogsTest(LambdaTestCase):
    def events(self, group, want, timeout=10):
        logs = self.client("logs")
        deadline = time.time() + timeout
        messages = []
        while time.time() < deadline:
            try:
                messages = [e["message"] for e in
                            logs.filter_log_events(logGroupName=group)["events"]]
            except logs.exceptions.ResourceNotFoundException:
                messages = []
            if sum(1 for m in messages if m.startswith("REPORT RequestId:")) >= want:
                return messages
            time.sleep(0.05)
        self.fail("no REPORT lines in %s: %r" % (group, messages))

    def test_output_and_report_lines_reach_the_log_group(self):
        self.create("logged", CODE, "app.handler")
        rid = self.lam.invoke(FunctionName="logged")["ResponseMetadata"]["RequestId"]
        messages = self.events("/aws/lambda/logged", 1)
        start = messages.index("START RequestId: %s Version: $LATEST" % rid)
        self.assertEqual(messages[start + 1:start + 3], ["line one", "line two"])
        self.assertEqual(messages[start + 3], "END RequestId: %s" % rid)
        self.assertRegex(messages[start + 4],
                         r"^REPORT RequestId: %s\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t"
                         r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms"
                         % rid)
        streams = self.client("logs").describe_log_streams(
            logGroupName="/aws/lambda/logged")["logStreams"]
        self.assertEqual(len(streams), 1)
        self.assertRegex(streams[0]["logStreamName"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")

    def test_warm_invocations_share_the_stream(self):
        self.create("warm", CODE, "app.handler")
        for _ in range(3):
            self.lam.invoke(FunctionName="warm")
        messages = self.events("/aws/lambda/warm", 3)
        self.assertEqual(sum(1 for m in messages if m == "line one"), 3)
        streams = self.client("logs").describe_log_streams(
            logGroupName="/aws/lambda/warm")["logStreams"]
        self.assertEqual(len(streams), 1)

    def test_deleted_group_is_made_again(self):
        self.create("again", CODE, "app.handler")
        self.lam.invoke(FunctionName="again")
        self.events("/aws/lambda/again", 1)
        self.client("logs").delete_log_group(logGroupName="/aws/lambda/again")
        self.lam.invoke(FunctionName="again")
        self.events("/aws/lambda/again", 1)


class LambdaLogsShutdownTest(unittest.TestCase):
    """Lines are written a few milliseconds after the invocation that made them; a graceful
    shutdown (SIGTERM) right after the last answer writes what is still queued."""

    def test_lines_queued_at_shutdown_are_kept(self):
        server = NimbusServer().start()
        try:
            lam = server.client("lambda")
            lam.create_function(FunctionName="bye", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                Handler="app.handler", Code={"ZipFile": make_zip(CODE)})
            ids = [lam.invoke(FunctionName="bye")["ResponseMetadata"]["RequestId"]
                   for _ in range(5)]
            server.stop()
            server.start()
            events = server.client("logs").filter_log_events(
                logGroupName="/aws/lambda/bye")["events"]
            messages = [e["message"] for e in events]
            for rid in ids:
                self.assertIn("END RequestId: %s" % rid, messages)
                self.assertEqual(
                    sum(1 for m in messages if m.startswith("REPORT RequestId: %s\t" % rid)), 1)
            self.assertEqual(messages.count("line one"), 5)
        finally:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
