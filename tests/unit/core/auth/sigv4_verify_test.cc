// Verify and ParseSignature against requests signed here: what passes, and the AWS error each
// kind of bad request gets (SignatureDoesNotMatch, RequestTimeTooSkewed/Signature expired,
// IncompleteSignature, AccessDenied "Request has expired", XAmzContentSHA256Mismatch).

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
using testing::kSuiteAccessKey;
using testing::kSuiteDate;
using testing::kSuiteSecret;
using testing::ParseAndVerify;
using testing::TestRequest;

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// A DynamoDB PutItem as an SDK sends it, signed with the suite's key at kSuiteDate.
TestRequest SignedPutItem(std::string_view amz_date = kSuiteDate) {
  TestRequest request;
  request.method = "POST";
  request.body = R"({"TableName":"t","Item":{"pk":{"S":"a"}}})";
  request.Header("host", "localhost:4566")
      .Header("content-type", "application/x-amz-json-1.0")
      .Header("x-amz-target", "DynamoDB_20120810.PutItem")
      .Header("x-amz-date", std::string(amz_date))
      .Header("user-agent", "aws-sdk-js/3.0");
  request.Header(
      "authorization",
      AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, amz_date, "us-east-1",
                          "dynamodb", {"content-type", "host", "x-amz-date", "x-amz-target"},
                          HexEncode(Sha256(request.body))));
  return request;
}

void SetHeader(TestRequest* request, std::string_view name, std::string value) {
  for (auto& [key, existing] : request->headers)
    if (key == name) existing = std::move(value);
}

