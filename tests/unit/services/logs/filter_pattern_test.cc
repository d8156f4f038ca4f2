// CloudWatch Logs filter pattern syntax, as the AWS guide "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail" describes it.
#include "services/logs/filter_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace nimbus::logs {
namespace {

std::shared_ptr<const FilterPattern> MustParse(std::string_view text) {
  std::string error;
  auto p = FilterPattern::Parse(text, &error);
  EXPECT_TRUE(p) << "pattern '" << text << "': " << error;
  return p;
}

std::string ParseError(std::string_view text) {
  std::string error;
  auto p = FilterPattern::Parse(text, &error);
  EXPECT_FALSE(p) << "pattern '" << text << "' should be invalid";
  return error;
}

bool Match(std::string_view pattern, std::string_view message) {
  auto p = MustParse(pattern);
  return p && p->Matches(message);
}

TEST(FilterPatternTest, EmptyPatternMatchesEverything) {
  auto p = MustParse("");
  EXPECT_TRUE(p->MatchesEverything());
  EXPECT_TRUE(p->Matches("anything"));
  EXPECT_TRUE(MustParse("   ")->MatchesEverything());
}

TEST(FilterPatternTest, SingleTermIsACaseSensitiveSubstring) {
  EXPECT_TRUE(Match("ERROR", "[ERROR] disk full"));
  EXPECT_TRUE(Match("ERROR", "ERRORS happened"));
  EXPECT_FALSE(Match("ERROR", "error: disk full"));
}

TEST(FilterPatternTest, MultipleTermsAreAnded) {
  EXPECT_TRUE(Match("ERROR disk", "ERROR: disk full"));
  EXPECT_FALSE(Match("ERROR disk", "ERROR: memory"));
}

TEST(FilterPatternTest, QuotedPhraseMatchesExactly) {
  EXPECT_TRUE(Match("\"disk full\"", "ERROR: disk full now"));
  EXPECT_FALSE(Match("\"disk full\"", "full disk"));
  EXPECT_TRUE(Match("\"user@example.com\" ERROR", "ERROR for user@example.com"));
  EXPECT_TRUE(Match("\"say \\\"hi\\\"\"", "they say \"hi\""));
}

TEST(FilterPatternTest, QuestionMarkTermsAreOred) {
  EXPECT_TRUE(Match("?ERROR ?WARN", "WARN low disk"));
  EXPECT_TRUE(Match("?ERROR ?WARN", "ERROR no disk"));
  EXPECT_FALSE(Match("?ERROR ?WARN", "INFO all good"));
  EXPECT_TRUE(Match("?\"disk full\" ?OOM", "disk full"));
}

TEST(FilterPatternTest, MinusExcludesATerm) {
  EXPECT_TRUE(Match("ERROR -Exiting", "ERROR retrying"));
  EXPECT_FALSE(Match("ERROR -Exiting", "ERROR Exiting now"));
}

TEST(FilterPatternTest, JsonEqualityOnStrings) {
  EXPECT_TRUE(Match("{ $.level = \"ERROR\" }", R"({"level":"ERROR","msg":"x"})"));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" }", R"({"level":"INFO"})"));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" }", "level=ERROR not json"));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" }", R"({"other":"ERROR"})"));
  EXPECT_TRUE(Match("{$.level=ERROR}", R"({"level":"ERROR"})"));
}

TEST(FilterPatternTest, JsonInequalityAndWildcards) {
  EXPECT_TRUE(Match("{ $.level != \"INFO\" }", R"({"level":"WARN"})"));
  EXPECT_FALSE(Match("{ $.level != \"INFO\" }", R"({"level":"INFO"})"));
  EXPECT_FALSE(Match("{ $.level != \"INFO\" }", R"({"nolevel":1})"));
  EXPECT_TRUE(Match("{ $.ip = \"10.0.*\" }", R"({"ip":"10.0.3.4"})"));
  EXPECT_FALSE(Match("{ $.ip = \"10.0.*\" }", R"({"ip":"10.1.3.4"})"));
}

TEST(FilterPatternTest, JsonNumericComparisons) {
  const char* msg = R"({"latency": 750, "status": 200, "ratio": 0.5})";
  EXPECT_TRUE(Match("{ $.latency > 500 }", msg));
  EXPECT_FALSE(Match("{ $.latency < 500 }", msg));
  EXPECT_TRUE(Match("{ $.latency >= 750 }", msg));
  EXPECT_TRUE(Match("{ $.latency <= 750 }", msg));
  EXPECT_TRUE(Match("{ $.status = 200 }", msg));
  EXPECT_TRUE(Match("{ $.status != 404 }", msg));
  EXPECT_TRUE(Match("{ $.ratio < 1 }", msg));
  EXPECT_FALSE(Match("{ $.latency > 500 }", R"({"latency": "slow"})"));
}

TEST(FilterPatternTest, JsonAndOrParentheses) {
  const char* msg = R"({"level":"ERROR","service":"api","latency":20})";
  EXPECT_TRUE(Match("{ $.level = \"ERROR\" && $.service = \"api\" }", msg));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" && $.service = \"db\" }", msg));
  EXPECT_TRUE(Match("{ $.level = \"WARN\" || $.service = \"api\" }", msg));
  EXPECT_TRUE(Match("{ ($.level = \"WARN\" || $.level = \"ERROR\") && $.latency < 100 }", msg));
  EXPECT_FALSE(Match("{ ($.level = \"WARN\" || $.level = \"ERROR\") && $.latency > 100 }", msg));
}

