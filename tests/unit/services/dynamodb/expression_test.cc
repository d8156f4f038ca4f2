#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/dynamodb/expressions/binder.h"
#include "services/dynamodb/expressions/evaluator.h"
#include "services/dynamodb/expressions/parser.h"
#include "services/dynamodb/types/attribute_value.h"

namespace nimbus::dynamodb::expr {
namespace {

std::string ParseError(ExpressionKind kind, std::string_view text) {
  auto p = Parse(kind, text);
  return p ? "ok" : p.error().message;
}

// Parses, binds and evaluates a condition against an item; the error on failure.
Result<bool> Eval(std::string_view cond, std::string_view item_json, std::string_view values_json,
                  std::string_view names_json = "{}") {
  auto p = Parse(ExpressionKind::kCondition, cond);
  if (!p) return std::move(p).error();
  static thread_local json::value values, names;
  values = json::parse(values_json);
  names = json::parse(names_json);
  for (auto& [k, v] : values.get_object()) EXPECT_TRUE(ValidateAttributeValue(v).ok()) << k;
  Bindings b(names.get_object().empty() ? nullptr : &names.get_object(),
             values.get_object().empty() ? nullptr : &values.get_object());
  auto bound = b.BindCondition(**p);
  if (!bound) return std::move(bound).error();
  json::value item = json::parse(item_json);
  return EvaluateCondition(*bound, item.get_object());
}

bool True(std::string_view cond, std::string_view item, std::string_view values = "{}") {
  auto r = Eval(cond, item, values);
  EXPECT_TRUE(r.ok()) << cond << ": " << (r ? "" : r.error().message);
  return r.ok() && *r;
}

constexpr std::string_view kItem =
    R"({"a":{"N":"5"},"s":{"S":"hello"},"l":{"L":[{"N":"1"},{"S":"x"}]},)"
    R"("m":{"M":{"k":{"S":"v"},"n":{"M":{"deep":{"N":"7"}}}}},"ss":{"SS":["p","q"]},)"
    R"("b":{"BOOL":true},"z":{"NULL":true}})";

TEST(ExpressionParserTest, SyntaxErrorsNameTheTokenAndContext) {
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, "a ="),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(ParseError(ExpressionKind::kUpdate, "SET _123 = :v"),
            "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _123\"");
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, ""),
            "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(ParseError(ExpressionKind::kProjection, "a,,b")
                .rfind("Invalid ProjectionExpression: Syntax error", 0),
            0u);
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, "a = :v)")
                .rfind("Invalid ConditionExpression: Syntax error; token: \")\"", 0),
            0u);
}