TEST(SigV4Verify, SignedRequestVerifies) {
  TestRequest request = SignedPutItem();
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value()) << failure.message;
  EXPECT_FALSE(info->presigned);
  EXPECT_EQ(info->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(info->date, "20150830");
  EXPECT_EQ(info->region, "us-east-1");
  EXPECT_EQ(info->service, "dynamodb");
  EXPECT_EQ(info->amz_date, "20150830T123600Z");
  EXPECT_EQ(info->signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target"}));
  EXPECT_EQ(info->payload_mode, PayloadMode::kSigned);
  EXPECT_TRUE(info->payload_hash.empty());
  EXPECT_TRUE(Verify(request.View(), *info, kSuiteSecret, At(kSuiteDate)).ok());
}

TEST(SigV4Verify, WrongSecretIsSignatureMismatch) {
  AuthResult result = ParseAndVerify(SignedPutItem(), "not-the-secret", At(kSuiteDate));
  EXPECT_EQ(result.failure, AuthFailure::kSignatureMismatch);
  EXPECT_EQ(result.message, kMismatch);
}

TEST(SigV4Verify, TamperedSignedHeaderIsMismatch) {
  TestRequest request = SignedPutItem();
  SetHeader(&request, "x-amz-target", "DynamoDB_20120810.DeleteItem");
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

TEST(SigV4Verify, UnsignedHeaderMayChange) {
  TestRequest request = SignedPutItem();
  SetHeader(&request, "user-agent", "something else");
  request.Header("x-extra", "1");
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());
}

TEST(SigV4Verify, TamperedBodyIsMismatch) {
  TestRequest request = SignedPutItem();
  request.body[request.body.size() - 4] = 'b';
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

TEST(SigV4Verify, TamperedMethodOrPathIsMismatch) {
  TestRequest request = SignedPutItem();
  request.method = "PUT";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
  request = SignedPutItem();
  request.path = "/other";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

TEST(SigV4Verify, QueryIsCoveredButItsOrderIsNot) {
  TestRequest request;
  request.path = "/2015-03-31/functions";
  request.query = "MaxItems=10&Marker=abc%2Fdef&FunctionVersion=ALL";
  request.Header("host", "localhost:4566").Header("x-amz-date", std::string(kSuiteDate));
  request.Header(
      "authorization",
      AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate, "us-east-1",
                          "lambda", {"host", "x-amz-date"}, HexEncode(Sha256(""))));
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());

  request.query = "FunctionVersion=ALL&Marker=abc%2Fdef&MaxItems=10";
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());

  request.query = "MaxItems=11&Marker=abc%2Fdef&FunctionVersion=ALL";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
  request.query = "MaxItems=10&Marker=abc%2Fdef&FunctionVersion=ALL&Extra=1";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

TEST(SigV4Verify, CanonicalQueryDecodesThenEncodes) {
  TestRequest request;
  // Over-encoded unreserved characters, lowercase escapes, a name without '=', a reserved
  // character sent raw: all sign in the one canonical form.
  request.query = "b=%7e%41&a&c=x:y&a=";
  request.Header("host", "h");
  const std::string canonical = CanonicalRequest(request.View(), {"host"}, "", false, "svc");
  EXPECT_EQ(canonical, "GET\n/\na=&a=&b=~A&c=x%3Ay\nhost:h\n\nhost\n");
}

TEST(SigV4Verify, S3PathIsSignedAsSent) {
  TestRequest request;
  request.path = "/bucket/a//b/./c/../d%2Fe";
  request.Header("host", "h");
  EXPECT_EQ(CanonicalRequest(request.View(), {"host"}, "UNSIGNED-PAYLOAD", false, "s3"),
            "GET\n/bucket/a//b/./c/../d%2Fe\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
  EXPECT_EQ(CanonicalRequest(request.View(), {"host"}, "UNSIGNED-PAYLOAD", false, "lambda"),
            "GET\n/bucket/a/b/d%252Fe\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
}

// A client that signs the decoded path encoded once (what the SigV4 documentation literally
// describes) verifies too, for S3 and for the other services.
TEST(SigV4Verify, PathEncodedOnceIsAccepted) {
  // S3: sent with '(', ')' and ':' raw, signed with them percent-encoded.
  TestRequest s3;
  s3.path = "/bucket/a%28b%29%3A";
  s3.Header("host", "h").Header("x-amz-date", std::string(kSuiteDate));
  s3.Header("authorization",
            AuthorizationHeader(s3.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate, "us-east-1",
                                "s3", {"host", "x-amz-date"}, HexEncode(Sha256(""))));
  s3.path = "/bucket/a(b):";
  AuthResult result = ParseAndVerify(s3, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;

  // Lambda: sent as "/fn/a%3Ab" and signed as "/fn/a%3Ab" rather than the SDKs' "/fn/a%253Ab".
  TestRequest lambda;
  lambda.path = "/fn/a%3Ab";
  lambda.Header("host", "h").Header("x-amz-date", std::string(kSuiteDate));
  const std::string canonical =
      CanonicalRequest(lambda.View(), {"host", "x-amz-date"}, HexEncode(Sha256("")), false, "s3");
  ASSERT_NE(canonical.find("\n/fn/a%3Ab\n"), std::string::npos);
  const std::string signature =
      HexSignature(SigningKey(kSuiteSecret, "20150830", "us-east-1", "lambda"),
                   StringToSign(kSuiteDate, "20150830/us-east-1/lambda/aws4_request", canonical));
  lambda.Header("authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=" +
                    signature);
  result = ParseAndVerify(lambda, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;
}

TEST(SigV4Verify, PlusInQueryMayMeanSpace) {
  TestRequest request;
  request.query = "prefix=a%20b";
  request.Header("host", "h").Header("x-amz-date", std::string(kSuiteDate));
  const std::string authorization =
      AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate, "us-east-1",
                          "s3", {"host", "x-amz-date"}, HexEncode(Sha256("")));
  request.query = "prefix=a+b";
  request.Header("authorization", authorization);
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());
}

TEST(SigV4Verify, ClockSkewBeyondFifteenMinutes) {
  TestRequest request = SignedPutItem();
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At("20150830T125100Z")).ok());
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At("20150830T122100Z")).ok());

  AuthResult old = ParseAndVerify(request, kSuiteSecret, At("20150830T125200Z"));
  EXPECT_EQ(old.failure, AuthFailure::kClockSkew);
  EXPECT_EQ(old.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
            "(20150830T125200Z - 15 min.)");
  AuthResult older = ParseAndVerify(request, kSuiteSecret, At("20150830T130100Z"));
  EXPECT_EQ(older.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z "
            "(20150830T130100Z - 15 min.)");

  AuthResult future = ParseAndVerify(request, kSuiteSecret, At("20150830T122000Z"));
  EXPECT_EQ(future.failure, AuthFailure::kClockSkew);
  EXPECT_EQ(future.message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");
}

