#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/apigatewayv2/route_match.h"

namespace nimbus::apigatewayv2 {
namespace {

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

}  // namespace
}  // namespace nimbus::apigatewayv2
