"""SQS under concurrent producers and long-polling consumers: with 8 producers and 8 consumers on
one queue, a standard queue delivers every message at least once and a FIFO queue exactly once,
in order within each message group; a deleted message is never delivered again."""
import collections
import threading
import time
import unittest

from nimbus_harness import NimbusTestCase

PRODUCERS = 8
CONSUMERS = 8
PER_PRODUCER = 60


class SqsConcurrencyTest(NimbusTestCase):
    def run_workload(self, url, fifo):
        received = collections.defaultdict(list)  # body -> receive count
        order = collections.defaultdict(list)      # group -> bodies in delivery order
        lock = threading.Lock()
        done = threading.Event()
        errors = []

        def produce(p):
            try:
                sqs = self.client("sqs")
                for i in range(PER_PRODUCER):
                    kw = {"MessageGroupId": "p%d" % p, "MessageDeduplicationId": "%d-%d" % (p, i)}
                    sqs.send_message(QueueUrl=url, MessageBody="%d-%d" % (p, i),
                                     **(kw if fifo else {}))
            except Exception as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        def consume():
            try:
                sqs = self.client("sqs")
                while not done.is_set():
                    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                              WaitTimeSeconds=1, VisibilityTimeout=30)
                    msgs = got.get("Messages", [])
                    if not msgs:
                        continue
                    with lock:
                        for m in msgs:
                            received[m["Body"]].append(m["MessageId"])
                            p, i = m["Body"].split("-")
                            order[p].append(int(i))
                    sqs.delete_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]}
                        for k, m in enumerate(msgs)])
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=produce, args=(p,)) for p in range(PRODUCERS)]
        threads += [threading.Thread(target=consume) for _ in range(CONSUMERS)]
        for t in threads:
            t.start()
        deadline = time.time() + 60
        total = PRODUCERS * PER_PRODUCER
        while time.time() < deadline:
            with lock:
                if len(received) == total:
                    break
            time.sleep(0.1)
        time.sleep(1.5)  # let in-flight receives finish; nothing more may arrive
        done.set()
        for t in threads:
            t.join(timeout=10)
        self.assertEqual(errors, [])
        expected = {"%d-%d" % (p, i) for p in range(PRODUCERS) for i in range(PER_PRODUCER)}
        self.assertEqual(set(received), expected)
        return received, order

    def test_standard_queue_delivers_every_message(self):
        url = self.client("sqs").create_queue(QueueName="busy")["QueueUrl"]
        received, _ = self.run_workload(url, fifo=False)
        # Deleted within the visibility timeout: each is delivered once here.
        self.assertTrue(all(len(ids) == 1 for ids in received.values()))

    def test_fifo_queue_delivers_exactly_once_in_group_order(self):
        url = self.client("sqs").create_queue(QueueName="busy.fifo", Attributes={
            "FifoQueue": "true"})["QueueUrl"]
        received, order = self.run_workload(url, fifo=True)
        self.assertTrue(all(len(ids) == 1 for ids in received.values()))
        for group, seq in order.items():
            self.assertEqual(seq, list(range(PER_PRODUCER)), group)


if __name__ == "__main__":
    unittest.main()
