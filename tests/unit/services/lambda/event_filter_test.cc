// Lambda event filter patterns (FilterCriteria): validation and matching as the Lambda
// developer guide's "event filtering" page documents them.
#include "services/lambda/event_filter.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::lambda {
namespace {

bool Match(std::string_view pattern, std::string_view record) {
  EventFilter f;
  EXPECT_TRUE(f.Parse({pattern})) << pattern;
  return f.Matches(json::parse(record));
}

TEST(EventFilterTest, RejectsInvalidPatterns) {
  for (std::string_view bad :
       {"not json", "[]", "{}", R"({"a": "x"})", R"({"a": []})", R"({"a": [{"prefix": 1}]})",
        R"({"a": [{"numeric": [">"]}]})", R"({"a": [{"numeric": ["<", 1, ">", 0]}]})",
        R"({"a": [{"exists": "yes"}]})", R"({"a": [{"wildcard-ish": "x"}]})",
        R"({"a": [{"prefix": "x", "suffix": "y"}]})", R"({"$or": [{"a": ["x"]}]})",
        R"({"a": [{"anything-but": []}]})", R"({"a": [[1]]})"}) {
    EventFilter f;
    EXPECT_FALSE(f.Parse({bad})) << bad;
  }
  EventFilter f;
  EXPECT_TRUE(f.Parse({}));
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.Matches(json::parse("{}")));
}

TEST(EventFilterTest, ExactValuesNestedKeysAndArrays) {
  EXPECT_TRUE(Match(R"({"body": {"kind": ["order"]}})", R"({"body": {"kind": "order"}})"));
  EXPECT_FALSE(Match(R"({"body": {"kind": ["order"]}})", R"({"body": {"kind": "refund"}})"));
  EXPECT_FALSE(Match(R"({"body": {"kind": ["order"]}})", R"({"body": "kind=order"})"));
  EXPECT_TRUE(Match(R"({"n": [5]})", R"({"n": 5.0})"));
  EXPECT_FALSE(Match(R"({"n": [5]})", R"({"n": "5"})"));
  EXPECT_TRUE(Match(R"({"v": [null]})", R"({"v": null})"));
  EXPECT_FALSE(Match(R"({"v": [null]})", R"({})"));
  EXPECT_TRUE(Match(R"({"v": [""]})", R"({"v": ""})"));
  EXPECT_TRUE(Match(R"({"tags": ["b"]})", R"({"tags": ["a", "b"]})"));
  EXPECT_TRUE(Match(R"({"body": ["plain"]})", R"({"body": "plain"})"));
}

TEST(EventFilterTest, Operators) {
  EXPECT_TRUE(Match(R"({"s": [{"prefix": "ab"}]})", R"({"s": "abc"})"));
  EXPECT_FALSE(Match(R"({"s": [{"prefix": "ab"}]})", R"({"s": "cab"})"));
  EXPECT_TRUE(Match(R"({"s": [{"suffix": ".png"}]})", R"({"s": "a.png"})"));
  EXPECT_TRUE(Match(R"({"s": [{"equals-ignore-case": "ABC"}]})", R"({"s": "aBc"})"));
  EXPECT_TRUE(Match(R"({"s": [{"anything-but": ["a", "b"]}]})", R"({"s": "c"})"));
  EXPECT_FALSE(Match(R"({"s": [{"anything-but": ["a", "b"]}]})", R"({"s": "b"})"));
  EXPECT_FALSE(Match(R"({"s": [{"anything-but": "a"}]})", R"({})"));
  EXPECT_TRUE(Match(R"({"s": [{"anything-but": {"prefix": "x"}}]})", R"({"s": "yx"})"));
  EXPECT_FALSE(Match(R"({"s": [{"anything-but": {"prefix": "x"}}]})", R"({"s": "xy"})"));
  EXPECT_TRUE(Match(R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 5})"));
  EXPECT_FALSE(Match(R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 0})"));
  EXPECT_TRUE(Match(R"({"n": [{"numeric": ["=", 100]}]})", R"({"n": 100})"));
  EXPECT_TRUE(Match(R"({"a": [{"exists": true}]})", R"({"a": {"b": 1}})"));
  EXPECT_FALSE(Match(R"({"a": [{"exists": true}]})", R"({"b": 1})"));
  EXPECT_TRUE(Match(R"({"a": {"b": [{"exists": false}]}})", R"({"c": 1})"));
  EXPECT_FALSE(Match(R"({"a": [{"exists": false}]})", R"({"a": 1})"));
}

TEST(EventFilterTest, OrAndSeveralFilters) {
  const char* p = R"({"$or": [{"a": ["1"]}, {"b": ["2"]}]})";
  EXPECT_TRUE(Match(p, R"({"b": "2"})"));
  EXPECT_FALSE(Match(p, R"({"a": "2", "b": "1"})"));
  EventFilter f;
  ASSERT_TRUE(f.Parse({R"({"a": ["x"]})", R"({"b": ["y"]})"}));
  EXPECT_TRUE(f.Matches(json::parse(R"({"b": "y"})")));
  EXPECT_FALSE(f.Matches(json::parse(R"({"a": "y"})")));
}

TEST(EventFilterTest, DynamoDbRecords) {
  const char* record = R"({"eventName": "INSERT", "dynamodb": {"NewImage":
      {"status": {"S": "ready"}, "n": {"N": "7"}}}})";
  EXPECT_TRUE(
      Match(R"({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["ready"]}}}})",
            record));
  EXPECT_FALSE(Match(R"({"eventName": ["MODIFY"]})", record));
  EXPECT_FALSE(Match(R"({"dynamodb": {"NewImage": {"status": {"S": ["done"]}}}})", record));
}

}  // namespace
}  // namespace nimbus::lambda
