"""SQS over the legacy query protocol (Action=...&Version=2012-11-05, XML answers), as older
SDKs send it: same queues as the JSON protocol, AWS's query wire names, legacy error codes, and
requests addressed to the queue URL's path."""
import hashlib
import re
import unittest
import urllib.parse

from nimbus_harness import NimbusTestCase

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SIGNED = dict(FORM, Authorization="AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/"
                                  "us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00")


class SqsQueryTest(NimbusTestCase):
    def query(self, params, path="/", headers=FORM):
        params = dict(params, Version="2012-11-05")
        status, _, body = self.server.http("POST", path, urllib.parse.urlencode(params).encode(),
                                           headers)
        return status, body.decode()

    def tag(self, body, name):
        return re.findall(r"<%s>(.*?)</%s>" % (name, name), body, re.S)

    def test_create_send_receive_delete(self):
        status, body = self.query({"Action": "CreateQueue", "QueueName": "legacy",
                                   "Attribute.1.Name": "VisibilityTimeout",
                                   "Attribute.1.Value": "45", "Tag.1.Key": "team",
                                   "Tag.1.Value": "core"})
        self.assertEqual(status, 200, body)
        [url] = self.tag(body, "QueueUrl")
        self.assertIn("<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">",
                      body)
        status, body = self.query({"Action": "SendMessage", "QueueUrl": url,
                                   "MessageBody": "hello <xml> & co",
                                   "MessageAttribute.1.Name": "n",
                                   "MessageAttribute.1.Value.DataType": "Number",
                                   "MessageAttribute.1.Value.StringValue": "1493147359900",
                                   "MessageAttribute.2.Name": "b",
                                   "MessageAttribute.2.Value.DataType": "Binary",
                                   "MessageAttribute.2.Value.BinaryValue": "AAEC"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.tag(body, "MD5OfMessageBody"),
                         [hashlib.md5(b"hello <xml> & co").hexdigest()])
        status, body = self.query({"Action": "ReceiveMessage", "QueueUrl": url,
                                   "AttributeName.1": "All", "MessageAttributeName.1": "All"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.tag(body, "Body"), ["hello &lt;xml&gt; &amp; co"])
        self.assertIn("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value>"
                      "</Attribute>", body)
        self.assertIn("<MessageAttribute><Name>b</Name><Value><BinaryValue>AAEC</BinaryValue>"
                      "<DataType>Binary</DataType></Value></MessageAttribute>", body)
        [handle] = self.tag(body, "ReceiptHandle")
        status, body = self.query({"Action": "DeleteMessage", "QueueUrl": url,
                                   "ReceiptHandle": handle})
        self.assertEqual(status, 200, body)
        self.assertIn("<DeleteMessageResponse", body)
        # The same queue through boto3 (JSON protocol).
        sqs = self.client("sqs")
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core"})

    def test_get_queue_attributes_and_list_queues_xml(self):
        self.client("sqs").create_queue(QueueName="shared")
        status, body = self.query({"Action": "GetQueueUrl", "QueueName": "shared"},
                                  headers=SIGNED)
        self.assertEqual(status, 200, body)
        [url] = self.tag(body, "QueueUrl")
        status, body = self.query({"Action": "GetQueueAttributes", "QueueUrl": url,
                                   "AttributeName.1": "VisibilityTimeout",
                                   "AttributeName.2": "QueueArn"})
        self.assertIn("<Attribute><Name>QueueArn</Name><Value>"
                      "arn:aws:sqs:us-east-1:000000000000:shared</Value></Attribute>", body)
        self.assertIn("<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>",
                      body)
        status, body = self.query({"Action": "ListQueues", "QueueNamePrefix": "sh"})
        self.assertEqual(self.tag(body, "QueueUrl"), [url])

    def test_batches_use_entry_names(self):
        url = self.client("sqs").create_queue(QueueName="batched")["QueueUrl"]
        status, body = self.query({
            "Action": "SendMessageBatch", "QueueUrl": url,
            "SendMessageBatchRequestEntry.1.Id": "a",
            "SendMessageBatchRequestEntry.1.MessageBody": "one",
            "SendMessageBatchRequestEntry.2.Id": "b",
            "SendMessageBatchRequestEntry.2.MessageBody": "two",
            "SendMessageBatchRequestEntry.2.DelaySeconds": "0"})
        self.assertEqual(status, 200, body)
        self.assertEqual(len(self.tag(body, "SendMessageBatchResultEntry")), 2)
        status, body = self.query({"Action": "ReceiveMessage", "QueueUrl": url,
                                   "MaxNumberOfMessages": "10"})
        handles = self.tag(body, "ReceiptHandle")
        self.assertEqual(len(handles), 2)
        status, body = self.query({
            "Action": "DeleteMessageBatch", "QueueUrl": url,
            "DeleteMessageBatchRequestEntry.1.Id": "x",
            "DeleteMessageBatchRequestEntry.1.ReceiptHandle": handles[0],
            "DeleteMessageBatchRequestEntry.2.Id": "y",
            "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "bad"})
        self.assertEqual(status, 200, body)
        self.assertIn("<DeleteMessageBatchResultEntry><Id>x</Id></DeleteMessageBatchResultEntry>",
                      body)
        self.assertIn("<BatchResultErrorEntry><Code>ReceiptHandleIsInvalid</Code>", body)

    def test_request_addressed_by_queue_path(self):
        url = self.client("sqs").create_queue(QueueName="by-path")["QueueUrl"]
        status, body = self.query({"Action": "SendMessage", "MessageBody": "via path"},
                                  path="/000000000000/by-path", headers=SIGNED)
        self.assertEqual(status, 200, body)
        m = self.client("sqs").receive_message(QueueUrl=url)["Messages"][0]
        self.assertEqual(m["Body"], "via path")

    def test_errors_use_legacy_codes(self):
        status, body = self.query({"Action": "GetQueueUrl", "QueueName": "nope"})
        self.assertEqual(status, 400)
        self.assertEqual(self.tag(body, "Code"), ["AWS.SimpleQueueService.NonExistentQueue"])
        self.assertEqual(self.tag(body, "Type"), ["Sender"])
        self.client("sqs").create_queue(QueueName="dupe", Attributes={"DelaySeconds": "1"})
        status, body = self.query({"Action": "CreateQueue", "QueueName": "dupe",
                                   "Attribute.1.Name": "DelaySeconds",
                                   "Attribute.1.Value": "2"})
        self.assertEqual(self.tag(body, "Code"), ["QueueAlreadyExists"])
        status, body = self.query({"Action": "SendMessage", "QueueUrl": "/000000000000/dupe"})
        self.assertEqual(status, 400)
        self.assertEqual(self.tag(body, "Code"), ["MissingParameter"])
        status, body = self.query({"Action": "Frobnicate"})
        self.assertEqual(self.tag(body, "Code"), ["InvalidAction"])
        status, body = self.query({"Action": "ReceiveMessage", "QueueUrl": "/000000000000/dupe",
                                   "MaxNumberOfMessages": "ten"})
        self.assertEqual(self.tag(body, "Code"), ["InvalidParameterValue"])


if __name__ == "__main__":
    unittest.main()
