// SNS subscription filter policies: parsing and validation errors worded as AWS answers them,
// and matching against message attributes and message bodies.
#include "services/sns/filter_policy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::sns {
namespace {

std::unique_ptr<FilterPolicy> Parse(std::string_view text,
                                    FilterScope scope = FilterScope::kMessageAttributes) {
  std::string error;
  auto policy = FilterPolicy::Parse(text, scope, &error);
  EXPECT_TRUE(policy) << text << " -> " << error;
  return policy;
}

std::string Error(std::string_view text, FilterScope scope = FilterScope::kMessageAttributes) {
  std::string error;
  auto policy = FilterPolicy::Parse(text, scope, &error);
  EXPECT_FALSE(policy) << text;
  return error;
}

json::object Str(std::string_view name, std::string_view value) {
  json::object o;
  o[name] = json::object{{"DataType", "String"}, {"StringValue", value}};
  return o;
}

json::object Num(std::string_view name, std::string_view value) {
  json::object o;
  o[name] = json::object{{"DataType", "Number"}, {"StringValue", value}};
  return o;
}

// --- validation -----------------------------------------------------------------------------

TEST(FilterPolicyValidation, NotJson) {
  EXPECT_EQ(Error("{invalid").rfind("FilterPolicy: failed to parse JSON.", 0), 0u);
}

TEST(FilterPolicyValidation, MoreThanFiveKeys) {
  EXPECT_EQ(Error(R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]})"),
            "FilterPolicy: Filter policy can not have more than 5 keys");
}

TEST(FilterPolicyValidation, KeyMustBeObjectOrArray) {
  EXPECT_EQ(Error(R"({"key_a":"value_one"})"),
            "FilterPolicy: \"key_a\" must be an object or an array");
  EXPECT_EQ(Error(R"({"key":{"suffix":"value"}})"),
            "FilterPolicy: \"suffix\" must be an object or an array");
}

TEST(FilterPolicyValidation, EmptyArray) {
  EXPECT_EQ(Error(R"({"key":[]})"), "FilterPolicy: Empty arrays are not allowed");
}

TEST(FilterPolicyValidation, NestingOnlyInMessageBodyScope) {
  EXPECT_EQ(Error(R"({"object":{"key":[{"prefix":"auto-"}]}})"),
            "Filter policy scope MessageAttributes does not support nested filter policy");
  Parse(R"({"object":{"key":[{"prefix":"auto-"}]}})", FilterScope::kMessageBody);
}

TEST(FilterPolicyValidation, TooComplex) {
  // 4 x 4 x 4 x 3 = 192 combinations > 150.
  EXPECT_EQ(Error(R"({"a":["1","2","3","4"],"b":["1","2","3","4"],"c":["1","2","3","4"],)"
                  R"("d":["1","2","3"]})"),
            "FilterPolicy: Filter policy is too complex");
  // Nested keys multiply by their depth: (4 x 3) x (3 x 2) = 72 is fine, x 3 more is not.
  Parse(R"({"key_a":{"key_b":{"key_c":["1","2","3","4"]}},"key_d":{"key_e":["1","2","3"]}})",
        FilterScope::kMessageBody);
  EXPECT_EQ(
      Error(R"({"key_a":{"key_b":{"key_c":["1","2","3","4"]}},"key_d":{"key_e":["1","2","3"]},)"
            R"("key_f":["1","2","3"]})",
            FilterScope::kMessageBody),
      "FilterPolicy: Filter policy is too complex");
}

TEST(FilterPolicyValidation, OrAlternativesAreSummed) {
  // 2 x (10 x 7 + 10 x 7) = 280 > 150, while each alternative alone would pass.
  std::string ten = R"(["1","2","3","4","5","6","7","8","9","10"])";
  std::string seven = R"(["1","2","3","4","5","6","7"])";
  EXPECT_EQ(Error(R"({"s":["a","b"],"$or":[{"x":)" + ten + R"(,"y":)" + seven + R"(},{"z":)" + ten +
                  R"(,"w":)" + seven + "}]}"),
            "FilterPolicy: Filter policy is too complex");
}

