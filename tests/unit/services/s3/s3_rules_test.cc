// Pure S3 rules: ranges, entity-tag lists, preconditions, bucket names, checksums, key order.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "services/s3/bucket_names.h"
#include "services/s3/checksums.h"
#include "services/s3/conditions.h"
#include "services/s3/cors.h"
#include "services/s3/records.h"

namespace nimbus::s3 {
namespace {

TEST(S3Range, SingleSuffixAndOpenEnded) {
  ByteRange r;
  ASSERT_EQ(ParseRange("bytes=0-9", 100, &r), RangeResult::kSatisfiable);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 9u);
  ASSERT_EQ(ParseRange("bytes=90-", 100, &r), RangeResult::kSatisfiable);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  ASSERT_EQ(ParseRange("bytes=-10", 100, &r), RangeResult::kSatisfiable);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(ContentRange(r, 100), "bytes 90-99/100");
  // A last byte past the end is clamped; a suffix longer than the object is all of it.
  ASSERT_EQ(ParseRange("bytes=50-500", 100, &r), RangeResult::kSatisfiable);
  EXPECT_EQ(r.last, 99u);
  ASSERT_EQ(ParseRange("bytes=-500", 100, &r), RangeResult::kSatisfiable);
  EXPECT_EQ(r.first, 0u);
}

TEST(S3Range, UnsatisfiableAndIgnored) {
  ByteRange r;
  EXPECT_EQ(ParseRange("bytes=100-", 100, &r), RangeResult::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 100, &r), RangeResult::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0, &r), RangeResult::kUnsatisfiable);
  // S3 serves the whole object for what it does not support or cannot parse.
  EXPECT_EQ(ParseRange("bytes=0-1,5-6", 100, &r), RangeResult::kIgnore);
  EXPECT_EQ(ParseRange("bytes=9-3", 100, &r), RangeResult::kIgnore);
  EXPECT_EQ(ParseRange("bytes=x-3", 100, &r), RangeResult::kIgnore);
  EXPECT_EQ(ParseRange("lines=0-3", 100, &r), RangeResult::kIgnore);
  EXPECT_EQ(ParseRange("bytes=-99999999999999999999999", 100, &r), RangeResult::kIgnore);
}

TEST(S3Conditions, EtagLists) {
  EXPECT_TRUE(EtagListMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagListMatches("abc", "\"abc\""));
  EXPECT_TRUE(EtagListMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagListMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagListMatches("*", "\"abc\""));
  EXPECT_FALSE(EtagListMatches("\"abd\"", "\"abc\""));
  EXPECT_FALSE(EtagListMatches("", "\"abc\""));
}

TEST(S3Conditions, PrecedenceFollowsRfc9110) {
  std::string failed;
  const int64_t lm = 1'700'000'000'500;  // compared at second precision
  Preconditions p;
  p.if_match = "\"e\"";
  p.if_unmodified_since = 1'600'000'000.0;  // would fail alone
  EXPECT_EQ(EvaluatePreconditions(p, "\"e\"", lm, &failed), PreconditionResult::kOk);
  p = {};
  p.if_unmodified_since = 1'600'000'000.0;
  EXPECT_EQ(EvaluatePreconditions(p, "\"e\"", lm, &failed), PreconditionResult::kFailed);
  EXPECT_EQ(failed, "If-Unmodified-Since");
  p = {};
  p.if_none_match = "\"e\"";
  p.if_modified_since = 1'600'000'000.0;  // would pass alone
  EXPECT_EQ(EvaluatePreconditions(p, "\"e\"", lm, &failed), PreconditionResult::kNotModified);
  p = {};
  p.if_modified_since = 1'700'000'000.0;  // same second: not modified since
  EXPECT_EQ(EvaluatePreconditions(p, "\"e\"", lm, &failed), PreconditionResult::kNotModified);
  p.if_modified_since = 1'699'999'999.0;
  EXPECT_EQ(EvaluatePreconditions(p, "\"e\"", lm, &failed), PreconditionResult::kOk);
}

