// SNS messages: message attribute validation as SNS words it, MessageStructure parsing, the
// notification document's layout, and the bounded message log.
#include "services/sns/message.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/sns/message_log.h"

namespace nimbus::sns {
namespace {

Result<json::object> Validate(std::string_view attributes_json) {
  json::value v = json::parse(attributes_json);
  return ValidateMessageAttributes(&v, "messageAttributes");
}

std::string Problem(std::string_view attributes_json) {
  auto r = Validate(attributes_json);
  EXPECT_FALSE(r) << attributes_json;
  return r ? std::string() : r.error().code + ": " + r.error().message;
}

TEST(MessageAttributes, AcceptsEveryTypeAndNormalizes) {
  auto r = Validate(R"({"s":{"DataType":"String","StringValue":"x","BinaryValue":"ignored"},
                        "n":{"DataType":"Number.int","StringValue":"-1e3"},
                        "b":{"DataType":"Binary","BinaryValue":"\u0001"},
                        "a":{"DataType":"String.Array","StringValue":"[1,\"x\",null]"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::serialize((*r)["s"]), R"({"DataType":"String","StringValue":"x"})");
  EXPECT_EQ(json::serialize((*r)["b"]), R"({"DataType":"Binary","BinaryValue":"\u0001"})");
  // Names, data types and values: s(1+6+1), n(1+10+4), b(1+6+1), a(1+12+12).
  EXPECT_EQ(AttributesSize(*r), 8u + 15u + 8u + 25u);
}

TEST(MessageAttributes, ProblemsInSnsWords) {
  EXPECT_EQ(Problem(R"({"a":{"DataType":"Integer","StringValue":"1"}})"),
            "ParameterValueInvalid: The message attribute 'a' has an invalid message attribute "
            "type, the set of supported type prefixes is Binary, Number, and String.");
  EXPECT_EQ(Problem(R"({"a":{"DataType":"String."}})"),
            "ParameterValueInvalid: The message attribute 'a' has an invalid message attribute "
            "type, the set of supported type prefixes is Binary, Number, and String.");
  EXPECT_EQ(Problem(R"({"a\u00e9":{"DataType":"String","StringValue":"1"}})"),
            "ParameterValueInvalid: Invalid non-alphanumeric character '#xE9' was found in the "
            "message attribute name. Can only include alphanumeric characters, hyphens, "
            "underscores, or dots.");
  EXPECT_EQ(Problem(R"({"n":{"DataType":"Number","StringValue":"1x"}})"),
            "ParameterValueInvalid: Could not cast message attribute 'n' value to number.");
  EXPECT_EQ(Problem(R"({"a":null})"),
            "ValidationError: 1 validation error detected: Value null at "
            "'messageAttributes.a.member.dataType' failed to satisfy constraint: Member must not "
            "be null");
  EXPECT_EQ(Problem(R"({"a":{"DataType":7}})"),
            "ValidationError: 1 validation error detected: Value null at "
            "'messageAttributes.a.member.dataType' failed to satisfy constraint: Member must not "
            "be null");
}

TEST(MessageStructure, NeedsAnObjectWithADefaultString) {
  auto ok = ParseMessageStructure(R"({"default":"d","sqs":"s","email":5})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("sqs"), "s");
  EXPECT_EQ(ok->count("email"), 0u);
  EXPECT_EQ(ParseMessageStructure("[]").error().message,
            "Invalid parameter: Message Structure - JSON message body failed to parse");
  EXPECT_EQ(ParseMessageStructure(R"({"default":null})").error().message,
            "Invalid parameter: Message Structure - No default entry in JSON message body");
}

TEST(NotificationDocument, LayoutAndMembers) {
  Notification n;
  n.message_id = "id-1";
  n.topic_arn = "arn:aws:sns:us-east-1:000000000000:t";
  n.message = "m \"quoted\"";
  n.timestamp = "2024-01-02T03:04:05.678Z";
  n.attributes["k"] = json::object{{"DataType", "Binary"}, {"BinaryValue", "\x02\x03\x04"}};
  Links links{"http://127.0.0.1:4566", "us-east-1"};
  std::string doc = NotificationDocument(n, "sqs", n.topic_arn + ":sub", links);
  EXPECT_EQ(
      doc.rfind("{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"id-1\",\n  \"TopicArn\"",
                0),
      0u);
  EXPECT_NE(doc.find("  \"Message\" : \"m \\\"quoted\\\"\",\n"), std::string::npos);
  EXPECT_NE(doc.find("  \"MessageAttributes\" : {\n    \"k\" : {\"Type\":\"Binary\","
                     "\"Value\":\"AgME\"}\n  }\n}"),
            std::string::npos);
  EXPECT_NE(doc.find("\"UnsubscribeURL\" : \"http://127.0.0.1:4566/?Action=Unsubscribe&"
                     "SubscriptionArn=arn:aws:sns:us-east-1:000000000000:t:sub\""),
            std::string::npos);
  EXPECT_EQ(doc, NotificationDocument(n, "sqs", n.topic_arn + ":sub", links))
      << "signatures are stable for the same message";
  n.fifo = true;
  n.sequence_number = "10000000000000000001";
  std::string fifo = NotificationDocument(n, "sqs", n.topic_arn + ":sub", links);
  EXPECT_EQ(fifo.find("Signature"), std::string::npos);
  EXPECT_NE(fifo.find("\"SequenceNumber\" : \"10000000000000000001\""), std::string::npos);
}

TEST(MessageLog, KeepsTheNewestWithinCountAndBytes) {
  MessageLog log(3, 10000);
  for (int i = 0; i < 5; ++i)
    log.Add(json::object{{"TopicArn", "t"}, {"Protocol", "sms"}, {"Endpoint", std::to_string(i)}});
  json::array all = log.List("", "", "");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("Endpoint"), "2");
  EXPECT_EQ(log.List("", "", "4").size(), 1u);
  EXPECT_EQ(log.List("other", "", "").size(), 0u);
  log.Add(json::object{{"TopicArn", "t"}, {"Body", std::string(9900, 'x')}});
  EXPECT_EQ(log.List("", "", "").size(), 1u) << "the byte budget drops older entries";
  log.Clear();
  EXPECT_EQ(log.List("", "", "").size(), 0u);
}

}  // namespace
}  // namespace nimbus::sns
