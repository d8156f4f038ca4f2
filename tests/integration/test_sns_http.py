"""SNS HTTP subscribers, against a small http.server in the test: the SubscriptionConfirmation
POST and its SubscribeURL, Notification POSTs with the x-amz-sns-* headers, raw delivery, the
delivery policy's content type and retries with backoff on server errors (none on 4xx), and the
UnsubscribeConfirmation."""
import base64
import http.server
import json
import queue
import threading
import time
import unittest
import urllib.request

from nimbus_harness import NimbusTestCase


class Receiver:
    """Records every POST; answers the queued statuses in turn, then 200."""

    def __init__(self, statuses=()):
        self.requests = queue.Queue()
        self.statuses = list(statuses)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                receiver.requests.put({"path": self.path, "body": body, "time": time.time(),
                                       "headers": {k.lower(): v for k, v in self.headers.items()}})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/sns-endpoint" % self.httpd.server_address[1]

    def next(self, timeout=10):
        return self.requests.get(timeout=timeout)

    def nothing_for(self, seconds):
        try:
            self.requests.get(timeout=seconds)
            return False
        except queue.Empty:
            return True

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SnsHttpTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sns = self.client("sns")
        self.topic = self.sns.create_topic(Name="web")["TopicArn"]
        self.receivers = []

    def tearDown(self):
        for r in self.receivers:
            r.close()

    def receiver(self, statuses=()):
        r = Receiver(statuses)
        self.receivers.append(r)
        return r

    def subscribe_and_confirm(self, receiver, **attributes):
        self.sns.subscribe(TopicArn=self.topic, Protocol="http", Endpoint=receiver.url,
                           Attributes=attributes)
        confirmation = json.loads(receiver.next()["body"])
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertIn(b"<SubscriptionArn>", r.read())
        subs = self.sns.list_subscriptions_by_topic(TopicArn=self.topic)["Subscriptions"]
        return subs[0]["SubscriptionArn"]

    def test_subscription_confirmation_post(self):
        """Subscribing an http endpoint POSTs a SubscriptionConfirmation with the x-amz-sns-*
        headers (no subscription ARN yet) and a SubscribeURL that confirms it."""
        receiver = self.receiver()
        r = self.sns.subscribe(TopicArn=self.topic, Protocol="http", Endpoint=receiver.url)
        self.assertEqual(r["SubscriptionArn"], "pending confirmation")
        request = receiver.next()
        self.assertEqual(request["path"], "/sns-endpoint")
        headers = request["headers"]
        self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertEqual(headers["x-amz-sns-topic-arn"], self.topic)
        self.assertNotIn("x-amz-sns-subscription-arn", headers)
        self.assertEqual(headers["content-type"], "text/plain; charset=UTF-8")
        self.assertEqual(headers["user-agent"], "Amazon Simple Notification Service Agent")
        doc = json.loads(request["body"])
        self.assertEqual(list(doc), ["Type", "MessageId", "Token", "TopicArn", "Message",
                                     "SubscribeURL", "Timestamp", "SignatureVersion", "Signature",
                                     "SigningCertURL"])
        self.assertEqual(doc["Type"], "SubscriptionConfirmation")
        self.assertEqual(doc["MessageId"], headers["x-amz-sns-message-id"])
        self.assertIn("Action=ConfirmSubscription&TopicArn=%s&Token=%s"
                      % (self.topic, doc["Token"]), doc["SubscribeURL"])
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=self.topic)["Attributes"]
                         ["SubscriptionsPending"], "1")
        with urllib.request.urlopen(doc["SubscribeURL"], timeout=10) as resp:
            self.assertEqual(resp.status, 200)
        attrs = self.sns.get_topic_attributes(TopicArn=self.topic)["Attributes"]
        self.assertEqual(attrs["SubscriptionsPending"], "0")
        self.assertEqual(attrs["SubscriptionsConfirmed"], "1")

    def test_notification_post(self):
        """A confirmed endpoint gets Notification POSTs with the message, message and topic and
        subscription ARNs in headers, and SNS's JSON document as body."""
        receiver = self.receiver()
        sub = self.subscribe_and_confirm(receiver)
        r = self.sns.publish(TopicArn=self.topic, Message="to the web", Subject="Hi",
                             MessageAttributes={"k": {"DataType": "Number", "StringValue": "7"}})
        request = receiver.next()
        headers = request["headers"]
        self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
        self.assertEqual(headers["x-amz-sns-message-id"], r["MessageId"])
        self.assertEqual(headers["x-amz-sns-topic-arn"], self.topic)
        self.assertEqual(headers["x-amz-sns-subscription-arn"], sub)
        self.assertNotIn("x-amz-sns-rawdelivery", headers)
        doc = json.loads(request["body"])
        self.assertEqual(doc["Type"], "Notification")
        self.assertEqual(doc["Message"], "to the web")
        self.assertEqual(doc["Subject"], "Hi")
        self.assertEqual(doc["MessageAttributes"], {"k": {"Type": "Number", "Value": "7"}})
        self.assertEqual(len(base64.b64decode(doc["Signature"])), 256)
        self.assertTrue(doc["UnsubscribeURL"].endswith("SubscriptionArn=" + sub))

    def test_raw_delivery_and_content_type(self):
        """RawMessageDelivery POSTs the bare message with x-amz-sns-rawdelivery; the
        subscription's requestPolicy sets the content type."""
        receiver = self.receiver()
        self.subscribe_and_confirm(receiver, RawMessageDelivery="true", DeliveryPolicy=json.dumps(
            {"requestPolicy": {"headerContentType": "application/json"}}))
        self.sns.publish(TopicArn=self.topic, Message='{"raw": true}')
        request = receiver.next()
        self.assertEqual(request["body"], '{"raw": true}')
        self.assertEqual(request["headers"]["x-amz-sns-rawdelivery"], "true")
        self.assertEqual(request["headers"]["content-type"], "application/json")

    def test_server_errors_are_retried_with_backoff(self):
        """A 5xx answer is retried after the delivery policy's delay; the retry carries the same
        message id."""
        receiver = self.receiver(statuses=[200, 500])
        self.subscribe_and_confirm(receiver, DeliveryPolicy=json.dumps(
            {"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 1, "maxDelayTarget": 1}}))
        r = self.sns.publish(TopicArn=self.topic, Message="retry me")
        first, second = receiver.next(), receiver.next()
        self.assertEqual(first["headers"]["x-amz-sns-message-id"], r["MessageId"])
        self.assertEqual(second["headers"]["x-amz-sns-message-id"], r["MessageId"])
        self.assertGreaterEqual(second["time"] - first["time"], 0.9)
        self.assertTrue(receiver.nothing_for(1.5), "delivered: no more attempts")

    def test_client_errors_are_not_retried(self):
        """A 4xx answer ends delivery: no retry."""
        receiver = self.receiver(statuses=[200, 404])
        self.subscribe_and_confirm(receiver, DeliveryPolicy=json.dumps(
            {"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 1, "maxDelayTarget": 1}}))
        self.sns.publish(TopicArn=self.topic, Message="gone")
        receiver.next()
        self.assertTrue(receiver.nothing_for(1.5))

    def test_unreachable_endpoint_does_not_block_publish(self):
        """Publishing to a topic with an unreachable endpoint answers at once."""
        self.sns.subscribe(TopicArn=self.topic, Protocol="http",
                           Endpoint="http://127.0.0.1:9/closed")
        start = time.time()
        self.sns.publish(TopicArn=self.topic, Message="x")
        self.assertLess(time.time() - start, 1.0)

    def test_unsubscribe_confirmation(self):
        """Unsubscribing a confirmed http subscription POSTs an UnsubscribeConfirmation."""
        receiver = self.receiver()
        sub = self.subscribe_and_confirm(receiver)
        self.sns.unsubscribe(SubscriptionArn=sub)
        request = receiver.next()
        self.assertEqual(request["headers"]["x-amz-sns-message-type"], "UnsubscribeConfirmation")
        self.assertEqual(request["headers"]["x-amz-sns-subscription-arn"], sub)
        doc = json.loads(request["body"])
        self.assertEqual(doc["Type"], "UnsubscribeConfirmation")
        self.assertTrue(doc["Message"].startswith("You have chosen to deactivate subscription "
                                                  + sub))

    def test_pending_endpoint_gets_no_notifications(self):
        """Until confirmed, an endpoint receives nothing but the confirmation."""
        receiver = self.receiver()
        self.sns.subscribe(TopicArn=self.topic, Protocol="http", Endpoint=receiver.url)
        receiver.next()
        self.sns.publish(TopicArn=self.topic, Message="x")
        self.assertTrue(receiver.nothing_for(0.5))


if __name__ == "__main__":
    unittest.main()