TEST(S3BucketNames, Rules) {
  for (const char* ok : {"abc", "my-bucket", "my.bucket.name", "0abc9", "a-b"})
    EXPECT_TRUE(IsValidBucketName(ok)) << ok;
  for (const char* bad :
       {"ab", "ABC", "a_b", "-ab", "ab-", "a..b", "10.0.0.1", "xn--ab", "sthree-x",
        "amzn-s3-demo-x", "ab-s3alias", "ab--ol-s3", "ab.mrap", "ab--x-s3", "ab--table-s3", "a b"})
    EXPECT_FALSE(IsValidBucketName(bad)) << bad;
  EXPECT_TRUE(IsValidBucketName(std::string(63, 'a')));
  EXPECT_FALSE(IsValidBucketName(std::string(64, 'a')));
  EXPECT_TRUE(IsValidBucketName("1.2.3.4.5"));  // not an IPv4 address
}

// The check values of the CRC catalogue ("123456789").
TEST(S3Checksums, KnownVectors) {
  auto hex = [](const std::string& b64) { return HexEncode(*Base64Decode(b64)); };
  EXPECT_EQ(hex(ComputeChecksum(*FindChecksumAlgorithm("CRC32"), "123456789")), "cbf43926");
  EXPECT_EQ(hex(ComputeChecksum(*FindChecksumAlgorithm("crc32c"), "123456789")), "e3069283");
  EXPECT_EQ(hex(ComputeChecksum(*FindChecksumAlgorithm("CRC64NVME"), "123456789")),
            "ae8b14860a799888");
  EXPECT_EQ(ComputeChecksum(*FindChecksumAlgorithm("SHA256"), ""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(FindChecksumAlgorithm("MD5"), nullptr);
}

TEST(S3Checksums, StreamEqualsOneShot) {
  std::string data(100000, 'x');
  for (const char* name : {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}) {
    const ChecksumAlgorithm& a = *FindChecksumAlgorithm(name);
    ChecksumStream s(a);
    s.Update(std::string_view(data).substr(0, 33333));
    s.Update(std::string_view(data).substr(33333));
    EXPECT_EQ(s.Final(), ComputeChecksum(a, data)) << name;
  }
}

TEST(S3Checksums, RequestChecksumForms) {
  json::object in{{"ChecksumCRC32", "AAAAAA=="}};
  auto r = ReadRequestChecksum(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->algorithm->name, "CRC32");
  in["ChecksumSHA1"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  EXPECT_EQ(ReadRequestChecksum(in).error().code, "InvalidRequest");  // two values
  EXPECT_EQ(ReadRequestChecksum(json::object{{"ChecksumCRC32", "AAAA"}}).error().code,
            "InvalidRequest");  // wrong size
  EXPECT_EQ(ReadRequestChecksum(json::object{{"ChecksumAlgorithm", "MD4"}}).error().code,
            "InvalidRequest");
  EXPECT_EQ(VerifyContentMd5("???", "x").error().code, "InvalidDigest");
  EXPECT_EQ(VerifyContentMd5("1B2M2Y8AsgTpgAmY7PhCfg==", "x").error().code, "BadDigest");
  EXPECT_TRUE(VerifyContentMd5("1B2M2Y8AsgTpgAmY7PhCfg==", "").ok());
}

// Object keys sort by the bytes of the key (S3 lists in UTF-8 binary order), versions of one
// key newest first.
TEST(S3Records, KeyOrder) {
  EXPECT_LT(ObjectVersionKey("b", "a", 1), ObjectVersionKey("b", "a/", 1));
  EXPECT_LT(ObjectVersionKey("b", "A", 1), ObjectVersionKey("b", "a", 1));
  EXPECT_LT(ObjectVersionKey("b", "a/", 1), ObjectVersionKey("b", "a0", 1));
  EXPECT_LT(ObjectVersionKey("b", "z", 1), ObjectVersionKey("b", "\xc3\xa9", 1));
  EXPECT_LT(ObjectVersionKey("b", "k", 9), ObjectVersionKey("b", "k", 8));
  EXPECT_LT(ObjectVersionKey("b", "k", 1), ObjectVersionKey("b", "k\x01", 9));
  // A bucket's objects never interleave with another bucket's.
  EXPECT_LT(ObjectVersionKey("b", "\xff\xff", 1), ObjectsPrefix("b-"));
  std::string key;
  uint64_t seq = 0;
  std::string kv = ObjectVersionKey("bkt", std::string("a\0b", 3), 42);
  ASSERT_TRUE(ParseObjectVersionKey(kv, ObjectsPrefix("bkt").size(), &key, &seq));
  EXPECT_EQ(key, std::string("a\0b", 3));
  EXPECT_EQ(seq, 42u);
}

TEST(S3Records, VersionIds) {
  std::string id = NewVersionId(0x1234);
  uint64_t seq = 0;
  ASSERT_TRUE(VersionIdSeq(id, &seq));
  EXPECT_EQ(seq, 0x1234u);
  EXPECT_EQ(id.size(), 32u);
  EXPECT_FALSE(VersionIdSeq("null", &seq));
  EXPECT_FALSE(VersionIdSeq("../../../../etc/passwd/aaaaaaaaa", &seq));
  EXPECT_FALSE(VersionIdSeq(std::string(32, 'g'), &seq));
}

TEST(S3Records, ObjectRecordRoundTrip) {
  ObjectRecord r;
  r.version_id = "null";
  r.size = 12;
  r.etag = "\"e\"";
  r.blob = "s3/x";
  r.metadata["k"] = "v";
  r.parts.push_back(PartInfo{5, "\"p\"", "c"});
  r.tags.emplace_back("t", "u");
  auto back = ObjectRecord::FromJson(json::serialize(r.ToJson()), "key", 7);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->key, "key");
  EXPECT_EQ(back->seq, 7u);
  EXPECT_EQ(back->size, 12u);
  EXPECT_EQ(back->parts.size(), 1u);
  EXPECT_EQ(back->tags[0].second, "u");
  EXPECT_FALSE(ObjectRecord::FromJson("not json", "k", 1));
}

TEST(S3Records, EmbeddedBytesFollowTheRecord) {
  ObjectRecord r;
  r.version_id = "null";
  r.size = 6;
  r.blob = "kv";
  r.data = std::string("a\0b{\0}", 6);  // NULs and braces in the bytes
  r.metadata["k"] = "v";
  std::string value = r.ToValue();
  auto with = ObjectRecord::FromValue(value, "key", 0);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->data, r.data);
  EXPECT_EQ(with->blob, "kv");
  EXPECT_EQ(with->metadata.at("k").as_string(), "v");
  // Listings read the record without its bytes.
  auto without = ObjectRecord::FromJson(value, "key", 0);
  ASSERT_TRUE(without);
  EXPECT_TRUE(without->data.empty());
  EXPECT_EQ(without->size, 6u);
  // A record without embedded bytes (and one stored before they existed) has none.
  ObjectRecord plain;
  plain.version_id = "null";
  EXPECT_EQ(plain.ToValue(), json::serialize(plain.ToJson()));
  auto back = ObjectRecord::FromValue(plain.ToValue(), "k", 3);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->data.empty());
  EXPECT_FALSE(ObjectRecord::FromValue(std::string("{\"v\":", 5) + '\0' + "x", "k", 1));
}

