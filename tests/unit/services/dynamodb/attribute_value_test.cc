#include "services/dynamodb/types/attribute_value.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {
namespace {

json::value Parse(std::string_view s) {
  json::parse_options opts;
  opts.max_depth = 256;
  return json::parse(s, {}, opts);
}

std::string Check(std::string_view s) {
  json::value v = Parse(s);
  auto st = ValidateAttributeValue(v);
  return st ? json::serialize(v) : st.error().message;
}

TEST(AttributeValueTest, ExactlyOneDataType) {
  EXPECT_EQ(
      Check("{}"),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(Check(R"({"S":"a","N":"1"})"),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
  EXPECT_EQ(Check(R"({"NULL":false})"),
            "One or more parameter values were invalid: Null attribute value types must have the "
            "value of true");
}

TEST(AttributeValueTest, SetsAreNeverEmptyAndHoldNoDuplicates) {
  EXPECT_EQ(Check(R"({"SS":[]})"),
            "One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(Check(R"({"NS":[]})"),
            "One or more parameter values were invalid: An number set  may not be empty");
  EXPECT_EQ(Check(R"({"BS":[]})"),
            "One or more parameter values were invalid: Binary sets should not be empty");
  EXPECT_EQ(Check(R"({"SS":["a","a"]})"),
            "One or more parameter values were invalid: Input collection [a, a] contains "
            "duplicates.");
  // 1 and 1.0 are the same number.
  EXPECT_EQ(Check(R"({"NS":["1","1.0"]})"), "Input collection contains duplicates");
  EXPECT_EQ(Check(R"({"NS":["1","x"]})"),
            "The parameter cannot be converted to a numeric value: x");
}

TEST(AttributeValueTest, NumbersBecomeCanonicalInPlace) {
  EXPECT_EQ(Check(R"({"N":"1.50"})"), R"({"N":"1.5"})");
  EXPECT_EQ(Check(R"({"M":{"a":{"L":[{"N":"-0"}]}}})"), R"({"M":{"a":{"L":[{"N":"0"}]}}})");
}

TEST(AttributeValueTest, NestingDepthIsLimitedTo32) {
  std::string ok = R"({"S":"x"})", deep;
  for (int i = 0; i < 32; ++i) ok = R"({"L":[)" + ok + "]}";
  EXPECT_EQ(Check(ok).substr(0, 6), R"({"L":[)");
  deep = R"({"L":[)" + ok + "]}";
  EXPECT_EQ(Check(deep),
            "One or more parameter values were invalid: Nesting Levels have exceeded supported "
            "limits");
}

TEST(AttributeValueTest, EqualityTreatsSetsAsSets) {
  json::value a = Parse(R"({"SS":["x","y"]})"), b = Parse(R"({"SS":["y","x"]})");
  EXPECT_TRUE(ValuesEqual(a.get_object(), b.get_object()));
  json::value m1 = Parse(R"({"M":{"a":{"N":"1"},"b":{"S":"x"}}})");
  json::value m2 = Parse(R"({"M":{"b":{"S":"x"},"a":{"N":"1"}}})");
  EXPECT_TRUE(ValuesEqual(m1.get_object(), m2.get_object()));
  json::value l1 = Parse(R"({"L":[{"N":"1"},{"N":"2"}]})"),
              l2 = Parse(R"({"L":[{"N":"2"},{"N":"1"}]})");
  EXPECT_FALSE(ValuesEqual(l1.get_object(), l2.get_object()));
}

TEST(AttributeValueTest, ScalarOrderIsNumericOrBytewise) {
  auto cmp = [](std::string_view a, std::string_view b) {
    json::value x = Parse(a), y = Parse(b);
    return CompareScalars(x.get_object(), y.get_object());
  };
  EXPECT_LT(*cmp(R"({"N":"9"})", R"({"N":"10"})"), 0);
  EXPECT_LT(*cmp(R"({"S":"Z"})", R"({"S":"a"})"), 0);
  // UTF-8 bytes: U+00E9 (0xC3 0xA9) sorts after 'z'.
  EXPECT_GT(*cmp(R"({"S":"\u00e9"})", R"({"S":"z"})"), 0);
  EXPECT_FALSE(cmp(R"({"S":"1"})", R"({"N":"1"})").has_value());
  EXPECT_FALSE(cmp(R"({"BOOL":true})", R"({"BOOL":true})").has_value());
}

TEST(AttributeValueTest, ItemSizeCountsNamesAndValues) {
  json::value item = Parse(R"({"pk":{"S":"abc"},"n":{"N":"12345"},"b":{"BOOL":true}})");
  // "pk"+"abc"; "n" + 3 digit pairs + 2 (sign and exponent); "b" + 1.
  EXPECT_EQ(ItemSize(item.get_object()), 5u + 6u + 2u);
}

TEST(ItemCodecTest, RoundTripsEveryType) {
  json::value item =
      Parse(R"({"s":{"S":"x"},"n":{"N":"-1.5"},"b":{"B":"\u0000\u00ff"},"t":{"BOOL":true},)"
            R"("f":{"BOOL":false},"z":{"NULL":true},"l":{"L":[{"S":"a"},{"M":{"k":{"N":"1"}}}]},)"
            R"("ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["q"]}})");
  std::string bytes;
  EncodeItem(item.get_object(), 77, &bytes);
  json::object decoded;
  ASSERT_TRUE(DecodeItem(bytes, &decoded));
  EXPECT_EQ(json::value(decoded), item);
  size_t size = 0;
  ASSERT_TRUE(DecodeItemSize(bytes, &size));
  EXPECT_EQ(size, 77u);
  EXPECT_FALSE(DecodeItem(bytes.substr(0, bytes.size() - 1), &decoded));
}

}  // namespace
}  // namespace nimbus::dynamodb
