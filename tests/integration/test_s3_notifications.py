"""S3 event notifications (S3 User Guide, "Amazon S3 Event Notifications", "Event message
structure"): after each committed write S3 sends one message per matching configuration to an
SQS queue (the event JSON as the body), an SNS topic (Subject "Amazon S3 Notification") or a
Lambda function (invoked asynchronously with the event). Event version 2.1 records: the event
name without "s3:", the key URL-encoded with spaces as '+', the eTag unquoted, versionId on
versioned buckets, a hex sequencer increasing per key. PutBucketNotificationConfiguration sends
s3:TestEvent to queues and topics, checks that destinations exist ("Unable to validate the
following destination configurations") and refuses configurations that share an event type
with overlapping prefix/suffix filters."""
import hashlib
import json
import re
import tempfile
import time
import unittest

import botocore.exceptions
import requests

from test_lambda_support import LambdaTestCase, PYTHON_RUNTIME, ROLE, make_zip

ClientError = botocore.exceptions.ClientError
ACCOUNT = "000000000000"
BUCKET = "notify-bucket"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# Writes each S3 record it gets to the "uploads" table (boto3 of the runtime, as on AWS).
WRITER = """
import boto3

table = boto3.resource("dynamodb").Table("uploads")

def handler(event, context):
    for r in event["Records"]:
        table.put_item(Item={"key": r["s3"]["object"]["key"], "eventName": r["eventName"],
                             "bucket": r["s3"]["bucket"]["name"],
                             "size": r["s3"]["object"].get("size", -1),
                             "configurationId": r["s3"]["configurationId"],
                             "eventSource": r["eventSource"]})
    return "ok"
"""


