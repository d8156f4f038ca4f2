"""Asynchronous invocation settings and destinations (developer guide, "Configuring error
handling for asynchronous invocation" and "Capturing records of Lambda asynchronous
invocations"): EventInvokeConfig CRUD, MaximumRetryAttempts, the destination record sent to
SQS or another function on success and failure, and the dead-letter queue's message."""
import json
import unittest

import botocore.exceptions

from test_lambda_support import LambdaTestCase

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
OK = {"app.py": "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"}
FAIL = {"app.py": "def handler(event, context):\n    raise KeyError('nope')\n"}


class AsyncDestinationsTest(LambdaTestCase):
    def queue(self, name):
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return sqs, url, arn

    def receive(self, sqs, url):
        msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20,
                                   MessageAttributeNames=["All"]).get("Messages", [])
        self.assertEqual(len(msgs), 1, msgs)
        return msgs[0]

    def test_event_invoke_config_lifecycle(self):
        self.create("fn", OK, "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.get_function_event_invoke_config(FunctionName="fn")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "The function %sfn:$LATEST doesn't have an EventInvokeConfig" % ARN)
        r = self.lam.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=1,
                                                      MaximumEventAgeInSeconds=120)
        self.assertEqual(r["FunctionArn"], ARN + "fn:$LATEST")
        self.assertEqual((r["MaximumRetryAttempts"], r["MaximumEventAgeInSeconds"]), (1, 120))
        r = self.lam.update_function_event_invoke_config(FunctionName="fn",
                                                         MaximumRetryAttempts=0)
        self.assertEqual((r["MaximumRetryAttempts"], r["MaximumEventAgeInSeconds"]), (0, 120))
        listed = self.lam.list_function_event_invoke_configs(FunctionName="fn")
        self.assertEqual([c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]],
                         [ARN + "fn:$LATEST"])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.put_function_event_invoke_config(
                FunctionName="fn", DestinationConfig={"OnSuccess": {"Destination": "nowhere"}})
        self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.lam.delete_function_event_invoke_config(FunctionName="fn")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.delete_function_event_invoke_config(FunctionName="fn")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)

    def test_on_success_record_goes_to_sqs(self):
        sqs, url, arn = self.queue("on-success")
        self.create("ok", OK, "app.handler")
        self.lam.put_function_event_invoke_config(
            FunctionName="ok", DestinationConfig={"OnSuccess": {"Destination": arn}})
        rid = self.lam.invoke(FunctionName="ok", InvocationType="Event",
                              Payload=b'{"n": 21}')["ResponseMetadata"]["RequestId"]
        record = json.loads(self.receive(sqs, url)["Body"])
        self.assertEqual(record["version"], "1.0")
        self.assertEqual(record["requestContext"], {
            "requestId": rid, "functionArn": ARN + "ok:$LATEST", "condition": "Success",
            "approximateInvokeCount": 1})
        self.assertEqual(record["requestPayload"], {"n": 21})
        self.assertEqual(record["responseContext"],
                         {"statusCode": 200, "executedVersion": "$LATEST"})
        self.assertEqual(record["responsePayload"], {"doubled": 42})

    def test_on_failure_after_retries_and_dead_letter_queue(self):
        sqs, fail_url, fail_arn = self.queue("on-failure")
        _, dlq_url, dlq_arn = self.queue("dead-letters")
        self.create("bad", FAIL, "app.handler", DeadLetterConfig={"TargetArn": dlq_arn})
        self.lam.put_function_event_invoke_config(
            FunctionName="bad", MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": fail_arn}})
        rid = self.lam.invoke(FunctionName="bad", InvocationType="Event",
                              Payload=b'{"n": 1}')["ResponseMetadata"]["RequestId"]
        record = json.loads(self.receive(sqs, fail_url)["Body"])
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(record["responsePayload"]["errorType"], "KeyError")
        dead = self.receive(sqs, dlq_url)
        self.assertEqual(json.loads(dead["Body"]), {"n": 1})
        self.assertEqual(dead["MessageAttributes"]["RequestID"]["StringValue"], rid)
        self.assertEqual(dead["MessageAttributes"]["ErrorCode"]["StringValue"], "200")
        self.assertEqual(dead["MessageAttributes"]["ErrorMessage"]["StringValue"], "'nope'")

    def test_on_success_to_another_function(self):
        sqs, url, _ = self.queue("chained")
        relay = ("import boto3, json\n"
                 "def handler(event, context):\n"
                 "    boto3.client('sqs').send_message(QueueUrl='%s',\n"
                 "        MessageBody=json.dumps(event['responsePayload']))\n" % url)
        self.create("relay", {"app.py": relay}, "app.handler", Timeout=30)
        self.create("first", OK, "app.handler")
        self.lam.put_function_event_invoke_config(
            FunctionName="first", DestinationConfig={"OnSuccess": {"Destination": ARN + "relay"}})
        self.lam.invoke(FunctionName="first", InvocationType="Event", Payload=b'{"n": 5}')
        self.assertEqual(json.loads(self.receive(sqs, url)["Body"]), {"doubled": 10})


if __name__ == "__main__":
    unittest.main()
