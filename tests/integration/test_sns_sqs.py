"""SNS to SQS: the notification document SQS subscribers receive, raw message delivery with
message attributes mapped to SQS attributes, filter policies, MessageStructure per protocol, FIFO
topics to FIFO queues keeping order with group and deduplication ids passed through, dead-letter
queues for deliveries that fail (missing queue, Lambda not answering), and fan-out to many
queues. Runs once the SQS service answers CreateQueue/SendMessage/ReceiveMessage."""
import base64
import hashlib
import json
import threading
import time
import unittest

from nimbus_harness import NimbusServer, NimbusTestCase


def _sqs_available():
    server = NimbusServer(ephemeral=True)
    try:
        server.start()
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="probe")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="probe")
        return bool(sqs.receive_message(QueueUrl=url).get("Messages"))
    except Exception:
        return False
    finally:
        server.cleanup()


SQS_AVAILABLE = _sqs_available()


@unittest.skipUnless(SQS_AVAILABLE, "SQS service not available")
class SnsToSqsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sns = self.client("sns")
        self.sqs = self.client("sqs")
        self.topic = self.sns.create_topic(Name="fanout")["TopicArn"]

    def queue(self, name, fifo=False):
        attributes = {"FifoQueue": "true"} if fifo else {}
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def subscribe(self, queue_arn, topic=None, **attributes):
        return self.sns.subscribe(TopicArn=topic or self.topic, Protocol="sqs",
                                  Endpoint=queue_arn, Attributes=attributes)["SubscriptionArn"]

    def receive(self, url, count=1, timeout=5.0):
        got = []
        deadline = time.time() + timeout
        while len(got) < count and time.time() < deadline:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         MessageAttributeNames=["All"],
                                         AttributeNames=["All"], WaitTimeSeconds=1)
            for m in r.get("Messages", []):
                got.append(m)
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got

    def assertNothing(self, url, wait=0.5):
        time.sleep(wait)
        r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        self.assertEqual(r.get("Messages", []), [])

    def test_notification_envelope(self):
        """An SQS subscriber receives SNS's JSON document: Type, MessageId, TopicArn, Subject
        (when set), Message, Timestamp, SignatureVersion, Signature, SigningCertURL,
        UnsubscribeURL and MessageAttributes as {"name": {"Type", "Value"}}."""
        url, arn = self.queue("envelope")
        sub = self.subscribe(arn)
        r = self.sns.publish(TopicArn=self.topic, Message="hello sqs", Subject="Subj",
                             MessageAttributes={
                                 "attr1": {"DataType": "Number", "StringValue": "99.12"},
                                 "bin": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})
        [m] = self.receive(url)
        self.assertTrue(m["Body"].startswith('{\n  "Type" : "Notification",\n'))
        body = json.loads(m["Body"])
        self.assertEqual(list(body), ["Type", "MessageId", "TopicArn", "Subject", "Message",
                                      "Timestamp", "SignatureVersion", "Signature",
                                      "SigningCertURL", "UnsubscribeURL", "MessageAttributes"])
        self.assertEqual(body["MessageId"], r["MessageId"])
        self.assertEqual(body["TopicArn"], self.topic)
        self.assertEqual(body["Message"], "hello sqs")
        self.assertEqual(body["Subject"], "Subj")
        self.assertRegex(body["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(body["SignatureVersion"], "1")
        self.assertEqual(len(base64.b64decode(body["Signature"])), 256)
        self.assertTrue(body["UnsubscribeURL"].endswith("SubscriptionArn=" + sub))
        self.assertEqual(body["MessageAttributes"],
                         {"attr1": {"Type": "Number", "Value": "99.12"},
                          "bin": {"Type": "Binary", "Value": "AgME"}})
        self.assertNotIn("MessageAttributes", m, "envelope delivery sets no SQS attributes")
        self.assertEqual(m["MD5OfBody"], hashlib.md5(m["Body"].encode()).hexdigest())

    def test_subject_only_when_set_and_unicode(self):
        """Without Subject the document has none; unicode survives."""
        url, arn = self.queue("plain")
        self.subscribe(arn)
        self.sns.publish(TopicArn=self.topic, Message='\u00f6\u00a7a1"_!?,. \u00a3$-')
        [m] = self.receive(url)
        body = json.loads(m["Body"])
        self.assertNotIn("Subject", body)
        self.assertNotIn("MessageAttributes", body)
        self.assertEqual(body["Message"], '\u00f6\u00a7a1"_!?,. \u00a3$-')

    def test_raw_message_delivery(self):
        """RawMessageDelivery sends the bare message and maps message attributes to SQS
        attributes (String, Number, Binary)."""
        url, arn = self.queue("raw")
        self.subscribe(arn, RawMessageDelivery="true")
        self.sns.publish(TopicArn=self.topic, Message="Test msg", MessageAttributes={
            "an-attribute-key": {"DataType": "String", "StringValue": "an-attribute-value"},
            "attr1": {"DataType": "Number", "StringValue": "99.12"},
            "binary-attribute": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})
        [m] = self.receive(url)
        self.assertEqual(m["Body"], "Test msg")
        self.assertEqual(m["MessageAttributes"], {
            "an-attribute-key": {"DataType": "String", "StringValue": "an-attribute-value"},
            "attr1": {"DataType": "Number", "StringValue": "99.12"},
            "binary-attribute": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})

    def test_fan_out_to_many_queues_with_filters(self):
        """Every subscribed queue gets its copy; filter policies (attributes and body) decide."""
        queues = [self.queue("q%d" % i) for i in range(4)]
        self.subscribe(queues[0][1])
        self.subscribe(queues[1][1], FilterPolicy=json.dumps({"color": ["red"]}))
        self.subscribe(queues[2][1], FilterPolicy=json.dumps(
            {"price": [{"numeric": [">", 0, "<=", 100]}]}))
        self.subscribe(queues[3][1], FilterPolicyScope="MessageBody",
                       FilterPolicy=json.dumps({"object": {"key": [{"prefix": "auto-"}]}}))
        self.sns.publish(TopicArn=self.topic, Message=json.dumps({"object": {"key": "auto-1"}}),
                         MessageAttributes={"color": {"DataType": "String",
                                                      "StringValue": "blue"},
                                            "price": {"DataType": "Number",
                                                      "StringValue": "50"}})
        self.sns.publish(TopicArn=self.topic, Message="plain",
                         MessageAttributes={"color": {"DataType": "String",
                                                      "StringValue": "red"}})
        self.assertEqual(len(self.receive(queues[0][0], 2)), 2)
        self.assertEqual([json.loads(m["Body"])["Message"] for m in self.receive(queues[1][0])],
                         ["plain"])
        self.assertEqual(len(self.receive(queues[2][0])), 1)
        self.assertEqual(len(self.receive(queues[3][0])), 1)
        for url, _ in queues[1:]:
            self.assertNothing(url, wait=0.2)

    def test_publishers_faster_than_delivery_lose_nothing(self):
        """Publishers that queue more deliveries than nimbus holds (20,000) are slowed down, not
        refused: every accepted message reaches every queue once."""
        queues = [self.queue("busy%d" % i) for i in range(10)]
        for _, arn in queues:
            self.subscribe(arn, RawMessageDelivery="true")
        errors = []

        def publish(t):
            try:
                sns = self.client("sns")
                for b in range(40):
                    r = sns.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
                        {"Id": str(j), "Message": "%d-%d-%d" % (t, b, j)} for j in range(10)])
                    if r.get("Failed"):
                        errors.append(r["Failed"])
            except Exception as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        threads = [threading.Thread(target=publish, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        deadline = time.time() + 60
        counts = []
        while time.time() < deadline:
            counts = [int(self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                    "ApproximateNumberOfMessages"]) for url, _ in queues]
            if counts == [3200] * 10:
                break
            time.sleep(0.2)
        self.assertEqual(counts, [3200] * 10)
        time.sleep(0.5)  # nothing more arrives
        self.assertEqual(self.sqs.get_queue_attributes(
            QueueUrl=queues[0][0], AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"], "3200")

    def test_message_structure_sqs_entry(self):
        """MessageStructure=json gives SQS subscribers the "sqs" entry."""
        url, arn = self.queue("structured")
        self.subscribe(arn)
        self.sns.publish(TopicArn=self.topic, MessageStructure="json",
                         Message=json.dumps({"default": "default field",
                                             "sqs": json.dumps({"field": "value"})}))
        [m] = self.receive(url)
        self.assertEqual(json.loads(m["Body"])["Message"], '{"field": "value"}')

    def test_publish_batch_to_sqs(self):
        """PublishBatch entries arrive as separate messages, raw ones with their attributes."""
        url, arn = self.queue("batch")
        self.subscribe(arn, RawMessageDelivery="true")
        self.sns.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "one", "MessageAttributes": {
                "attr1": {"DataType": "Number", "StringValue": "19.12"}}},
            {"Id": "2", "Message": "two"}])
        got = self.receive(url, 2)
        self.assertEqual(sorted(m["Body"] for m in got), ["one", "two"])
        one = [m for m in got if m["Body"] == "one"][0]
        self.assertEqual(one["MessageAttributes"],
                         {"attr1": {"DataType": "Number", "StringValue": "19.12"}})

    def test_fifo_topic_to_fifo_queue_keeps_order(self):
        """A FIFO topic delivers to a FIFO queue in publish order, passing MessageGroupId and
        the deduplication id through; the document carries SequenceNumber and no signature."""
        fifo_topic = self.sns.create_topic(Name="ordered.fifo", Attributes={
            "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
        url, arn = self.queue("ordered.fifo", fifo=True)
        self.subscribe(arn, topic=fifo_topic)
        sent = []
        for i in range(30):
            sent.append(self.sns.publish(TopicArn=fifo_topic, Message="m%02d" % i,
                                         MessageGroupId="g1"))
        got = self.receive(url, 30)
        bodies = [json.loads(m["Body"]) for m in got]
        self.assertEqual([b["Message"] for b in bodies], ["m%02d" % i for i in range(30)])
        self.assertEqual([b["SequenceNumber"] for b in bodies],
                         [s["SequenceNumber"] for s in sent])
        self.assertEqual(list(bodies[0]), ["Type", "MessageId", "SequenceNumber", "TopicArn",
                                           "Message", "Timestamp", "UnsubscribeURL"])
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "g1")
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"],
                         hashlib.sha256(b"m00").hexdigest())

    def test_fifo_topic_deduplicates(self):
        """A repeated deduplication id is delivered once."""
        fifo_topic = self.sns.create_topic(Name="dedup.fifo",
                                           Attributes={"FifoTopic": "true"})["TopicArn"]
        url, arn = self.queue("dedup.fifo", fifo=True)
        self.subscribe(arn, topic=fifo_topic, RawMessageDelivery="true")
        for _ in range(3):
            self.sns.publish(TopicArn=fifo_topic, Message="once", MessageGroupId="g",
                             MessageDeduplicationId="same")
        got = self.receive(url, 2, timeout=2)
        self.assertEqual([m["Body"] for m in got], ["once"])
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"], "same")

    def test_fifo_topic_to_standard_queue(self):
        """A FIFO topic may deliver to a standard queue."""
        fifo_topic = self.sns.create_topic(Name="mixed.fifo", Attributes={
            "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
        url, arn = self.queue("standard-of-fifo")
        self.subscribe(arn, topic=fifo_topic)
        self.sns.publish(TopicArn=fifo_topic, Message="Test", MessageGroupId="g")
        [m] = self.receive(url)
        self.assertEqual(json.loads(m["Body"])["Message"], "Test")

    def test_missing_queue_goes_to_dead_letter_queue(self):
        """When the subscribed queue does not exist, the message goes to the subscription's
        RedrivePolicy dead-letter queue in the form it would have been delivered."""
        dlq_url, dlq_arn = self.queue("dlq")
        self.subscribe("arn:aws:sqs:us-east-1:000000000000:deleted-queue",
                       RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}),
                       RawMessageDelivery="true")
        self.sns.publish(TopicArn=self.topic, Message="lost", MessageAttributes={
            "attr1": {"DataType": "Number", "StringValue": "111"}})
        [m] = self.receive(dlq_url)
        self.assertEqual(m["Body"], "lost")
        self.assertEqual(m["MessageAttributes"],
                         {"attr1": {"DataType": "Number", "StringValue": "111"}})

    def test_queue_deleted_after_subscribing(self):
        """Deleting the queue makes later deliveries fail over to the dead-letter queue."""
        url, arn = self.queue("short-lived")
        dlq_url, dlq_arn = self.queue("dlq2")
        self.subscribe(arn, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
        self.sns.publish(TopicArn=self.topic, Message="before")
        self.assertEqual(len(self.receive(url)), 1)
        self.sqs.delete_queue(QueueUrl=url)
        self.sns.publish(TopicArn=self.topic, Message="after")
        [m] = self.receive(dlq_url)
        self.assertEqual(json.loads(m["Body"])["Message"], "after")

    def test_failed_lambda_delivery_goes_to_dead_letter_queue(self):
        """A Lambda subscriber whose invocation fails (no such function) has the notification
        moved to its dead-letter queue."""
        dlq_url, dlq_arn = self.queue("lambda-dlq")
        sub = self.sns.subscribe(
            TopicArn=self.topic, Protocol="lambda",
            Endpoint="arn:aws:lambda:us-east-1:000000000000:function:no-such-function",
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
        self.sns.publish(TopicArn=self.topic, Message="test_redrive_policy",
                         MessageAttributes={"attr1": {"DataType": "Number", "StringValue": "1"}})
        [m] = self.receive(dlq_url)
        body = json.loads(m["Body"])
        self.assertEqual(body["Message"], "test_redrive_policy")
        self.assertTrue(body["UnsubscribeURL"].endswith(sub["SubscriptionArn"]))
        self.assertEqual(body["MessageAttributes"], {"attr1": {"Type": "Number", "Value": "1"}})

    def test_cross_account_queue(self):
        """A queue of another account receives through its ARN's account."""
        other_sqs = self.client("sqs", access_key="111122223333")
        url = other_sqs.create_queue(QueueName="theirs")["QueueUrl"]
        arn = other_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.assertIn(":111122223333:", arn)
        self.subscribe(arn)
        self.sns.publish(TopicArn=self.topic, Message="across")
        got = []
        deadline = time.time() + 5
        while not got and time.time() < deadline:
            got = other_sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(json.loads(got[0]["Body"])["Message"], "across")


if __name__ == "__main__":
    unittest.main()
