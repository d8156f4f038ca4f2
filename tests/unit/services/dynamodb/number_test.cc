#include "services/dynamodb/types/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace nimbus::dynamodb {
namespace {

std::string Canon(std::string_view s) {
  auto n = Number::Parse(s);
  return n ? n->ToString() : "error: " + n.error().message;
}

std::string Key(std::string_view s) {
  std::string out;
  Number::Parse(s)->AppendOrderedKey(&out);
  return out;
}

TEST(NumberTest, CanonicalFormDropsInsignificantZerosAndSigns) {
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("+3"), "3");
  EXPECT_EQ(Canon(".123"), "0.123");
  EXPECT_EQ(Canon("0001.23"), "1.23");
  EXPECT_EQ(Canon("1e+5"), "100000");
  EXPECT_EQ(Canon("-17e5"), "-1700000");
  EXPECT_EQ(Canon("1E-3"), "0.001");
  EXPECT_EQ(Canon("0e1000"), "0");
  EXPECT_EQ(Canon("100"), "100");
  EXPECT_EQ(Canon("-0.000"), "0");
  EXPECT_EQ(Canon("12.3400e2"), "1234");
}

TEST(NumberTest, RejectsWhatDynamoDbRejects) {
  for (const char* bad : {"NaN", "Infinity", "-Infinity", "dog", " 1", "1 ", "1e", "e5", "--1",
                          "1.2.3", "0x10", "", "."}) {
    auto n = Number::Parse(bad);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.error().code, "ValidationException");
    EXPECT_EQ(n.error().message.rfind("The parameter cannot be converted to a numeric value", 0),
              0u)
        << n.error().message;
  }
  EXPECT_EQ(Number::Parse("dog").error().message,
            "The parameter cannot be converted to a numeric value: dog");
}

TEST(NumberTest, MagnitudeAndPrecisionLimits) {
  EXPECT_EQ(Canon("9.9999999999999999999999999999999999999E+125").size(), 126u);
  EXPECT_EQ(Canon("1e-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon("1e126"),
            "error: Number overflow. Attempting to store a number with magnitude larger than "
            "supported range");
  EXPECT_EQ(Canon("-1e-131"),
            "error: Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range");
  EXPECT_EQ(Canon("3.14159265358979323846264338327950288419"),
            "error: Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(Canon("31415926535897932384626433832795028841e30").size(), 68u);
  // Trailing zeros of an integer are not significant digits.
  EXPECT_EQ(Canon("1" + std::string(60, '0')), "1" + std::string(60, '0'));
}

TEST(NumberTest, ComparesNumerically) {
  auto cmp = [](const char* a, const char* b) {
    return Number::Compare(*Number::Parse(a), *Number::Parse(b));
  };
  EXPECT_LT(cmp("2", "10"), 0);
  EXPECT_LT(cmp("-10", "-2"), 0);
  EXPECT_LT(cmp("-1", "0"), 0);
  EXPECT_LT(cmp("0.1", "0.11"), 0);
  EXPECT_EQ(cmp("1.0", "1"), 0);
  EXPECT_GT(cmp("1e10", "9999999999"), 0);
}

TEST(NumberTest, AddsAndSubtractsExactly) {
  auto add = [](const char* a, const char* b) {
    auto r = Number::Parse(a)->Add(*Number::Parse(b));
    return r ? r->ToString() : "error: " + r.error().message;
  };
  auto sub = [](const char* a, const char* b) {
    auto r = Number::Parse(a)->Subtract(*Number::Parse(b));
    return r ? r->ToString() : "error: " + r.error().message;
  };
  EXPECT_EQ(add("1", "10000000000000000000000"), "10000000000000000000001");
  EXPECT_EQ(sub("10000000000000000000000", "1"), "9999999999999999999999");
  EXPECT_EQ(add("0.1", "0.2"), "0.3");
  EXPECT_EQ(add("-5", "3"), "-2");
  EXPECT_EQ(add("5", "-5"), "0");
  EXPECT_EQ(sub("-1.5", "-1.5"), "0");
  EXPECT_EQ(add("9e125", "9e125"),
            "error: Number overflow. Attempting to store a number with magnitude larger than "
            "supported range");
  EXPECT_EQ(add("1e50", "1"),
            "error: Number overflow. Attempting to store a number with magnitude larger than "
            "supported range");
}

TEST(NumberTest, OrderedKeysSortNumerically) {
  std::vector<std::string> values = {
      "-1e125", "-1000", "-10.5", "-10", "-9.99",  "-1",   "-0.5", "-0.05", "-1e-130", "0",
      "1e-130", "0.05",  "0.5",   "1",   "1.0001", "9.99", "10",   "10.5",  "1000",    "1e125"};
  for (size_t i = 0; i + 1 < values.size(); ++i)
    EXPECT_LT(Key(values[i]), Key(values[i + 1])) << values[i] << " vs " << values[i + 1];
  // And against random numbers, compared with the numeric order.
  std::mt19937 rng(42);
  std::vector<std::string> random;
  for (int i = 0; i < 500; ++i) {
    std::uniform_int_distribution<int> digits(1, 12), exp(-20, 20), sign(0, 1), d(0, 9);
    std::string s = sign(rng) ? "-" : "";
    int n = digits(rng);
    for (int k = 0; k < n; ++k) s.push_back(static_cast<char>('0' + d(rng)));
    s += "e" + std::to_string(exp(rng));
    random.push_back(s);
  }
  for (size_t i = 0; i + 1 < random.size(); ++i) {
    int c = Number::Compare(*Number::Parse(random[i]), *Number::Parse(random[i + 1]));
    std::string ka = Key(random[i]), kb = Key(random[i + 1]);
    EXPECT_EQ(c < 0, ka < kb) << random[i] << " " << random[i + 1];
    EXPECT_EQ(c == 0, ka == kb) << random[i] << " " << random[i + 1];
  }
}

TEST(NumberTest, OrderedKeyRoundTripsAndDelimitsItself) {
  for (const char* s :
       {"0", "1", "-1", "123.456", "-0.00001", "99999999999999999999999999999999999999"}) {
    std::string key = Key(s) + "tail";
    std::string_view in = key;
    Number n;
    ASSERT_TRUE(Number::ConsumeOrderedKey(&in, &n)) << s;
    EXPECT_EQ(n.ToString(), Canon(s));
    EXPECT_EQ(in, "tail");
  }
}

}  // namespace
}  // namespace nimbus::dynamodb