TEST(SigV4Verify, DateHeaderInsteadOfAmzDate) {
  TestRequest request;
  request.method = "POST";
  request.Header("host", "h").Header("date", "Sun, 30 Aug 2015 12:36:00 GMT");
  request.Header("authorization",
                 AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate,
                                     "us-east-1", "sqs", {"date", "host"}, HexEncode(Sha256(""))));
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value()) << failure.message;
  EXPECT_EQ(info->amz_date, "20150830T123600Z");
  EXPECT_TRUE(Verify(request.View(), *info, kSuiteSecret, At(kSuiteDate)).ok());
  EXPECT_EQ(Verify(request.View(), *info, kSuiteSecret, At("20150830T125200Z")).failure,
            AuthFailure::kClockSkew);

  // botocore writes the Date header with email.utils.formatdate.
  TestRequest botocore;
  botocore.method = "POST";
  botocore.Header("host", "h").Header("date", "Sun, 30 Aug 2015 12:36:00 -0000");
  botocore.Header("authorization",
                  AuthorizationHeader(botocore.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate,
                                      "us-east-1", "sqs", {"date", "host"}, HexEncode(Sha256(""))));
  EXPECT_TRUE(ParseAndVerify(botocore, kSuiteSecret, At(kSuiteDate)).ok());
  // The Date header is signed like any other.
  SetHeader(&botocore, "date", "Sun, 30 Aug 2015 12:36:00 GMT");
  EXPECT_EQ(ParseAndVerify(botocore, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

TEST(SigV4Verify, ContentSha256MustMatchBody) {
  TestRequest request;
  request.method = "PUT";
  request.path = "/bucket/key";
  request.body = "hello";
  const std::string hash = HexEncode(Sha256("hello"));
  request.Header("host", "h")
      .Header("x-amz-date", std::string(kSuiteDate))
      .Header("x-amz-content-sha256", hash);
  request.Header(
      "authorization",
      AuthorizationHeader(request.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate, "us-east-1",
                          "s3", {"host", "x-amz-content-sha256", "x-amz-date"}, hash));
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());
  request.body = "jello";
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_EQ(result.failure, AuthFailure::kContentHashMismatch);
  EXPECT_EQ(result.message,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST(SigV4Verify, UnsignedPayloadDoesNotCoverBody) {
  TestRequest request;
  request.method = "PUT";
  request.path = "/bucket/key";
  request.body = "hello";
  request.Header("host", "h")
      .Header("x-amz-date", std::string(kSuiteDate))
      .Header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
      .Header("x-amz-security-token", "token-1");
  request.Header("authorization",
                 AuthorizationHeader(
                     request.View(), kSuiteAccessKey, kSuiteSecret, kSuiteDate, "us-east-1", "s3",
                     {"host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"},
                     "UNSIGNED-PAYLOAD"));
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->payload_mode, PayloadMode::kUnsigned);
  EXPECT_EQ(info->security_token, "token-1");
  request.body = "anything";
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());
}

TEST(SigV4Parse, AnonymousRequestHasNoSignature) {
  TestRequest request;
  request.query = "list-type=2&prefix=a%20b";
  request.Header("host", "h");
  AuthResult failure{AuthFailure::kSignatureMismatch, "stale"};
  EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value());
  EXPECT_TRUE(failure.ok());
  RequestView no_headers{"GET", "/", "", nullptr, ""};
  EXPECT_FALSE(ParseSignature(no_headers, &failure).has_value());
  EXPECT_TRUE(failure.ok());
}

TEST(SigV4Parse, MissingPartsReadLikeAws) {
  TestRequest request;
  request.Header("host", "h").Header("x-amz-date", std::string(kSuiteDate));
  request.Header("authorization",
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request");
  AuthResult failure;
  EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value());
  EXPECT_EQ(failure.failure, AuthFailure::kMalformed);
  EXPECT_EQ(failure.message,
            "Authorization header requires 'Signature' parameter. Authorization header requires "
            "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 "
            "Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request");
}

TEST(SigV4Parse, MissingDateReadsLikeAws) {
  TestRequest request;
  request.Header("host", "h");
  const std::string authorization =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host, Signature=abc";
  request.Header("authorization", authorization);
  AuthResult failure;
  EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value());
  EXPECT_EQ(failure.failure, AuthFailure::kMalformed);
  EXPECT_EQ(failure.message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=" +
                authorization);
}

TEST(SigV4Parse, ScopeDateMustMatchRequestDate) {
  TestRequest request;
  request.Header("host", "h").Header("x-amz-date", "20150831T000100Z");
  request.Header("authorization",
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
                 "SignedHeaders=host;x-amz-date, Signature=abc");
  AuthResult failure;
  EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value());
  EXPECT_EQ(failure.failure, AuthFailure::kMalformed);
  EXPECT_EQ(failure.message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20150830' != '20150831', from '20150831T000100Z'.");
}

std::string ManyHeaderNames(int n) {
  std::string names;
  for (int i = 0; i < n; ++i) names += "x-h" + std::to_string(i) + ";";
  return names;
}

constexpr char kBinaryGarbage[] = "AWS4-HMAC-SHA256 \0\xff\xfe=\x01,\x80";