TEST(FilterPolicyValidation, MatchExpressions) {
  EXPECT_EQ(Error(R"({"key":[["value"]]})"),
            "FilterPolicy: Match value must be String, number, true, false, or null");
  EXPECT_EQ(Error(R"({"key":[{"wrong-operator":true}]})"),
            "FilterPolicy: Unrecognized match type wrong-operator");
  EXPECT_EQ(Error(R"({"key":[{"suffix":"value","prefix":"value2"}]})"),
            "FilterPolicy: Only one key allowed in match expression");
  EXPECT_EQ(Error(R"({"key":[{"suffix":100}]})"),
            "FilterPolicy: suffix match pattern must be a string");
  EXPECT_EQ(Error(R"({"key":[{"prefix":null}]})"),
            "FilterPolicy: prefix match pattern must be a string");
  EXPECT_EQ(Error(R"({"key":[{"equals-ignore-case":["a"]}]})"),
            "FilterPolicy: equals-ignore-case match pattern must be a string");
  EXPECT_EQ(Error(R"({"key":[{"exists":"no"}]})"),
            "FilterPolicy: exists match pattern must be either true or false.");
}

TEST(FilterPolicyValidation, AnythingBut) {
  EXPECT_EQ(Error(R"({"key":[{"anything-but":{"wrong-operator":null}}]})"),
            "FilterPolicy: Unsupported anything-but pattern: wrong-operator");
  EXPECT_EQ(Error(R"({"key":[{"anything-but":{"suffix":"test"}}]})"),
            "FilterPolicy: Unsupported anything-but pattern: suffix");
  EXPECT_EQ(Error(R"({"key":[{"anything-but":{"prefix":false}}]})"),
            "FilterPolicy: prefix match pattern must be a string");
  Parse(R"({"key":[{"anything-but":["a",1]}]})");
}

TEST(FilterPolicyValidation, Numeric) {
  EXPECT_EQ(Error(R"({"key":[{"numeric":[]}]})"),
            "FilterPolicy: Invalid member in numeric match: ]");
  EXPECT_EQ(Error(R"({"key":[{"numeric":["operator"]}]})"),
            "FilterPolicy: Unrecognized numeric range operator: operator");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[1,"<="]}]})"),
            "FilterPolicy: Invalid member in numeric match: 1");
  EXPECT_EQ(Error(R"({"key":[{"numeric":["=","000"]}]})"),
            "FilterPolicy: Value of equals must be numeric");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">="]}]})"), "FilterPolicy: Value of >= must be numeric");
  EXPECT_EQ(Error(R"({"key":[{"numeric":["<",100,">",10]}]})"),
            "FilterPolicy: Too many elements in numeric expression");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">=",1,">",2]}]})"),
            "FilterPolicy: Bad numeric range operator: >");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">",3,"<",1]}]})"),
            "FilterPolicy: Bottom must be less than top");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">",20,"<="]}]})"),
            "FilterPolicy: Value of <= must be numeric");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">",20,30]}]})"),
            "FilterPolicy: Bad value in numeric range: 30");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">",20,"test"]}]})"),
            "FilterPolicy: Bad numeric range operator: test");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">","20","<","30"]}]})"),
            "FilterPolicy: Value of > must be numeric");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">",20,"<","30"]}]})"),
            "FilterPolicy: Value of < must be numeric");
  EXPECT_EQ(Error(R"({"key":[{"numeric":[">",20,"<",30,"<",50]}]})"),
            "FilterPolicy: Too many terms in numeric range expression");
}

TEST(FilterPolicyValidation, Cidr) {
  EXPECT_EQ(Error(R"({"ip":[{"cidr":"10.0.0.0"}]})"),
            "FilterPolicy: Malformed CIDR, one '/' required");
  EXPECT_EQ(Error(R"({"ip":[{"cidr":"10.0.0.0/x"}]})"),
            "FilterPolicy: Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(Error(R"({"ip":[{"cidr":"10.0.0/24"}]})"),
            "FilterPolicy: Nonstandard IP address: 10.0.0");
  EXPECT_EQ(Error(R"({"ip":[{"cidr":1}]})"), "FilterPolicy: prefix match pattern must be a string");
}

// --- matching on message attributes ---------------------------------------------------------

TEST(FilterPolicyAttributes, ExactStringsAreOred) {
  auto p = Parse(R"({"color":["red","blue"]})");
  EXPECT_TRUE(p->MatchAttributes(Str("color", "red")));
  EXPECT_TRUE(p->MatchAttributes(Str("color", "blue")));
  EXPECT_FALSE(p->MatchAttributes(Str("color", "green")));
  EXPECT_FALSE(p->MatchAttributes(json::object()));
}

TEST(FilterPolicyAttributes, KeysAreAnded) {
  auto p = Parse(R"({"color":["red"],"size":["L"]})");
  json::object both = Str("color", "red");
  both["size"] = json::object{{"DataType", "String"}, {"StringValue", "L"}};
  EXPECT_TRUE(p->MatchAttributes(both));
  EXPECT_FALSE(p->MatchAttributes(Str("color", "red")));
}

