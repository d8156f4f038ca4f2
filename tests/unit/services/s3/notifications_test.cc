// S3 event notifications: event type wildcards, key filters, overlap checks, key encoding and
// the event message (S3 User Guide, "Event message structure", event version 2.1).
#include "services/s3/notifications.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::s3 {
namespace {

json::value Parse(std::string_view text) { return json::parse(text); }

TEST(S3Notifications, EventTypeWildcards) {
  EXPECT_TRUE(EventTypeMatches("s3:ObjectCreated:*", "ObjectCreated:Put"));
  EXPECT_TRUE(EventTypeMatches("s3:ObjectCreated:*", "ObjectCreated:CompleteMultipartUpload"));
  EXPECT_TRUE(EventTypeMatches("s3:ObjectCreated:Put", "ObjectCreated:Put"));
  EXPECT_FALSE(EventTypeMatches("s3:ObjectCreated:Put", "ObjectCreated:Post"));
  EXPECT_FALSE(EventTypeMatches("s3:ObjectCreated:*", "ObjectRemoved:Delete"));
  EXPECT_FALSE(EventTypeMatches("s3:ObjectRemoved:*", "ObjectRemovedX:Delete"));
  EXPECT_TRUE(EventTypeMatches("s3:LifecycleExpiration:*", "LifecycleExpiration:Delete"));
  EXPECT_FALSE(EventTypeMatches("ObjectCreated:Put", "ObjectCreated:Put"));
}

TEST(S3Notifications, KeyEncodingAndSequencer) {
  EXPECT_EQ(EventKey("red flower.jpg"), "red+flower.jpg");
  EXPECT_EQ(EventKey("dir/a+b=c:d.txt"), "dir/a%2Bb%3Dc%3Ad.txt");
  EXPECT_EQ(EventKey("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(Sequencer(0x55AED6DCD90281E5ull), "0055AED6DCD90281E5");
  EXPECT_LT(Sequencer(1700000000000000), Sequencer(1700000000000001));
}

TEST(S3Notifications, FiltersAreCaseSensitiveOnValues) {
  auto config = Parse(R"({"QueueConfigurations":[{"Id":"q","QueueArn":"arn:aws:sqs:us-east-1:1:q",
      "Events":["s3:ObjectCreated:*"],
      "Filter":{"Key":{"FilterRules":[{"Name":"Prefix","Value":"in/"},
                                      {"Name":"suffix","Value":".JPG"}]}}}]})");
  EXPECT_EQ(MatchConfigurations(config, "ObjectCreated:Put", "in/a.JPG").size(), 1u);
  EXPECT_TRUE(MatchConfigurations(config, "ObjectCreated:Put", "in/a.jpg").empty());
  EXPECT_TRUE(MatchConfigurations(config, "ObjectCreated:Put", "In/a.JPG").empty());
  EXPECT_TRUE(MatchConfigurations(config, "ObjectRemoved:Delete", "in/a.JPG").empty());
  auto m = MatchConfigurations(config, "ObjectCreated:Copy", "in/x.JPG");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].id, "q");
  EXPECT_EQ(m[0].destination.arn, "arn:aws:sqs:us-east-1:1:q");
  EXPECT_EQ(m[0].destination.kind, DestinationKind::kQueue);
}

TEST(S3Notifications, CheckAssignsIdsAndRejectsOverlaps) {
  auto ok = Parse(R"({"QueueConfigurations":[
      {"QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:*"],
       "Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"a/"}]}}},
      {"QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:Put"],
       "Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"b/"}]}}}],
      "LambdaFunctionConfigurations":[{"LambdaFunctionArn":"arn:aws:lambda:us-east-1:1:function:f",
       "Events":["s3:ObjectRemoved:*"]}]})");
  ASSERT_TRUE(CheckNotificationConfiguration(ok, {}));
  EXPECT_FALSE(ok.at("QueueConfigurations").at(0).at("Id").as_string().empty());
  EXPECT_EQ(DestinationsOf(ok).size(), 2u);

  const char* overlapping[] = {// same event, prefixes where one starts the other
                               R"({"QueueConfigurations":[
        {"QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:Put"],
         "Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"a/"}]}}}],
        "TopicConfigurations":[{"TopicArn":"arn:aws:sns:us-east-1:1:t",
         "Events":["s3:ObjectCreated:*"],
         "Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"a/b"}]}}}]})",
                               // no filter on either
                               R"({"QueueConfigurations":[
        {"QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectRemoved:Delete"]},
        {"QueueArn":"arn:aws:sqs:us-east-1:1:r","Events":["s3:ObjectRemoved:Delete"]}]})",
                               // suffixes where one ends the other
                               R"({"QueueConfigurations":[
        {"QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:*"],
         "Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":".jpg"}]}}},
        {"QueueArn":"arn:aws:sqs:us-east-1:1:r","Events":["s3:ObjectCreated:*"],
         "Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":"x.jpg"}]}}}]})"};
  for (const char* text : overlapping) {
    auto config = Parse(text);
    auto st = CheckNotificationConfiguration(config, {});
    ASSERT_FALSE(st) << text;
    EXPECT_EQ(st.error().code, "InvalidArgument");
    EXPECT_EQ(st.error().message,
              "Configurations overlap. Configurations on the same bucket cannot share a common "
              "event type.");
  }
  // Disjoint suffixes never match one key.
  auto disjoint = Parse(R"({"QueueConfigurations":[
      {"QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:*"],
       "Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":".jpg"}]}}},
      {"QueueArn":"arn:aws:sqs:us-east-1:1:r","Events":["s3:ObjectCreated:*"],
       "Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":".png"}]}}}]})");
  EXPECT_TRUE(CheckNotificationConfiguration(disjoint, {}));
}

