// Pins SigV4 to the vectors AWS publishes: the General Reference example (IAM ListUsers), the
// aws-sig-v4-test-suite (service "service", us-east-1, 20150830T123600Z, AKIDEXAMPLE) and the
// Amazon S3 API Reference examples (GET with Range, presigned GET).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth_test_util.h"
#include "core/auth/sigv4.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"

namespace nimbus::auth {
namespace {

using testing::At;
using testing::kEmptySha256;
using testing::kS3DocAccessKey;
using testing::kS3DocSecret;
using testing::kSuiteAccessKey;
using testing::kSuiteDate;
using testing::kSuiteSecret;
using testing::ParseAndVerify;
using testing::TestRequest;

std::vector<std::string> Split(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t semi = list.find(';', start);
    if (semi == std::string_view::npos) semi = list.size();
    out.emplace_back(list.substr(start, semi - start));
    start = semi + 1;
  }
  return out;
}

// General Reference, "Examples of the complete Signature Version 4 signing process": IAM
// ListUsers.
TEST(SigV4GeneralReference, IamListUsers) {
  TestRequest request;
  request.query = "Action=ListUsers&Version=2010-05-08";
  request.Header("host", "iam.amazonaws.com")
      .Header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
      .Header("x-amz-date", "20150830T123600Z");
  const std::vector<std::string> signed_headers = {"content-type", "host", "x-amz-date"};

  const std::string canonical =
      CanonicalRequest(request.View(), signed_headers, HexEncode(Sha256("")), false, "iam");
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256(canonical)),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");

  const std::string sts =
      StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");

  const std::string key = SigningKey(kSuiteSecret, "20150830", "us-east-1", "iam");
  EXPECT_EQ(HexEncode(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(HexSignature(key, sts),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");

  const std::string authorization =
      AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, "20150830T123600Z",
                          "us-east-1", "iam", signed_headers, kEmptySha256);
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");

  request.Header("authorization", authorization);
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At("20150830T123600Z")).ok());
}

struct SuiteCase {
  std::string name;
  std::string method;
  std::string path;   // raw, as on the request line
  std::string query;  // raw
  HeaderList headers;
  std::string body;
  std::string signed_headers;
  std::string canonical_request;  // the suite's .creq
  std::string signature;          // from the suite's .authz
};

const std::string kHost = "host:example.amazonaws.com\n";
const std::string kDate = "x-amz-date:20150830T123600Z\n";
const std::string kEmptyHash(kEmptySha256);