class S3NotificationsTest(LambdaTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.sqs = self.client("sqs")
        self.s3.create_bucket(Bucket=BUCKET)

    # helpers -----------------------------------------------------------------------------------

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def configure(self, config, bucket=BUCKET, **kw):
        return self.s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=config, **kw)

    def receive(self, url, count, timeout=15):
        """The first `count` message bodies (parsed) of `url`, in order; fails if fewer come."""
        out = []
        deadline = time.time() + timeout
        while len(out) < count and time.time() < deadline:
            for m in self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                              MaxNumberOfMessages=10).get("Messages", []):
                out.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(len(out), count, out)
        return out

    def records(self, url, count):
        """The single records of the next `count` event messages."""
        out = []
        for body in self.receive(url, count):
            self.assertEqual(len(body["Records"]), 1, body)
            out.append(body["Records"][0])
        return out

    def assertQueueEmpty(self, url):
        msgs = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(msgs, [])

    def queue_config(self, arn, events, id_="cfg", prefix=None, suffix=None):
        c = {"Id": id_, "QueueArn": arn, "Events": events}
        rules = []
        if prefix is not None:
            rules.append({"Name": "prefix", "Value": prefix})
        if suffix is not None:
            rules.append({"Name": "suffix", "Value": suffix})
        if rules:
            c["Filter"] = {"Key": {"FilterRules": rules}}
        return c

    # SQS ---------------------------------------------------------------------------------------

    def test_put_object_sends_the_event_record_to_the_queue(self):
        url, arn = self.queue("events")
        r = self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectCreated:*"], id_="created")]})
        test = self.receive(url, 1)[0]
        self.assertEqual(set(test), {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"})
        self.assertEqual(test["Service"], "Amazon S3")
        self.assertEqual(test["Event"], "s3:TestEvent")
        self.assertEqual(test["Bucket"], BUCKET)
        self.assertRegex(test["Time"], ISO_MS)
        self.assertEqual(test["RequestId"], r["ResponseMetadata"]["RequestId"])

        body = b"hello world"
        put = self.s3.put_object(Bucket=BUCKET, Key="photos/red flower+1.jpg", Body=body)
        rec = self.records(url, 1)[0]
        self.assertEqual(set(rec), {"eventVersion", "eventSource", "awsRegion", "eventTime",
                                    "eventName", "userIdentity", "requestParameters",
                                    "responseElements", "s3"})
        self.assertEqual(rec["eventVersion"], "2.1")
        self.assertEqual(rec["eventSource"], "aws:s3")
        self.assertEqual(rec["awsRegion"], "us-east-1")
        self.assertRegex(rec["eventTime"], ISO_MS)
        self.assertEqual(rec["eventName"], "ObjectCreated:Put")
        self.assertTrue(rec["userIdentity"]["principalId"])
        self.assertEqual(rec["requestParameters"], {"sourceIPAddress": "127.0.0.1"})
        self.assertEqual(rec["responseElements"], {
            "x-amz-request-id": put["ResponseMetadata"]["RequestId"],
            "x-amz-id-2": put["ResponseMetadata"]["HostId"]})
        s3 = rec["s3"]
        self.assertEqual(s3["s3SchemaVersion"], "1.0")
        self.assertEqual(s3["configurationId"], "created")
        self.assertEqual(s3["bucket"]["name"], BUCKET)
        self.assertEqual(s3["bucket"]["arn"], "arn:aws:s3:::" + BUCKET)
        self.assertRegex(s3["bucket"]["ownerIdentity"]["principalId"], r"^A[A-Z0-9]{13}$")
        obj = s3["object"]
        self.assertEqual(set(obj), {"key", "size", "eTag", "sequencer"})
        self.assertEqual(obj["key"], "photos/red+flower%2B1.jpg")
        self.assertEqual(obj["size"], len(body))
        self.assertEqual(obj["eTag"], hashlib.md5(body).hexdigest())
        self.assertEqual(put["ETag"], '"%s"' % obj["eTag"])
        self.assertRegex(obj["sequencer"], r"^[0-9A-F]+$")

        # A later write of the same key has a greater sequencer.
        self.s3.put_object(Bucket=BUCKET, Key="photos/red flower+1.jpg", Body=b"again")
        later = self.records(url, 1)[0]["s3"]["object"]
        self.assertGreater(later["sequencer"], obj["sequencer"])
        self.assertEqual(len(later["sequencer"]), len(obj["sequencer"]))

    def test_filters_select_keys_case_sensitively(self):
        url, arn = self.queue("csv")
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectCreated:Put"], prefix="in/", suffix=".csv")]})
        self.receive(url, 1)  # the test event
        for key in ("in/a.CSV", "In/a.csv", "out/a.csv", "in/a.txt", "in/a.csv"):
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        # Only the matching key, and only Put: a copy is another event type.
        self.s3.copy_object(Bucket=BUCKET, Key="in/copy.csv", CopySource=BUCKET + "/in/a.csv")
        self.s3.put_object(Bucket=BUCKET, Key="in/b.csv", Body=b"x")
        keys = [r["s3"]["object"]["key"] for r in self.records(url, 2)]
        self.assertEqual(keys, ["in/a.csv", "in/b.csv"])
        self.assertQueueEmpty(url)

    def test_delete_and_delete_objects(self):
        url, arn = self.queue("removed")
        for key in ("a", "b", "c"):
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectRemoved:*"], id_="gone")]})
        self.receive(url, 1)
        self.s3.delete_object(Bucket=BUCKET, Key="a")
        self.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "b"}, {"Key": "c"}]})
        recs = self.records(url, 3)
        self.assertEqual([r["eventName"] for r in recs], ["ObjectRemoved:Delete"] * 3)
        self.assertEqual([r["s3"]["object"]["key"] for r in recs], ["a", "b", "c"])
        for r in recs:
            self.assertEqual(set(r["s3"]["object"]), {"key", "sequencer"})
            self.assertEqual(r["s3"]["configurationId"], "gone")
        # Writes are not removals.
        self.s3.put_object(Bucket=BUCKET, Key="d", Body=b"x")
        self.assertQueueEmpty(url)

    def test_versioned_bucket_put_delete_marker_and_version_delete(self):
        url, arn = self.queue("versions")
        self.s3.put_bucket_versioning(Bucket=BUCKET,
                                      VersioningConfiguration={"Status": "Enabled"})
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])]})
        self.receive(url, 1)
        put = self.s3.put_object(Bucket=BUCKET, Key="doc.txt", Body=b"v1")
        marker = self.s3.delete_object(Bucket=BUCKET, Key="doc.txt")
        self.assertTrue(marker["DeleteMarker"])
        self.s3.delete_object(Bucket=BUCKET, Key="doc.txt", VersionId=put["VersionId"])
        created, marked, removed = self.records(url, 3)
        self.assertEqual(created["eventName"], "ObjectCreated:Put")
        self.assertEqual(created["s3"]["object"]["versionId"], put["VersionId"])
        self.assertEqual(marked["eventName"], "ObjectRemoved:DeleteMarkerCreated")
        self.assertEqual(marked["s3"]["object"]["versionId"], marker["VersionId"])
        self.assertEqual(set(marked["s3"]["object"]), {"key", "versionId", "sequencer"})
        self.assertEqual(removed["eventName"], "ObjectRemoved:Delete")
        self.assertEqual(removed["s3"]["object"]["versionId"], put["VersionId"])
        seqs = [r["s3"]["object"]["sequencer"] for r in (created, marked, removed)]
        self.assertEqual(seqs, sorted(seqs))

    def test_multipart_copy_and_post_uploads(self):
        url, arn = self.queue("created")
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectCreated:*"])]})
        self.receive(url, 1)
        mpu = self.s3.create_multipart_upload(Bucket=BUCKET, Key="big.bin")
        part1, part2 = b"a" * (5 << 20), b"b" * 10
        parts = []
        for n, data in ((1, part1), (2, part2)):
            p = self.s3.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=mpu["UploadId"],
                                    PartNumber=n, Body=data)
            parts.append({"PartNumber": n, "ETag": p["ETag"]})
        done = self.s3.complete_multipart_upload(Bucket=BUCKET, Key="big.bin",
                                                 UploadId=mpu["UploadId"],
                                                 MultipartUpload={"Parts": parts})
        self.s3.copy_object(Bucket=BUCKET, Key="copy.bin", CopySource=BUCKET + "/big.bin")
        post = self.s3.generate_presigned_post(BUCKET, "form.txt", ExpiresIn=300)
        r = requests.post(post["url"], data=post["fields"],
                          files={"file": ("form.txt", b"form", "text/plain")}, timeout=10)
        self.assertEqual(r.status_code, 204)
        completed, copied, posted = self.records(url, 3)
        self.assertEqual(completed["eventName"], "ObjectCreated:CompleteMultipartUpload")
        self.assertEqual(completed["s3"]["object"]["size"], len(part1) + len(part2))
        self.assertEqual(completed["s3"]["object"]["eTag"], done["ETag"].strip('"'))
        self.assertTrue(completed["s3"]["object"]["eTag"].endswith("-2"))
        self.assertEqual(copied["eventName"], "ObjectCreated:Copy")
        self.assertEqual(copied["s3"]["object"]["key"], "copy.bin")
        self.assertEqual(posted["eventName"], "ObjectCreated:Post")
        self.assertEqual(posted["s3"]["object"]["key"], "form.txt")
        self.assertEqual(posted["s3"]["object"]["size"], 4)

    def test_tagging_events(self):
        url, arn = self.queue("tags")
        self.s3.put_object(Bucket=BUCKET, Key="t", Body=b"x")
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectTagging:*"])]})
        self.receive(url, 1)
        self.s3.put_object_tagging(Bucket=BUCKET, Key="t",
                                   Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        self.s3.delete_object_tagging(Bucket=BUCKET, Key="t")
        recs = self.records(url, 2)
        self.assertEqual([r["eventName"] for r in recs],
                         ["ObjectTagging:Put", "ObjectTagging:Delete"])
        self.assertEqual(recs[0]["s3"]["object"]["eTag"], hashlib.md5(b"x").hexdigest())

    def test_lifecycle_expiration_events(self):
        url, arn = self.queue("expired")
        self.s3.put_object(Bucket=BUCKET, Key="logs/old.txt", Body=b"x")
        self.s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={
            "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                       "Expiration": {"Date": "2020-01-01T00:00:00Z"}}]})
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:LifecycleExpiration:*"])]})
        self.receive(url, 1)
        status, _, _ = self.server.http("POST", "/_nimbus/s3/lifecycle")
        self.assertEqual(status, 200)
        rec = self.records(url, 1)[0]
        self.assertEqual(rec["eventName"], "LifecycleExpiration:Delete")
        self.assertEqual(rec["s3"]["object"]["key"], "logs/old.txt")
        self.assertEqual(rec["userIdentity"]["principalId"], "s3.amazonaws.com")

    def test_cli_copy_sends_the_event(self):
        url, arn = self.queue("cli")
        code, _, err = self.server.aws(
            "s3api", "put-bucket-notification-configuration", "--bucket", BUCKET,
            "--notification-configuration", json.dumps({"QueueConfigurations": [
                self.queue_config(arn, ["s3:ObjectCreated:*"], id_="cli")]}))
        self.assertEqual(code, 0, err)
        self.assertEqual(self.receive(url, 1)[0]["Event"], "s3:TestEvent")
        with tempfile.NamedTemporaryFile(suffix=".txt") as f:
            f.write(b"from the cli")
            f.flush()
            self.server.aws("s3", "cp", f.name, "s3://%s/cli/upload 1.txt" % BUCKET)
        rec = self.records(url, 1)[0]
        self.assertEqual(rec["eventName"], "ObjectCreated:Put")
        self.assertEqual(rec["s3"]["object"]["key"], "cli/upload+1.txt")
        self.assertEqual(rec["s3"]["object"]["size"], len(b"from the cli"))

    # SNS ---------------------------------------------------------------------------------------

    def test_topic_delivers_the_event_in_the_sns_envelope(self):
        sns = self.client("sns")
        topic = sns.create_topic(Name="uploads")["TopicArn"]
        url, arn = self.queue("from-topic")
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        self.configure({"TopicConfigurations": [
            {"Id": "to-topic", "TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]})
        test = self.receive(url, 1)[0]
        self.assertEqual(test["Type"], "Notification")
        self.assertEqual(test["Subject"], "Amazon S3 Notification")
        self.assertEqual(json.loads(test["Message"])["Event"], "s3:TestEvent")
        self.s3.put_object(Bucket=BUCKET, Key="k.txt", Body=b"abc")
        envelope = self.receive(url, 1)[0]
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"], "Amazon S3 Notification")
        rec = json.loads(envelope["Message"])["Records"][0]
        self.assertEqual(rec["eventName"], "ObjectCreated:Put")
        self.assertEqual(rec["s3"]["configurationId"], "to-topic")
        self.assertEqual(rec["s3"]["object"]["key"], "k.txt")
        self.assertEqual(rec["s3"]["object"]["size"], 3)

    # Lambda ------------------------------------------------------------------------------------

    def test_put_object_runs_the_function_which_writes_to_dynamodb(self):
        ddb = self.client("dynamodb")
        ddb.create_table(TableName="uploads", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}])
        fn = self.create("on-upload", {"app.py": WRITER}, "app.handler", Timeout=30)
        self.lam.add_permission(FunctionName="on-upload", StatementId="s3",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                SourceArn="arn:aws:s3:::" + BUCKET)
        self.configure({"LambdaFunctionConfigurations": [
            {"Id": "to-lambda", "LambdaFunctionArn": fn["FunctionArn"],
             "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
                 {"Name": "suffix", "Value": ".jpg"}]}}}]})
        started = time.time()
        self.s3.put_object(Bucket=BUCKET, Key="skip.png", Body=b"no")
        self.s3.put_object(Bucket=BUCKET, Key="cat pic.jpg", Body=b"meow!")
        item = None
        deadline = time.time() + 60
        while item is None and time.time() < deadline:
            item = ddb.get_item(TableName="uploads", Key={"key": {"S": "cat+pic.jpg"}},
                                ConsistentRead=True).get("Item")
            if item is None:
                time.sleep(0.2)
        self.assertIsNotNone(item, "the function did not write the event")
        self.assertEqual(item["eventName"], {"S": "ObjectCreated:Put"})
        self.assertEqual(item["bucket"], {"S": BUCKET})
        self.assertEqual(item["size"], {"N": "5"})
        self.assertEqual(item["configurationId"], {"S": "to-lambda"})
        self.assertEqual(item["eventSource"], {"S": "aws:s3"})
        # No test event goes to functions, and the filtered-out key did not run it.
        scan = ddb.scan(TableName="uploads", ConsistentRead=True)["Items"]
        self.assertEqual([i["key"]["S"] for i in scan], ["cat+pic.jpg"])
        print("put -> function -> dynamodb: %.2fs" % (time.time() - started))

    # PutBucketNotificationConfiguration --------------------------------------------------------

    def test_ids_are_assigned_and_the_cli_reads_the_configuration(self):
        url, arn = self.queue("ids")
        self.configure({"QueueConfigurations": [{"QueueArn": arn,
                                                 "Events": ["s3:ObjectCreated:*"]}],
                        "EventBridgeConfiguration": {}})
        got = self.s3.get_bucket_notification_configuration(Bucket=BUCKET)
        cfg = got["QueueConfigurations"][0]
        self.assertTrue(cfg["Id"])
        self.assertEqual(cfg["QueueArn"], arn)
        self.assertIn("EventBridgeConfiguration", got)
        _, out, _ = self.server.aws("s3api", "get-bucket-notification-configuration",
                                    "--bucket", BUCKET)
        self.assertEqual(out["QueueConfigurations"][0]["Id"], cfg["Id"])
        # An empty configuration turns notifications off.
        self.receive(url, 1)
        self.configure({})
        self.s3.put_object(Bucket=BUCKET, Key="quiet", Body=b"x")
        self.assertQueueEmpty(url)
        self.assertNotIn("QueueConfigurations",
                         self.s3.get_bucket_notification_configuration(Bucket=BUCKET))

    def test_destinations_must_exist(self):
        missing = {
            "arn:aws:sqs:us-east-1:%s:nope" % ACCOUNT: (
                "QueueConfigurations", "QueueArn", "The destination queue does not exist"),
            "arn:aws:sns:us-east-1:%s:nope" % ACCOUNT: (
                "TopicConfigurations", "TopicArn", "The destination topic does not exist"),
            "arn:aws:lambda:us-east-1:%s:function:nope" % ACCOUNT: (
                "LambdaFunctionConfigurations", "LambdaFunctionArn",
                "The destination Lambda does not exist")}
        for arn, (kind, member, reason) in missing.items():
            config = {kind: [{member: arn, "Events": ["s3:ObjectCreated:*"]}]}
            with self.assertRaises(ClientError) as ctx:
                self.configure(config)
            err = self.assertAwsError(ctx, "InvalidArgument", 400)["Error"]
            self.assertEqual(err["Message"],
                             "Unable to validate the following destination configurations")
            self.assertEqual(err["ArgumentName1"], arn)
            self.assertEqual(err["ArgumentValue1"], reason)
            # x-amz-skip-destination-validation stores it anyway.
            self.configure(config, SkipDestinationValidation=True)
            self.assertEqual(self.s3.get_bucket_notification_configuration(
                Bucket=BUCKET)[kind][0][member], arn)
        # Nothing was stored by the refused puts; events to a missing queue are dropped quietly.
        self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="k")["Body"].read(), b"x")

    def test_hostile_configurations(self):
        url, arn = self.queue("hostile")
        overlap = ("Configurations overlap. Configurations on the same bucket cannot share a "
                   "common event type.")
        cases = [
            ({"QueueConfigurations": [
                self.queue_config(arn, ["s3:ObjectCreated:*"], id_="a", prefix="img/"),
                self.queue_config(arn, ["s3:ObjectCreated:Put"], id_="b", prefix="img/raw/")]},
             overlap),
            ({"QueueConfigurations": [
                self.queue_config(arn, ["s3:ObjectRemoved:Delete"], id_="a", suffix=".jpg"),
                self.queue_config(arn, ["s3:ObjectRemoved:*"], id_="b")]}, overlap),
            ({"QueueConfigurations": [self.queue_config(arn, ["s3:ObjectCreated:Bogus"])]},
             "The event is not supported for notifications"),
            ({"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                       "Filter": {"Key": {"FilterRules": [
                                           {"Name": "prefix", "Value": "a"},
                                           {"Name": "prefix", "Value": "b"}]}}}]},
             "Cannot specify more than one prefix rule in a filter."),
            ({"QueueConfigurations": [{"QueueArn": "arn:aws:sns:us-east-1:1:t",
                                       "Events": ["s3:ObjectCreated:*"]}]},
             "Unable to validate the following destination configurations"),
        ]
        for config, message in cases:
            with self.assertRaises(ClientError) as ctx:
                self.configure(config)
            err = self.assertAwsError(ctx, "InvalidArgument", 400)["Error"]
            self.assertEqual(err["Message"], message, config)
        # An ARN of another service (or not an ARN) names itself as the destination.
        with self.assertRaises(ClientError) as ctx:
            self.configure({"TopicConfigurations": [{"TopicArn": "not-an-arn",
                                                     "Events": ["s3:ObjectCreated:*"]}]})
        err = self.assertAwsError(ctx, "InvalidArgument", 400)["Error"]
        self.assertEqual(err["ArgumentName1"], "not-an-arn")
        self.assertEqual(err["ArgumentValue1"], "The destination topic does not exist")
        # Disjoint filters on one event type are fine.
        self.configure({"QueueConfigurations": [
            self.queue_config(arn, ["s3:ObjectCreated:*"], id_="a", prefix="img/"),
            self.queue_config(arn, ["s3:ObjectCreated:*"], id_="b", prefix="doc/")]})
        # A body that is not a configuration, through the CLI's raw input.
        code, _, stderr = self.server.aws(
            "s3api", "put-bucket-notification-configuration", "--bucket", BUCKET,
            "--notification-configuration",
            json.dumps({"QueueConfigurations": [{"QueueArn": arn, "Events": []}]}), check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("MalformedXML", stderr)
        with self.assertRaises(ClientError) as ctx:
            self.configure({}, bucket="no-such-bucket")
        self.assertAwsError(ctx, "NoSuchBucket", 404)


if __name__ == "__main__":
    unittest.main()
