"""SQS messages: SendMessage(Batch), ReceiveMessage (counts, visibility, attributes, long
polling), DeleteMessage(Batch) with receipt handles, ChangeMessageVisibility(Batch), delays,
MD5 digests as AWS computes them, and the input checks AWS makes (body characters, sizes,
attributes, batch rules)."""
import base64
import hashlib
import struct
import threading
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

Error = botocore.exceptions.ClientError


def attributes_md5(attrs):
    """The MD5OfMessageAttributes algorithm from the SQS Developer Guide."""
    buf = b""
    for name in sorted(attrs):
        a = attrs[name]
        lp = lambda b: struct.pack(">I", len(b)) + b
        buf += lp(name.encode()) + lp(a["DataType"].encode())
        if "BinaryValue" in a:
            buf += b"\x02" + lp(a["BinaryValue"])
        else:
            buf += b"\x01" + lp(a["StringValue"].encode())
    return hashlib.md5(buf).hexdigest()


class SqsMessagesTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.client("sqs")
        self.url = self.sqs.create_queue(QueueName="work")["QueueUrl"]

    def counts(self, url=None):
        a = self.sqs.get_queue_attributes(QueueUrl=url or self.url, AttributeNames=["All"])
        a = a["Attributes"]
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))

    def assertSqsError(self, ctx, legacy_code, status=400):
        return self.assertAwsError(ctx, legacy_code, status)

    def test_send_receive_delete_with_md5s(self):
        attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
                 "n": {"DataType": "Number", "StringValue": "-1.5e3"},
                 "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"},
                 "t": {"DataType": "String.custom", "StringValue": "labelled"}}
        sent = self.sqs.send_message(QueueUrl=self.url, MessageBody="payload ✓",
                                     MessageAttributes=attrs)
        self.assertEqual(sent["MD5OfMessageBody"],
                         hashlib.md5("payload ✓".encode()).hexdigest())
        self.assertEqual(sent["MD5OfMessageAttributes"], attributes_md5(attrs))
        got = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["All"])
        [m] = got["Messages"]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "payload ✓")
        self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(m["MessageAttributes"], attrs)
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(self.counts(), (0, 1, 0))
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_message_attribute_names_select_and_md5_covers_what_is_returned(self):
        attrs = {"foo.a": {"DataType": "String", "StringValue": "1"},
                 "foo.b": {"DataType": "String", "StringValue": "2"},
                 "bar": {"DataType": "String", "StringValue": "3"}}
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageAttributes=attrs)
        [m] = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["foo.*"],
                                       VisibilityTimeout=0)["Messages"]
        self.assertEqual(set(m["MessageAttributes"]), {"foo.a", "foo.b"})
        self.assertEqual(m["MD5OfMessageAttributes"], attributes_md5(
            {k: attrs[k] for k in ("foo.a", "foo.b")}))
        [m] = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["bar"],
                                       VisibilityTimeout=0)["Messages"]
        self.assertEqual(set(m["MessageAttributes"]), {"bar"})
        [m] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=0)["Messages"]
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)

    def test_system_attributes(self):
        before = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        [m] = self.sqs.receive_message(QueueUrl=self.url, MessageSystemAttributeNames=["All"],
                                       VisibilityTimeout=0)["Messages"]
        a = m["Attributes"]
        self.assertEqual(a["SenderId"], "000000000000")
        self.assertEqual(a["ApproximateReceiveCount"], "1")
        self.assertGreaterEqual(int(a["SentTimestamp"]), before - 1000)
        first = a["ApproximateFirstReceiveTimestamp"]
        [m] = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=[
            "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"])["Messages"]
        self.assertEqual(m["Attributes"], {"ApproximateReceiveCount": "2",
                                           "ApproximateFirstReceiveTimestamp": first})

    def test_max_number_of_messages_and_its_range(self):
        for i in range(15):
            self.sqs.send_message(QueueUrl=self.url, MessageBody="m%d" % i)
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=self.url)["Messages"]), 1)
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(len(got), 10)
        self.assertEqual(self.counts(), (4, 11, 0))
        for bad in (0, 11):
            with self.assertRaises(Error) as ctx:
                self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=bad)
            err = self.assertSqsError(ctx, "InvalidParameterValue")
            self.assertEqual(err["Error"]["Message"],
                             "Value %d for parameter MaxNumberOfMessages is invalid. Reason: "
                             "Must be between 1 and 10, if provided." % bad)
        with self.assertRaises(Error) as ctx:
            self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=21)
        self.assertSqsError(ctx, "InvalidParameterValue")

    def test_visibility_timeout_hides_then_returns_the_message(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        [m] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=1)["Messages"]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        time.sleep(1.1)
        [again] = self.sqs.receive_message(QueueUrl=self.url,
                                           AttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual(again["MessageId"], m["MessageId"])
        self.assertNotEqual(again["ReceiptHandle"], m["ReceiptHandle"])
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")

    def test_old_receipt_handle_no_longer_deletes(self):
        # SQS API Reference, DeleteMessage: with a handle from an earlier receive the request
        # succeeds but the message is not deleted.
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        [first] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=0)["Messages"]
        [second] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=0)["Messages"]
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=first["ReceiptHandle"])
        self.assertEqual(self.counts()[0], 1)
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=second["ReceiptHandle"])
        self.assertEqual(self.counts(), (0, 0, 0))
        # Deleting again with the latest handle is harmless.
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=second["ReceiptHandle"])

    def test_malformed_receipt_handle(self):
        with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid) as ctx:
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle="garbage")
        err = self.assertSqsError(ctx, "ReceiptHandleIsInvalid", 404)
        self.assertEqual(err["Error"]["Message"],
                         'The input receipt handle "garbage" is not a valid receipt handle.')
        # A handle of another queue is not valid here either.
        other = self.sqs.create_queue(QueueName="other")["QueueUrl"]
        self.sqs.send_message(QueueUrl=other, MessageBody="x")
        [m] = self.sqs.receive_message(QueueUrl=other)["Messages"]
        with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid):
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])

    def test_change_message_visibility(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        [m] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=300)["Messages"]
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        [again] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=300)["Messages"]
        self.assertEqual(again["MessageId"], m["MessageId"])
        self.sqs.change_message_visibility(QueueUrl=self.url,
                                           ReceiptHandle=again["ReceiptHandle"],
                                           VisibilityTimeout=1)
        time.sleep(1.1)
        [third] = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        self.assertEqual(third["MessageId"], m["MessageId"])
        with self.assertRaises(Error) as ctx:
            self.sqs.change_message_visibility(QueueUrl=self.url,
                                               ReceiptHandle=third["ReceiptHandle"],
                                               VisibilityTimeout=43201)
        self.assertSqsError(ctx, "InvalidParameterValue")

    def test_change_visibility_of_a_message_not_in_flight(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        [m] = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        with self.assertRaises(self.sqs.exceptions.MessageNotInflight) as ctx:
            self.sqs.change_message_visibility(QueueUrl=self.url,
                                               ReceiptHandle=m["ReceiptHandle"],
                                               VisibilityTimeout=10)
        self.assertSqsError(ctx, "AWS.SimpleQueueService.MessageNotInflight")

    def test_change_message_visibility_batch(self):
        for i in range(2):
            self.sqs.send_message(QueueUrl=self.url, MessageBody="m%d" % i)
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=2)["Messages"]
        r = self.sqs.change_message_visibility_batch(QueueUrl=self.url, Entries=[
            {"Id": "a", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "b", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "c", "ReceiptHandle": "bogus", "VisibilityTimeout": 0}])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["a", "b"])
        [f] = r["Failed"]
        self.assertEqual((f["Id"], f["Code"], f["SenderFault"]),
                         ("c", "ReceiptHandleIsInvalid", True))
        self.assertEqual(self.counts()[0], 2)

    def test_delay_seconds_per_queue_and_per_message(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="late", DelaySeconds=1)
        self.assertEqual(self.counts(), (0, 0, 1))
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        time.sleep(1.1)
        self.assertEqual(self.sqs.receive_message(QueueUrl=self.url)["Messages"][0]["Body"],
                         "late")
        slow = self.sqs.create_queue(QueueName="slow", Attributes={"DelaySeconds": "1"})
        slow = slow["QueueUrl"]
        self.sqs.send_message(QueueUrl=slow, MessageBody="queued late")
        self.sqs.send_message(QueueUrl=slow, MessageBody="right away", DelaySeconds=0)
        [m] = self.sqs.receive_message(QueueUrl=slow)["Messages"]
        self.assertEqual(m["Body"], "right away")
        self.assertEqual(self.counts(slow), (0, 1, 1))
        with self.assertRaises(Error) as ctx:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="x", DelaySeconds=901)
        self.assertSqsError(ctx, "InvalidParameterValue")

    def test_invalid_body_characters(self):
        with self.assertRaises(self.sqs.exceptions.InvalidMessageContents) as ctx:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="bell \x07")
        err = self.assertSqsError(ctx, "InvalidMessageContents")
        self.assertIn("Invalid binary character '#x7' was found in the message body",
                      err["Error"]["Message"])
        self.sqs.send_message(QueueUrl=self.url, MessageBody="tab\tcr\rlf\n \U0001F600 \uE000")

    def test_empty_and_oversized_bodies(self):
        with self.assertRaises(Error) as ctx:
            self.client("sqs", parameter_validation=False).send_message(
                QueueUrl=self.url, MessageBody="")
        err = self.assertSqsError(ctx, "MissingParameter")
        self.assertEqual(err["Error"]["Message"],
                         "The request must contain the parameter MessageBody.")
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x" * 262144)
        with self.assertRaises(Error) as ctx:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="x" * 262145)
        err = self.assertSqsError(ctx, "InvalidParameterValue")
        self.assertIn("Message must be shorter than 262144 bytes", err["Error"]["Message"])
        small = self.sqs.create_queue(QueueName="small", Attributes={
            "MaximumMessageSize": "1024"})["QueueUrl"]
        with self.assertRaises(Error):
            self.sqs.send_message(QueueUrl=small, MessageBody="x" * 1000, MessageAttributes={
                "a": {"DataType": "String", "StringValue": "y" * 30}})

    def test_malformed_message_attributes(self):
        bad = [{"": {"DataType": "String", "StringValue": "x"}},
               {"AWS.reserved": {"DataType": "String", "StringValue": "x"}},
               {"a": {"DataType": "Strange", "StringValue": "x"}},
               {"a": {"DataType": "Number", "StringValue": "twelve"}},
               {"a": {"DataType": "String"}},
               {"a": {"DataType": "Binary", "StringValue": "x"}},
               {"k%d" % i: {"DataType": "String", "StringValue": "x"} for i in range(11)}]
        client = self.client("sqs", parameter_validation=False)
        for attrs in bad:
            with self.assertRaises(Error) as ctx:
                client.send_message(QueueUrl=self.url, MessageBody="x", MessageAttributes=attrs)
            self.assertSqsError(ctx, "InvalidParameterValue")

    def test_send_message_batch_and_per_entry_failures(self):
        entries = [{"Id": "m%d" % i, "MessageBody": "body %d" % i} for i in range(9)]
        entries.append({"Id": "bad", "MessageBody": "nul \x00"})
        r = self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
        self.assertEqual(len(r["Successful"]), 9)
        for ok in r["Successful"]:
            i = int(ok["Id"][1:])
            self.assertEqual(ok["MD5OfMessageBody"], hashlib.md5(b"body %d" % i).hexdigest())
        [f] = r["Failed"]
        self.assertEqual((f["Id"], f["Code"], f["SenderFault"]),
                         ("bad", "InvalidMessageContents", True))
        self.assertEqual(self.counts()[0], 9)

    def test_batch_request_errors(self):
        client = self.client("sqs", parameter_validation=False)
        with self.assertRaises(self.sqs.exceptions.EmptyBatchRequest) as ctx:
            client.send_message_batch(QueueUrl=self.url, Entries=[])
        self.assertSqsError(ctx, "AWS.SimpleQueueService.EmptyBatchRequest")
        with self.assertRaises(self.sqs.exceptions.TooManyEntriesInBatchRequest) as ctx:
            client.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "MessageBody": "x"} for i in range(11)])
        self.assertSqsError(ctx, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
        with self.assertRaises(self.sqs.exceptions.BatchEntryIdsNotDistinct) as ctx:
            client.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}])
        self.assertSqsError(ctx, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
        with self.assertRaises(self.sqs.exceptions.InvalidBatchEntryId) as ctx:
            client.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": "no spaces", "MessageBody": "x"}])
        self.assertSqsError(ctx, "AWS.SimpleQueueService.InvalidBatchEntryId")
        with self.assertRaises(self.sqs.exceptions.BatchRequestTooLong) as ctx:
            client.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "MessageBody": "x" * 30000} for i in range(10)])
        err = self.assertSqsError(ctx, "AWS.SimpleQueueService.BatchRequestTooLong")
        self.assertIn("You have sent 300000 bytes.", err["Error"]["Message"])
        with self.assertRaises(self.sqs.exceptions.EmptyBatchRequest):
            client.delete_message_batch(QueueUrl=self.url, Entries=[])
        self.assertEqual(self.counts()[0], 0)

    def test_delete_message_batch(self):
        self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": str(i), "MessageBody": "x"} for i in range(3)])
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(len(got), 3)
        entries = [{"Id": "e%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
                   for i, m in enumerate(got)]
        entries.append({"Id": "broken", "ReceiptHandle": "nope"})
        r = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["e0", "e1", "e2"])
        self.assertEqual(r["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_delete_message_batch_stale_and_repeated_handles(self):
        # Standard queue: a handle from an earlier receive, and a handle whose message is gone,
        # succeed and delete nothing (SQS API Reference, DeleteMessage).
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        [old] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=0)["Messages"]
        [new] = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=30)["Messages"]
        r = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "stale", "ReceiptHandle": old["ReceiptHandle"]}])
        self.assertEqual([e["Id"] for e in r["Successful"]], ["stale"])
        self.assertEqual(r.get("Failed", []), [])
        self.assertEqual(self.counts(), (0, 1, 0))
        r = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "a", "ReceiptHandle": new["ReceiptHandle"]},
            {"Id": "b", "ReceiptHandle": new["ReceiptHandle"]}])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["a", "b"])
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_long_poll_returns_as_soon_as_a_message_arrives(self):
        result = {}

        def poll():
            t0 = time.time()
            r = self.client("sqs").receive_message(QueueUrl=self.url, WaitTimeSeconds=10)
            result["elapsed"] = time.time() - t0
            result["messages"] = r.get("Messages", [])

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.5)
        self.sqs.send_message(QueueUrl=self.url, MessageBody="wake up")
        t.join(timeout=15)
        self.assertEqual([m["Body"] for m in result["messages"]], ["wake up"])
        self.assertLess(result["elapsed"], 2.0)

    def test_long_polls_hold_no_thread(self):
        # Six waiting receives on a two-thread server; other requests are still served at once.
        other = self.sqs.create_queue(QueueName="waiting")["QueueUrl"]
        threads = [threading.Thread(target=lambda: self.client("sqs").receive_message(
            QueueUrl=other, WaitTimeSeconds=3)) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        t0 = time.time()
        for i in range(5):
            self.sqs.send_message(QueueUrl=self.url, MessageBody="m%d" % i)
        self.assertLess(time.time() - t0, 1.0)
        for t in threads:
            t.join(timeout=10)

    def test_long_poll_times_out_empty_and_queue_default_wait(self):
        url = self.sqs.create_queue(QueueName="patient", Attributes={
            "ReceiveMessageWaitTimeSeconds": "1"})["QueueUrl"]
        t0 = time.time()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.assertGreaterEqual(time.time() - t0, 0.9)
        t0 = time.time()
        self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertLess(time.time() - t0, 0.5)

    def test_long_poll_sees_a_delayed_message_become_visible(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="soon", DelaySeconds=1)
        t0 = time.time()
        r = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=5)
        self.assertEqual(r["Messages"][0]["Body"], "soon")
        self.assertLess(time.time() - t0, 2.5)

    def test_trace_header_system_attribute(self):
        r = self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageSystemAttributes={
            "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}})
        self.assertEqual(r["MD5OfMessageSystemAttributes"], attributes_md5(
            {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}}))
        [m] = self.sqs.receive_message(QueueUrl=self.url,
                                       MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"]
        self.assertEqual(m["Attributes"], {"AWSTraceHeader": "Root=1-abc"})

    def test_operations_on_a_missing_queue(self):
        gone = self.server.endpoint + "/000000000000/gone"
        for call in [lambda: self.sqs.send_message(QueueUrl=gone, MessageBody="x"),
                     lambda: self.sqs.receive_message(QueueUrl=gone),
                     lambda: self.sqs.delete_message(QueueUrl=gone, ReceiptHandle="x")]:
            with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
                call()


if __name__ == "__main__":
    unittest.main()