TEST(ExpressionParserTest, SemanticErrorsWordedAsDynamoDb) {
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, "name = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "name");
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, "foo(a)"),
            "Invalid ConditionExpression: Invalid function name; function: foo");
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, "size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: size");
  EXPECT_EQ(ParseError(ExpressionKind::kCondition, "attribute_exists(a) = :v"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: attribute_exists");
  EXPECT_EQ(ParseError(ExpressionKind::kUpdate, "SET a = :v SET b = :w"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(ParseError(ExpressionKind::kUpdate, "set a = :v remove b add c :n delete d :s"), "ok");
}

TEST(ExpressionParserTest, HostileInputNeverCrashes) {
  std::string deep(5000, '(');
  EXPECT_NE(ParseError(ExpressionKind::kCondition, deep), "ok");
  EXPECT_NE(ParseError(ExpressionKind::kCondition,
                       std::string(300, '(') + "a = :v" + std::string(300, ')')),
            "ok");
  for (std::string_view s : {"#", ":", "a[", "a[1", "a.", "a..b", "a[99999999999] = :v", "\xff\xfe",
                             "a BETWEEN :x", "a IN ()", "NOT", "a AND", "size(", "(a = :v"})
    EXPECT_NE(ParseError(ExpressionKind::kCondition, s), "ok") << s;
}

TEST(ExpressionEvalTest, ComparisonsAndFunctions) {
  EXPECT_TRUE(True("a = :five", kItem, R"({":five":{"N":"5.0"}})"));
  EXPECT_TRUE(True("a < :x", kItem, R"({":x":{"N":"10"}})"));
  EXPECT_FALSE(True("a < :x", kItem, R"({":x":{"S":"10"}})"));
  EXPECT_TRUE(True("nope <> :x", kItem, R"({":x":{"N":"1"}})"));
  EXPECT_FALSE(True("nope = :x", kItem, R"({":x":{"N":"1"}})"));
  EXPECT_TRUE(True("a BETWEEN :lo AND :hi", kItem, R"({":lo":{"N":"1"},":hi":{"N":"5"}})"));
  EXPECT_TRUE(True("a IN (:x, :y)", kItem, R"({":x":{"N":"4"},":y":{"N":"5"}})"));
  EXPECT_TRUE(True("attribute_exists(m.n.deep) AND attribute_not_exists(m.nope)", kItem));
  EXPECT_TRUE(True("attribute_type(l, :t)", kItem, R"({":t":{"S":"L"}})"));
  EXPECT_TRUE(True("begins_with(s, :p)", kItem, R"({":p":{"S":"he"}})"));
  EXPECT_TRUE(True("contains(s, :p) AND contains(ss, :q) AND contains(l, :x)", kItem,
                   R"({":p":{"S":"ell"},":q":{"S":"q"},":x":{"S":"x"}})"));
  EXPECT_TRUE(True("size(l) = :two AND size(s) > :four AND size(m) = :two", kItem,
                   R"({":two":{"N":"2"},":four":{"N":"4"}})"));
  EXPECT_TRUE(
      True("l[1] = :x AND m.n.deep = :seven", kItem, R"({":x":{"S":"x"},":seven":{"N":"7"}})"));
}

TEST(ExpressionEvalTest, PrecedenceIsNotThenAndThenOr) {
  // true OR (false AND false) = true; NOT binds tighter than AND.
  EXPECT_TRUE(
      True("a = :five OR a = :one AND a = :one", kItem, R"({":five":{"N":"5"},":one":{"N":"1"}})"));
  EXPECT_FALSE(True("(a = :five OR a = :one) AND a = :one", kItem,
                    R"({":five":{"N":"5"},":one":{"N":"1"}})"));
  EXPECT_FALSE(True("NOT a = :five AND a = :five", kItem, R"({":five":{"N":"5"}})"));
}

TEST(ExpressionBindTest, UndefinedAndInvalidOperands) {
  auto r = Eval("#n = :v", kItem, R"({":v":{"N":"1"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #n");
  r = Eval("a = :nope", kItem, R"({":v":{"N":"1"}})");
  EXPECT_EQ(r.error().message,
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope");
  r = Eval("begins_with(s, :n)", kItem, R"({":n":{"N":"1"}})");
  EXPECT_EQ(r.error().message,
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  r = Eval("a BETWEEN :hi AND :lo", kItem, R"({":lo":{"N":"1"},":hi":{"N":"5"}})");
  EXPECT_EQ(r.error().message,
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper "
            "bound operand: AttributeValue: {N:1}");
  r = Eval("attribute_exists(a, s)", kItem, "{}");
  EXPECT_EQ(r.error().message,
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2");
  r = Eval("a = a", kItem, "{}");
  EXPECT_EQ(r.error().message,
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: =, first operand: [a]");
}

Result<std::string> Update(std::string_view expr, std::string_view item_json,
                           std::string_view values_json) {
  auto p = Parse(ExpressionKind::kUpdate, expr);
  if (!p) return std::move(p).error();
  json::value values = json::parse(values_json);
  Bindings b(nullptr, values.get_object().empty() ? nullptr : &values.get_object());
  auto actions = b.BindUpdate(**p);
  if (!actions) return std::move(actions).error();
  json::value old_item = json::parse(item_json);
  json::object item = old_item.get_object();
  auto st = ApplyUpdate(*actions, old_item.get_object(), &item);
  if (!st) return std::move(st).error();
  return json::serialize(item);
}

TEST(ExpressionUpdateTest, SetRemoveAddDelete) {
  EXPECT_EQ(*Update("SET a = a + :n, b = :n - a", R"({"a":{"N":"5"}})", R"({":n":{"N":"1"}})"),
            R"({"a":{"N":"6"},"b":{"N":"-4"}})");
  EXPECT_EQ(*Update("SET l = list_append(if_not_exists(l, :e), :v)", "{}",
                    R"({":e":{"L":[]},":v":{"L":[{"S":"x"}]}})"),
            R"({"l":{"L":[{"S":"x"}]}})");
  EXPECT_EQ(*Update("REMOVE l[0], l[2]", R"({"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]}})", "{}"),
            R"({"l":{"L":[{"N":"1"}]}})");
  EXPECT_EQ(*Update("SET l[9] = :v", R"({"l":{"L":[{"N":"0"}]}})", R"({":v":{"N":"9"}})"),
            R"({"l":{"L":[{"N":"0"},{"N":"9"}]}})");
  EXPECT_EQ(*Update("ADD n :one, s :set", R"({"s":{"SS":["a"]}})",
                    R"({":one":{"N":"1"},":set":{"SS":["a","b"]}})"),
            R"({"s":{"SS":["a","b"]},"n":{"N":"1"}})");
  EXPECT_EQ(*Update("DELETE s :set", R"({"s":{"SS":["a"]}})", R"({":set":{"SS":["a"]}})"), "{}");
  EXPECT_EQ(Update("SET x = nope", "{}", "{}").error().message,
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(Update("SET a.b = :v", "{}", R"({":v":{"N":"1"}})").error().message,
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Update("SET a = a + :v", R"({"a":{"S":"x"}})", R"({":v":{"N":"1"}})").error().message,
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Update("ADD a :v", "{}", R"({":v":{"S":"x"}})").error().message,
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(Update("SET a = :v, a.b = :v", "{}", R"({":v":{"N":"1"}})").error().message,
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]");
}

TEST(ExpressionProjectionTest, NestedPathsAndListIndexes) {
  auto p = Parse(ExpressionKind::kProjection, "m.n.deep, l[1], s, nope");
  ASSERT_TRUE(p.ok());
  Bindings b(nullptr, nullptr);
  auto paths = b.BindProjection(**p);
  ASSERT_TRUE(paths.ok());
  json::value item = json::parse(kItem);
  EXPECT_EQ(
      json::serialize(Project(item.get_object(), *paths)),
      R"({"l":{"L":[{"S":"x"}]},"m":{"M":{"n":{"M":{"deep":{"N":"7"}}}}},"s":{"S":"hello"}})");
  auto conflict = Parse(ExpressionKind::kProjection, "a[0], a.b");
  auto bad = b.BindProjection(**conflict);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]");
}

TEST(ExpressionBindTest, UnusedNamesAndValuesAreReported) {
  json::value names = json::parse(R"({"#a":"a","#b":"b"})");
  json::value values = json::parse(R"({":v":{"N":"1"},":x":{"N":"2"}})");
  Bindings b(&names.get_object(), &values.get_object());
  auto p = Parse(ExpressionKind::kCondition, "#a = :v");
  ASSERT_TRUE(b.BindCondition(**p).ok());
  auto st = b.CheckAllUsed();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
}

}  // namespace
}  // namespace nimbus::dynamodb::expr