TEST(S3Cors, PatternsAndRuleSelection) {
  EXPECT_TRUE(CorsPatternMatches("*", "https://a.example", false));
  EXPECT_TRUE(CorsPatternMatches("https://*.example.com", "https://app.example.com", false));
  EXPECT_FALSE(CorsPatternMatches("https://*.example.com", "https://example.org", false));
  EXPECT_FALSE(CorsPatternMatches("https://a.example", "https://A.example", false));
  EXPECT_TRUE(CorsPatternMatches("x-amz-*", "X-Amz-Date", true));
  json::value cfg = json::parse(R"({"CORSRules": [
      {"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["PUT"],
       "AllowedHeaders": ["content-type", "x-amz-*"], "MaxAgeSeconds": 60},
      {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]}]})");
  const json::object* rule =
      MatchCorsRule(cfg, "https://app.example", "PUT", {"Content-Type", "x-amz-meta-a"});
  ASSERT_NE(rule, nullptr);
  auto headers = CorsHeaders(*rule, "https://app.example", {"Content-Type"}, true);
  auto find = [&](std::string_view name) {
    for (auto& [k, v] : headers)
      if (k == name) return v;
    return std::string("<none>");
  };
  EXPECT_EQ(find("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(find("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(find("Access-Control-Allow-Headers"), "Content-Type");
  EXPECT_EQ(find("Access-Control-Max-Age"), "60");
  EXPECT_EQ(MatchCorsRule(cfg, "https://app.example", "PUT", {"authorization"}), nullptr);
  rule = MatchCorsRule(cfg, "https://other.example", "GET", {});
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(CorsHeaders(*rule, "https://other.example", {}, false)[0].second, "*");
  EXPECT_EQ(MatchCorsRule(cfg, "https://other.example", "DELETE", {}), nullptr);
  EXPECT_EQ(SplitHeaderNames(" a, b ,c,"), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace nimbus::s3
