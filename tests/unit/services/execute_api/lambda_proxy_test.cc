#include "services/execute_api/lambda_proxy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::execute_api {
namespace {

TEST(LambdaResponseTest, FormatTwoInfersSimpleResponses) {
  auto r = ResponseFromLambda(R"("Hello from Lambda!")", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Hello from Lambda!");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  r = ResponseFromLambda(R"({"message":"hi"})", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"message":"hi"})");
  EXPECT_FALSE(ResponseFromLambda(R"({"message":"hi"})", false));
  EXPECT_FALSE(ResponseFromLambda("not json", true));
}

TEST(LambdaResponseTest, StructuredResponses) {
  auto r = ResponseFromLambda(
      R"({"statusCode":201,"headers":{"X-A":"1","X-N":2},"cookies":["a=1","b=2"],)"
      R"("body":"aGk=","isBase64Encoded":true})",
      true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "hi");
  EXPECT_EQ(r->Header("x-a"), "1");
  EXPECT_EQ(r->Header("x-n"), "2");
  int cookies = 0;
  for (const auto& [k, v] : r->headers) cookies += k == "set-cookie";
  EXPECT_EQ(cookies, 2);
  r = ResponseFromLambda(R"({"statusCode":200,"multiValueHeaders":{"X-M":["a","b"]}})", false);
  ASSERT_TRUE(r);
  int xm = 0;
  for (const auto& [k, v] : r->headers) xm += k == "x-m";
  EXPECT_EQ(xm, 2);
  for (const char* bad :
       {R"({"statusCode":"200"})", R"({"statusCode":99})", R"({"statusCode":200,"headers":[1]})",
        R"({"statusCode":200,"body":"@@","isBase64Encoded":true})",
        R"({"statusCode":200,"headers":{"a":{"b":1}}})"}) {
    EXPECT_FALSE(ResponseFromLambda(bad, true)) << bad;
  }
  EXPECT_FALSE(ResponseFromLambda(R"({"statusCode":200,"body":{"a":1}})", false));
  r = ResponseFromLambda(R"({"statusCode":200,"body":{"a":1}})", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"a":1})");
}

TEST(LambdaEventTest, BodiesTravelAsTextOnlyWhenTextual) {
  http::Request r;
  r.body = "{\"a\":1}";
  r.headers = {{"content-type", "application/json; charset=utf-8"}};
  bool b64 = true;
  EXPECT_EQ(EventBody(r, &b64), r.body);
  EXPECT_FALSE(b64);
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(EventBody(r, &b64), "eyJhIjoxfQ==");
  EXPECT_TRUE(b64);
  r.headers = {{"content-type", "text/plain"}};
  r.body = std::string("\xff\xfe", 2);
  EventBody(r, &b64);
  EXPECT_TRUE(b64);
}

}  // namespace
}  // namespace nimbus::execute_api
