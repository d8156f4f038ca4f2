#include "services/apigateway/resource_match.h"

#include <gtest/gtest.h>

namespace nimbus::apigateway {
namespace {

// The resource a path lands on, "" for none, with its path parameters " k=v".
std::string Match(const std::vector<std::string>& paths, std::string_view path) {
  auto m = MatchResource(paths, path);
  if (!m) return "";
  std::string out = paths[m->index];
  for (const auto& [k, v] : m->path_parameters) out += " " + k + "=" + v;
  return out;
}

// Developer guide, "Set up a proxy integration with a proxy resource": a literal beats a path
// variable, which beats a greedy variable; {proxy+} takes one segment or more.
TEST(ResourceMatchTest, LiteralBeatsVariableBeatsGreedy) {
  std::vector<std::string> paths = {"/",          "/{proxy+}", "/pets",
                                    "/pets/{id}", "/pets/dog", "/pets/{id}/toys"};
  EXPECT_EQ(Match(paths, "/"), "/");
  EXPECT_EQ(Match(paths, "/pets"), "/pets");
  EXPECT_EQ(Match(paths, "/pets/"), "/pets");
  EXPECT_EQ(Match(paths, "/pets/dog"), "/pets/dog");
  EXPECT_EQ(Match(paths, "/pets/cat"), "/pets/{id} id=cat");
  EXPECT_EQ(Match(paths, "/pets/cat/toys"), "/pets/{id}/toys id=cat");
  EXPECT_EQ(Match(paths, "/pets/cat/food"), "/{proxy+} proxy=pets/cat/food");
  EXPECT_EQ(Match(paths, "/other"), "/{proxy+} proxy=other");
}

TEST(ResourceMatchTest, NothingMatchesAndDecoding) {
  std::vector<std::string> paths = {"/", "/items/{id}"};
  EXPECT_EQ(Match(paths, "/items"), "");
  EXPECT_EQ(Match(paths, "/items/a/b"), "");
  EXPECT_EQ(Match(paths, "/items/a%20b"), "/items/{id} id=a b");
  EXPECT_EQ(Match({"/{proxy+}"}, "/"), "");
  EXPECT_EQ(Match({"/a/{rest+}"}, "/a/b%2Fc/d"), "/a/{rest+} rest=b/c/d");
}

}  // namespace
}  // namespace nimbus::apigateway