TEST(FilterPolicyAttributes, NumbersMatchNumberAttributesNumerically) {
  auto p = Parse(R"({"price":[100]})");
  EXPECT_TRUE(p->MatchAttributes(Num("price", "100.0")));
  EXPECT_TRUE(p->MatchAttributes(Num("price", "1e2")));
  EXPECT_FALSE(p->MatchAttributes(Str("price", "100")));
}

TEST(FilterPolicyAttributes, NumericRanges) {
  auto p = Parse(R"({"price":[{"numeric":[">",0,"<=",5]}]})");
  EXPECT_FALSE(p->MatchAttributes(Num("price", "0")));
  EXPECT_TRUE(p->MatchAttributes(Num("price", "0.5")));
  EXPECT_TRUE(p->MatchAttributes(Num("price", "5")));
  EXPECT_FALSE(p->MatchAttributes(Num("price", "5.01")));
  EXPECT_FALSE(p->MatchAttributes(Str("price", "3")));
  auto eq = Parse(R"({"price":[{"numeric":["=",301.5]}]})");
  EXPECT_TRUE(eq->MatchAttributes(Num("price", "301.50")));
}

TEST(FilterPolicyAttributes, PrefixSuffixIgnoreCase) {
  auto p = Parse(R"({"k":[{"prefix":"auto-"},{"suffix":".png"},{"equals-ignore-case":"MiXeD"}]})");
  EXPECT_TRUE(p->MatchAttributes(Str("k", "auto-1")));
  EXPECT_TRUE(p->MatchAttributes(Str("k", "cat.png")));
  EXPECT_TRUE(p->MatchAttributes(Str("k", "mixed")));
  EXPECT_FALSE(p->MatchAttributes(Str("k", "other")));
}

TEST(FilterPolicyAttributes, AnythingBut) {
  auto p = Parse(R"({"k":[{"anything-but":["a","b"]}]})");
  EXPECT_FALSE(p->MatchAttributes(Str("k", "a")));
  EXPECT_TRUE(p->MatchAttributes(Str("k", "c")));
  EXPECT_FALSE(p->MatchAttributes(json::object())) << "anything-but needs the attribute";
  auto n = Parse(R"({"k":[{"anything-but":100}]})");
  EXPECT_FALSE(n->MatchAttributes(Num("k", "100")));
  EXPECT_TRUE(n->MatchAttributes(Num("k", "101")));
  auto prefix = Parse(R"({"k":[{"anything-but":{"prefix":"ord-"}}]})");
  EXPECT_FALSE(prefix->MatchAttributes(Str("k", "ord-1")));
  EXPECT_TRUE(prefix->MatchAttributes(Str("k", "inv-1")));
}

TEST(FilterPolicyAttributes, Exists) {
  auto yes = Parse(R"({"store":[{"exists":true}]})");
  auto no = Parse(R"({"store":[{"exists":false}]})");
  EXPECT_TRUE(yes->MatchAttributes(Num("store", "99")));
  EXPECT_FALSE(yes->MatchAttributes(Num("def", "99")));
  EXPECT_FALSE(no->MatchAttributes(Num("store", "99")));
  EXPECT_TRUE(no->MatchAttributes(Num("def", "99")));
}

TEST(FilterPolicyAttributes, StringArrayElementsMatchIndividually) {
  auto p = Parse(R"({"tags":["b"]})");
  json::object a;
  a["tags"] = json::object{{"DataType", "String.Array"}, {"StringValue", R"(["a","b"])"}};
  EXPECT_TRUE(p->MatchAttributes(a));
  a["tags"] = json::object{{"DataType", "String.Array"}, {"StringValue", R"(["a","c"])"}};
  EXPECT_FALSE(p->MatchAttributes(a));
}

TEST(FilterPolicyAttributes, Cidr) {
  auto p = Parse(R"({"ip":[{"cidr":"10.0.0.0/24"}]})");
  EXPECT_TRUE(p->MatchAttributes(Str("ip", "10.0.0.255")));
  EXPECT_FALSE(p->MatchAttributes(Str("ip", "10.0.1.0")));
  EXPECT_FALSE(p->MatchAttributes(Str("ip", "not-an-ip")));
  auto v6 = Parse(R"({"ip":[{"cidr":"2001:db8::/33"}]})");
  EXPECT_TRUE(v6->MatchAttributes(Str("ip", "2001:db8:7fff::1")));
  EXPECT_FALSE(v6->MatchAttributes(Str("ip", "2001:db8:8000::1")));
}

