"""State snapshots: `nimbus state export FILE` / `nimbus state import FILE` and GET/POST
/_nimbus/state save and restore everything (tables, objects, queues, topics, functions, users,
log groups) as one archive taken while serving; export → wipe → import round-trips every kind of
resource byte for byte, and a bad or newer archive is refused without touching state."""
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import unittest

from nimbus_harness import BINARY, NimbusServer
from test_lambda_support import PYTHON_RUNTIME, ROLE, make_zip

BLOB = bytes((i * 7919 >> 3) & 0xFF for i in range(1_500_000))


def nimbus_cli(*args, port):
    return subprocess.run([BINARY] + list(args) + ["--port", str(port)], capture_output=True,
                          text=True, timeout=300)


class StateSnapshotTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = NimbusServer().start()
        cls.tmp = tempfile.mkdtemp(prefix="nimbus-state-test-")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.server.reset()[0], 200)

    # -- seeding and reading back every kind of resource ---------------------------------------

    def seed(self, server):
        ddb = server.client("dynamodb")
        ddb.create_table(
            TableName="orders",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "status", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        for i in range(30):
            ddb.put_item(TableName="orders", Item={
                "pk": {"S": "customer#%d" % (i % 3)}, "sk": {"N": str(i)},
                "status": {"S": "open" if i % 2 else "shipped"},
                "blob": {"B": BLOB[i:i + 100]}, "tags": {"SS": ["a", "b%d" % i]},
                "nested": {"M": {"n": {"N": "1.5"}, "l": {"L": [{"S": "x"}, {"NULL": True}]}}}})

        s3 = server.client("s3")
        s3.create_bucket(Bucket="assets")
        s3.put_bucket_versioning(Bucket="assets", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="assets", Key="big.bin", Body=BLOB, ContentType="application/x-bin",
                      Metadata={"owner": "team-a"})
        s3.put_object(Bucket="assets", Key="dir/note.txt", Body=b"v1")
        s3.put_object(Bucket="assets", Key="dir/note.txt", Body=b"version two")
        s3.put_object(Bucket="assets", Key="empty", Body=b"")
        s3.put_bucket_tagging(Bucket="assets", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})

        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
        for i in range(5):
            sqs.send_message(QueueUrl=url, MessageBody="job %d" % i, MessageAttributes={
                "n": {"DataType": "Number", "StringValue": str(i)}})
        fifo = sqs.create_queue(QueueName="ordered.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g")

        sns = server.client("sns")
        topic = sns.create_topic(Name="events")["TopicArn"]
        fanout = sqs.create_queue(QueueName="fanout")["QueueUrl"]
        fanout_arn = sqs.get_queue_attributes(QueueUrl=fanout, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fanout_arn,
                      Attributes={"RawMessageDelivery": "true"})

        lam = server.client("lambda")
        lam.create_function(FunctionName="greeter", Runtime=PYTHON_RUNTIME, Role=ROLE,
                            Handler="app.handler", Environment={"Variables": {"GREETING": "hi"}},
                            Code={"ZipFile": make_zip({"app.py": (
                                "import os\n"
                                "def handler(event, context):\n"
                                "    return os.environ['GREETING'] + ' ' + event['name']\n")})})

        iam = server.client("iam")
        iam.create_user(UserName="deployer", Tags=[{"Key": "team", "Value": "a"}])
        key = iam.create_access_key(UserName="deployer")["AccessKey"]

        logs = server.client("logs")
        logs.create_log_group(logGroupName="/app")
        logs.create_log_stream(logGroupName="/app", logStreamName="s1")
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName="/app", logStreamName="s1", logEvents=[
            {"timestamp": now + i, "message": "line %d" % i} for i in range(10)])
        return {"access_key": key}

    def observe(self, server):
        """Everything a client can read back, as plain data (no volatile fields)."""
        out = {}
        ddb = server.client("dynamodb")
        items = ddb.scan(TableName="orders")["Items"]
        out["items"] = sorted(items, key=lambda it: int(it["sk"]["N"]))
        out["gsi"] = sorted(int(it["sk"]["N"]) for it in ddb.query(
            TableName="orders", IndexName="by-status", KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "open"}})["Items"])
        table = ddb.describe_table(TableName="orders")["Table"]
        out["table"] = {k: table[k] for k in ("KeySchema", "AttributeDefinitions", "TableArn",
                                              "StreamSpecification", "LatestStreamArn")}

        s3 = server.client("s3")
        big = s3.get_object(Bucket="assets", Key="big.bin")
        out["big"] = (big["Body"].read(), big["ETag"], big["ContentType"], big["Metadata"],
                      big["VersionId"])
        versions = s3.list_object_versions(Bucket="assets")["Versions"]
        out["versions"] = sorted((v["Key"], v["VersionId"], v["ETag"], v["Size"], v["IsLatest"])
                                 for v in versions)
        out["note_versions"] = sorted(
            s3.get_object(Bucket="assets", Key="dir/note.txt", VersionId=v["VersionId"])[
                "Body"].read() for v in versions if v["Key"] == "dir/note.txt")
        out["empty"] = s3.get_object(Bucket="assets", Key="empty")["Body"].read()
        out["bucket_tags"] = s3.get_bucket_tagging(Bucket="assets")["TagSet"]

        sqs = server.client("sqs")
        url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        out["queue_attrs"] = {k: attrs[k] for k in ("VisibilityTimeout", "QueueArn",
                                                    "ApproximateNumberOfMessages")}
        # Queue URLs carry the server's own host and port; the path is what the state holds.
        out["queues"] = sorted(u.split("/", 3)[3] for u in sqs.list_queues()["QueueUrls"])
        sns = server.client("sns")
        out["topics"] = sns.list_topics()["Topics"]
        out["subscriptions"] = sorted((s["Protocol"], s["Endpoint"], s["SubscriptionArn"])
                                      for s in sns.list_subscriptions()["Subscriptions"])

        lam = server.client("lambda")
        cfg = lam.get_function_configuration(FunctionName="greeter")
        out["function"] = {k: cfg[k] for k in ("FunctionArn", "CodeSha256", "CodeSize",
                                               "Environment", "Handler", "Runtime")}
        iam = server.client("iam")
        user = iam.get_user(UserName="deployer")["User"]
        out["user"] = (user["Arn"], user["UserId"], user.get("Tags"))
        out["keys"] = [k["AccessKeyId"] for k in
                       iam.list_access_keys(UserName="deployer")["AccessKeyMetadata"]]
        logs = server.client("logs")
        events = logs.get_log_events(logGroupName="/app", logStreamName="s1",
                                     startFromHead=True)["events"]
        out["log_events"] = [(e["timestamp"], e["message"]) for e in events]
        return out

    def exercise(self, server, seeded):
        """The restored resources work, not just read: messages, fan-out, functions, keys."""
        sqs = server.client("sqs")
        url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
        got = []
        for _ in range(5):
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         MessageAttributeNames=["All"]).get("Messages", []):
                got.append((m["Body"], m["MessageAttributes"]["n"]["StringValue"]))
            if len(got) == 5:
                break
        self.assertEqual(sorted(got), [("job %d" % i, str(i)) for i in range(5)])
        fifo = sqs.get_queue_url(QueueName="ordered.fifo")["QueueUrl"]
        self.assertEqual([m["Body"] for m in sqs.receive_message(QueueUrl=fifo)["Messages"]],
                         ["first"])

        sns = server.client("sns")
        topic = sns.list_topics()["Topics"][0]["TopicArn"]
        sns.publish(TopicArn=topic, Message="after import")
        fanout = sqs.get_queue_url(QueueName="fanout")["QueueUrl"]
        msgs = sqs.receive_message(QueueUrl=fanout, WaitTimeSeconds=5).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], ["after import"])

        lam = server.client("lambda")
        resp = lam.invoke(FunctionName="greeter", Payload=json.dumps({"name": "state"}))
        self.assertEqual(json.loads(resp["Payload"].read()), "hi state")

        key = seeded["access_key"]
        sts = server.client("sts", access_key=key["AccessKeyId"],
                            secret_key=key["SecretAccessKey"])
        self.assertEqual(sts.get_caller_identity()["Arn"],
                         "arn:aws:iam::000000000000:user/deployer")

    def assertEmpty(self, server):
        self.assertEqual(server.client("dynamodb").list_tables()["TableNames"], [])
        self.assertEqual(server.client("s3").list_buckets()["Buckets"], [])
        self.assertNotIn("QueueUrls", server.client("sqs").list_queues())
        self.assertEqual(server.client("lambda").list_functions()["Functions"], [])

    # -- tests ----------------------------------------------------------------------------------

    def test_cli_export_wipe_import_round_trips_every_resource(self):
        seeded = self.seed(self.server)
        before = self.observe(self.server)
        archive = os.path.join(self.tmp, "seed.tar.gz")
        proc = nimbus_cli("state", "export", archive, port=self.server.port)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(tarfile.is_tarfile(archive))
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile("nimbus-state/manifest.json"))
        self.assertEqual(names[0], "nimbus-state/manifest.json")
        self.assertEqual(names[-1], "nimbus-state/end.json")
        self.assertEqual(manifest["format"], 2)

        self.assertEqual(self.server.reset()[0], 200)
        self.assertEmpty(self.server)

        t0 = time.time()
        proc = nimbus_cli("state", "import", archive, port=self.server.port)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertLess(time.time() - t0, 10)
        summary = json.loads(proc.stdout)
        self.assertTrue(summary["imported"])
        # big.bin and the function's code; S3 objects of at most 4 KiB travel as records.
        self.assertGreaterEqual(summary["blobs"], 2)
        after = self.observe(self.server)
        for key in before:
            self.assertEqual(after[key], before[key], key)
        self.exercise(self.server, seeded)

    def test_a_snapshot_seeds_another_server_and_survives_its_restart(self):
        seeded = self.seed(self.server)
        before = self.observe(self.server)
        status, headers, archive = self.server.http("GET", "/_nimbus/state", timeout=120)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/gzip")
        other = NimbusServer().start()
        try:
            status, _, body = other.http("POST", "/_nimbus/state", archive, timeout=120)
            self.assertEqual(status, 200, body)
            self.assertEqual(self.observe(other), before)
            other.kill9()
            other.start()
            self.assertEqual(self.observe(other), before)
            self.exercise(other, seeded)
        finally:
            other.cleanup()

    def test_export_while_writes_go_on_is_consistent(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="busy")
        stop = threading.Event()
        errors = []

        def churn():
            c = self.server.client("s3")
            i = 0
            while not stop.is_set():
                try:
                    c.put_object(Bucket="busy", Key="k%d" % (i % 20), Body=b"x" * (i % 5000))
                    if i % 3 == 0:
                        c.delete_object(Bucket="busy", Key="k%d" % ((i + 7) % 20))
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                i += 1

        threads = [threading.Thread(target=churn) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            archives = []
            for _ in range(3):
                status, _, archive = self.server.http("GET", "/_nimbus/state", timeout=120)
                self.assertEqual(status, 200)
                archives.append(archive)
                time.sleep(0.1)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(errors, [])
        for archive in archives:
            self.assertEqual(self.server.http("POST", "/_nimbus/state", archive, timeout=120)[0],
                             200)
            listed = s3.list_objects_v2(Bucket="busy").get("Contents", [])
            for obj in listed:  # every object the snapshot lists has its bytes
                body = s3.get_object(Bucket="busy", Key=obj["Key"])["Body"].read()
                self.assertEqual(len(body), obj["Size"])

    def tar_gz(self, entries):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for name, data in entries:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    def test_newer_format_and_damaged_archives_are_refused_and_change_nothing(self):
        self.server.client("s3").create_bucket(Bucket="keep")
        newer = self.tar_gz([("nimbus-state/manifest.json",
                              json.dumps({"format": 3, "nimbus": "9.9.9"}).encode()),
                             ("nimbus-state/end.json", b'{"kv_records":0,"blobs":0,"blob_bytes":0}')])
        path = os.path.join(self.tmp, "newer.tar.gz")
        with open(path, "wb") as f:
            f.write(newer)
        proc = nimbus_cli("state", "import", path, port=self.server.port)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("format 3, newer than this nimbus understands (format 2)", proc.stderr)

        status, _, archive = self.server.http("GET", "/_nimbus/state")
        bad = [
            b"",
            b"not an archive at all",
            archive[:len(archive) // 2],  # truncated
            self.tar_gz([("other/file", b"x")]),  # not ours
            self.tar_gz([("nimbus-state/manifest.json", b'{"format": 1}')]),  # no trailer
            self.tar_gz([("nimbus-state/manifest.json", b'{"format": 1}'),
                         ("nimbus-state/kv/000000", b"\x05ab"),  # record cut short
                         ("nimbus-state/end.json", b'{"kv_records":1,"blobs":0,"blob_bytes":0}')]),
            self.tar_gz([("nimbus-state/manifest.json", b'{"format": 1}'),
                         ("nimbus-state/blobs/../escape", b"x"),
                         ("nimbus-state/end.json", b'{"kv_records":0,"blobs":1,"blob_bytes":1}')]),
            self.tar_gz([("nimbus-state/manifest.json", b'{"format": 1}'),
                         ("nimbus-state/end.json", b'{"kv_records":5,"blobs":0,"blob_bytes":0}')]),
        ]
        for body in bad:
            status, _, answer = self.server.http("POST", "/_nimbus/state", body)
            self.assertEqual(status, 400, (body[:40], answer))
            self.assertFalse(json.loads(answer)["imported"])
            self.assertEqual([b["Name"] for b in
                              self.server.client("s3").list_buckets()["Buckets"]], ["keep"])
        status, _, _ = self.server.http("PUT", "/_nimbus/state", b"")
        self.assertEqual(status, 405)

    def test_cli_reports_a_server_that_is_not_running(self):
        proc = nimbus_cli("state", "export", os.path.join(self.tmp, "x.tar.gz"), port=1)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("not running", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.tar.gz")))


if __name__ == "__main__":
    unittest.main()
