#include "services/execute_api/aws_service.h"

#include <gtest/gtest.h>

namespace nimbus::execute_api {
namespace {

TEST(AwsServiceUriTest, ActionAndPathForms) {
  auto a = ParseAwsServiceUri("arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->subdomain, "dynamodb");
  EXPECT_TRUE(a->action);
  EXPECT_EQ(a->target, "PutItem");

  auto p = ParseAwsServiceUri("arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->action);
  EXPECT_EQ(p->subdomain, "sqs");
  EXPECT_EQ(p->target, "000000000000/orders");

  // A host prefix before the service ("<bucket>.s3") names the service by its last label.
  auto s3 = ParseAwsServiceUri("arn:aws:apigateway:us-east-1:mybucket.s3:path/key");
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->subdomain, "s3");
  EXPECT_EQ(s3->host_prefix, "mybucket");
  EXPECT_EQ(p->host_prefix, "");
}

TEST(AwsServiceUriTest, RefusesWhatIsNotAServiceUri) {
  for (const char* uri :
       {"", "arn:aws:apigateway:", "arn:aws:apigateway:us-east-1",
        "arn:aws:apigateway:us-east-1::action/X", "arn:aws:apigateway:us-east-1:sqs:other/X",
        "arn:aws:apigateway:us-east-1:sqs:action/", "arn:aws:apigateway:us-east-1:sqs:action/a/b",
        "https://example.com/", "arn:aws:lambda:us-east-1:0:function:f"})
    EXPECT_FALSE(ParseAwsServiceUri(uri)) << uri;
}

TEST(AwsServiceUriTest, SubdomainsNameServices) {
  EXPECT_EQ(ServiceForSubdomain("sqs"), "sqs");
  EXPECT_EQ(ServiceForSubdomain("dynamodb"), "dynamodb");
  EXPECT_EQ(ServiceForSubdomain("states"), "stepfunctions");
  EXPECT_EQ(ServiceForSubdomain("events"), "events");
}

}  // namespace
}  // namespace nimbus::execute_api
