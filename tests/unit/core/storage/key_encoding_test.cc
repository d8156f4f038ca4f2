#include "core/storage/key_encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nimbus::storage {
namespace {

using namespace std::literals;

std::string Ordered(std::string_view s) {
  std::string out;
  AppendOrderedString(&out, s);
  return out;
}

const std::vector<std::string>& Samples() {
  static const std::vector<std::string> samples = {
      ""s,      "\0"s,    "\0\0"s, "\0\x01"s, "\0\xff"s, "\x01"s, "a"s,    "a\0"s,    "a\0b"s,
      "a\x01"s, "a\xff"s, "ab"s,   "b"s,      "\x7f"s,   "\x80"s, "\xff"s, "\xff\0"s, "\xff\xff"s};
  return samples;
}

TEST(OrderedString, EscapesZeroAndTerminates) {
  EXPECT_EQ(Ordered(""), "\0\x01"s);
  EXPECT_EQ(Ordered("ab"), "ab\0\x01"s);
  EXPECT_EQ(Ordered("a\0b"s),
            "a\0\xff"s
            "b\0\x01"s);
  EXPECT_EQ(Ordered("\xff"s), "\xff\0\x01"s);
}

TEST(OrderedString, RoundTripsEmbeddedZeroAndFf) {
  for (const std::string& s : Samples()) {
    std::string encoded = Ordered(s) + "rest";
    std::string_view in = encoded;
    std::string decoded = "junk";
    ASSERT_TRUE(ConsumeOrderedString(&in, &decoded));
    EXPECT_EQ(decoded, s);
    EXPECT_EQ(in, "rest");
  }
}

TEST(OrderedString, PreservesOrder) {
  for (const std::string& a : Samples()) {
    for (const std::string& b : Samples()) {
      EXPECT_EQ(a < b, Ordered(a) < Ordered(b))
          << testing::PrintToString(a) << " vs " << testing::PrintToString(b);
    }
  }
}

TEST(OrderedString, CompositeKeysCompareComponentByComponent) {
  for (const std::string& a1 : Samples()) {
    for (const std::string& a2 : Samples()) {
      for (const std::string& b1 : Samples()) {
        for (const std::string& b2 : Samples()) {
          bool tuple_less = std::make_pair(a1, a2) < std::make_pair(b1, b2);
          bool encoded_less = Ordered(a1) + Ordered(a2) < Ordered(b1) + Ordered(b2);
          ASSERT_EQ(tuple_less, encoded_less);
        }
      }
    }
  }
}

TEST(OrderedString, RejectsMalformedInput) {
  std::string out;
  for (std::string bad : {"abc"s, "a\0"s, "a\0\x02"s, "\0\0\x01"s, ""s}) {
    std::string_view in = bad;
    EXPECT_FALSE(ConsumeOrderedString(&in, &out)) << testing::PrintToString(bad);
    EXPECT_EQ(in, bad);  // nothing consumed on failure
  }
}

TEST(Uint64, BigEndianRoundTripAndOrder) {
  const std::vector<uint64_t> values = {
      0, 1, 255, 256, 65535, 1ull << 32, (1ull << 63) - 1, 1ull << 63, ~0ull};
  std::string one;
  AppendUint64(&one, 0x0102030405060708ull);
  EXPECT_EQ(one, "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  for (uint64_t a : values) {
    std::string ea;
    AppendUint64(&ea, a);
    ASSERT_EQ(ea.size(), 8u);
    std::string_view in = ea;
    uint64_t decoded = 0;
    ASSERT_TRUE(ConsumeUint64(&in, &decoded));
    EXPECT_EQ(decoded, a);
    EXPECT_TRUE(in.empty());
    for (uint64_t b : values) {
      std::string eb;
      AppendUint64(&eb, b);
      EXPECT_EQ(a < b, ea < eb);
    }
  }
  std::string_view short_input = "\x01\x02\x03"sv;
  uint64_t v = 7;
  EXPECT_FALSE(ConsumeUint64(&short_input, &v));
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(short_input.size(), 3u);
}

TEST(PrefixEnd, IsSmallestKeyAfterEveryKeyWithPrefix) {
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd("a\xff"s), "b");
  EXPECT_EQ(PrefixEnd("a\xff\xff"s), "b");
  EXPECT_EQ(PrefixEnd("\0"s), "\x01"s);
  EXPECT_EQ(PrefixEnd("a\x7f"s), "a\x80"s);
  EXPECT_EQ(PrefixEnd("\xff\xff"s), "");
  EXPECT_EQ(PrefixEnd(""), "");
  const std::string prefix = "k\0\x01"s;
  for (const std::string& suffix : Samples()) EXPECT_LT(prefix + suffix, PrefixEnd(prefix));
}

TEST(ScopePrefix, SeparatesAccountsAndRegions) {
  EXPECT_EQ(ScopePrefix("123456789012", "us-east-1"),
            Ordered("123456789012") + Ordered("us-east-1"));
  // ("a", "bc") and ("ab", "c") must not share a prefix relation.
  std::string p1 = ScopePrefix("a", "bc");
  std::string p2 = ScopePrefix("ab", "c");
  EXPECT_NE(p1.substr(0, p2.size()), p2);
  EXPECT_NE(p2.substr(0, p1.size()), p1);
  EXPECT_LT(p1, p2);
}

}  // namespace
}  // namespace nimbus::storage
