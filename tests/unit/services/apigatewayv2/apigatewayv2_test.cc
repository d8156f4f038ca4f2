#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/apigatewayv2/route_match.h"
#include "services/shared/http_lambda.h"

namespace nimbus::apigatewayv2 {
namespace {
using namespace http_lambda;  // the shared event and response mapping

// The route a request lands on, "" for none, with its path parameters "k=v;".
std::string Match(const std::vector<std::string>& keys, std::string_view method,
                  std::string_view path) {
  auto m = MatchRoute(keys, method, path);
  if (!m) return "";
  std::string out = keys[m->index];
  for (const auto& [k, v] : m->path_parameters) out += " " + k + "=" + v;
  return out;
}

// The developer guide's example ("Routing API requests"): exact match, then path variables,
// then greedy ones, with ANY behind a named method and $default last.
TEST(RouteMatchTest, AwsPrecedence) {
  std::vector<std::string> keys = {"$default", "ANY /{proxy+}", "GET /pets/{proxy+}",
                                   "GET /pets/dog/{id}", "GET /pets/dog/1"};
  EXPECT_EQ(Match(keys, "GET", "/pets/dog/1"), "GET /pets/dog/1");
  EXPECT_EQ(Match(keys, "GET", "/pets/dog/2"), "GET /pets/dog/{id} id=2");
  EXPECT_EQ(Match(keys, "GET", "/pets/cat/1"), "GET /pets/{proxy+} proxy=cat/1");
  EXPECT_EQ(Match(keys, "POST", "/pets/dog/1"), "ANY /{proxy+} proxy=pets/dog/1");
  EXPECT_EQ(Match(keys, "GET", "/"), "$default");
}

TEST(RouteMatchTest, MethodBeatsAnyAndNothingMatches) {
  std::vector<std::string> keys = {"ANY /items", "GET /items", "POST /items/{id}"};
  EXPECT_EQ(Match(keys, "GET", "/items"), "GET /items");
  EXPECT_EQ(Match(keys, "DELETE", "/items"), "ANY /items");
  EXPECT_EQ(Match(keys, "GET", "/items/3"), "");
  EXPECT_EQ(Match(keys, "POST", "/items/"), "");  // a variable takes a non-empty segment
  EXPECT_EQ(Match(keys, "POST", "/items/3/4"), "");
  EXPECT_EQ(Match({"GET /"}, "GET", "/"), "GET /");
  EXPECT_EQ(Match({"GET /a/{proxy+}"}, "GET", "/a"), "");  // greedy needs one segment
}

TEST(RouteMatchTest, SegmentsAreDecodedAfterSplitting) {
  std::vector<std::string> keys = {"GET /files/{name}", "GET /caf\xC3\xA9"};
  EXPECT_EQ(Match(keys, "GET", "/files/a%2Fb"), "GET /files/{name} name=a/b");
  EXPECT_EQ(Match(keys, "GET", "/caf%C3%A9"), "GET /caf\xC3\xA9");
}

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
}  // namespace nimbus::apigatewayv2
