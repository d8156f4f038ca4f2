// Requests exactly as botocore 1.43 (the AWS CLI v1 / boto3 signer) put them on the wire, captured
// with a fixed clock (20150830T123600Z) and the suite's credentials against
// endpoint_url=http://localhost:4566. They pin what the real SDK does with paths and queries:
// non-S3 services sign the already-encoded path encoded again ("%3A" signs as "%253A"), S3 signs
// the path as sent, presigned S3 URLs sign UNSIGNED-PAYLOAD and presigned STS URLs the body hash.

#include <gtest/gtest.h>

#include <string>

#include "auth_test_util.h"
#include "core/auth/chunked.h"
#include "core/auth/sigv4.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"

namespace nimbus::auth {
namespace {

using testing::At;
using testing::kSuiteDate;
using testing::kSuiteSecret;
using testing::ParseAndVerify;
using testing::TestRequest;

// Headers botocore sends but does not sign; present so the verifier must ignore them.
void AddUnsignedSdkHeaders(TestRequest* request) {
  request->Header("user-agent", "Botocore/1.43.11 ua/2.1 os/linux lang/python#3.11.7")
      .Header("amz-sdk-invocation-id", "8e4059c1-ae88-4c18-9648-91b44f5289e9")
      .Header("amz-sdk-request", "attempt=1");
}

// lambda.invoke(FunctionName='arn:aws:lambda:us-east-1:123456789012:function:my-fn',
//               Payload=b'{"a": 1}', Qualifier='$LATEST')
TEST(SigV4Botocore, LambdaInvokeWithArnInPath) {
  TestRequest request;
  request.method = "POST";
  request.path =
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/"
      "invocations";
  request.query = "Qualifier=%24LATEST";
  request.body = R"({"a": 1})";
  request.Header("host", "localhost:4566")
      .Header("x-amz-date", "20150830T123600Z")
      .Header("content-length", "8")
      .Header("authorization",
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
              "SignedHeaders=host;x-amz-date, "
              "Signature=a492f7f74d22018c0b202d60f33a6597b900cb8e271fdfa075a1dd7eaab285aa");
  AddUnsignedSdkHeaders(&request);

  const std::string canonical = CanonicalRequest(request.View(), {"host", "x-amz-date"},
                                                 HexEncode(Sha256(request.body)), false, "lambda");
  EXPECT_EQ(canonical.substr(0, canonical.find("\nhost:")),
            "POST\n/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253A"
            "function%253Amy-fn/invocations\nQualifier=%24LATEST");
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;

  request.body = R"({"a": 2})";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

// sqs.get_queue_url(QueueName='q 1'): JSON protocol, signed content-type and x-amz-target.
TEST(SigV4Botocore, SqsJsonRequest) {
  TestRequest request;
  request.method = "POST";
  request.body = R"({"QueueName": "q 1"})";
  request.Header("x-amz-target", "AmazonSQS.GetQueueUrl")
      .Header("content-type", "application/x-amz-json-1.0")
      .Header("x-amzn-query-mode", "true")
      .Header("host", "localhost:4566")
      .Header("x-amz-date", "20150830T123600Z")
      .Header("content-length", "20")
      .Header("authorization",
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, "
              "Signature=b13016e445d03a0f6c09dcbe7a932fe886cda56ace7f0a9fcdbc7e130d6bb50c");
  AddUnsignedSdkHeaders(&request);
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;
}

// s3.put_object(Bucket='my-bucket', Key='dir/a b+c~ü(1).txt', Body=b'hello world'), path style.
TEST(SigV4Botocore, S3PutObjectWithEncodedKey) {
  TestRequest request;
  request.method = "PUT";
  request.path = "/my-bucket/dir/a%20b%2Bc~%C3%BC%281%29.txt";
  request.body = "hello world";
  request.Header("expect", "100-continue")
      .Header("x-amz-checksum-crc32", "DUoRhQ==")
      .Header("x-amz-sdk-checksum-algorithm", "CRC32")
      .Header("host", "localhost:4566")
      .Header("x-amz-date", "20150830T123600Z")
      .Header("x-amz-content-sha256",
              "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
      .Header("content-length", "11")
      .Header("authorization",
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
              "SignedHeaders=host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;"
              "x-amz-sdk-checksum-algorithm, "
              "Signature=1d0579f4dc958b7f5a08712e5ac2883d33738a1912ed1dcb7d4183a6572db95f");
  AddUnsignedSdkHeaders(&request);
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;

  // The signature covers x-amz-content-sha256, not the body: a different body is caught by the
  // hash check (XAmzContentSHA256Mismatch), as S3 does.
  request.body = "hello worle";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kContentHashMismatch);
}

// s3.list_objects_v2(Bucket='my-bucket', Prefix='a b/ü*', MaxKeys=5).
TEST(SigV4Botocore, S3ListObjectsWithEncodedQuery) {
  TestRequest request;
  request.path = "/my-bucket";
  request.query = "list-type=2&prefix=a%20b%2F%C3%BC%2A&max-keys=5&encoding-type=url";
  request.Header("host", "localhost:4566")
      .Header("x-amz-date", "20150830T123600Z")
      .Header("x-amz-content-sha256",
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
      .Header("authorization",
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
              "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
              "Signature=75c2f417b7fbdf410f9fcb7e4463fe6f5daa09aef0011a5413c2aa2b154b14b2");
  AddUnsignedSdkHeaders(&request);
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;

  request.query = "list-type=2&prefix=a%20b%2F%C3%BC%2A&max-keys=6&encoding-type=url";
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).failure,
            AuthFailure::kSignatureMismatch);
}

// s3.generate_presigned_url('get_object', Params={'Bucket': 'my-bucket', 'Key': 'a b/ü.txt'},
//                           ExpiresIn=900)
TEST(SigV4Botocore, S3PresignedGetObject) {
  TestRequest request;
  request.path = "/my-bucket/a%20b/%C3%BC.txt";
  request.query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3"
      "%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&"
      "X-Amz-Signature=bf10c019957b8d467c3920b44f126f16afad5a9041eb0a144b769a014197463d";
  request.Header("host", "localhost:4566");
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At(kSuiteDate)).ok());
  EXPECT_TRUE(ParseAndVerify(request, kSuiteSecret, At("20150830T125100Z")).ok());
  EXPECT_EQ(ParseAndVerify(request, kSuiteSecret, At("20150830T125101Z")).failure,
            AuthFailure::kRequestExpired);
}

