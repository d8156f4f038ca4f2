"""SNS Publish and PublishBatch: message attributes of every type, MessageStructure=json,
Subject, FIFO group/deduplication ids and sequence numbers, the size limit, per-entry batch
failures, filter policies deciding who receives, the notification document SNS sends, and the
/_nimbus/sns/messages endpoint where messages for email, sms and mobile push are kept."""
import base64
import json
import re
import unittest
import urllib.parse

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError


class SnsPublishTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.sns = self.client("sns")
        self.raw = self.client("sns", parameter_validation=False)
        self.topic = self.sns.create_topic(Name="topic")["TopicArn"]

    def messages(self, **filters):
        query = urllib.parse.urlencode(filters)
        status, _, body = self.server.http("GET", "/_nimbus/sns/messages?" + query)
        self.assertEqual(status, 200)
        return [m for m in json.loads(body)["messages"] if m["Type"] == "Notification"]

    def sms(self, number="+15550000001", **attributes):
        return self.sns.subscribe(TopicArn=self.topic, Protocol="sms", Endpoint=number,
                                  Attributes=attributes)["SubscriptionArn"]

    def confirmed_email_json(self, address="j@example.com"):
        self.sns.subscribe(TopicArn=self.topic, Protocol="email-json", Endpoint=address)
        status, _, body = self.server.http("GET", "/_nimbus/sns/messages?endpoint=" + address)
        token = json.loads(body)["messages"][-1]["Token"]
        return self.sns.confirm_subscription(TopicArn=self.topic, Token=token)["SubscriptionArn"]

    # --- validation -------------------------------------------------------------------------

    def assertInvalid(self, message, code="InvalidParameter", **kwargs):
        with self.assertRaises(ClientError) as ctx:
            self.raw.publish(**kwargs)
        err = self.assertAwsError(ctx, code, 400)
        self.assertEqual(err["Error"]["Message"], message)

    def test_publish_answers_a_message_id(self):
        """Publish answers a MessageId (uuid form) and no SequenceNumber on standard topics."""
        r = self.sns.publish(TopicArn=self.topic, Message="hello")
        self.assertRegex(r["MessageId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                         r"[0-9a-f]{12}$")
        self.assertNotIn("SequenceNumber", r)

    def test_target_arn_is_the_topic(self):
        """TargetArn naming a topic publishes to it; a platform endpoint that does not exist is
        InvalidParameter."""
        self.sms()
        self.sns.publish(TargetArn=self.topic, Message="via target")
        self.assertEqual([m["Message"] for m in self.messages()], ["via target"])
        self.assertInvalid("Invalid parameter: TargetArn Reason: No endpoint found for the target "
                           "arn specified",
                           TargetArn="arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/123",
                           Message="x")

    def test_missing_target(self):
        """Publish without TopicArn, TargetArn or PhoneNumber is InvalidParameter."""
        self.assertInvalid("Invalid parameter: TopicArn or TargetArn Reason: no value for "
                           "required parameter", Message="x")

    def test_unknown_topic_and_malformed_arn(self):
        """A missing topic is NotFound; a malformed ARN InvalidParameter."""
        with self.assertRaises(ClientError) as ctx:
            self.sns.publish(TopicArn=self.topic + "-gone", Message="x")
        err = self.assertAwsError(ctx, "NotFound", 404)
        self.assertEqual(err["Error"]["Message"], "Topic does not exist")
        self.assertInvalid("Invalid parameter: TopicArn Reason: An ARN must have at least 6 "
                           "elements, not 1", TopicArn="randomstring", Message="x")

    def test_topic_of_another_region(self):
        """Publishing to a topic ARN of another region is "Invalid parameter: TopicArn"."""
        west = self.client("sns", region="us-west-2").create_topic(Name="w")["TopicArn"]
        self.assertInvalid("Invalid parameter: TopicArn", TopicArn=west, Message="x")

    def test_empty_message(self):
        """An empty message is "Invalid parameter: Empty message"."""
        self.assertInvalid("Invalid parameter: Empty message", TopicArn=self.topic, Message="")

    def test_message_size_limit(self):
        """Message plus attributes may total 256 KB; one byte more is "Message too long"."""
        self.sns.publish(TopicArn=self.topic, Message="x" * 262144)
        self.assertInvalid("Invalid parameter: Message too long", TopicArn=self.topic,
                           Message="x" * 262145)
        self.assertInvalid("Invalid parameter: Message too long", TopicArn=self.topic,
                           Message="x" * 262100,
                           MessageAttributes={"attr": {"DataType": "String",
                                                       "StringValue": "y" * 100}})

    def test_subject(self):
        """Subjects are 1-100 printable ASCII characters."""
        self.sns.publish(TopicArn=self.topic, Message="x", Subject="Fine subject")
        for bad in ["", "x" * 101, "line\nbreak", "caf\u00e9"]:
            self.assertInvalid("Invalid parameter: Subject", TopicArn=self.topic, Message="x",
                               Subject=bad)

    def test_message_structure_errors(self):
        """MessageStructure=json needs a JSON object with a "default" string."""
        self.assertInvalid("Invalid parameter: Message Structure - JSON message body failed to "
                           "parse", TopicArn=self.topic, Message="{not json",
                           MessageStructure="json")
        self.assertInvalid("Invalid parameter: Message Structure - No default entry in JSON "
                           "message body", TopicArn=self.topic,
                           Message=json.dumps({"sqs": "only sqs"}), MessageStructure="json")
        self.assertInvalid("Invalid parameter: Message Structure - No default entry in JSON "
                           "message body", TopicArn=self.topic,
                           Message=json.dumps({"default": 1}), MessageStructure="json")
        self.assertInvalid("Invalid parameter: Message Structure - JSON message body failed to "
                           "parse", TopicArn=self.topic, Message="[1, 2]",
                           MessageStructure="json")

    def test_message_attribute_errors(self):
        """Malformed message attributes are ParameterValueInvalid with SNS's wording; a missing
        DataType is a ValidationError."""
        cases = [
            ({"attr1": {"DataType": "String", "StringValue": ""}},
             "The message attribute 'attr1' must contain non-empty message attribute value for "
             "message attribute type 'String'."),
            ({"attr1": {"DataType": "String"}},
             "The message attribute 'attr1' must contain non-empty message attribute value for "
             "message attribute type 'String'."),
            ({"attr1": {"DataType": "Binary"}},
             "The message attribute 'attr1' must contain non-empty message attribute value for "
             "message attribute type 'Binary'."),
            ({"attr1": {"DataType": "String", "BinaryValue": b"\x02"}},
             "The message attribute 'attr1' with type 'String' must use field 'String'."),
            ({"attr1": {"DataType": "Number", "BinaryValue": b"\x02"}},
             "The message attribute 'attr1' with type 'Number' must use field 'String'."),
            ({"attr1": {"DataType": "Binary", "StringValue": "x"}},
             "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."),
            ({"attr1": {"DataType": "Integer", "StringValue": "1"}},
             "The message attribute 'attr1' has an invalid message attribute type, the set of "
             "supported type prefixes is Binary, Number, and String."),
            ({"attr1": {"DataType": "Stringy", "StringValue": "1"}},
             "The message attribute 'attr1' has an invalid message attribute type, the set of "
             "supported type prefixes is Binary, Number, and String."),
            ({"a" * 256: {"DataType": "String", "StringValue": "x"}},
             "Length of message attribute name must be less than 256 bytes."),
            ({"a^b": {"DataType": "String", "StringValue": "x"}},
             "Invalid non-alphanumeric character '#x5E' was found in the message attribute "
             "name. Can only include alphanumeric characters, hyphens, underscores, or dots."),
            ({".ab": {"DataType": "String", "StringValue": "x"}},
             "Invalid message attribute name starting with character '.' was found."),
            ({"ab.": {"DataType": "String", "StringValue": "x"}},
             "Invalid message attribute name ending with character '.' was found."),
            ({"a..b": {"DataType": "String", "StringValue": "x"}},
             "Message attribute name can not have successive '.' character."),
            ({"n": {"DataType": "Number", "StringValue": "not-a-number"}},
             "Could not cast message attribute 'n' value to number."),
        ]
        for attributes, message in cases:
            self.assertInvalid(message, code="ParameterValueInvalid", TopicArn=self.topic,
                               Message="x", MessageAttributes=attributes)
        with self.assertRaises(ClientError) as ctx:
            self.raw.publish(TopicArn=self.topic, Message="x",
                             MessageAttributes={"attr1": {"StringValue": "x"}})
        err = self.assertAwsError(ctx, "ValidationError", 400)
        self.assertIn("attr1", err["Error"]["Message"])
        self.assertIn("failed to satisfy constraint: Member must not be null",
                      err["Error"]["Message"])

    def test_every_attribute_type_is_accepted(self):
        """String, Number, Binary (with custom suffixes) and String.Array attributes are
        accepted and reach subscribers with binary values base64-encoded."""
        self.confirmed_email_json()
        attributes = {
            "s": {"DataType": "String", "StringValue": "text"},
            "n": {"DataType": "Number", "StringValue": "-1.5e3"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
            "a": {"DataType": "String.Array", "StringValue": '["x", 1, true, null]'},
            "c": {"DataType": "String.custom", "StringValue": "custom"},
        }
        self.sns.publish(TopicArn=self.topic, Message="typed", MessageAttributes=attributes)
        body = json.loads(self.messages(protocol="email-json")[-1]["Body"])
        self.assertEqual(body["MessageAttributes"], {
            "s": {"Type": "String", "Value": "text"},
            "n": {"Type": "Number", "Value": "-1.5e3"},
            "b": {"Type": "Binary", "Value": "AgME"},
            "a": {"Type": "String.Array", "Value": '["x", 1, true, null]'},
            "c": {"Type": "String.custom", "Value": "custom"},
        })
        self.assertInvalid("The message attribute 'a' with type 'String.Array' must contain a "
                           "valid JSON array of strings, numbers, true, false or null.",
                           code="ParameterValueInvalid", TopicArn=self.topic, Message="x",
                           MessageAttributes={"a": {"DataType": "String.Array",
                                                    "StringValue": "not an array"}})

    # --- the notification document ---------------------------------------------------------

    def test_notification_document(self):
        """Subscribers get SNS's JSON document: members in SNS's order and layout, Timestamp
        with milliseconds, SignatureVersion 1, a 256-byte base64 Signature, SigningCertURL,
        UnsubscribeURL naming the subscription; Subject only when set."""
        sub = self.confirmed_email_json()
        r = self.sns.publish(TopicArn=self.topic, Message="hello \u00f6\"q\"", Subject="Subj",
                             MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        text = self.messages(protocol="email-json")[-1]["Body"]
        self.assertTrue(text.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "'))
        self.assertIn('  "MessageAttributes" : {\n    "k" : {"Type":"String","Value":"v"}\n  }\n}',
                      text)
        doc = json.loads(text)
        self.assertEqual(list(doc), ["Type", "MessageId", "TopicArn", "Subject", "Message",
                                     "Timestamp", "SignatureVersion", "Signature",
                                     "SigningCertURL", "UnsubscribeURL", "MessageAttributes"])
        self.assertEqual(doc["MessageId"], r["MessageId"])
        self.assertEqual(doc["TopicArn"], self.topic)
        self.assertEqual(doc["Message"], "hello \u00f6\"q\"")
        self.assertRegex(doc["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(doc["SignatureVersion"], "1")
        self.assertEqual(len(base64.b64decode(doc["Signature"])), 256)
        self.assertRegex(doc["SigningCertURL"],
                         r"^https://sns\.us-east-1\.amazonaws\.com/SimpleNotificationService-"
                         r"[0-9a-f]+\.pem$")
        self.assertTrue(doc["UnsubscribeURL"].endswith(
            "/?Action=Unsubscribe&SubscriptionArn=" + sub))
        self.sns.publish(TopicArn=self.topic, Message="no subject")
        doc = json.loads(self.messages(protocol="email-json")[-1]["Body"])
        self.assertNotIn("Subject", doc)
        self.assertNotIn("MessageAttributes", doc)

    def test_signature_version_2(self):
        """A topic with SignatureVersion 2 signs notifications with version 2."""
        self.sns.set_topic_attributes(TopicArn=self.topic, AttributeName="SignatureVersion",
                                      AttributeValue="2")
        self.confirmed_email_json()
        self.sns.publish(TopicArn=self.topic, Message="m")
        doc = json.loads(self.messages(protocol="email-json")[-1]["Body"])
        self.assertEqual(doc["SignatureVersion"], "2")

    def test_unsubscribe_url_unsubscribes(self):
        """Visiting the UnsubscribeURL (unsigned GET) removes the subscription."""
        sub = self.confirmed_email_json()
        self.sns.publish(TopicArn=self.topic, Message="m")
        url = json.loads(self.messages(protocol="email-json")[-1]["Body"])["UnsubscribeURL"]
        status, _, _ = self.server.http("GET", url[url.index("/", len("http://")):])
        self.assertEqual(status, 200)
        with self.assertRaises(ClientError) as ctx:
            self.sns.get_subscription_attributes(SubscriptionArn=sub)
        self.assertAwsError(ctx, "NotFound", 404)

    def test_message_structure_per_protocol(self):
        """MessageStructure=json sends each protocol its own entry, "default" to the others."""
        self.sms()
        self.confirmed_email_json()
        self.sns.publish(TopicArn=self.topic, MessageStructure="json",
                         Message=json.dumps({"default": "for everyone", "sms": "short"}))
        self.assertEqual(self.messages(protocol="sms")[-1]["Body"], "short")
        doc = json.loads(self.messages(protocol="email-json")[-1]["Body"])
        self.assertEqual(doc["Message"], "for everyone")

    # --- the inspection endpoint -----------------------------------------------------------

    def test_messages_endpoint_filters_and_clears(self):
        """GET /_nimbus/sns/messages lists kept messages, filtered by topic_arn, protocol and
        endpoint; DELETE empties it."""
        other = self.sns.create_topic(Name="other")["TopicArn"]
        self.sms("+15550000001")
        self.sns.subscribe(TopicArn=other, Protocol="sms", Endpoint="+15550000002")
        self.sns.subscribe(TopicArn=other, Protocol="application",
                           Endpoint="arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1")
        self.sns.publish(TopicArn=self.topic, Message="one")
        self.sns.publish(TopicArn=other, Message="two")
        self.assertEqual([m["Message"] for m in self.messages(topic_arn=self.topic)], ["one"])
        self.assertEqual(len(self.messages(topic_arn=other)), 2)
        self.assertEqual([m["Endpoint"] for m in self.messages(protocol="application")],
                         ["arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1"])
        self.assertEqual(len(self.messages(endpoint="+15550000002")), 1)
        status, _, _ = self.server.http("DELETE", "/_nimbus/sns/messages")
        self.assertEqual(status, 200)
        self.assertEqual(self.messages(), [])
        status, _, _ = self.server.http("GET", "/_nimbus/sns/nothing-here")
        self.assertEqual(status, 404)

    def test_publish_to_a_phone_number(self):
        """Publish with PhoneNumber sends an SMS (kept for inspection); malformed numbers are
        InvalidParameter."""
        self.sns.publish(PhoneNumber="+15551234567", Message="code 1234")
        kept = self.messages(protocol="sms", endpoint="+15551234567")
        self.assertEqual([m["Message"] for m in kept], ["code 1234"])
        self.assertInvalid("Invalid parameter: PhoneNumber Reason: +1a234 is not valid to "
                           "publish to", PhoneNumber="+1a234", Message="x")

    def test_pending_subscriptions_receive_nothing(self):
        """Unconfirmed subscriptions get the confirmation only."""
        self.sns.subscribe(TopicArn=self.topic, Protocol="email", Endpoint="p@example.com")
        self.sns.publish(TopicArn=self.topic, Message="x")
        self.assertEqual(self.messages(protocol="email"), [])

    # --- filter policies -------------------------------------------------------------------

    def test_filter_policy_on_message_attributes(self):
        """A subscription with a filter policy receives only matching messages; one without
        receives everything."""
        self.sms("+15550000001", FilterPolicy=json.dumps(
            {"color": ["red", {"prefix": "bl"}], "price": [{"numeric": [">", 0, "<=", 100]}]}))
        self.sms("+15550000002")
        publish = lambda body, **attrs: self.sns.publish(
            TopicArn=self.topic, Message=body, MessageAttributes={
                k: {"DataType": "Number" if isinstance(v, (int, float)) else "String",
                    "StringValue": str(v)} for k, v in attrs.items()})
        publish("red-cheap", color="red", price=5)
        publish("blue-cheap", color="blue", price=99.5)
        publish("red-dear", color="red", price=500)
        publish("green", color="green", price=5)
        publish("no-attributes")
        self.assertEqual([m["Message"] for m in self.messages(endpoint="+15550000001")],
                         ["red-cheap", "blue-cheap"])
        self.assertEqual(len(self.messages(endpoint="+15550000002")), 5)

    def test_filter_policy_exists_anything_but_and_or(self):
        """exists, anything-but and $or combine as AWS documents."""
        self.sms(FilterPolicy=json.dumps({"$or": [{"store": [{"exists": False}]},
                                                  {"kind": [{"anything-but": ["spam"]}]}]}))
        s = lambda v: {"DataType": "String", "StringValue": v}
        self.sns.publish(TopicArn=self.topic, Message="no-store")
        self.sns.publish(TopicArn=self.topic, Message="store-spam",
                         MessageAttributes={"store": s("x"), "kind": s("spam")})
        self.sns.publish(TopicArn=self.topic, Message="store-ham",
                         MessageAttributes={"store": s("x"), "kind": s("ham")})
        self.assertEqual([m["Message"] for m in self.messages()], ["no-store", "store-ham"])

    def test_filter_policy_on_message_body(self):
        """With FilterPolicyScope=MessageBody the policy matches the JSON message, nested keys
        included; non-JSON messages never match."""
        self.sms(FilterPolicyScope="MessageBody",
                 FilterPolicy=json.dumps({"object": {"key": [{"prefix": "auto-"}]}}))
        for body in [{"object": {"key": "auto-test"}}, {"object": {"key": "manual"}},
                     {"object.key": "auto-dotted"}]:
            self.sns.publish(TopicArn=self.topic, Message=json.dumps(body))
        self.sns.publish(TopicArn=self.topic, Message="not json")
        self.assertEqual([json.loads(m["Message"]) for m in self.messages()],
                         [{"object": {"key": "auto-test"}}, {"object.key": "auto-dotted"}])

    def test_filter_policy_string_array_attribute(self):
        """String.Array attributes match when any element matches."""
        self.sms(FilterPolicy=json.dumps({"tags": ["b"]}))
        for value in ['["a", "b"]', '["a", "c"]']:
            self.sns.publish(TopicArn=self.topic, Message=value, MessageAttributes={
                "tags": {"DataType": "String.Array", "StringValue": value}})
        self.assertEqual([m["Message"] for m in self.messages()], ['["a", "b"]'])

    # --- FIFO --------------------------------------------------------------------------------

    def fifo_topic(self, content_based=False):
        attributes = {"FifoTopic": "true"}
        if content_based:
            attributes["ContentBasedDeduplication"] = "true"
        return self.sns.create_topic(Name="jobs.fifo", Attributes=attributes)["TopicArn"]

    def test_fifo_publish_needs_group_and_deduplication_ids(self):
        """FIFO topics need MessageGroupId and either MessageDeduplicationId or content-based
        deduplication; standard topics refuse MessageDeduplicationId."""
        fifo = self.fifo_topic()
        self.assertInvalid("Invalid parameter: The MessageGroupId parameter is required for FIFO "
                           "topics", TopicArn=fifo, Message="x")
        self.assertInvalid("Invalid parameter: The topic should either have "
                           "ContentBasedDeduplication enabled or MessageDeduplicationId provided "
                           "explicitly", TopicArn=fifo, Message="x", MessageGroupId="g")
        self.assertInvalid("Invalid parameter: MessageDeduplicationId Reason: The request "
                           "includes MessageDeduplicationId parameter that is not valid for this "
                           "topic type", TopicArn=self.topic, Message="x",
                           MessageDeduplicationId="d")
        self.sns.publish(TopicArn=self.topic, Message="x", MessageGroupId="allowed")

    def test_fifo_sequence_numbers_and_deduplication(self):
        """FIFO publishes answer increasing 20-digit SequenceNumbers; a repeat of a
        deduplication id within 5 minutes answers the first MessageId and SequenceNumber."""
        fifo = self.fifo_topic()
        first = self.sns.publish(TopicArn=fifo, Message="a", MessageGroupId="g",
                                 MessageDeduplicationId="d1")
        second = self.sns.publish(TopicArn=fifo, Message="b", MessageGroupId="g",
                                  MessageDeduplicationId="d2")
        self.assertRegex(first["SequenceNumber"], r"^\d{20}$")
        self.assertGreater(second["SequenceNumber"], first["SequenceNumber"])
        again = self.sns.publish(TopicArn=fifo, Message="other", MessageGroupId="g",
                                 MessageDeduplicationId="d1")
        self.assertEqual(again["MessageId"], first["MessageId"])
        self.assertEqual(again["SequenceNumber"], first["SequenceNumber"])

    def test_fifo_content_based_deduplication(self):
        """With ContentBasedDeduplication the message body is the deduplication id."""
        fifo = self.fifo_topic(content_based=True)
        first = self.sns.publish(TopicArn=fifo, Message="same", MessageGroupId="g")
        again = self.sns.publish(TopicArn=fifo, Message="same", MessageGroupId="other")
        other = self.sns.publish(TopicArn=fifo, Message="different", MessageGroupId="g")
        self.assertEqual(again["MessageId"], first["MessageId"])
        self.assertNotEqual(other["MessageId"], first["MessageId"])

    # --- PublishBatch -------------------------------------------------------------------------

    def entries(self, n, **extra):
        return [dict({"Id": "id-%d" % i, "Message": "message %d" % i}, **extra)
                for i in range(n)]

    def test_publish_batch(self):
        """PublishBatch publishes each entry in order and answers one Successful per Id."""
        self.sms()
        r = self.sns.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=self.entries(10))
        self.assertEqual([s["Id"] for s in r["Successful"]], ["id-%d" % i for i in range(10)])
        self.assertEqual(r["Failed"], [])
        self.assertEqual([m["Message"] for m in self.messages()],
                         ["message %d" % i for i in range(10)])

    def test_publish_batch_request_errors(self):
        """Empty, more than 10, repeated or malformed Ids, more than 256 KB in total: the whole
        batch is refused with SNS's batch error codes."""
        def batch_error(entries, code, message):
            with self.assertRaises(ClientError) as ctx:
                self.raw.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=entries)
            err = self.assertAwsError(ctx, code, 400)
            self.assertEqual(err["Error"]["Message"], message)
        batch_error([], "EmptyBatchRequest", "The batch request doesn't contain any entries.")
        batch_error(self.entries(11), "TooManyEntriesInBatchRequest",
                    "The batch request contains more entries than permissible.")
        batch_error([{"Id": "a", "Message": "1"}, {"Id": "a", "Message": "2"}],
                    "BatchEntryIdsNotDistinct",
                    "Two or more batch entries in the request have the same Id.")
        batch_error([{"Id": "bad id!", "Message": "1"}], "InvalidBatchEntryId",
                    "The Id of a batch entry in a batch request doesn't abide by the "
                    "specification.")
        batch_error([{"Id": "a", "Message": "x" * 200000}, {"Id": "b", "Message": "y" * 70000}],
                    "BatchRequestTooLong",
                    "The length of all the messages put together is more than the limit.")
        with self.assertRaises(ClientError) as ctx:
            self.sns.publish_batch(TopicArn=self.topic + "-gone",
                                   PublishBatchRequestEntries=self.entries(1))
        self.assertAwsError(ctx, "NotFound", 404)

    def test_publish_batch_entry_failures(self):
        """An entry with an empty message or a bad subject fails alone; the others publish."""
        self.sms()
        r = self.raw.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
            {"Id": "ok", "Message": "fine"},
            {"Id": "empty", "Message": ""},
            {"Id": "subject", "Message": "x", "Subject": "bad\nsubject"},
        ])
        self.assertEqual([s["Id"] for s in r["Successful"]], ["ok"])
        self.assertEqual(r["Failed"], [
            {"Id": "empty", "Code": "InvalidParameter",
             "Message": "Invalid parameter: Empty message", "SenderFault": True},
            {"Id": "subject", "Code": "InvalidParameter", "Message": "Invalid parameter: Subject",
             "SenderFault": True},
        ])
        self.assertEqual([m["Message"] for m in self.messages()], ["fine"])

    def test_publish_batch_request_level_validation(self):
        """Bad attributes, JSON structures or missing FIFO ids refuse the whole batch; nothing
        is published."""
        self.sms()
        with self.assertRaises(ClientError) as ctx:
            self.raw.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
                {"Id": "a", "Message": "fine"},
                {"Id": "b", "Message": "x", "MessageAttributes": {
                    "attr1": {"DataType": "String", "StringValue": ""}}}])
        self.assertAwsError(ctx, "ParameterValueInvalid", 400)
        with self.assertRaises(ClientError) as ctx:
            self.raw.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
                {"Id": "a", "Message": '{"sqs": "x"}', "MessageStructure": "json"}])
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Message Structure - No "
                                                  "default entry in JSON message body")
        fifo = self.fifo_topic()
        with self.assertRaises(ClientError) as ctx:
            self.sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=self.entries(2))
        err = self.assertAwsError(ctx, "InvalidParameter", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: The MessageGroupId "
                                                  "parameter is required for FIFO topics")
        self.assertEqual(self.messages(), [])

    def test_publish_batch_fifo(self):
        """FIFO batches answer increasing SequenceNumbers; repeating the batch answers the same
        ids (deduplicated)."""
        fifo = self.fifo_topic(content_based=True)
        entries = self.entries(3, MessageGroupId="g")
        first = self.sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=entries)
        numbers = [s["SequenceNumber"] for s in first["Successful"]]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(len(set(numbers)), 3)
        again = self.sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=entries)
        self.assertEqual(again["Successful"], first["Successful"])


if __name__ == "__main__":
    unittest.main()