HeaderList Headers(std::vector<std::pair<std::string, std::string>> extra = {}) {
  HeaderList headers = {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

std::string Creq(std::string_view method, std::string_view uri, std::string_view query,
                 std::string_view headers, std::string_view signed_headers,
                 std::string_view payload = kEmptySha256) {
  std::string out;
  out.append(method).append("\n").append(uri).append("\n").append(query).append("\n");
  out.append(headers).append("\n").append(signed_headers).append("\n").append(payload);
  return out;
}

const std::string kToken =
    "AQoDYXdzEPT//////////"
    "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo"
    "IYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq"
    "5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypN"
    "C9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

const std::string kUnreserved =
    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::vector<SuiteCase> SuiteCases() {
  const std::string hd = "host;x-amz-date";
  return {
      {"get-vanilla", "GET", "/", "", Headers(), "", hd, Creq("GET", "/", "", kHost + kDate, hd),
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-empty-query-key", "GET", "/", "Param1=value1", Headers(), "", hd,
       Creq("GET", "/", "Param1=value1", kHost + kDate, hd),
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-order-key", "GET", "/", "Param1=value2&Param1=Value1", Headers(), "", hd,
       Creq("GET", "/", "Param1=Value1&Param1=value2", kHost + kDate, hd),
       "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
      {"get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", Headers(), "",
       hd, Creq("GET", "/", "Param1=value1&Param2=value2", kHost + kDate, hd),
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1", Headers(), "",
       hd, Creq("GET", "/", "Param1=value1&Param1=value2", kHost + kDate, hd),
       "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
      {"get-vanilla-query-unreserved", "GET", "/", kUnreserved + "=" + kUnreserved, Headers(), "",
       hd, Creq("GET", "/", kUnreserved + "=" + kUnreserved, kHost + kDate, hd),
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query", "GET", "/", "\xE1\x88\xB4=bar", Headers(), "", hd,
       Creq("GET", "/", "%E1%88%B4=bar", kHost + kDate, hd),
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved", "GET", "/" + kUnreserved, "", Headers(), "", hd,
       Creq("GET", "/" + kUnreserved, "", kHost + kDate, hd),
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8", "GET", "/\xE1\x88\xB4", "", Headers(), "", hd,
       Creq("GET", "/%E1%88%B4", "", kHost + kDate, hd),
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-space", "GET", "/example space/", "", Headers(), "", hd,
       Creq("GET", "/example%20space/", "", kHost + kDate, hd),
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-header-key-duplicate", "GET", "/", "",
       Headers({{"my-header1", "value2"}, {"my-header1", "value2"}, {"my-header1", "value1"}}), "",
       "host;my-header1;x-amz-date",
       Creq("GET", "/", "", kHost + "my-header1:value2,value2,value1\n" + kDate,
            "host;my-header1;x-amz-date"),
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-multiline", "GET", "/", "",
       Headers(
           {{"my-header1", "value1"}, {"my-header1", "  value2"}, {"my-header1", "     value3"}}),
       "", "host;my-header1;x-amz-date",
       Creq("GET", "/", "", kHost + "my-header1:value1,value2,value3\n" + kDate,
            "host;my-header1;x-amz-date"),
       "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790"},
      {"get-header-value-order", "GET", "/", "",
       Headers({{"my-header1", "value4"},
                {"my-header1", "value1"},
                {"my-header1", "value3"},
                {"my-header1", "value2"}}),
       "", "host;my-header1;x-amz-date",
       Creq("GET", "/", "", kHost + "my-header1:value4,value1,value3,value2\n" + kDate,
            "host;my-header1;x-amz-date"),
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim", "GET", "/", "",
       Headers({{"my-header1", " value1"}, {"my-header2", " \"a   b   c\""}}), "",
       "host;my-header1;my-header2;x-amz-date",
       Creq("GET", "/", "", kHost + "my-header1:value1\nmy-header2:\"a b c\"\n" + kDate,
            "host;my-header1;my-header2;x-amz-date"),
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"post-vanilla", "POST", "/", "", Headers(), "", hd, Creq("POST", "/", "", kHost + kDate, hd),
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query", "POST", "/", "Param1=value1", Headers(), "", hd,
       Creq("POST", "/", "Param1=value1", kHost + kDate, hd),
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-sort", "POST", "/", "", Headers({{"my-header1", "value1"}}), "",
       "host;my-header1;x-amz-date",
       Creq("POST", "/", "", kHost + "my-header1:value1\n" + kDate, "host;my-header1;x-amz-date"),
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case", "POST", "/", "", Headers({{"my-header1", "VALUE1"}}), "",
       "host;my-header1;x-amz-date",
       Creq("POST", "/", "", kHost + "my-header1:VALUE1\n" + kDate, "host;my-header1;x-amz-date"),
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      // The suite's .authz signs content-type;host;x-amz-date (its .creq file also lists
      // content-length, an inconsistency of the published suite; .sts matches the .authz).
      {"post-x-www-form-urlencoded", "POST", "/", "",
       Headers({{"content-type", "application/x-www-form-urlencoded"}, {"content-length", "13"}}),
       "Param1=value1", "content-type;host;x-amz-date",
       Creq("POST", "/", "", "content-type:application/x-www-form-urlencoded\n" + kHost + kDate,
            "content-type;host;x-amz-date",
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-sts-header-before", "POST", "/", "", Headers({{"x-amz-security-token", kToken}}), "",
       "host;x-amz-date;x-amz-security-token",
       Creq("POST", "/", "", kHost + kDate + "x-amz-security-token:" + kToken + "\n",
            "host;x-amz-date;x-amz-security-token"),
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
      {"post-sts-header-after", "POST", "/", "", Headers({{"x-amz-security-token", kToken}}), "",
       hd, Creq("POST", "/", "", kHost + kDate, hd),
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      // normalize-path/
      {"get-relative", "GET", "/example/..", "", Headers(), "", hd,
       Creq("GET", "/", "", kHost + kDate, hd),
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-relative-relative", "GET", "/example1/example2/../..", "", Headers(), "", hd,
       Creq("GET", "/", "", kHost + kDate, hd),
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash", "GET", "//", "", Headers(), "", hd, Creq("GET", "/", "", kHost + kDate, hd),
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-dot-slash", "GET", "/./", "", Headers(), "", hd,
       Creq("GET", "/", "", kHost + kDate, hd),
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-pointless-dot", "GET", "/./example", "", Headers(), "", hd,
       Creq("GET", "/example", "", kHost + kDate, hd),
       "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
      {"get-slashes", "GET", "//example//", "", Headers(), "", hd,
       Creq("GET", "/example/", "", kHost + kDate, hd),
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
  };
}

class SigV4TestSuite : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4TestSuite, CanonicalRequestSignatureAndVerify) {
  const SuiteCase& c = GetParam();
  TestRequest request{c.method, c.path, c.query, c.headers, c.body};
  const std::vector<std::string> signed_headers = Split(c.signed_headers);
  const std::string payload_hash = HexEncode(Sha256(c.body));

  EXPECT_EQ(CanonicalRequest(request.View(), signed_headers, payload_hash, false, "service"),
            c.canonical_request);

  const std::string authorization =
      AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate, "us-east-1",
                          "service", signed_headers, payload_hash);
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=" +
                c.signed_headers + ", Signature=" + c.signature);

  request.Header("authorization", authorization);
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;
}

INSTANTIATE_TEST_SUITE_P(Published, SigV4TestSuite, ::testing::ValuesIn(SuiteCases()),
                         [](const ::testing::TestParamInfo<SuiteCase>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

// S3 API Reference, "Example: GET Object" (header auth, Range header).
TEST(SigV4S3Examples, GetObjectWithRange) {
  TestRequest request;
  request.path = "/test.txt";
  request.Header("host", "examplebucket.s3.amazonaws.com")
      .Header("range", "bytes=0-9")
      .Header("x-amz-content-sha256", std::string(kEmptySha256))
      .Header("x-amz-date", "20130524T000000Z");
  const std::vector<std::string> signed_headers = {"host", "range", "x-amz-content-sha256",
                                                   "x-amz-date"};
  EXPECT_EQ(CanonicalRequest(request.View(), signed_headers, kEmptySha256, false, "s3"),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string authorization =
      AuthorizationHeader(request.View(), kS3DocAccessKey, kS3DocSecret, "20130524T000000Z",
                          "us-east-1", "s3", signed_headers, kEmptySha256);
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  request.Header("authorization", authorization);
  AuthResult result = ParseAndVerify(request, kS3DocSecret, At("20130524T000000Z"));
  EXPECT_TRUE(result.ok()) << result.message;
}

// S3 API Reference, "Authenticating Requests: Using Query Parameters": presigned GET, 86400 s.
TEST(SigV4S3Examples, PresignedGetObject) {
  TestRequest request;
  request.path = "/test.txt";
  request.query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  request.Header("host", "examplebucket.s3.amazonaws.com");

  EXPECT_EQ(CanonicalRequest(request.View(), {"host"}, "UNSIGNED-PAYLOAD", true, "s3"),
            "GET\n/test.txt\n"
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
            "X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
            "UNSIGNED-PAYLOAD");

  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value()) << failure.message;
  EXPECT_TRUE(info->presigned);
  EXPECT_EQ(info->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(info->date, "20130524");
  EXPECT_EQ(info->region, "us-east-1");
  EXPECT_EQ(info->service, "s3");
  EXPECT_EQ(info->expires_seconds, 86400);
  EXPECT_EQ(info->payload_mode, PayloadMode::kUnsigned);
  EXPECT_EQ(info->signed_headers, std::vector<std::string>{"host"});

  EXPECT_TRUE(Verify(request.View(), *info, kS3DocSecret, At("20130524T000000Z")).ok());
  // Valid until X-Amz-Date + X-Amz-Expires, inclusive.
  EXPECT_TRUE(Verify(request.View(), *info, kS3DocSecret, At("20130525T000000Z")).ok());
  AuthResult expired = Verify(request.View(), *info, kS3DocSecret, At("20130525T000001Z"));
  EXPECT_EQ(expired.failure, AuthFailure::kRequestExpired);
  EXPECT_EQ(expired.message, "Request has expired");
}

}  // namespace
}  // namespace nimbus::auth