TEST(SigV4Parse, MalformedAuthorizationHeaders) {
  const std::string scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request";
  const std::vector<std::string> headers = {
      "",
      "   ",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256 ",
      "AWS4-HMAC-SHA256 ,,,",
      "AWS4-HMAC-SHA256 Credential",
      "AWS4-HMAC-SHA256 " + scope,
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=host",
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=host, Signature=",
      "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/sqs/aws4_request, SignedHeaders=host, "
      "Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4, SignedHeaders=host, "
      "Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/us-east-1/sqs/aws4_request, SignedHeaders=host, "
      "Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830//sqs/aws4_request, SignedHeaders=host, "
      "Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=////, SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=x-amz-date, Signature=abc",
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=host;;x-amz-date, Signature=abc",
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=, Signature=abc",
      "AWS AKIDEXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=",
      "Bearer eyJhbGciOiJIUzI1NiJ9",
      "AWS4-ECDSA-P256-SHA256 " + scope + ", SignedHeaders=host, Signature=abc",
      std::string(kBinaryGarbage, sizeof(kBinaryGarbage) - 1),
      "AWS4-HMAC-SHA256 " + std::string(1 << 20, 'A'),
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=" + std::string(200000, ';') +
          ", Signature=abc",
      "AWS4-HMAC-SHA256 " + scope + ", SignedHeaders=" + ManyHeaderNames(200) +
          "host, Signature=abc",
  };
  for (const std::string& value : headers) {
    TestRequest request;
    request.Header("host", "h").Header("x-amz-date", std::string(kSuiteDate));
    request.Header("authorization", value);
    AuthResult failure;
    EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value()) << value.substr(0, 120);
    EXPECT_EQ(failure.failure, AuthFailure::kMalformed) << value.substr(0, 120);
    EXPECT_FALSE(failure.message.empty());
    EXPECT_LT(failure.message.size(), 2048u);
  }
}

TEST(SigV4Parse, BadDatesAndContentSha256AreMalformed) {
  const std::string authorization =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc";
  for (const std::string date :
       {"2015-08-30T12:36:00Z", "20150830T123600", "garbage", "", "20151330T123600Z"}) {
    TestRequest request;
    request.Header("host", "h").Header("x-amz-date", date).Header("authorization", authorization);
    AuthResult failure;
    EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value()) << date;
    EXPECT_EQ(failure.failure, AuthFailure::kMalformed) << date;
  }
  const std::vector<std::string> hashes = {"abc", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "",
                                           "z" + std::string(63, '0')};
  for (const std::string& sha : hashes) {
    TestRequest request;
    request.Header("host", "h")
        .Header("x-amz-date", std::string(kSuiteDate))
        .Header("x-amz-content-sha256", sha)
        .Header("authorization", authorization);
    AuthResult failure;
    EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value()) << sha;
    EXPECT_EQ(failure.failure, AuthFailure::kMalformed) << sha;
  }
}

TEST(SigV4Parse, PayloadModes) {
  const std::vector<std::pair<std::string, PayloadMode>> modes = {
      {"UNSIGNED-PAYLOAD", PayloadMode::kUnsigned},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", PayloadMode::kStreamingSigned},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", PayloadMode::kStreamingSignedTrailer},
      {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", PayloadMode::kStreamingUnsignedTrailer},
      {std::string(testing::kEmptySha256), PayloadMode::kSigned},
  };
  for (const auto& [value, mode] : modes) {
    TestRequest request;
    request.Header("host", "h")
        .Header("x-amz-date", std::string(kSuiteDate))
        .Header("x-amz-content-sha256", value)
        .Header("authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=abc");
    AuthResult failure;
    std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
    ASSERT_TRUE(info.has_value()) << value;
    EXPECT_EQ(info->payload_mode, mode) << value;
    EXPECT_EQ(info->payload_hash, value);
  }
}

// Builds a presigned URL the way the SDK presigners do, from the building blocks.
TestRequest Presigned(std::string_view service, long expires, std::string extra_query = "") {
  TestRequest request;
  request.path = "/bucket/photo%20one.jpg";
  request.query =
      extra_query + (extra_query.empty() ? "" : "&") +
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2F"
      "us-east-1%2F" +
      std::string(service) +
      "%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=" + std::to_string(expires) +
      "&X-Amz-SignedHeaders=host";
  request.Header("host", "localhost:4566");
  const std::string canonical =
      CanonicalRequest(request.View(), {"host"}, "UNSIGNED-PAYLOAD", true, service);
  const std::string signature = HexSignature(
      SigningKey(kSuiteSecret, "20150830", "us-east-1", service),
      StringToSign(kSuiteDate, "20150830/us-east-1/" + std::string(service) + "/aws4_request",
                   canonical));
  request.query += "&X-Amz-Signature=" + signature;
  return request;
}

