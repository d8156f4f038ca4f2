#include "core/common/encoding.h"

#include <gtest/gtest.h>

#include "core/common/clock.h"
#include "core/common/hashing.h"

namespace nimbus {
namespace {

TEST(Base64, RoundTripsRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(*Base64Decode("Zm9vYg"), "foob");
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Z").has_value());
}

TEST(UriEncode, EncodesAllButUnreserved) {
  EXPECT_EQ(UriEncode("a b/c~d*"), "a%20b%2Fc~d%2A");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(*UriDecode("a%20b+c", true), "a b c");
  EXPECT_FALSE(UriDecode("%2").has_value());
  EXPECT_FALSE(UriDecode("%zz").has_value());
}

TEST(Utf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Hashing, KnownDigests) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Md5("hello")), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc64Nvme("123456789"), 0xAE8B14860A799888ull);
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Sliced and bytewise paths agree for every length and split point (chained seeds).
  std::string data(1000, '\0');
  for (size_t k = 0; k < data.size(); ++k) data[k] = static_cast<char>((k * 7919) >> 3);
  auto bytewise64 = [&](std::string_view d) {
    uint64_t c = 0;
    for (char ch : d) c = Crc64Nvme(std::string_view(&ch, 1), c);
    return c;
  };
  auto bytewise32c = [&](std::string_view d) {
    uint32_t c = 0;
    for (char ch : d) c = Crc32c(std::string_view(&ch, 1), c);
    return c;
  };
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 64u, 999u, 1000u}) {
    std::string_view d(data.data(), len);
    EXPECT_EQ(Crc64Nvme(d), bytewise64(d)) << len;
    EXPECT_EQ(Crc32c(d), bytewise32c(d)) << len;
    EXPECT_EQ(Crc32(d.substr(len / 3), Crc32(d.substr(0, len / 3))), Crc32(d)) << len;
  }
}

TEST(Clock, FormatsAndParsesAwsDates) {
  Clock::TimePoint tp;
  ASSERT_TRUE(ParseAmzDate("20150830T123600Z", &tp));
  EXPECT_EQ(FormatAmzDate(tp), "20150830T123600Z");
  EXPECT_EQ(FormatIso8601(tp), "2015-08-30T12:36:00Z");
  EXPECT_EQ(FormatHttpDate(tp), "Sun, 30 Aug 2015 12:36:00 GMT");
  double s = 0;
  ASSERT_TRUE(ParseIso8601("2015-08-30T12:36:00.5Z", &s));
  EXPECT_DOUBLE_EQ(s, 1440938160.5);
  ASSERT_TRUE(ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT", &s));
  EXPECT_DOUBLE_EQ(s, 1440938160);
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z", &tp));
  EXPECT_FALSE(ParseIso8601("2015-08-30 12:36", &s));
}

TEST(Clock, AdvanceMovesForwardOnly) {
  Clock c;
  int64_t before = c.NowMillis();
  c.Advance(std::chrono::minutes(15));
  EXPECT_GE(c.NowMillis() - before, 15 * 60 * 1000);
  c.Advance(std::chrono::milliseconds(-100000000));
  EXPECT_GE(c.NowMillis() - before, 15 * 60 * 1000);
}

}  // namespace
}  // namespace nimbus
