"""SQS FIFO queues: strict order within a MessageGroupId, in-flight messages block their own group
only, MessageDeduplicationId and content-based deduplication over the 5-minute interval (per queue
or per message group), SequenceNumber, and the parameters FIFO queues require or refuse."""
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

Error = botocore.exceptions.ClientError


class SqsFifoTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.client("sqs")
        self.url = self.sqs.create_queue(QueueName="orders.fifo", Attributes={
            "FifoQueue": "true"})["QueueUrl"]

    def send(self, body, group="g", dedup=None, url=None):
        return self.sqs.send_message(QueueUrl=url or self.url, MessageBody=body,
                                     MessageGroupId=group, MessageDeduplicationId=dedup or body)

    def bodies(self, n=10, url=None, visibility=None):
        kw = {"VisibilityTimeout": visibility} if visibility is not None else {}
        got = self.sqs.receive_message(QueueUrl=url or self.url, MaxNumberOfMessages=n, **kw)
        return [m["Body"] for m in got.get("Messages", [])], got.get("Messages", [])

    def test_order_within_a_group(self):
        for i in range(20):
            self.send("m%02d" % i)
        received = []
        while True:
            bodies, msgs = self.bodies()
            if not bodies:
                break
            received += bodies
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        self.assertEqual(received, ["m%02d" % i for i in range(20)])

    def test_in_flight_messages_block_their_group_only(self):
        self.send("a1", group="a")
        self.send("a2", group="a")
        self.send("b1", group="b")
        bodies, first = self.bodies(n=1)
        self.assertEqual(bodies, ["a1"])
        bodies, second = self.bodies(n=10)
        self.assertEqual(bodies, ["b1"])  # a2 waits behind a1, in flight
        self.assertEqual(self.bodies()[0], [])
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=first[0]["ReceiptHandle"])
        self.assertEqual(self.bodies()[0], ["a2"])

    def test_returning_message_keeps_its_place(self):
        self.send("x1")
        self.send("x2")
        _, [m] = self.bodies(n=1)
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual(self.bodies()[0], ["x1", "x2"])

    def test_deduplication_id(self):
        first = self.send("one", dedup="same")
        second = self.send("two", dedup="same")
        self.assertEqual(first["MessageId"], second["MessageId"])
        self.assertEqual(first["SequenceNumber"], second["SequenceNumber"])
        self.assertEqual(self.bodies()[0], ["one"])

    def test_content_based_deduplication(self):
        url = self.sqs.create_queue(QueueName="cbd.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        a = self.sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
        b = self.sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
        c = self.sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g")
        self.assertEqual(a["MessageId"], b["MessageId"])
        self.assertNotEqual(a["MessageId"], c["MessageId"])
        self.assertEqual(self.bodies(url=url)[0], ["same body", "other body"])

    def test_deduplication_scope_message_group(self):
        url = self.sqs.create_queue(QueueName="scoped.fifo", Attributes={
            "FifoQueue": "true", "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
        a = self.send("in a", group="a", dedup="d", url=url)
        b = self.send("in b", group="b", dedup="d", url=url)
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(sorted(self.bodies(url=url)[0]), ["in a", "in b"])

    def test_sequence_numbers_increase(self):
        seqs = [self.send("s%d" % i)["SequenceNumber"] for i in range(3)]
        self.assertTrue(all(len(s) == 20 and s.isdigit() for s in seqs))
        self.assertEqual(seqs, sorted(seqs, key=int))
        self.assertEqual(len(set(seqs)), 3)
        r = self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": str(i), "MessageBody": "b%d" % i, "MessageGroupId": "g",
             "MessageDeduplicationId": "b%d" % i} for i in range(3)])
        batch_seqs = [e["SequenceNumber"] for e in r["Successful"]]
        self.assertEqual(batch_seqs, sorted(batch_seqs, key=int))
        self.assertGreater(int(batch_seqs[0]), int(seqs[-1]))

    def test_system_attributes(self):
        sent = self.send("attrs", group="grp", dedup="dd")
        [m] = self.sqs.receive_message(QueueUrl=self.url,
                                       MessageSystemAttributeNames=["All"])["Messages"]
        a = m["Attributes"]
        self.assertEqual(a["MessageGroupId"], "grp")
        self.assertEqual(a["MessageDeduplicationId"], "dd")
        self.assertEqual(a["SequenceNumber"], sent["SequenceNumber"])

    def test_required_and_refused_parameters(self):
        with self.assertRaises(Error) as ctx:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="x",
                                  MessageDeduplicationId="d")
        self.assertAwsError(ctx, "MissingParameter", 400)
        with self.assertRaises(Error) as ctx:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageGroupId="g")
        err = self.assertAwsError(ctx, "InvalidParameterValue", 400)
        self.assertIn("ContentBasedDeduplication", err["Error"]["Message"])
        with self.assertRaises(Error) as ctx:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageGroupId="g",
                                  MessageDeduplicationId="d", DelaySeconds=5)
        self.assertAwsError(ctx, "InvalidParameterValue", 400)
        standard = self.sqs.create_queue(QueueName="standard")["QueueUrl"]
        with self.assertRaises(Error) as ctx:
            self.sqs.send_message(QueueUrl=standard, MessageBody="x",
                                  MessageDeduplicationId="d")
        self.assertAwsError(ctx, "InvalidParameterValue", 400)

    def test_expired_receipt_handle_is_rejected(self):
        self.send("h")
        _, [first] = self.bodies(visibility=0)
        _, [second] = self.bodies(visibility=30)
        with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid):
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=first["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=second["ReceiptHandle"])
        self.assertEqual(self.bodies()[0], [])


if __name__ == "__main__":
    unittest.main()
