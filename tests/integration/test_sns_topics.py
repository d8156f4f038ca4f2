"""SNS topics: CreateTopic (standard and FIFO, attributes, tags, idempotency), DeleteTopic,
ListTopics paging, Get/SetTopicAttributes, tagging, cross-account authorization, the errors SNS
answers for each, the AWS CLI, and topics surviving a restart."""
import json
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError


class SnsTopicTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sns = self.client("sns")

    def test_create_topic_returns_arn_in_region_and_account(self):
        """CreateTopic answers arn:aws:sns:<region>:<account>:<name>."""
        arn = self.sns.create_topic(Name="orders")["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:000000000000:orders")
        west = self.client("sns", region="eu-west-1").create_topic(Name="orders")["TopicArn"]
        self.assertEqual(west, "arn:aws:sns:eu-west-1:000000000000:orders")
        other = self.client("sns", access_key="111122223333").create_topic(Name="orders")
        self.assertEqual(other["TopicArn"], "arn:aws:sns:us-east-1:111122223333:orders")

    def test_default_topic_attributes(self):
        """GetTopicAttributes of a new standard topic: Owner, default Policy, counts,
        EffectiveDeliveryPolicy and an empty DisplayName; no FIFO attributes."""
        arn = self.sns.create_topic(Name="plain")["TopicArn"]
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["Owner"], "000000000000")
        self.assertEqual(attrs["DisplayName"], "")
        self.assertEqual(attrs["SubscriptionsConfirmed"], "0")
        self.assertEqual(attrs["SubscriptionsPending"], "0")
        self.assertEqual(attrs["SubscriptionsDeleted"], "0")
        self.assertNotIn("FifoTopic", attrs)
        policy = json.loads(attrs["Policy"])
        self.assertEqual(policy["Id"], "__default_policy_ID")
        statement = policy["Statement"][0]
        self.assertEqual(statement["Resource"], arn)
        self.assertEqual(statement["Condition"],
                         {"StringEquals": {"AWS:SourceOwner": "000000000000"}})
        self.assertIn("SNS:Publish", statement["Action"])
        effective = json.loads(attrs["EffectiveDeliveryPolicy"])
        self.assertEqual(effective["http"]["defaultHealthyRetryPolicy"]["numRetries"], 3)
        self.assertEqual(effective["http"]["defaultHealthyRetryPolicy"]["minDelayTarget"], 20)
        self.assertEqual(effective["http"]["defaultRequestPolicy"]["headerContentType"],
                         "text/plain; charset=UTF-8")

    def test_fifo_topic(self):
        """A FIFO topic needs FifoTopic=true and a .fifo name; it reports FifoTopic and
        ContentBasedDeduplication (false by default)."""
        arn = self.sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["FifoTopic"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "false")
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication",
                                      AttributeValue="true")
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["ContentBasedDeduplication"], "true")

    def test_fifo_name_without_fifo_attribute_is_invalid(self):
        """A .fifo name without FifoTopic=true is not a valid topic name."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.create_topic(Name="jobs.fifo")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Topic Name")
        with self.assertRaises(ClientError) as ctx:
            self.sns.create_topic(Name="jobs", Attributes={"FifoTopic": "true"})
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertIn("Fifo Topic names must end with .fifo", err["Error"]["Message"])

    def test_topic_name_constraints(self):
        """Names are 1-256 of letters, digits, '-' and '_': anything else is
        InvalidParameter "Invalid parameter: Topic Name"."""
        self.sns.create_topic(Name="a" * 256)
        for bad in ["", "a" * 257, "with:colon", "semi;colon", "bang!", "at@", "pipe|",
                    "caret^", "percent%", "space here"]:
            with self.assertRaises(ClientError, msg=bad) as ctx:
                self.client("sns", parameter_validation=False).create_topic(Name=bad)
            err = self.assertAwsError(ctx, "InvalidParameter", 400)
            self.assertEqual(err["Error"]["Message"], "Invalid parameter: Topic Name")

    def test_missing_name_is_a_validation_error(self):
        """A missing required member is SNS's ValidationError."""
        with self.assertRaises(ClientError) as ctx:
            self.client("sns", parameter_validation=False).create_topic()
        err = self.assertAwsError(ctx, "ValidationError", 400)
        self.assertIn("Value null at 'name' failed to satisfy constraint: Member must not be null",
                      err["Error"]["Message"])

    def test_create_topic_is_idempotent(self):
        """Creating an existing topic answers its ARN again, with the same attributes or none."""
        first = self.sns.create_topic(Name="same", Attributes={"DisplayName": "AlreadySet"})
        again = self.sns.create_topic(Name="same", Attributes={"DisplayName": "AlreadySet"})
        bare = self.sns.create_topic(Name="same")
        self.assertEqual(first["TopicArn"], again["TopicArn"])
        self.assertEqual(first["TopicArn"], bare["TopicArn"])
        attrs = self.sns.get_topic_attributes(TopicArn=first["TopicArn"])["Attributes"]
        self.assertEqual(attrs["DisplayName"], "AlreadySet")
        self.assertEqual(len(self.sns.list_topics()["Topics"]), 1)

    def test_create_existing_topic_with_other_attributes_or_tags_fails(self):
        """Different attributes or tags for an existing name are InvalidParameter."""
        self.sns.create_topic(Name="t", Attributes={"DisplayName": "one"},
                              Tags=[{"Key": "k", "Value": "v"}])
        with self.assertRaises(ClientError) as ctx:
            self.sns.create_topic(Name="t", Attributes={"DisplayName": "two"})
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Attributes Reason: "
                                                  "Topic already exists with different attributes")
        with self.assertRaises(ClientError) as ctx:
            self.sns.create_topic(Name="t", Tags=[{"Key": "k", "Value": "v"},
                                                  {"Key": "k2", "Value": "v2"}])
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid parameter: Tags Reason: Topic already exists with different tags")
        self.sns.create_topic(Name="t", Tags=[{"Key": "k", "Value": "v"}])

    def test_unknown_attribute_is_invalid(self):
        """An attribute SNS does not know is "Invalid parameter: AttributeName"."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName="NoSuchThing",
                                          AttributeValue="x")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: AttributeName")
        with self.assertRaises(ClientError) as ctx:
            self.sns.create_topic(Name="t2", Attributes={"NoSuchThing": "x"})
        self.assertAwsError(ctx, "InvalidParameter", 400)

    def test_fifo_topic_attribute_cannot_be_set_later(self):
        """FifoTopic is fixed at creation: SetTopicAttributes answers AttributeName."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoTopic",
                                          AttributeValue="false")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: AttributeName")

    def test_content_based_deduplication_only_on_fifo_topics(self):
        """ContentBasedDeduplication on a standard topic is InvalidParameter."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication",
                                          AttributeValue="true")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertIn("ContentBasedDeduplication", err["Error"]["Message"])

    def test_set_topic_attributes(self):
        """SetTopicAttributes stores DisplayName, Policy and DeliveryPolicy; the delivery policy
        shows in EffectiveDeliveryPolicy over the defaults; an empty value removes it."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                                      AttributeValue="Shown")
        policy = {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5,
                                                         "maxDelayTarget": 6, "numRetries": 1},
                           "disableSubscriptionOverrides": False}}
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy",
                                      AttributeValue=json.dumps(policy))
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["DisplayName"], "Shown")
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]), policy)
        effective = json.loads(attrs["EffectiveDeliveryPolicy"])["http"]
        self.assertEqual(effective["defaultHealthyRetryPolicy"],
                         {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1,
                          "numMaxDelayRetries": 0, "numNoDelayRetries": 0,
                          "numMinDelayRetries": 0, "backoffFunction": "linear"})
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy",
                                      AttributeValue="")
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertNotIn("DeliveryPolicy", attrs)
        custom = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": arn}]}
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                      AttributeValue=json.dumps(custom))
        self.assertEqual(json.loads(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
                                    ["Policy"]), custom)

    def test_invalid_policy_json(self):
        """A Policy that is not a JSON object is InvalidParameter."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                          AttributeValue="{not json")
        self.assertAwsError(ctx, "InvalidParameter", 400)

    def test_missing_topic_is_not_found(self):
        """Operations on a well-formed ARN of no topic answer NotFound "Topic does not exist"."""
        arn = "arn:aws:sns:us-east-1:000000000000:nothing-here"
        for call in [lambda: self.sns.get_topic_attributes(TopicArn=arn),
                     lambda: self.sns.set_topic_attributes(TopicArn=arn,
                                                           AttributeName="DisplayName",
                                                           AttributeValue="x"),
                     lambda: self.sns.list_subscriptions_by_topic(TopicArn=arn)]:
            with self.assertRaises(ClientError) as ctx:
                call()
            err = self.assertAwsError(ctx, "NotFound", 404)
            self.assertEqual(err["Error"]["Message"], "Topic does not exist")
            self.assertEqual(err["Error"]["Type"], "Sender")

    def test_malformed_topic_arn(self):
        """A TopicArn that is no ARN is InvalidParameter with SNS's element count."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_topic_attributes(TopicArn="randomstring")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: TopicArn Reason: "
                                                  "An ARN must have at least 6 elements, not 1")
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:000000000000")
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertTrue(err["Error"]["Message"].endswith("not 5"))

    def test_topic_arn_of_another_region(self):
        """A topic ARN of another region than the request's is "Invalid parameter: TopicArn"."""
        arn = self.client("sns", region="eu-west-1").create_topic(Name="t")["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_topic_attributes(TopicArn=arn)
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: TopicArn")

    def test_delete_topic(self):
        """DeleteTopic removes the topic and its subscriptions; deleting again succeeds."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        self.sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="+15551234567")
        self.sns.delete_topic(TopicArn=arn)
        self.sns.delete_topic(TopicArn=arn)
        self.assertEqual(self.sns.list_topics()["Topics"], [])
        self.assertEqual(self.sns.list_subscriptions()["Subscriptions"], [])
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_topic_attributes(TopicArn=arn)
        self.assertAwsError(ctx, "NotFound", 404)

    def test_list_topics_pages_by_100(self):
        """ListTopics answers 100 topics per page with a NextToken for the rest."""
        for i in range(150):
            self.sns.create_topic(Name="topic-%03d" % i)
        first = self.sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        self.assertIn("NextToken", first)
        second = self.sns.list_topics(NextToken=first["NextToken"])
        self.assertEqual(len(second["Topics"]), 50)
        self.assertNotIn("NextToken", second)
        names = [t["TopicArn"].rsplit(":", 1)[1] for t in first["Topics"] + second["Topics"]]
        self.assertEqual(sorted(names), ["topic-%03d" % i for i in range(150)])
        paginated = [t for page in self.sns.get_paginator("list_topics").paginate()
                     for t in page["Topics"]]
        self.assertEqual(len(paginated), 150)

    def test_list_topics_is_per_account_and_region(self):
        """Topics are namespaced by account and region."""
        self.sns.create_topic(Name="mine")
        self.client("sns", region="us-west-2").create_topic(Name="west")
        self.client("sns", access_key="111122223333").create_topic(Name="theirs")
        self.assertEqual([t["TopicArn"] for t in self.sns.list_topics()["Topics"]],
                         ["arn:aws:sns:us-east-1:000000000000:mine"])

    def test_bad_next_token(self):
        """A NextToken SNS did not issue is InvalidParameter."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.list_topics(NextToken="garbage!")
        self.assertAwsError(ctx, "InvalidParameter", 400)

    def test_tags(self):
        """TagResource adds or replaces, UntagResource removes, ListTagsForResource lists."""
        arn = self.sns.create_topic(Name="t", Tags=[{"Key": "k1", "Value": "v1"}])["TopicArn"]
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2"}])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["k1"])
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2b"}])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "k2", "Value": "v2b"}])

    def test_duplicate_tag_keys(self):
        """Repeating a key in one TagResource is "Invalid parameter: Duplicated keys are not
        allowed."."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        with self.assertRaises(ClientError) as ctx:
            self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "1"},
                                                         {"Key": "k", "Value": "2"}])
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid parameter: Duplicated keys are not allowed.")

    def test_tag_limit(self):
        """More than 50 tags on a topic is TagLimitExceeded."""
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        self.sns.tag_resource(ResourceArn=arn,
                              Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(50)])
        with self.assertRaises(ClientError) as ctx:
            self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
        self.assertAwsError(ctx, "TagLimitExceeded", 400)

    def test_tagging_a_missing_topic(self):
        """Tagging operations on a missing topic answer ResourceNotFound."""
        arn = "arn:aws:sns:us-east-1:000000000000:missing"
        for call in [lambda: self.sns.list_tags_for_resource(ResourceArn=arn),
                     lambda: self.sns.tag_resource(ResourceArn=arn,
                                                   Tags=[{"Key": "k", "Value": "v"}]),
                     lambda: self.sns.untag_resource(ResourceArn=arn, TagKeys=["k"])]:
            with self.assertRaises(ClientError) as ctx:
                call()
            err = self.assertAwsError(ctx, "ResourceNotFound", 404)
            self.assertEqual(err["Error"]["Message"], "Resource does not exist")

    def test_other_accounts_topic_needs_its_policy(self):
        """Another account may use a topic only as its access policy allows: the default policy
        answers AuthorizationError (403); a policy granting Publish to everyone lets it publish."""
        arn = self.sns.create_topic(Name="shared")["TopicArn"]
        other = self.client("sns", access_key="111122223333")
        with self.assertRaises(ClientError) as ctx:
            other.get_topic_attributes(TopicArn=arn)
        err = self.assertAwsError(ctx, "AuthorizationError", 403)
        self.assertEqual(err["Error"]["Message"],
                         "User: arn:aws:iam::111122223333:root is not authorized to perform: "
                         "SNS:GetTopicAttributes on resource: " + arn)
        with self.assertRaises(ClientError) as ctx:
            other.publish(TopicArn=arn, Message="hi")
        self.assertAwsError(ctx, "AuthorizationError", 403)
        with self.assertRaises(ClientError) as ctx:
            other.list_tags_for_resource(ResourceArn=arn)
        self.assertAwsError(ctx, "AuthorizationError", 403)
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish",
             "Resource": arn}]}
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                      AttributeValue=json.dumps(policy))
        self.assertIn("MessageId", other.publish(TopicArn=arn, Message="hi"))
        with self.assertRaises(ClientError) as ctx:
            other.delete_topic(TopicArn=arn)
        self.assertAwsError(ctx, "AuthorizationError", 403)

    def test_aws_cli_topic_flow(self):
        """The AWS CLI creates, lists, publishes to and deletes a topic."""
        code, out, _ = self.server.aws("sns", "create-topic", "--name", "cli-topic")
        arn = out["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:000000000000:cli-topic")
        _, out, _ = self.server.aws("sns", "list-topics")
        self.assertEqual(out["Topics"], [{"TopicArn": arn}])
        _, out, _ = self.server.aws("sns", "publish", "--topic-arn", arn, "--message", "hello",
                                    "--message-attributes",
                                    '{"k":{"DataType":"String","StringValue":"v"}}')
        self.assertIn("MessageId", out)
        self.server.aws("sns", "delete-topic", "--topic-arn", arn)
        _, out, _ = self.server.aws("sns", "list-topics")
        self.assertEqual(out["Topics"], [])


class SnsTopicPersistenceTest(unittest.TestCase):
    def test_topics_and_subscriptions_survive_restart_and_kill9(self):
        """Topics (attributes, tags) and subscriptions (attributes, confirmation state) are
        durable: they survive a graceful restart and kill -9."""
        server = NimbusServer()
        try:
            server.start()
            sns = server.client("sns")
            arn = sns.create_topic(Name="durable", Attributes={"DisplayName": "D"},
                                   Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
            fifo = sns.create_topic(Name="durable.fifo",
                                    Attributes={"FifoTopic": "true",
                                                "ContentBasedDeduplication": "true"})["TopicArn"]
            sub = sns.subscribe(TopicArn=arn, Protocol="sqs",
                                Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
                                Attributes={"RawMessageDelivery": "true",
                                            "FilterPolicy": '{"k":["v"]}'})["SubscriptionArn"]
            sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="a@example.com")
            self.assertEqual(server.stop(), 0)
            server.start()
            sns = server.client("sns")
            attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            self.assertEqual(attrs["DisplayName"], "D")
            self.assertEqual(attrs["SubscriptionsConfirmed"], "1")
            self.assertEqual(attrs["SubscriptionsPending"], "1")
            self.assertEqual(sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                             [{"Key": "k", "Value": "v"}])
            sub_attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
            self.assertEqual(sub_attrs["RawMessageDelivery"], "true")
            self.assertEqual(json.loads(sub_attrs["FilterPolicy"]), {"k": ["v"]})
            sns.unsubscribe(SubscriptionArn=sub)
            server.kill9()
            server.start()
            sns = server.client("sns")
            self.assertEqual(sorted(t["TopicArn"] for t in sns.list_topics()["Topics"]),
                             sorted([arn, fifo]))
            attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            self.assertEqual(attrs["SubscriptionsConfirmed"], "0")
            self.assertEqual(attrs["SubscriptionsDeleted"], "1")
            self.assertEqual(
                sns.get_topic_attributes(TopicArn=fifo)["Attributes"]["ContentBasedDeduplication"],
                "true")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
