"""SQS durability: a message acknowledged by SendMessage is in storage before the answer, so it
survives kill -9; queues, attributes, tags, receive counts and deletes survive a restart too."""
import threading
import unittest

from nimbus_harness import NimbusServer


class SqsDurabilityTest(unittest.TestCase):
    def setUp(self):
        self.server = NimbusServer().start()
        self.addCleanup(self.server.cleanup)

    def restart_after_kill9(self):
        self.server.kill9()
        self.server.start()
        return self.server.client("sqs")

    def test_acknowledged_messages_survive_kill9(self):
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="durable")["QueueUrl"]
        n = 300
        for i in range(0, n, 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": "m%d" % (i + j),
                 "MessageAttributes": {"i": {"DataType": "Number", "StringValue": str(i + j)}}}
                for j in range(10)])
        sqs.send_message(QueueUrl=url, MessageBody="single")
        sqs = self.restart_after_kill9()
        bodies = set()
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                      MessageAttributeNames=["All"]).get("Messages", [])
            if not got:
                break
            for m in got:
                bodies.add(m["Body"])
                if m["Body"] != "single":
                    self.assertEqual(m["MessageAttributes"]["i"]["StringValue"], m["Body"][1:])
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(got)])
        self.assertEqual(bodies, {"m%d" % i for i in range(n)} | {"single"})

    def test_queue_state_survives_kill9(self):
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="kept.fifo", Attributes={
            "FifoQueue": "true", "VisibilityTimeout": "1"}, tags={"k": "v"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g",
                         MessageDeduplicationId="d1")
        sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g",
                         MessageDeduplicationId="d2")
        [m] = sqs.receive_message(QueueUrl=url)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        sqs = self.restart_after_kill9()
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "1")
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(sqs.list_queue_tags(QueueUrl=url)["Tags"], {"k": "v"})
        # Deduplication still applies after the restart.
        dup = sqs.send_message(QueueUrl=url, MessageBody="a again", MessageGroupId="g",
                               MessageDeduplicationId="d1")
        self.assertEqual(dup["MessageId"], m["MessageId"])
        [b] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
        self.assertEqual(b["Body"], "b")
        self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url))

    def test_receive_count_survives_restart(self):
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="counted")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="x")
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        self.server.stop()
        self.server.start()
        sqs = self.server.client("sqs")
        [m] = sqs.receive_message(QueueUrl=url,
                                  AttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "3")

    def drain(self, sqs, url):
        """Receives and deletes (DeleteMessageBatch) everything; the bodies received."""
        bodies = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return bodies
            bodies += [m["Body"] for m in got]
            r = sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(got)])
            self.assertEqual(r.get("Failed", []), [])

    def send_concurrently(self, url, senders=6, batches=15, during=None):
        """`senders` threads send `batches` batches of 10 each to `url` while `during` runs;
        the bodies acknowledged."""
        acked, errors, lock = [], [], threading.Lock()

        def send(t):
            try:
                sqs = self.server.client("sqs")
                for b in range(batches):
                    entries = [{"Id": str(j), "MessageBody": "%d-%d-%d" % (t, b, j)}
                               for j in range(10)]
                    r = sqs.send_message_batch(QueueUrl=url, Entries=entries)
                    if r.get("Failed"):
                        errors.append(r["Failed"])
                    with lock:
                        acked.extend(e["MessageBody"] for e in entries)
            except Exception as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        threads = [threading.Thread(target=send, args=(t,)) for t in range(senders)]
        for t in threads:
            t.start()
        if during:
            during()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        return acked

    def test_concurrent_sends_and_batch_deletes_survive_kill9(self):
        # Sends to one queue from many connections share storage writes; every acknowledged
        # one is on disk, and what DeleteMessageBatch deleted stays deleted.
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="shared")["QueueUrl"]
        acked = self.send_concurrently(url)
        self.assertEqual(len(set(acked)), 900)
        deleted = set()
        while len(deleted) < 400:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(got)])
            deleted.update(m["Body"] for m in got)
        sqs = self.restart_after_kill9()
        left = self.drain(sqs, url)
        self.assertEqual(len(left), len(set(left)))
        self.assertEqual(set(left), set(acked) - deleted)

    def test_purge_during_sends_leaves_storage_as_answered(self):
        # Messages sent while PurgeQueue runs may be purged or kept (SQS API Reference,
        # PurgeQueue), but what the queue holds afterwards is what a restart finds.
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="purged-busy")["QueueUrl"]
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(j), "MessageBody": "before-%d" % j} for j in range(10)])
        acked = self.send_concurrently(url, senders=4, batches=25,
                                       during=lambda: sqs.purge_queue(QueueUrl=url))
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages"])["Attributes"]
        kept = int(attrs["ApproximateNumberOfMessages"])
        self.assertLessEqual(kept, len(acked))
        sqs = self.restart_after_kill9()
        left = self.drain(sqs, url)
        self.assertEqual(len(left), kept)
        self.assertEqual(len(left), len(set(left)))
        self.assertTrue(set(left) <= set(acked))


if __name__ == "__main__":
    unittest.main()
