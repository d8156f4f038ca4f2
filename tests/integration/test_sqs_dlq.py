"""SQS dead-letter queues: a RedrivePolicy's maxReceiveCount moves a message that was received
too often to the dead-letter queue, RedrivePolicy validation, RedriveAllowPolicy, and
ListDeadLetterSourceQueues."""
import json
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

Error = botocore.exceptions.ClientError


class SqsDeadLetterTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.client("sqs")
        self.dlq = self.sqs.create_queue(QueueName="dead")["QueueUrl"]
        self.dlq_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def redrive(self, count=2, arn=None):
        return json.dumps({"deadLetterTargetArn": arn or self.dlq_arn, "maxReceiveCount": count})

    def test_message_moves_after_max_receive_count(self):
        src = self.sqs.create_queue(QueueName="src", Attributes={
            "RedrivePolicy": self.redrive(2)})["QueueUrl"]
        sent = self.sqs.send_message(QueueUrl=src, MessageBody="poison", MessageAttributes={
            "k": {"DataType": "String", "StringValue": "v"}})
        for _ in range(2):
            self.assertEqual(len(self.sqs.receive_message(QueueUrl=src,
                                                          VisibilityTimeout=0)["Messages"]), 1)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        [m] = self.sqs.receive_message(QueueUrl=self.dlq, MessageSystemAttributeNames=["All"],
                                       MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "poison")
        self.assertEqual(m["MessageAttributes"]["k"]["StringValue"], "v")
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"],
                         "arn:aws:sqs:us-east-1:000000000000:src")

    def test_redrive_policy_is_shown_normalized_and_can_be_cleared(self):
        src = self.sqs.create_queue(QueueName="src", Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.dlq_arn,
                                         "maxReceiveCount": "5"})})["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])
        self.assertEqual(json.loads(attrs["Attributes"]["RedrivePolicy"]),
                         {"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": 5})
        self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": ""})
        attrs = self.sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["All"])
        self.assertNotIn("RedrivePolicy", attrs["Attributes"])

    def test_invalid_redrive_policies(self):
        bad = ["not json", self.redrive(0), self.redrive(1001),
               self.redrive(3, "arn:aws:sqs:us-east-1:000000000000:missing"),
               json.dumps({"maxReceiveCount": 3})]
        for policy in bad:
            with self.assertRaises(Error) as ctx:
                self.sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": policy})
            err = self.assertAwsError(ctx, "InvalidParameterValue", 400)
            self.assertIn("for parameter RedrivePolicy is invalid", err["Error"]["Message"])
        fifo = self.sqs.create_queue(QueueName="src.fifo", Attributes={"FifoQueue": "true"})
        with self.assertRaises(Error):
            self.sqs.set_queue_attributes(QueueUrl=fifo["QueueUrl"],
                                          Attributes={"RedrivePolicy": self.redrive(3)})

    def test_redrive_allow_policy(self):
        policy = json.dumps({"redrivePermission": "allowAll"})
        self.sqs.set_queue_attributes(QueueUrl=self.dlq,
                                      Attributes={"RedriveAllowPolicy": policy})
        attrs = self.sqs.get_queue_attributes(QueueUrl=self.dlq,
                                              AttributeNames=["RedriveAllowPolicy"])
        self.assertEqual(attrs["Attributes"]["RedriveAllowPolicy"], policy)
        with self.assertRaises(Error) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=self.dlq, Attributes={
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "sometimes"})})
        self.assertAwsError(ctx, "InvalidParameterValue", 400)

    def test_list_dead_letter_source_queues(self):
        for name in ["s1", "s2", "s3"]:
            self.sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": self.redrive()})
        self.sqs.create_queue(QueueName="unrelated")
        urls = self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq)["queueUrls"]
        self.assertEqual([u.rsplit("/", 1)[1] for u in urls], ["s1", "s2", "s3"])
        page = self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq, MaxResults=2)
        self.assertEqual(len(page["queueUrls"]), 2)
        rest = self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq, MaxResults=2,
                                                       NextToken=page["NextToken"])
        self.assertEqual([u.rsplit("/", 1)[1] for u in rest["queueUrls"]], ["s3"])

    def fill_dead_letter_queue(self, n):
        src = self.sqs.create_queue(QueueName="src", Attributes={
            "RedrivePolicy": self.redrive(1)})["QueueUrl"]
        for i in range(n):
            self.sqs.send_message(QueueUrl=src, MessageBody="m%d" % i)
        while self.sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10,
                                       VisibilityTimeout=0).get("Messages"):
            pass
        counts = self.sqs.get_queue_attributes(QueueUrl=self.dlq,
                                               AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(counts["Attributes"]["ApproximateNumberOfMessages"], str(n))
        return src

    def wait_for_task(self, status):
        deadline = time.time() + 10
        while time.time() < deadline:
            [task] = self.sqs.list_message_move_tasks(SourceArn=self.dlq_arn)["Results"]
            if task["Status"] == status:
                return task
            time.sleep(0.1)
        self.fail("move task never reached " + status)

    def test_move_task_redrives_messages_to_their_source(self):
        src = self.fill_dead_letter_queue(3)
        handle = self.sqs.start_message_move_task(SourceArn=self.dlq_arn)["TaskHandle"]
        self.assertTrue(handle)
        task = self.wait_for_task("COMPLETED")
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 3)
        self.assertEqual(task["ApproximateNumberOfMessagesToMove"], 3)
        self.assertNotIn("TaskHandle", task)
        got = self.sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10,
                                       AttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual(sorted(m["Body"] for m in got), ["m0", "m1", "m2"])
        self.assertTrue(all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in got))

    def test_move_task_to_a_destination_and_cancel(self):
        self.fill_dead_letter_queue(4)
        other = self.sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
        other_arn = "arn:aws:sqs:us-east-1:000000000000:elsewhere"
        handle = self.sqs.start_message_move_task(SourceArn=self.dlq_arn,
                                                  DestinationArn=other_arn,
                                                  MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        with self.assertRaises(Error) as ctx:
            self.sqs.start_message_move_task(SourceArn=self.dlq_arn)
        self.assertAwsError(ctx, "InvalidParameterValue", 400)
        [running] = self.sqs.list_message_move_tasks(SourceArn=self.dlq_arn)["Results"]
        self.assertEqual(running["Status"], "RUNNING")
        self.assertEqual(running["TaskHandle"], handle)
        self.assertEqual(running["DestinationArn"], other_arn)
        self.assertEqual(running["MaxNumberOfMessagesPerSecond"], 1)
        self.sqs.cancel_message_move_task(TaskHandle=handle)
        task = self.wait_for_task("CANCELLED")
        self.assertLess(task["ApproximateNumberOfMessagesMoved"], 4)
        moved = self.sqs.get_queue_attributes(QueueUrl=other,
                                              AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(moved["Attributes"]["ApproximateNumberOfMessages"],
                         str(task["ApproximateNumberOfMessagesMoved"]))
        with self.assertRaises(self.sqs.exceptions.ResourceNotFoundException) as ctx:
            self.sqs.cancel_message_move_task(TaskHandle=handle)
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)

    def test_move_task_errors(self):
        with self.assertRaises(Error) as ctx:
            self.sqs.start_message_move_task(SourceArn=self.dlq_arn)
        err = self.assertAwsError(ctx, "InvalidParameterValue", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Source queue must be configured as a Dead Letter Queue.")
        with self.assertRaises(self.sqs.exceptions.ResourceNotFoundException):
            self.sqs.start_message_move_task(
                SourceArn="arn:aws:sqs:us-east-1:000000000000:missing")
        with self.assertRaises(self.sqs.exceptions.ResourceNotFoundException):
            self.sqs.list_message_move_tasks(
                SourceArn="arn:aws:sqs:us-east-1:000000000000:missing")
        self.assertEqual(self.sqs.list_message_move_tasks(SourceArn=self.dlq_arn)["Results"], [])


if __name__ == "__main__":
    unittest.main()
