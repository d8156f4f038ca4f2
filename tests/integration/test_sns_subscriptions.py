"""SNS subscriptions: Subscribe for every protocol (confirmed at once or pending), idempotency,
ReturnSubscriptionArn, ConfirmSubscription, Unsubscribe, ListSubscriptions(ByTopic) paging,
Get/SetSubscriptionAttributes (RawMessageDelivery, FilterPolicy, FilterPolicyScope,
RedrivePolicy, DeliveryPolicy) and the errors SNS answers, including bad filter policies."""
import json
import unittest
import urllib.parse

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError
QUEUE = "arn:aws:sqs:us-east-1:000000000000:my-queue"


class SnsSubscriptionTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sns = self.client("sns")
        self.topic = self.sns.create_topic(Name="topic")["TopicArn"]

    def messages(self, **filters):
        query = urllib.parse.urlencode(filters)
        status, _, body = self.server.http("GET", "/_nimbus/sns/messages?" + query)
        self.assertEqual(status, 200)
        return json.loads(body)["messages"]

    def test_sqs_subscription_is_confirmed_at_once(self):
        """An sqs subscription answers its ARN and is confirmed, with SNS's attributes."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs",
                                 Endpoint=QUEUE)["SubscriptionArn"]
        self.assertTrue(arn.startswith(self.topic + ":"))
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attrs, {
            "ConfirmationWasAuthenticated": "true",
            "Endpoint": QUEUE,
            "Owner": "000000000000",
            "PendingConfirmation": "false",
            "Protocol": "sqs",
            "RawMessageDelivery": "false",
            "SubscriptionArn": arn,
            "SubscriptionPrincipal": "arn:aws:iam::000000000000:root",
            "TopicArn": self.topic,
        })
        topic_attrs = self.sns.get_topic_attributes(TopicArn=self.topic)["Attributes"]
        self.assertEqual(topic_attrs["SubscriptionsConfirmed"], "1")

    def test_every_protocol_is_recorded(self):
        """sqs, lambda, http, https, email, email-json, sms, application and firehose
        subscriptions are recorded; the confirmable ones stay pending."""
        endpoints = {
            "sqs": (QUEUE, False),
            "lambda": ("arn:aws:lambda:us-east-1:000000000000:function:fn", False),
            "http": ("http://127.0.0.1:9/hook", True),
            "https": ("https://127.0.0.1:9/hook", True),
            "email": ("someone@example.com", True),
            "email-json": ("json@example.com", True),
            "sms": ("+15551234567", False),
            "application": ("arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1234", False),
            "firehose": ("arn:aws:firehose:us-east-1:000000000000:deliverystream/s", False),
        }
        for protocol, (endpoint, pending) in endpoints.items():
            r = self.sns.subscribe(TopicArn=self.topic, Protocol=protocol, Endpoint=endpoint)
            if pending:
                self.assertEqual(r["SubscriptionArn"], "pending confirmation", protocol)
            else:
                self.assertTrue(r["SubscriptionArn"].startswith(self.topic), protocol)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=self.topic)["Subscriptions"]
        self.assertEqual(sorted(s["Protocol"] for s in subs), sorted(endpoints))
        for s in subs:
            expect_pending = endpoints[s["Protocol"]][1]
            self.assertEqual(s["SubscriptionArn"] == "PendingConfirmation", expect_pending)
            self.assertEqual(s["Endpoint"], endpoints[s["Protocol"]][0])
            self.assertEqual(s["Owner"], "000000000000")
        attrs = self.sns.get_topic_attributes(TopicArn=self.topic)["Attributes"]
        self.assertEqual(attrs["SubscriptionsPending"], "4")
        self.assertEqual(attrs["SubscriptionsConfirmed"], "5")

    def test_return_subscription_arn(self):
        """ReturnSubscriptionArn=true answers the ARN of a pending subscription."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="email", Endpoint="a@example.com",
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertTrue(arn.startswith(self.topic + ":"))
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attrs["PendingConfirmation"], "true")
        self.assertEqual(attrs["ConfirmationWasAuthenticated"], "false")

    def test_email_confirmation_flow(self):
        """An email subscription gets a SubscriptionConfirmation (kept at /_nimbus/sns/messages);
        ConfirmSubscription with its token confirms it, and notifications follow."""
        self.sns.subscribe(TopicArn=self.topic, Protocol="email", Endpoint="a@example.com")
        confirmations = self.messages(protocol="email")
        self.assertEqual(len(confirmations), 1)
        c = confirmations[0]
        self.assertEqual(c["Type"], "SubscriptionConfirmation")
        self.assertEqual(c["TopicArn"], self.topic)
        self.assertIn("Action=ConfirmSubscription", c["SubscribeURL"])
        body = json.loads(c["Body"])
        self.assertEqual(body["Token"], c["Token"])
        self.assertEqual(body["Message"],
                         "You have chosen to subscribe to the topic %s.\nTo confirm the "
                         "subscription, visit the SubscribeURL included in this message."
                         % self.topic)
        self.sns.publish(TopicArn=self.topic, Message="before")
        self.assertEqual(len(self.messages(protocol="email")), 1, "pending gets nothing")
        arn = self.sns.confirm_subscription(TopicArn=self.topic,
                                            Token=c["Token"])["SubscriptionArn"]
        self.assertTrue(arn.startswith(self.topic + ":"))
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attrs["PendingConfirmation"], "false")
        self.sns.publish(TopicArn=self.topic, Message="after", Subject="Hello")
        mail = self.messages(protocol="email")[-1]
        self.assertEqual(mail["Type"], "Notification")
        self.assertEqual(mail["Body"], "after")
        self.assertEqual(mail["Subject"], "Hello")
        self.assertEqual(self.sns.confirm_subscription(TopicArn=self.topic, Token=c["Token"])
                         ["SubscriptionArn"], arn, "confirming twice answers the ARN again")

    def test_subscribe_url_confirms_without_signing(self):
        """Visiting the SubscribeURL (an unsigned GET, as a browser would) confirms."""
        self.sns.subscribe(TopicArn=self.topic, Protocol="email-json", Endpoint="j@example.com")
        url = self.messages(protocol="email-json")[0]["SubscribeURL"]
        path = url[url.index("/", len("http://")):]
        status, _, body = self.server.http("GET", path)
        self.assertEqual(status, 200, body)
        self.assertIn(b"<ConfirmSubscriptionResult><SubscriptionArn>", body)
        subs = self.sns.list_subscriptions()["Subscriptions"]
        self.assertNotEqual(subs[0]["SubscriptionArn"], "PendingConfirmation")

    def test_confirm_subscription_errors(self):
        """ConfirmSubscription: a malformed topic is "Invalid parameter: Topic", an unknown
        token "Invalid parameter: Token", a malformed one "Invalid token"."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.confirm_subscription(TopicArn="not-an-arn", Token="abc")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Topic")
        with self.assertRaises(ClientError) as ctx:
            self.sns.confirm_subscription(TopicArn=self.topic, Token="ab" * 64)
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Token")
        with self.assertRaises(ClientError) as ctx:
            self.sns.confirm_subscription(TopicArn=self.topic, Token="not hex!")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid token")

    def test_subscribe_is_idempotent(self):
        """Subscribing the same endpoint again answers the same ARN (with the same attributes,
        none or a subset); different attributes are InvalidParameter."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE,
                                 Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        for attributes in [{"RawMessageDelivery": "true"}, {}]:
            again = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE,
                                       Attributes=attributes)["SubscriptionArn"]
            self.assertEqual(again, arn)
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE,
                               Attributes={"RawMessageDelivery": "false"})
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Attributes Reason: "
                                                  "Subscription already exists with different "
                                                  "attributes")
        self.assertEqual(len(self.sns.list_subscriptions()["Subscriptions"]), 1)

    def test_subscribe_errors(self):
        """Subscribe checks the protocol, the endpoint for it and the topic."""
        cases = [
            ("test-protocol", "x",
             "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol"),
            ("sqs", "https://sqs.us-east-1.amazonaws.com/000000000000/q",
             "Invalid parameter: SQS endpoint ARN"),
            ("lambda", "not-an-arn", "Invalid parameter: Lambda endpoint ARN"),
            ("http", "https://example.com", "Invalid parameter: Endpoint must match the "
                                            "specified protocol"),
            ("email", "not-an-address", "Invalid parameter: Email address"),
            ("sms", "invalid-number", "Invalid SMS endpoint: invalid-number"),
        ]
        for protocol, endpoint, message in cases:
            with self.assertRaises(ClientError, msg=protocol) as ctx:
                self.sns.subscribe(TopicArn=self.topic, Protocol=protocol, Endpoint=endpoint)
            err = self.assertAwsError(ctx, "InvalidParameter", 400)
            self.assertEqual(err["Error"]["Message"], message)
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=self.topic + "-missing", Protocol="sqs", Endpoint=QUEUE)
        self.assertAwsError(ctx, "NotFound", 404)
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn="arn:aws:sns:us-east-1:000000000000", Protocol="sqs",
                               Endpoint=QUEUE)
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: TopicArn Reason: "
                                                  "An ARN must have at least 6 elements, not 5")

    def test_fifo_queue_needs_a_fifo_topic(self):
        """FIFO queues cannot subscribe to standard topics; FIFO topics take only sqs."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE + ".fifo")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues "
                         "can not be subscribed to standard SNS topics")
        fifo = self.sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        self.sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=QUEUE + ".fifo")
        self.sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=QUEUE)
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=fifo, Protocol="email", Endpoint="a@example.com")
        self.assertAwsError(ctx, "InvalidParameter", 400)

    def test_unsubscribe(self):
        """Unsubscribe removes the subscription and counts it in SubscriptionsDeleted;
        unsubscribing again succeeds."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs",
                                 Endpoint=QUEUE)["SubscriptionArn"]
        self.sns.unsubscribe(SubscriptionArn=arn)
        self.sns.unsubscribe(SubscriptionArn=arn)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=self.topic)
                         ["Subscriptions"], [])
        attrs = self.sns.get_topic_attributes(TopicArn=self.topic)["Attributes"]
        self.assertEqual(attrs["SubscriptionsDeleted"], "1")
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_subscription_attributes(SubscriptionArn=arn)
        err = self.assertAwsError(ctx, "NotFound", 404)
        self.assertEqual(err["Error"]["Message"], "Subscription does not exist")

    def test_subscription_arn_errors(self):
        """Malformed subscription ARNs: too few elements, or a topic ARN without the id."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.unsubscribe(SubscriptionArn="pending confirmation")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: SubscriptionArn Reason: "
                                                  "An ARN must have at least 6 elements, not 1")
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_subscription_attributes(SubscriptionArn=self.topic)
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: SubscriptionId")

    def test_list_subscriptions_pages_by_100(self):
        """ListSubscriptions and ListSubscriptionsByTopic page by 100 with NextToken."""
        for i in range(120):
            self.sns.subscribe(TopicArn=self.topic, Protocol="email",
                               Endpoint="user%d@example.com" % i)
        other = self.sns.create_topic(Name="other")["TopicArn"]
        self.sns.subscribe(TopicArn=other, Protocol="sqs", Endpoint=QUEUE)
        first = self.sns.list_subscriptions_by_topic(TopicArn=self.topic)
        self.assertEqual(len(first["Subscriptions"]), 100)
        second = self.sns.list_subscriptions_by_topic(TopicArn=self.topic,
                                                      NextToken=first["NextToken"])
        self.assertEqual(len(second["Subscriptions"]), 20)
        self.assertNotIn("NextToken", second)
        everything = [s for page in self.sns.get_paginator("list_subscriptions").paginate()
                      for s in page["Subscriptions"]]
        self.assertEqual(len(everything), 121)

    def test_set_subscription_attributes(self):
        """RawMessageDelivery, FilterPolicy (+ scope), RedrivePolicy and DeliveryPolicy are
        settable and show in GetSubscriptionAttributes; FilterPolicyScope shows with a policy."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs",
                                 Endpoint=QUEUE)["SubscriptionArn"]
        set_attr = lambda n, v: self.sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName=n, AttributeValue=v)
        set_attr("RawMessageDelivery", "true")
        set_attr("FilterPolicyScope", "MessageBody")
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertNotIn("FilterPolicyScope", attrs)
        set_attr("FilterPolicy", json.dumps({"object": {"key": [{"prefix": "auto-"}]}}))
        set_attr("RedrivePolicy", json.dumps(
            {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"}))
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(attrs["FilterPolicyScope"], "MessageBody")
        self.assertEqual(json.loads(attrs["FilterPolicy"]),
                         {"object": {"key": [{"prefix": "auto-"}]}})
        self.assertEqual(json.loads(attrs["RedrivePolicy"]),
                         {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"})
        set_attr("FilterPolicy", "")
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertNotIn("FilterPolicy", attrs)

    def test_http_subscription_delivery_policy(self):
        """An http subscription reports its DeliveryPolicy and the EffectiveDeliveryPolicy with
        the topic's defaults filled in."""
        arn = self.sns.subscribe(
            TopicArn=self.topic, Protocol="http", Endpoint="http://127.0.0.1:9/x",
            ReturnSubscriptionArn=True,
            Attributes={"DeliveryPolicy": json.dumps(
                {"requestPolicy": {"headerContentType": "text/csv"}})})["SubscriptionArn"]
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]),
                         {"healthyRetryPolicy": None, "sicklyRetryPolicy": None,
                          "throttlePolicy": None,
                          "requestPolicy": {"headerContentType": "text/csv"},
                          "guaranteed": False})
        effective = json.loads(attrs["EffectiveDeliveryPolicy"])
        self.assertEqual(effective["requestPolicy"], {"headerContentType": "text/csv"})
        self.assertEqual(effective["healthyRetryPolicy"]["numRetries"], 3)

    def test_set_subscription_attribute_errors(self):
        """Unknown names, non-boolean RawMessageDelivery, bad scope, bad redrive policies."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs",
                                 Endpoint=QUEUE)["SubscriptionArn"]
        cases = [
            ("FakeAttribute", "x", "Invalid parameter: AttributeName"),
            ("RawMessageDelivery", "test-ValUe",
             "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. "
             "Must be true or false."),
            ("RawMessageDelivery", "",
             "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false."),
            ("FilterPolicyScope", "RandomValue",
             "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use "
             "either MessageBody or MessageAttributes"),
            ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "fake-arn"}),
             "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
        ]
        for name, value, message in cases:
            with self.assertRaises(ClientError, msg=name) as ctx:
                self.sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name,
                                                     AttributeValue=value)
            err = self.assertAwsError(ctx, "InvalidParameter", 400)
            self.assertEqual(err["Error"]["Message"], message)
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_subscription_attributes(SubscriptionArn=arn,
                                                 AttributeName="RedrivePolicy",
                                                 AttributeValue="{invalid json")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertTrue(err["Error"]["Message"].startswith(
            "Invalid parameter: RedrivePolicy: failed to parse JSON."))
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_subscription_attributes(
                SubscriptionArn=self.topic + ":00000000-0000-0000-0000-000000000000",
                AttributeName="RawMessageDelivery", AttributeValue="true")
        self.assertAwsError(ctx, "NotFound", 404)

    def test_raw_delivery_is_not_for_email(self):
        """RawMessageDelivery=true is refused for protocols that cannot deliver raw."""
        arn = self.sns.subscribe(TopicArn=self.topic, Protocol="email", Endpoint="a@example.com",
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_subscription_attributes(SubscriptionArn=arn,
                                                 AttributeName="RawMessageDelivery",
                                                 AttributeValue="true")
        self.assertAwsError(ctx, "InvalidParameter", 400)

    def test_subscribe_attribute_errors_are_prefixed(self):
        """Subscribe reports attribute problems as "Invalid parameter: Attributes Reason: ..."."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE,
                               Attributes={"RawMessageDelivery": "wrongvalue"})
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value "
                         "[wrongvalue]. Must be true or false.")
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE,
                               Attributes={"Bogus": "1"})
        self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(self.sns.list_subscriptions()["Subscriptions"], [])

    def test_fifo_subscription_dead_letter_queue_must_be_fifo(self):
        """A FIFO subscription of a FIFO topic needs a FIFO dead-letter queue."""
        fifo = self.sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=QUEUE + ".fifo",
                               Attributes={"RedrivePolicy": json.dumps(
                                   {"deadLetterTargetArn": QUEUE + "-dlq"})})
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO "
                         "queue as DLQ for a FIFO Subscription to a FIFO Topic.")