TEST(FilterPatternTest, JsonNestedSelectorsAndArrays) {
  const char* msg = R"({"user":{"id":"u1","roles":["admin","dev"]},"items":[{"sku":7}]})";
  EXPECT_TRUE(Match("{ $.user.id = \"u1\" }", msg));
  EXPECT_TRUE(Match("{ $.user.roles[1] = \"dev\" }", msg));
  EXPECT_TRUE(Match("{ $.items[0].sku = 7 }", msg));
  EXPECT_FALSE(Match("{ $.items[5].sku = 7 }", msg));
}

TEST(FilterPatternTest, JsonExistenceAndBooleans) {
  const char* msg = R"({"error":null,"retry":true,"cached":false})";
  EXPECT_TRUE(Match("{ $.error IS NULL }", msg));
  EXPECT_TRUE(Match("{ $.missing NOT EXISTS }", msg));
  EXPECT_FALSE(Match("{ $.error NOT EXISTS }", msg));
  EXPECT_TRUE(Match("{ $.retry IS TRUE }", msg));
  EXPECT_TRUE(Match("{ $.cached IS FALSE }", msg));
  EXPECT_FALSE(Match("{ $.cached IS TRUE }", msg));
}

TEST(FilterPatternTest, SpaceDelimitedFields) {
  const char* line =
      "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /index.html HTTP/1.0\" 404 1534";
  EXPECT_TRUE(Match("[ip, user, username, timestamp, request, status_code, bytes]", line));
  EXPECT_TRUE(Match("[ip, user, username, timestamp, request, status_code = 404, bytes]", line));
  EXPECT_TRUE(Match("[ip, user, username, timestamp, request, status_code = 4*, bytes]", line));
  EXPECT_FALSE(Match("[ip, user, username, timestamp, request, status_code = 200, bytes]", line));
  EXPECT_TRUE(Match("[..., status_code = 404, bytes > 1000]", line));
  EXPECT_FALSE(Match("[..., status_code = 404, bytes > 2000]", line));
  EXPECT_TRUE(Match("[ip = 127.0.0.1, ...]", line));
  EXPECT_FALSE(Match("[ip, user]", line));  // field counts must agree without "..."
  EXPECT_TRUE(Match("[..., status_code = 500 || status_code = 404, bytes]", line));
}

TEST(FilterPatternTest, SpaceDelimitedExtractsNamedValues) {
  auto p = MustParse("[ip, user, ..., status, bytes]");
  FilterPattern::ExtractedValues values;
  ASSERT_TRUE(p->Matches("1.2.3.4 bob GET / 200 77", &values));
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], (std::pair<std::string, std::string>("$ip", "1.2.3.4")));
  EXPECT_EQ(values[1], (std::pair<std::string, std::string>("$user", "bob")));
  EXPECT_EQ(values[2], (std::pair<std::string, std::string>("$bytes", "77")));
  EXPECT_EQ(values[3], (std::pair<std::string, std::string>("$status", "200")));
}

TEST(FilterPatternTest, UnclosedJsonPatternNamesTheBrace) {
  EXPECT_EQ(ParseError("{ $.level = \"ERROR\""),
            "If a filter pattern starts with '{' it must end with '}'");
}

TEST(FilterPatternTest, MalformedJsonPatternsAreInvalid) {
  for (const char* bad :
       {"{ }", "{ level = 1 }", "{ $.level }", "{ $.level = }", "{ $.a > \"x\" }", "{ ($.a = 1 }",
        "{ $.a = 1 && }", "{ $.a IS MAYBE }", "{ $.a NOT THERE }", "{ $.a[x] = 1 }", "{ $. = 1 }",
        "{ $.a = \"unterminated }", "{ $.a = 1 $.b = 2 }"}) {
    EXPECT_EQ(ParseError(bad), "Invalid filter pattern") << bad;
  }
}

TEST(FilterPatternTest, MalformedTermPatternsAreInvalid) {
  EXPECT_EQ(ParseError("\"unterminated"), "Invalid filter pattern");
  EXPECT_EQ(ParseError("user@example.com"), "Invalid character(s) in term 'user@example.com'");
  EXPECT_EQ(ParseError("ERROR}"), "Invalid character(s) in term 'ERROR}'");
  EXPECT_EQ(ParseError("?"), "Invalid filter pattern");
  EXPECT_EQ(ParseError("[ip, user"), "Invalid filter pattern");
  EXPECT_EQ(ParseError("[ip, bytes > big]"), "Invalid filter pattern");
  EXPECT_EQ(ParseError("%ERROR%"), "Invalid filter pattern");
}

TEST(FilterPatternTest, DeeplyNestedParenthesesAreRejectedNotOverflowed) {
  std::string deep = "{ " + std::string(5000, '(') + "$.a = 1" + std::string(5000, ')') + " }";
  EXPECT_EQ(ParseError(deep), "Invalid filter pattern");
}

TEST(FilterPatternTest, DeeplyNestedMessagesDoNotMatchOrCrash) {
  auto p = MustParse("{ $.a = 1 }");
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_FALSE(p->Matches(deep));
}

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc"));
  EXPECT_TRUE(GlobMatch("*.log", "app.log"));
  EXPECT_FALSE(GlobMatch("a*c", "abbb"));
  EXPECT_TRUE(GlobMatch("a**b*", "axxbyy"));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
}

}  // namespace
}  // namespace nimbus::logs
