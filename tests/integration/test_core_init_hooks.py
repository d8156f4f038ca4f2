"""LocalStack-style init hooks: scripts in <init-dir>/{boot,start,ready,shutdown}.d/ run in name
order at each stage, a LocalStack ready.d script using awslocal works unchanged, and
GET /_localstack/init reports each script's outcome in LocalStack's shape."""
import json
import os
import shutil
import signal
import sys
import tempfile
import textwrap
import time
import unittest

from nimbus_harness import NimbusServer

# What a LocalStack user has in ready.d: awslocal calls creating a bucket, a table and a queue.
SEED_SH = """\
#!/bin/bash
set -euo pipefail
awslocal s3 mb s3://seeded-bucket
awslocal dynamodb create-table --table-name seeded-table \\
    --attribute-definitions AttributeName=id,AttributeType=S \\
    --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST
awslocal sqs create-queue --queue-name seeded-queue
echo "$AWS_ENDPOINT_URL" > "$MARKS/ready-endpoint"
"""

NESTED_PY = """\
import os
import boto3  # picks the endpoint up from AWS_ENDPOINT_URL
boto3.client("sns").create_topic(Name="seeded-topic")
open(os.path.join(os.environ["MARKS"], "order"), "a").write("nested.py\\n")
"""


class InitHooksTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="nimbus-init-")
        self.marks = os.path.join(self.root, "marks")
        os.makedirs(self.marks)
        self.init = os.path.join(self.root, "init")

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def script(self, rel, text, executable=True):
        path = os.path.join(self.init, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        if executable:
            os.chmod(path, 0o755)

    def start(self):
        env = {"MARKS": self.marks,
               # the AWS CLI of the Python running the tests, not a version-manager shim
               "PATH": os.path.dirname(os.path.realpath(sys.executable)) + ":" +
               os.environ.get("PATH", "")}
        server = NimbusServer("--init-dir", self.init, env=env)
        self.addCleanup(server.cleanup)
        return server.start()

    def init_status(self, server, stage=""):
        status, _, body = server.http("GET", "/_localstack/init" + stage)
        return status, json.loads(body)

    def wait_ready(self, server, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, doc = self.init_status(server, "/ready")
            if doc["completed"]:
                return doc
            time.sleep(0.1)
        self.fail("ready stage did not complete:\n" + server.read_log())

    def test_localstack_ready_script_seeds_resources_and_status_is_reported(self):
        self.script("boot.d/01-boot.sh", "#!/bin/sh\necho boot >> \"$MARKS/order\"\n")
        self.script("start.d/start.py",
                    "import os\nopen(os.environ['MARKS'] + '/order', 'a').write('start\\n')\n")
        self.script("ready.d/01-seed.sh", SEED_SH)
        self.script("ready.d/02-fails.sh", "#!/bin/sh\necho failing >> \"$MARKS/order\"\nexit 3\n")
        # not executable: still run (with bash), after the failure, before the subdirectory
        self.script("ready.d/03-plain.sh", "echo plain >> \"$MARKS/order\"\n", executable=False)
        self.script("ready.d/sub/nested.py", NESTED_PY)
        self.script("ready.d/README.txt", "not a script")
        self.script("shutdown.d/bye.sh",
                    "#!/bin/sh\nawslocal s3 ls > \"$MARKS/shutdown-ls\"\n")

        server = self.start()
        ready = self.wait_ready(server)
        self.assertEqual(ready["scripts"], [
            {"stage": "READY", "name": "01-seed.sh", "state": "SUCCESSFUL"},
            {"stage": "READY", "name": "02-fails.sh", "state": "ERROR"},
            {"stage": "READY", "name": "03-plain.sh", "state": "SUCCESSFUL"},
            {"stage": "READY", "name": "nested.py", "state": "SUCCESSFUL"},
        ])
        status, doc = self.init_status(server)
        self.assertEqual(status, 200)
        self.assertEqual(doc["completed"],
                         {"BOOT": True, "START": True, "READY": True, "SHUTDOWN": False})
        self.assertEqual([(s["stage"], s["name"], s["state"]) for s in doc["scripts"]], [
            ("BOOT", "01-boot.sh", "SUCCESSFUL"),
            ("START", "start.py", "SUCCESSFUL"),
            ("READY", "01-seed.sh", "SUCCESSFUL"),
            ("READY", "02-fails.sh", "ERROR"),
            ("READY", "03-plain.sh", "SUCCESSFUL"),
            ("READY", "nested.py", "SUCCESSFUL"),
            ("SHUTDOWN", "bye.sh", "UNKNOWN"),
        ])
        self.assertEqual(self.init_status(server, "/boot")[1]["completed"], True)
        self.assertEqual(self.init_status(server, "/nonsense")[0], 404)

        with open(os.path.join(self.marks, "order")) as f:
            self.assertEqual(f.read().split(), ["boot", "start", "failing", "plain", "nested.py"])
        with open(os.path.join(self.marks, "ready-endpoint")) as f:
            self.assertEqual(f.read().strip(), server.endpoint)
        # The resources the scripts made exist.
        self.assertEqual([b["Name"] for b in server.client("s3").list_buckets()["Buckets"]],
                         ["seeded-bucket"])
        self.assertEqual(server.client("dynamodb").describe_table(
            TableName="seeded-table")["Table"]["TableStatus"], "ACTIVE")
        self.assertTrue(server.client("sqs").get_queue_url(QueueName="seeded-queue")["QueueUrl"])
        self.assertTrue(server.client("sns").list_topics()["Topics"][0]["TopicArn"]
                        .endswith(":seeded-topic"))

        # SHUTDOWN scripts run on a graceful stop while the API still answers.
        self.assertEqual(server.stop(signal.SIGTERM, timeout=60), 0)
        with open(os.path.join(self.marks, "shutdown-ls")) as f:
            self.assertIn("seeded-bucket", f.read())

    def test_without_init_scripts_every_stage_is_complete(self):
        os.makedirs(self.init)
        server = self.start()
        doc = self.wait_ready(server)
        self.assertEqual(doc, {"completed": True, "scripts": []})
        self.assertEqual(self.init_status(server)[1],
                         {"completed": {"BOOT": True, "START": True, "READY": True,
                                        "SHUTDOWN": False},
                          "scripts": []})


if __name__ == "__main__":
    unittest.main()