TEST(S3Notifications, CheckRejectsBadRulesAndEvents) {
  const std::vector<std::string> known = {"s3:ObjectCreated:*", "s3:ObjectCreated:Put"};
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {{R"({"QueueConfigurations":[{"QueueArn":"arn:aws:sqs:us-east-1:1:q",
          "Events":["s3:ObjectCreated:Bogus"]}]})",
                "The event is not supported for notifications"},
               {R"({"QueueConfigurations":[{"QueueArn":"arn:aws:sns:us-east-1:1:q",
          "Events":["s3:ObjectCreated:*"]}]})",
                "Unable to validate the following destination configurations"},
               {R"({"QueueConfigurations":[{"QueueArn":"arn:aws:sqs:us-east-1:1:q",
          "Events":["s3:ObjectCreated:*"],
          "Filter":{"Key":{"FilterRules":[{"Name":"middle","Value":"x"}]}}}]})",
                "filter rule name must be either prefix or suffix"},
               {R"({"QueueConfigurations":[{"QueueArn":"arn:aws:sqs:us-east-1:1:q",
          "Events":["s3:ObjectCreated:*"],
          "Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"x"},
                                          {"Name":"Prefix","Value":"y"}]}}}]})",
                "Cannot specify more than one prefix rule in a filter."}};
  for (const auto& c : cases) {
    auto config = Parse(c.text);
    auto st = CheckNotificationConfiguration(config, known);
    ASSERT_FALSE(st) << c.text;
    EXPECT_EQ(st.error().code, "InvalidArgument");
    EXPECT_EQ(st.error().message, c.message);
  }
  auto not_object = Parse(R"({"QueueConfigurations":[3]})");
  auto st = CheckNotificationConfiguration(not_object, known);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "MalformedXML");
}

TEST(S3Notifications, EventMessageShape) {
  BucketRecord bucket;
  bucket.name = "photos";
  bucket.account = "000000000000";
  bucket.region = "eu-west-1";
  EventOrigin origin{"C3D13FE58DE4C810", "AWS:AIDAEXAMPLE", "10.0.0.1", 1700000000123};
  ObjectEvent event{
      "ObjectCreated:Put", "a b.jpg", 1024, "d41d8cd98f00b204e9800998ecf8427e", "", 0x5000};
  auto doc = json::parse(EventMessage(bucket, origin, event, "cfg"));
  const auto& r = doc.at("Records").at(0).as_object();
  EXPECT_EQ(r.at("eventVersion"), "2.1");
  EXPECT_EQ(r.at("eventSource"), "aws:s3");
  EXPECT_EQ(r.at("awsRegion"), "eu-west-1");
  EXPECT_EQ(r.at("eventTime"), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(r.at("eventName"), "ObjectCreated:Put");
  EXPECT_EQ(r.at("userIdentity").at("principalId"), "AWS:AIDAEXAMPLE");
  EXPECT_EQ(r.at("requestParameters").at("sourceIPAddress"), "10.0.0.1");
  EXPECT_EQ(r.at("responseElements").at("x-amz-request-id"), "C3D13FE58DE4C810");
  EXPECT_FALSE(r.at("responseElements").at("x-amz-id-2").as_string().empty());
  const auto& s3 = r.at("s3").as_object();
  EXPECT_EQ(s3.at("s3SchemaVersion"), "1.0");
  EXPECT_EQ(s3.at("configurationId"), "cfg");
  EXPECT_EQ(s3.at("bucket").at("name"), "photos");
  EXPECT_EQ(s3.at("bucket").at("arn"), "arn:aws:s3:::photos");
  EXPECT_EQ(s3.at("bucket").at("ownerIdentity").at("principalId").as_string(),
            AmazonCustomerId("000000000000"));
  const auto& o = s3.at("object").as_object();
  EXPECT_EQ(o.at("key"), "a+b.jpg");
  EXPECT_EQ(o.at("size"), 1024);
  EXPECT_EQ(o.at("eTag"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_FALSE(o.contains("versionId"));
  EXPECT_EQ(o.at("sequencer"), "000000000000005000");

  auto test = json::parse(TestEventMessage("photos", origin));
  EXPECT_EQ(test.at("Service"), "Amazon S3");
  EXPECT_EQ(test.at("Event"), "s3:TestEvent");
  EXPECT_EQ(test.at("Time"), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(test.at("Bucket"), "photos");
  EXPECT_EQ(test.at("RequestId"), "C3D13FE58DE4C810");
}

TEST(S3Notifications, CustomerIdIsStable) {
  std::string id = AmazonCustomerId("123456789012");
  EXPECT_EQ(id.size(), 14u);
  EXPECT_EQ(id[0], 'A');
  EXPECT_EQ(id, AmazonCustomerId("123456789012"));
  EXPECT_NE(id, AmazonCustomerId("000000000000"));
}

}  // namespace
}  // namespace nimbus::s3