TEST(SigV4Presigned, VerifiesUntilExpiry) {
  TestRequest request = Presigned("s3", 3600, "response-content-type=image%2Fjpeg");
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At("20150830T133600Z")).ok());
  AuthResult expired = ParseAndVerify(request, kSuiteSecret, At("20150830T133601Z"));
  EXPECT_EQ(expired.failure, AuthFailure::kRequestExpired);
  EXPECT_EQ(expired.message, "Request has expired");

  AuthResult early = ParseAndVerify(request, kSuiteSecret, At("20150830T122000Z"));
  EXPECT_EQ(early.failure, AuthFailure::kRequestExpired);
  EXPECT_EQ(early.message, "Request is not yet valid");
}

TEST(SigV4Presigned, TamperingIsMismatch) {
  TestRequest request = Presigned("s3", 3600, "response-content-type=image%2Fjpeg");
  TestRequest tampered = request;
  tampered.query.replace(tampered.query.find("image%2Fjpeg"), 12, "text%2Fhtml");
  EXPECT_EQ(ParseAndVerify(tampered, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
  tampered = request;
  tampered.query.replace(tampered.query.find("X-Amz-Expires=3600"), 18, "X-Amz-Expires=7200");
  EXPECT_EQ(ParseAndVerify(tampered, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
  tampered = request;
  tampered.path = "/bucket/photo%20two.jpg";
  EXPECT_EQ(ParseAndVerify(tampered, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
  EXPECT_EQ(ParseAndVerify(request, "wrong", At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

TEST(SigV4Presigned, ExpiresMustBeOneSecondToOneWeek) {
  EXPECT_TRUE(ParseAndVerify(Presigned("s3", 1), kSuiteSecret, At(kSuiteDate)).ok());
  EXPECT_TRUE(ParseAndVerify(Presigned("s3", 604800), kSuiteSecret, At(kSuiteDate)).ok());
  for (long expires : {0L, -1L, 604801L}) {
    AuthResult failure;
    EXPECT_FALSE(ParseSignature(Presigned("s3", expires).View(), &failure).has_value());
    EXPECT_EQ(failure.failure, AuthFailure::kMalformed) << expires;
  }
  AuthResult failure;
  EXPECT_FALSE(ParseSignature(Presigned("s3", 604801).View(), &failure).has_value());
  EXPECT_EQ(failure.message, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
}

TEST(SigV4Presigned, MalformedQueries) {
  const std::string good = Presigned("s3", 60).query;
  auto without = [&](std::string_view param) {
    std::string query = good;
    size_t at = query.find(param);
    size_t end = query.find('&', at);
    query.erase(at, end == std::string::npos ? std::string::npos : end - at + 1);
    return query;
  };
  const std::vector<std::string> queries = {
      without("X-Amz-Algorithm="),
      without("X-Amz-Credential="),
      without("X-Amz-Date="),
      without("X-Amz-Expires="),
      without("X-Amz-SignedHeaders="),
      without("X-Amz-Signature="),
      "X-Amz-Algorithm=AWS4-HMAC-SHA1&" + without("X-Amz-Algorithm="),
      "X-Amz-Expires=soon&" + without("X-Amz-Expires="),
      "X-Amz-Date=20150830&" + without("X-Amz-Date="),
      "X-Amz-Credential=AKIDEXAMPLE%2F20150830&" + without("X-Amz-Credential="),
      "X-Amz-Credential=%zz&" + without("X-Amz-Credential="),
      "X-Amz-Signature",
  };
  for (const std::string& query : queries) {
    TestRequest request;
    request.query = query;
    request.Header("host", "h");
    AuthResult failure;
    EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value()) << query;
    EXPECT_EQ(failure.failure, AuthFailure::kMalformed) << query;
  }
}

TEST(SigV4Presigned, HeaderAndQueryTogetherAreMalformed) {
  TestRequest request = Presigned("s3", 60);
  request.Header("authorization",
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host, Signature=abc");
  AuthResult failure;
  EXPECT_FALSE(ParseSignature(request.View(), &failure).has_value());
  EXPECT_EQ(failure.failure, AuthFailure::kMalformed);
}

TEST(SigV4Presigned, SecurityTokenFromQuery) {
  TestRequest request = Presigned("s3", 60, "X-Amz-Security-Token=tok%2Ben");
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value()) << failure.message;
  EXPECT_EQ(info->security_token, "tok+en");
  EXPECT_TRUE(Verify(request.View(), *info, kSuiteSecret, At(kSuiteDate)).ok());
}

}  // namespace
}  // namespace nimbus::auth