class SnsFilterPolicyValidationTest(NimbusTestCase):
    """Bad filter policies are refused with AWS's wording; the unit tests in
    tests/unit/services/sns cover every rule, these pin the wire format."""

    def setUp(self):
        super().setUp()
        self.sns = self.client("sns")
        self.topic = self.sns.create_topic(Name="topic")["TopicArn"]
        self.sub = self.sns.subscribe(TopicArn=self.topic, Protocol="sqs",
                                      Endpoint=QUEUE)["SubscriptionArn"]

    def set_policy(self, policy):
        return self.sns.set_subscription_attributes(
            SubscriptionArn=self.sub, AttributeName="FilterPolicy",
            AttributeValue=policy if isinstance(policy, str) else json.dumps(policy))

    def assertPolicyError(self, policy, message):
        with self.assertRaises(ClientError) as ctx:
            self.set_policy(policy)
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], message)

    def test_not_json(self):
        """Unparseable JSON: "Invalid parameter: FilterPolicy: failed to parse JSON. ..."."""
        with self.assertRaises(ClientError) as ctx:
            self.set_policy("{invalid")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertTrue(err["Error"]["Message"].startswith(
            "Invalid parameter: FilterPolicy: failed to parse JSON."))

    def test_structure_and_limits(self):
        """Values must be arrays or objects; at most 5 keys; at most 150 combinations; nesting
        only with the MessageBody scope."""
        self.assertPolicyError({"key_a": "value_one"},
                               'Invalid parameter: FilterPolicy: "key_a" must be an object or '
                               'an array')
        self.assertPolicyError({k: ["v"] for k in "abcdef"},
                               "Invalid parameter: FilterPolicy: Filter policy can not have more "
                               "than 5 keys")
        self.assertPolicyError({k: [str(i) for i in range(6)] for k in "abc"},
                               "Invalid parameter: FilterPolicy: Filter policy is too complex")
        self.assertPolicyError({"object": {"key": ["v"]}},
                               "Invalid parameter: Filter policy scope MessageAttributes does not "
                               "support nested filter policy")

    def test_match_expressions(self):
        """Operators and their operands are checked."""
        self.assertPolicyError({"key": [{"wrong-operator": True}]},
                               "Invalid parameter: FilterPolicy: Unrecognized match type "
                               "wrong-operator")
        self.assertPolicyError({"key": [{"numeric": [">", 3, "<", 1]}]},
                               "Invalid parameter: FilterPolicy: Bottom must be less than top")
        self.assertPolicyError({"key": [{"exists": "no"}]},
                               "Invalid parameter: FilterPolicy: exists match pattern must be "
                               "either true or false.")
        self.assertPolicyError({"key": [{"anything-but": {"suffix": "x"}}]},
                               "Invalid parameter: FilterPolicy: Unsupported anything-but "
                               "pattern: suffix")

    def test_subscribe_with_a_bad_policy(self):
        """Subscribe prefixes the reason with "Attributes Reason:" and creates nothing."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=QUEUE + "2",
                               Attributes={"FilterPolicy": json.dumps({"k": [{"suffix": 1}]})})
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid parameter: Attributes Reason: FilterPolicy: suffix match "
                         "pattern must be a string")
        self.assertEqual(len(self.sns.list_subscriptions()["Subscriptions"]), 1)

    def test_scope_change_revalidates_the_policy(self):
        """A nested policy set with the MessageBody scope keeps the scope from going back."""
        self.sns.set_subscription_attributes(SubscriptionArn=self.sub,
                                             AttributeName="FilterPolicyScope",
                                             AttributeValue="MessageBody")
        self.set_policy({"object": {"key": [{"prefix": "auto-"}]}})
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_subscription_attributes(SubscriptionArn=self.sub,
                                                 AttributeName="FilterPolicyScope",
                                                 AttributeValue="MessageAttributes")
        self.assertAwsError(ctx, "InvalidParameter", 400)


if __name__ == "__main__":
    unittest.main()