// sts.generate_presigned_url('get_caller_identity', ExpiresIn=60, HttpMethod='GET'): what
// `aws eks get-token` builds. botocore's SigV4QueryAuth for non-S3 services signs the SHA-256 of
// the (empty) body.
TEST(SigV4Botocore, StsPresignedGetCallerIdentity) {
  TestRequest request;
  request.query =
      "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
      "X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&"
      "X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"
      "X-Amz-Signature=212c098c1dc1e00e3afe061d2a9b666867a3284d88cf9f0020bc8e59e040ae9b";
  request.Header("host", "localhost:4566");
  AuthResult result = ParseAndVerify(request, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;
}

// s3.put_object(Bucket='my-bucket', Key='k.txt', Body=io.BytesIO(b'hello world')) over https:
// botocore sends an aws-chunked body with a CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
TEST(SigV4Botocore, S3PutObjectUnsignedTrailer) {
  TestRequest request;
  request.method = "PUT";
  request.path = "/my-bucket/k.txt";
  request.body = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  request.Header("expect", "100-continue")
      .Header("transfer-encoding", "chunked")
      .Header("content-encoding", "aws-chunked")
      .Header("x-amz-trailer", "x-amz-checksum-crc32")
      .Header("x-amz-decoded-content-length", "11")
      .Header("x-amz-sdk-checksum-algorithm", "CRC32")
      .Header("x-amz-date", "20150830T123600Z")
      .Header("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
      .Header("host", "localhost:4566")
      .Header("authorization",
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
              "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
              "x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer, "
              "Signature=fc11e153f11b0437a24537f273d22b8e686b198cee665b67ec2df30acda72baa");
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value()) << failure.message;
  EXPECT_EQ(info->payload_mode, PayloadMode::kStreamingUnsignedTrailer);
  AuthResult result = Verify(request.View(), *info, kSuiteSecret, At(kSuiteDate));
  EXPECT_TRUE(result.ok()) << result.message;

  ChunkedResult decoded =
      DecodeAwsChunked(request.body, info->payload_mode, "", info->amz_date,
                       "20150830/us-east-1/s3/aws4_request", info->signature, 11);
  EXPECT_TRUE(decoded.auth.ok()) << decoded.message;
  EXPECT_FALSE(decoded.malformed);
  EXPECT_EQ(decoded.payload, "hello world");
  ASSERT_EQ(decoded.trailers.size(), 1u);
  EXPECT_EQ(decoded.trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(decoded.trailers[0].second, "DUoRhQ==");
}

}  // namespace
}  // namespace nimbus::auth