TEST(FilterPolicyAttributes, Or) {
  auto p = Parse(R"({"source":["aws.ec2"],"$or":[{"metric":["cpu"]},{"ns":["AWS/EC2"]}]})");
  json::object a = Str("source", "aws.ec2");
  EXPECT_FALSE(p->MatchAttributes(a));
  a["ns"] = json::object{{"DataType", "String"}, {"StringValue", "AWS/EC2"}};
  EXPECT_TRUE(p->MatchAttributes(a));
  a.erase("source");
  EXPECT_FALSE(p->MatchAttributes(a));
}

TEST(FilterPolicyAttributes, BinaryOnlyExists) {
  auto p = Parse(R"({"b":[{"exists":true}]})");
  json::object a;
  a["b"] = json::object{{"DataType", "Binary"}, {"BinaryValue", "\x01\x02"}};
  EXPECT_TRUE(p->MatchAttributes(a));
  auto eq = Parse(R"({"b":["\u0001\u0002"]})");
  EXPECT_FALSE(eq->MatchAttributes(a));
}

// --- matching on message bodies -------------------------------------------------------------

TEST(FilterPolicyBody, NestedKeysAndDottedKeysAreEquivalent) {
  auto p = Parse(R"({"object":{"nested":[{"prefix":"string"}]}})", FilterScope::kMessageBody);
  EXPECT_TRUE(p->MatchBody(R"({"object":{"nested":"string.value"}})"));
  EXPECT_TRUE(p->MatchBody(R"({"object.nested":"string.value"})"));
  EXPECT_FALSE(p->MatchBody(R"({"object":{"other":"string.value"}})"));
}

TEST(FilterPolicyBody, NonObjectBodiesNeverMatch) {
  auto p = Parse(R"({"k":[{"exists":false}]})", FilterScope::kMessageBody);
  EXPECT_FALSE(p->MatchBody("plain text"));
  EXPECT_FALSE(p->MatchBody("[1,2]"));
  EXPECT_TRUE(p->MatchBody("{}"));
}

TEST(FilterPolicyBody, ArraysOfValuesAndObjects) {
  auto p = Parse(R"({"headers":{"route-to":["queue1"]}})", FilterScope::kMessageBody);
  EXPECT_TRUE(p->MatchBody(R"({"headers":{"route-to":["queue1","queue2"]}})"));
  EXPECT_FALSE(p->MatchBody(R"({"headers":{"route-to":["queue2"]}})"));
  auto s3 = Parse(R"({"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}}}})",
                  FilterScope::kMessageBody);
  EXPECT_TRUE(s3->MatchBody(
      R"({"Records":[{"s3":{"object":{"key":"home-1"}}},{"s3":{"object":{"key":"auto-2"}}}]})"));
}

TEST(FilterPolicyBody, NumbersBooleansAndNull) {
  auto p =
      Parse(R"({"n":[{"numeric":[">=",10]}],"b":[true],"z":[null]})", FilterScope::kMessageBody);
  EXPECT_TRUE(p->MatchBody(R"({"n":10,"b":true,"z":null})"));
  EXPECT_FALSE(p->MatchBody(R"({"n":"10","b":true,"z":null})"));
  EXPECT_FALSE(p->MatchBody(R"({"n":10,"b":"true","z":null})"));
  EXPECT_FALSE(p->MatchBody(R"({"n":10,"b":true})"));
}

TEST(FilterPolicyBody, OrWithNestedKeys) {
  auto p = Parse(R"({"$or":[{"a":{"b":["x"]}},{"c":["y"]}]})", FilterScope::kMessageBody);
  EXPECT_TRUE(p->MatchBody(R"({"a":{"b":"x"}})"));
  EXPECT_TRUE(p->MatchBody(R"({"c":"y"})"));
  EXPECT_FALSE(p->MatchBody(R"({"a":{"b":"y"}})"));
}

TEST(FilterPolicyBody, DeepJsonIsRejectedNotCrashing) {
  std::string deep(10000, '[');
  EXPECT_FALSE(Parse(R"({"k":["v"]})", FilterScope::kMessageBody)->MatchBody(deep));
  std::string error;
  EXPECT_FALSE(FilterPolicy::Parse(deep, FilterScope::kMessageBody, &error));
}

}  // namespace
}  // namespace nimbus::sns
