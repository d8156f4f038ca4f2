"""SNS to Lambda: a lambda subscription invokes the function asynchronously with the SNS event
(Records[0].EventSource "aws:sns", EventSubscriptionArn, and the notification under "Sns" with
SigningCertUrl/UnsubscribeUrl spelled as Lambda events spell them). The function forwards its
event to an SQS queue (plain HTTP to nimbus), where the test reads it. Runs once Lambda and SQS work."""
import io
import json
import time
import unittest
import zipfile

from nimbus_harness import NimbusServer, NimbusTestCase

FORWARDER = '''
import json, os, urllib.request

def handler(event, context):
    # SendMessage over SQS's JSON protocol with the standard library (no SDK needed).
    body = json.dumps({"QueueUrl": os.environ["QUEUE_URL"], "MessageBody": json.dumps(event)})
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"], data=body.encode(), method="POST",
        headers={"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": "AmazonSQS.SendMessage"})
    urllib.request.urlopen(request, timeout=10).read()
    return "forwarded"
'''


def zipped(source):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", source)
    return buf.getvalue()


def _lambda_and_sqs_available():
    server = NimbusServer(ephemeral=True)
    try:
        server.start()
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="probe")["QueueUrl"]
        lam = server.client("lambda")
        lam.create_function(FunctionName="probe", Runtime="python3.12", Handler="app.handler",
                            Role="arn:aws:iam::000000000000:role/r",
                            Code={"ZipFile": zipped(FORWARDER)},
                            Environment={"Variables": {"QUEUE_URL": url}})
        r = lam.invoke(FunctionName="probe", Payload=b'{"probe": 1}')
        return json.loads(r["Payload"].read()) == "forwarded"
    except Exception:
        return False
    finally:
        server.cleanup()


AVAILABLE = _lambda_and_sqs_available()


@unittest.skipUnless(AVAILABLE, "Lambda or SQS service not available")
class SnsToLambdaTest(NimbusTestCase):
    def test_lambda_receives_the_sns_event(self):
        """Publishing invokes the subscribed function with the SNS event."""
        sns, sqs, lam = self.client("sns"), self.client("sqs"), self.client("lambda")
        url = sqs.create_queue(QueueName="events")["QueueUrl"]
        fn = lam.create_function(FunctionName="forward", Runtime="python3.12",
                                 Handler="app.handler", Role="arn:aws:iam::000000000000:role/r",
                                 Code={"ZipFile": zipped(FORWARDER)},
                                 Environment={"Variables": {"QUEUE_URL": url}})["FunctionArn"]
        topic = sns.create_topic(Name="to-lambda")["TopicArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn)["SubscriptionArn"]
        r = sns.publish(TopicArn=topic, Message="Hello world.", Subject="[Subject] Test",
                        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        messages = []
        deadline = time.time() + 30
        while not messages and time.time() < deadline:
            messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertTrue(messages, "the function did not run")
        event = json.loads(messages[0]["Body"])
        record = event["Records"][0]
        self.assertEqual(record["EventSource"], "aws:sns")
        self.assertEqual(record["EventVersion"], "1.0")
        self.assertEqual(record["EventSubscriptionArn"], sub)
        notification = record["Sns"]
        self.assertEqual(notification["Type"], "Notification")
        self.assertEqual(notification["MessageId"], r["MessageId"])
        self.assertEqual(notification["TopicArn"], topic)
        self.assertEqual(notification["Subject"], "[Subject] Test")
        self.assertEqual(notification["Message"], "Hello world.")
        self.assertEqual(notification["SignatureVersion"], "1")
        self.assertIn("SigningCertUrl", notification)
        self.assertTrue(notification["UnsubscribeUrl"].endswith(sub))
        self.assertEqual(notification["MessageAttributes"],
                         {"k": {"Type": "String", "Value": "v"}})


if __name__ == "__main__":
    unittest.main()
