"""SQS queues: CreateQueue (standard and FIFO, attribute defaults and ranges, idempotency),
GetQueueUrl, ListQueues, Get/SetQueueAttributes, DeleteQueue, PurgeQueue and tags, as AWS answers
them to boto3 (JSON protocol with the legacy query error codes of awsQueryCompatible)."""
import json
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

Error = botocore.exceptions.ClientError


class SqsQueuesTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.client("sqs")

    def assertSqsError(self, ctx, legacy_code, shape, status=400):
        err = self.assertAwsError(ctx, legacy_code, status)
        self.assertEqual(err["Error"]["QueryErrorCode"], shape)
        self.assertEqual(err["Error"]["Type"], "Sender")
        return err

    def test_create_queue_url_uses_the_host_the_client_reached(self):
        url = self.sqs.create_queue(QueueName="orders")["QueueUrl"]
        self.assertEqual(url, self.server.endpoint + "/000000000000/orders")

    def test_new_queue_has_aws_defaults(self):
        url = self.sqs.create_queue(QueueName="defaults")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        expected = {
            "QueueArn": "arn:aws:sqs:us-east-1:000000000000:defaults",
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "VisibilityTimeout": "30",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "0",
            "SqsManagedSseEnabled": "true",
        }
        for k, v in expected.items():
            self.assertEqual(attrs[k], v, k)
        self.assertAlmostEqual(int(attrs["CreatedTimestamp"]), time.time(), delta=5)
        self.assertEqual(attrs["CreatedTimestamp"], attrs["LastModifiedTimestamp"])
        self.assertNotIn("FifoQueue", attrs)
        self.assertNotIn("Policy", attrs)

    def test_fifo_queue_attributes(self):
        url = self.sqs.create_queue(QueueName="jobs.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "true")
        self.assertEqual(attrs["DeduplicationScope"], "queue")
        self.assertEqual(attrs["FifoThroughputLimit"], "perQueue")

    def test_fifo_name_and_attribute_must_agree(self):
        for name, attrs in [("plain", {"FifoQueue": "true"}), ("x.fifo", {})]:
            with self.assertRaises(Error) as ctx:
                self.sqs.create_queue(QueueName=name, Attributes=attrs)
            self.assertSqsError(ctx, "InvalidParameterValue", "InvalidParameterValue")

    def test_invalid_queue_names(self):
        for name in ["has space", "a" * 81, "slash/name", "dot.name"]:
            with self.assertRaises(Error) as ctx:
                self.sqs.create_queue(QueueName=name)
            self.assertSqsError(ctx, "InvalidParameterValue", "InvalidParameterValue")
        self.sqs.create_queue(QueueName="a" * 80)

    def test_attribute_ranges(self):
        bad = {"DelaySeconds": "901", "MaximumMessageSize": "1023",
               "MessageRetentionPeriod": "59", "ReceiveMessageWaitTimeSeconds": "21",
               "VisibilityTimeout": "43201", "KmsDataKeyReusePeriodSeconds": "59"}
        for name, value in bad.items():
            with self.assertRaises(Error) as ctx:
                self.sqs.create_queue(QueueName="ranges", Attributes={name: value})
            err = self.assertSqsError(ctx, "InvalidAttributeValue", "InvalidAttributeValue")
            self.assertEqual(err["Error"]["Message"],
                             "Invalid value for the parameter %s." % name)
        good = {"DelaySeconds": "900", "MaximumMessageSize": "1024",
                "MessageRetentionPeriod": "1209600", "ReceiveMessageWaitTimeSeconds": "20",
                "VisibilityTimeout": "0"}
        url = self.sqs.create_queue(QueueName="ranges", Attributes=good)["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(good))
        self.assertEqual(attrs["Attributes"], good)

    def test_unknown_attribute_name(self):
        with self.assertRaises(Error) as ctx:
            self.sqs.create_queue(QueueName="unknown", Attributes={"ContentBasedDeduplication":
                                                                   "true"})
        err = self.assertSqsError(ctx, "InvalidAttributeName", "InvalidAttributeName")
        self.assertEqual(err["Error"]["Message"], "Unknown Attribute ContentBasedDeduplication.")
        url = self.sqs.create_queue(QueueName="known")["QueueUrl"]
        with self.assertRaises(Error) as ctx:
            self.client("sqs", parameter_validation=False).get_queue_attributes(
                QueueUrl=url, AttributeNames=["Nope"])
        self.assertSqsError(ctx, "InvalidAttributeName", "InvalidAttributeName")

    def test_create_is_idempotent_with_same_attributes(self):
        a = self.sqs.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "45"})
        b = self.sqs.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "45"})
        c = self.sqs.create_queue(QueueName="idem")
        self.assertEqual(a["QueueUrl"], b["QueueUrl"])
        self.assertEqual(a["QueueUrl"], c["QueueUrl"])

    def test_create_with_different_attributes_is_queue_name_exists(self):
        self.sqs.create_queue(QueueName="clash", Attributes={"VisibilityTimeout": "45"})
        with self.assertRaises(self.sqs.exceptions.QueueNameExists) as ctx:
            self.sqs.create_queue(QueueName="clash", Attributes={"VisibilityTimeout": "46"})
        self.assertSqsError(ctx, "QueueAlreadyExists", "QueueNameExists")
        headers = ctx.exception.response["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual(headers["x-amzn-query-error"], "QueueAlreadyExists;Sender")

    def test_get_queue_url_and_missing_queue(self):
        url = self.sqs.create_queue(QueueName="find-me")["QueueUrl"]
        self.assertEqual(self.sqs.get_queue_url(QueueName="find-me")["QueueUrl"], url)
        self.assertEqual(self.sqs.get_queue_url(QueueName="find-me",
                                                QueueOwnerAWSAccountId="000000000000")["QueueUrl"],
                         url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as ctx:
            self.sqs.get_queue_url(QueueName="missing")
        self.assertSqsError(ctx, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")

    def test_every_url_form_resolves(self):
        self.sqs.create_queue(QueueName="forms")
        port = self.server.port
        for url in ["http://localhost:%d/000000000000/forms" % port,
                    "http://sqs.us-east-1.localhost:%d/000000000000/forms" % port,
                    "https://sqs.us-east-1.amazonaws.com/000000000000/forms",
                    "/000000000000/forms"]:
            self.sqs.send_message(QueueUrl=url, MessageBody="via " + url)
        attrs = self.sqs.get_queue_attributes(QueueUrl="/000000000000/forms",
                                              AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "4")

    def test_malformed_queue_url_is_invalid_address(self):
        with self.assertRaises(Error) as ctx:
            self.sqs.get_queue_attributes(QueueUrl="not-a-url", AttributeNames=["All"])
        self.assertSqsError(ctx, "InvalidAddress", "InvalidAddress", 404)

    def test_queues_are_scoped_by_account_and_region(self):
        self.sqs.create_queue(QueueName="scoped")
        other_region = self.client("sqs", region="eu-west-1")
        with self.assertRaises(other_region.exceptions.QueueDoesNotExist):
            other_region.get_queue_url(QueueName="scoped")
        other_account = self.client("sqs", access_key="111122223333")
        with self.assertRaises(other_account.exceptions.QueueDoesNotExist):
            other_account.get_queue_url(QueueName="scoped")
        url = other_account.create_queue(QueueName="scoped")["QueueUrl"]
        self.assertIn("/111122223333/scoped", url)

    def test_list_queues_prefix_and_paging(self):
        for name in ["alpha-1", "alpha-2", "alpha-3", "beta-1"]:
            self.sqs.create_queue(QueueName=name)
        self.assertEqual(len(self.sqs.list_queues()["QueueUrls"]), 4)
        alpha = self.sqs.list_queues(QueueNamePrefix="alpha")["QueueUrls"]
        self.assertEqual([u.rsplit("/", 1)[1] for u in alpha], ["alpha-1", "alpha-2", "alpha-3"])
        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix="gamma"))
        page = self.sqs.list_queues(QueueNamePrefix="alpha", MaxResults=2)
        self.assertEqual(len(page["QueueUrls"]), 2)
        rest = self.sqs.list_queues(QueueNamePrefix="alpha", MaxResults=2,
                                    NextToken=page["NextToken"])
        self.assertEqual([u.rsplit("/", 1)[1] for u in rest["QueueUrls"]], ["alpha-3"])
        self.assertNotIn("NextToken", rest)
        paginated = [u for p in self.sqs.get_paginator("list_queues").paginate(
            PaginationConfig={"PageSize": 1}) for u in p.get("QueueUrls", [])]
        self.assertEqual(len(paginated), 4)
        with self.assertRaises(Error) as ctx:
            self.sqs.list_queues(MaxResults=1001)
        self.assertSqsError(ctx, "InvalidParameterValue", "InvalidParameterValue")

    def test_set_queue_attributes(self):
        url = self.sqs.create_queue(QueueName="settable")["QueueUrl"]
        policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
                  '"Action":"sqs:SendMessage","Resource":"*"}]}')
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "VisibilityTimeout": "60", "DelaySeconds": "5", "Policy": policy})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "60")
        self.assertEqual(attrs["DelaySeconds"], "5")
        self.assertEqual(attrs["Policy"], policy)
        with self.assertRaises(Error) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "-1"})
        self.assertSqsError(ctx, "InvalidAttributeValue", "InvalidAttributeValue")
        with self.assertRaises(Error) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"QueueArn": "x"})
        self.assertSqsError(ctx, "InvalidAttributeName", "InvalidAttributeName")

    def test_delete_queue(self):
        url = self.sqs.create_queue(QueueName="doomed")["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="gone with the queue")
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="doomed")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.delete_queue(QueueUrl=url)
        url = self.sqs.create_queue(QueueName="doomed")["QueueUrl"]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_purge_queue_and_purge_in_progress(self):
        url = self.sqs.create_queue(QueueName="purged")["QueueUrl"]
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.sqs.purge_queue(QueueUrl=url)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url,
                                              AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "0")
        with self.assertRaises(self.sqs.exceptions.PurgeQueueInProgress) as ctx:
            self.sqs.purge_queue(QueueUrl=url)
        self.assertSqsError(ctx, "AWS.SimpleQueueService.PurgeQueueInProgress",
                            "PurgeQueueInProgress", 403)

    def test_tags(self):
        url = self.sqs.create_queue(QueueName="tagged", tags={"team": "core"})["QueueUrl"]
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "test", "team": "edge"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"team": "edge", "env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
        self.assertNotIn("Tags", self.sqs.list_queue_tags(QueueUrl=url))

    def test_add_and_remove_permission(self):
        url = self.sqs.create_queue(QueueName="shared")["QueueUrl"]
        self.sqs.add_permission(QueueUrl=url, Label="let-them-send",
                                AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        policy = json.loads(self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
        [statement] = policy["Statement"]
        self.assertEqual(statement["Sid"], "let-them-send")
        self.assertEqual(statement["Principal"], {"AWS": "arn:aws:iam::111122223333:root"})
        self.assertEqual(statement["Action"], "SQS:SendMessage")
        self.assertEqual(statement["Resource"], "arn:aws:sqs:us-east-1:000000000000:shared")
        with self.assertRaises(Error) as ctx:
            self.sqs.add_permission(QueueUrl=url, Label="let-them-send",
                                    AWSAccountIds=["111122223333"], Actions=["*"])
        self.assertSqsError(ctx, "InvalidParameterValue", "InvalidParameterValue")
        self.sqs.remove_permission(QueueUrl=url, Label="let-them-send")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        self.assertNotIn("Policy", attrs["Attributes"])
        with self.assertRaises(Error) as ctx:
            self.sqs.remove_permission(QueueUrl=url, Label="let-them-send")
        self.assertSqsError(ctx, "InvalidParameterValue", "InvalidParameterValue")

    def test_cli_creates_and_lists(self):
        _, out, _ = self.server.aws("sqs", "create-queue", "--queue-name", "from-cli")
        self.assertTrue(out["QueueUrl"].endswith("/000000000000/from-cli"))
        _, out, _ = self.server.aws("sqs", "list-queues")
        self.assertEqual(out["QueueUrls"], [self.server.endpoint + "/000000000000/from-cli"])
        code, _, err = self.server.aws("sqs", "get-queue-url", "--queue-name", "nope",
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", err)


if __name__ == "__main__":
    unittest.main()
