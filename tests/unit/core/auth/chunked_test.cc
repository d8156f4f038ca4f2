// aws-chunked bodies: the S3 API Reference example "Signature Calculations for the Authorization
// Header: Transferring Payload in Multiple Chunks" (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), signed
// trailers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) and unsigned trailers
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what botocore and the JS SDK v3 send for checksums).

#include "core/auth/chunked.h"

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
using testing::kS3DocAccessKey;
using testing::kS3DocSecret;
using testing::ParseAndVerify;
using testing::TestRequest;

constexpr std::string_view kDate = "20130524T000000Z";
constexpr std::string_view kScope = "20130524/us-east-1/s3/aws4_request";
constexpr std::string_view kSeed =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

std::string DocKey() { return SigningKey(kS3DocSecret, "20130524", "us-east-1", "s3"); }

// The chunk signature, computed here from the AWS definition (not with the code under test).
std::string ChunkSignature(std::string_view previous, std::string_view data) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
  sts.append(kDate).append("\n").append(kScope).append("\n").append(previous).append("\n");
  sts += HexEncode(Sha256("")) + "\n" + HexEncode(Sha256(data));
  return HexEncode(HmacSha256(DocKey(), sts));
}

std::string HexSize(size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kHex[n % 16]);
    n /= 16;
  } while (n > 0);
  return out;
}

// A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body for `chunks` chained from the example's seed.
std::string SignedBody(const std::vector<std::string>& chunks) {
  std::string body, previous(kSeed);
  for (const std::string& chunk : chunks) {
    previous = ChunkSignature(previous, chunk);
    body += HexSize(chunk.size()) + ";chunk-signature=" + previous + "\r\n" + chunk + "\r\n";
  }
  previous = ChunkSignature(previous, "");
  return body + "0;chunk-signature=" + previous + "\r\n\r\n";
}

// Decoded, neither malformed nor with a bad signature.
bool Accepted(const ChunkedResult& result) { return result.auth.ok() && !result.malformed; }

ChunkedResult DecodeSigned(std::string_view body, long long decoded_length = -1) {
  return DecodeAwsChunked(body, PayloadMode::kStreamingSigned, DocKey(), kDate, kScope, kSeed,
                          decoded_length);
}

TEST(AwsChunked, S3DocumentationExample) {
  // The PUT's seed signature.
  TestRequest request;
  request.method = "PUT";
  request.path = "/examplebucket/chunkObject.txt";
  request.Header("host", "s3.amazonaws.com")
      .Header("x-amz-date", std::string(kDate))
      .Header("x-amz-storage-class", "REDUCED_REDUNDANCY")
      .Header("content-encoding", "aws-chunked")
      .Header("x-amz-decoded-content-length", "66560")
      .Header("content-length", "66824")
      .Header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  const std::string authorization =
      AuthorizationHeader(request.View(), kS3DocAccessKey, kS3DocSecret, kDate, "us-east-1", "s3",
                          {"content-encoding", "content-length", "host", "x-amz-content-sha256",
                           "x-amz-date", "x-amz-decoded-content-length", "x-amz-storage-class"},
                          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-decoded-content-length;x-amz-storage-class, "
            "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");

  // The body: 64 KiB of 'a', 1 KiB of 'a', the final chunk, with the published signatures.
  const std::string body =
      "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
      std::string(65536, 'a') +
      "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
      "\r\n" +
      std::string(1024, 'a') +
      "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
      "\r\n\r\n";
  EXPECT_EQ(body.size(), 66824u);
  EXPECT_EQ(body, SignedBody({std::string(65536, 'a'), std::string(1024, 'a')}));

  request.Header("authorization", authorization);
  request.body = body;
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  ASSERT_TRUE(info.has_value()) << failure.message;
  EXPECT_EQ(info->payload_mode, PayloadMode::kStreamingSigned);
  EXPECT_TRUE(Verify(request.View(), *info, kS3DocSecret, At(kDate)).ok());

  ChunkedResult decoded = DecodeAwsChunked(
      body, info->payload_mode, SigningKey(kS3DocSecret, info->date, info->region, info->service),
      info->amz_date, "20130524/us-east-1/s3/aws4_request", info->signature, 66560);
  EXPECT_TRUE(Accepted(decoded)) << decoded.message;
  EXPECT_FALSE(decoded.malformed);
  EXPECT_EQ(decoded.payload, std::string(66560, 'a'));
  EXPECT_TRUE(decoded.trailers.empty());
}

TEST(AwsChunked, TamperedChunkIsSignatureMismatch) {
  const std::string body = SignedBody({"hello ", "world"});
  ASSERT_TRUE(Accepted(DecodeSigned(body, 11)));

  std::string tampered = body;
  tampered[tampered.find("hello")] = 'j';
  ChunkedResult result = DecodeSigned(tampered, 11);
  EXPECT_EQ(result.auth.failure, AuthFailure::kSignatureMismatch);
  EXPECT_FALSE(result.malformed);

  tampered = body;
  size_t sig = tampered.find("chunk-signature=") + 16;
  tampered[sig] = tampered[sig] == '0' ? '1' : '0';
  EXPECT_EQ(DecodeSigned(tampered, 11).auth.failure, AuthFailure::kSignatureMismatch);

  // Another seed (another request) does not chain.
  EXPECT_EQ(DecodeAwsChunked(body, PayloadMode::kStreamingSigned, DocKey(), kDate, kScope,
                             std::string(64, '0'), 11)
                .auth.failure,
            AuthFailure::kSignatureMismatch);
  // A wrong key.
  EXPECT_EQ(
      DecodeAwsChunked(body, PayloadMode::kStreamingSigned, "other key", kDate, kScope, kSeed, 11)
          .auth.failure,
      AuthFailure::kSignatureMismatch);
}

TEST(AwsChunked, DroppedOrReorderedChunkIsSignatureMismatch) {
  const std::string a = SignedBody({"one", "two", "three"});
  // Remove the middle chunk: the framing stays valid, the chain breaks.
  size_t start = a.find("3;chunk-signature", a.find("\r\none\r\n"));
  size_t end = a.find("\r\ntwo\r\n") + 7;
  std::string dropped = a.substr(0, start) + a.substr(end);
  ChunkedResult result = DecodeSigned(dropped);
  EXPECT_FALSE(result.malformed);
  EXPECT_EQ(result.auth.failure, AuthFailure::kSignatureMismatch);
}

TEST(AwsChunked, EveryTruncationIsRejected) {
  const std::string body = SignedBody({"hello ", "world"});
  for (size_t n = 0; n < body.size(); ++n) {
    // A copy of exactly n bytes, so a sanitizer sees any read past the end.
    const std::string prefix = body.substr(0, n);
    ChunkedResult result = DecodeSigned(prefix);
    EXPECT_FALSE(Accepted(result)) << n;
  }
}

TEST(AwsChunked, GarbageFramingIsMalformed) {
  const std::string sig = ";chunk-signature=" + std::string(64, '0');
  const std::string good = SignedBody({"hello"});
  const std::vector<std::string> bodies = {
      "",
      "\r\n",
      "\r\n\r\n",
      "zz" + sig + "\r\nhello\r\n",
      "-5" + sig + "\r\nhello\r\n",
      " 5" + sig + "\r\nhello\r\n",
      sig + "\r\nhello\r\n",
      "ffffffffffffffff" + sig + "\r\nhello\r\n",
      "10000000000000005" + sig + "\r\nhello\r\n",
      "5" + sig + "\r\nhelloXX0" + sig + "\r\n\r\n",    // data longer than the size
      "6" + sig + "\r\nhello\r\n0" + sig + "\r\n\r\n",  // size larger than the data
      "5" + sig + "\nhello\n0" + sig + "\n\n",          // LF only
      "5\r\nhello\r\n0\r\n\r\n",                        // no chunk-signature
      std::string(100000, '1'),
      std::string(100000, '\0'),
      good.substr(0, good.size() - 2),  // no final CRLF
      good + "x",                       // trailing data
      good + "\r\n",                    // trailing data
      good.substr(0, good.size() - 2) +
          "x-amz-checksum-crc32:AAAAAA==\r\n\r\n",  // no trailers here
  };
  for (const std::string& body : bodies) {
    ChunkedResult result = DecodeSigned(body);
    EXPECT_TRUE(result.malformed) << body.substr(0, 80);
    EXPECT_FALSE(result.message.empty());
  }
}

TEST(AwsChunked, DecodedContentLengthIsChecked) {
  const std::string body = SignedBody({"hello"});
  EXPECT_TRUE(Accepted(DecodeSigned(body, 5)));
  EXPECT_TRUE(Accepted(DecodeSigned(body, -1)));
  EXPECT_TRUE(DecodeSigned(body, 4).malformed);
  EXPECT_TRUE(DecodeSigned(body, 6).malformed);
  EXPECT_TRUE(DecodeSigned(body, 0).malformed);
}

TEST(AwsChunked, EmptySigningKeySkipsSignatureChecks) {
  std::string body = SignedBody({"hello"});
  body[body.find("chunk-signature=") + 16] ^= 1;
  ChunkedResult result =
      DecodeAwsChunked(body, PayloadMode::kStreamingSigned, "", kDate, kScope, kSeed, 5);
  EXPECT_TRUE(Accepted(result)) << result.message;
  EXPECT_EQ(result.payload, "hello");
}

TEST(AwsChunked, NonStreamingModeIsMalformed) {
  for (PayloadMode mode : {PayloadMode::kSigned, PayloadMode::kUnsigned}) {
    ChunkedResult result = DecodeAwsChunked("0\r\n\r\n", mode, "", kDate, kScope, kSeed, -1);
    EXPECT_TRUE(result.malformed);
  }
}

// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: "hello world" in one chunk, then a CRC32 trailer
// signed with AWS4-HMAC-SHA256-TRAILER over sha256("x-amz-checksum-crc32:DUoRhQ==\n"), chained
// from the final chunk's signature. Signatures computed independently with Python's hmac.
const std::string kSignedTrailerBody =
    "b;chunk-signature=658a49ee7b49af44c11311d3461346a5688fb3ce5daa61dd95377587f0149255\r\n"
    "hello world\r\n"
    "0;chunk-signature=1172018d76cd25eb7956fc92d1935d976024a1d96841533ea7b72efe5e8d7463\r\n"
    "x-amz-checksum-crc32:DUoRhQ==\r\n"
    "x-amz-trailer-signature:a5cc256110056ec99eac4499d2aea1b90d0893decbf4bb0d1f8ab185e9127b59\r\n"
    "\r\n";

ChunkedResult DecodeSignedTrailer(std::string_view body) {
  return DecodeAwsChunked(body, PayloadMode::kStreamingSignedTrailer, DocKey(), kDate, kScope,
                          kSeed, 11);
}

TEST(AwsChunked, SignedTrailer) {
  ChunkedResult result = DecodeSignedTrailer(kSignedTrailerBody);
  EXPECT_TRUE(Accepted(result)) << result.message;
  EXPECT_EQ(result.payload, "hello world");
  ASSERT_EQ(result.trailers.size(), 1u);
  EXPECT_EQ(result.trailers[0],
            (std::pair<std::string, std::string>{"x-amz-checksum-crc32", "DUoRhQ=="}));
}

TEST(AwsChunked, TamperedTrailerIsSignatureMismatch) {
  std::string body = kSignedTrailerBody;
  body.replace(body.find("DUoRhQ=="), 8, "AAAAAA==");
  ChunkedResult result = DecodeSignedTrailer(body);
  EXPECT_EQ(result.auth.failure, AuthFailure::kSignatureMismatch);
  EXPECT_FALSE(result.malformed);

  body = kSignedTrailerBody;
  body.replace(body.find("x-amz-trailer-signature:") + 24, 1, "b");
  EXPECT_EQ(DecodeSignedTrailer(body).auth.failure, AuthFailure::kSignatureMismatch);
}

TEST(AwsChunked, MissingTrailerSignatureIsMalformed) {
  std::string body = kSignedTrailerBody;
  size_t at = body.find("x-amz-trailer-signature:");
  body.erase(at, body.find("\r\n", at) + 2 - at);
  ChunkedResult result = DecodeSignedTrailer(body);
  EXPECT_TRUE(result.malformed);
  EXPECT_FALSE(result.message.empty());
}

TEST(AwsChunked, UnsignedTrailerWithChecksum) {
  // botocore / JS SDK v3 framing: no chunk signatures, checksum after the final chunk.
  const std::string body =
      "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  ChunkedResult result =
      DecodeAwsChunked(body, PayloadMode::kStreamingUnsignedTrailer, "", "", "", "", 11);
  EXPECT_TRUE(Accepted(result)) << result.message;
  EXPECT_FALSE(result.malformed);
  EXPECT_EQ(result.payload, "hello world");
  ASSERT_EQ(result.trailers.size(), 1u);
  EXPECT_EQ(result.trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(result.trailers[0].second, "DUoRhQ==");
  EXPECT_EQ(Base64Encode(std::string{'\x0d', '\x4a', '\x11', '\x85'}), "DUoRhQ==");
  EXPECT_EQ(Crc32("hello world"), 0x0d4a1185u);

  // Names are lowercased and values trimmed; the body may carry no trailer at all.
  result = DecodeAwsChunked("3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32C : abc= \r\n\r\n",
                            PayloadMode::kStreamingUnsignedTrailer, "", "", "", "", -1);
  ASSERT_TRUE(Accepted(result)) << result.message;
  ASSERT_EQ(result.trailers.size(), 1u);
  EXPECT_EQ(result.trailers[0].first, "x-amz-checksum-crc32c");
  EXPECT_EQ(result.trailers[0].second, "abc=");
  result = DecodeAwsChunked("0\r\n\r\n", PayloadMode::kStreamingUnsignedTrailer, "", "", "", "", 0);
  EXPECT_TRUE(Accepted(result)) << result.message;
  EXPECT_EQ(result.payload, "");

  for (std::string bad :
       {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32\r\n\r\n", "5\r\nhello\r\n0\r\n:value\r\n\r\n",
        "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n",
        "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ=="}) {
    ChunkedResult r =
        DecodeAwsChunked(bad, PayloadMode::kStreamingUnsignedTrailer, "", "", "", "", -1);
    EXPECT_TRUE(r.malformed) << bad;
  }
}

// Decodes `body` fed in pieces of `piece` bytes (a large upload read from the socket).
ChunkedResult DecodeInPieces(std::string_view body, size_t piece, PayloadMode mode,
                             std::string_view key, long long decoded_length) {
  AwsChunkedDecoder decoder(mode, std::string(key), std::string(kDate), std::string(kScope),
                            std::string(kSeed), decoded_length);
  std::string payload;
  bool ok = true;
  for (size_t at = 0; ok && at < body.size(); at += piece)
    ok = decoder.Feed(body.substr(at, piece), &payload);
  if (ok) decoder.Finish();
  ChunkedResult result = decoder.result();
  result.payload = payload;
  return result;
}

TEST(AwsChunkedDecoder, AnySplitOfTheBodyDecodesTheSame) {
  const std::string signed_body = SignedBody({"hello ", std::string(300, 'x'), "world"});
  const std::string expected = "hello " + std::string(300, 'x') + "world";
  for (size_t piece : {1, 2, 3, 7, 64, 100, 1000}) {
    ChunkedResult r = DecodeInPieces(signed_body, piece, PayloadMode::kStreamingSigned, DocKey(),
                                     static_cast<long long>(expected.size()));
    EXPECT_TRUE(Accepted(r)) << piece << " " << r.message;
    EXPECT_EQ(r.payload, expected) << piece;
  }
  for (size_t piece : {1, 5, 13}) {
    ChunkedResult r = DecodeInPieces(kSignedTrailerBody, piece,
                                     PayloadMode::kStreamingSignedTrailer, DocKey(), 11);
    EXPECT_TRUE(Accepted(r)) << piece << " " << r.message;
    EXPECT_EQ(r.payload, "hello world");
    ASSERT_EQ(r.trailers.size(), 1u);
    EXPECT_EQ(r.trailers[0].second, "DUoRhQ==");
  }
}

TEST(AwsChunkedDecoder, BadBodiesFailWhicheverWayTheyArrive) {
  const std::string body = SignedBody({"hello ", "world"});
  std::string tampered = body;
  tampered[tampered.find("world")] = 'W';
  for (size_t piece : {1, 4, 1000}) {
    EXPECT_EQ(
        DecodeInPieces(tampered, piece, PayloadMode::kStreamingSigned, DocKey(), -1).auth.failure,
        AuthFailure::kSignatureMismatch)
        << piece;
    for (size_t n = 0; n < body.size(); n += 9)
      EXPECT_FALSE(Accepted(
          DecodeInPieces(body.substr(0, n), piece, PayloadMode::kStreamingSigned, DocKey(), -1)))
          << piece << " " << n;
    EXPECT_TRUE(
        DecodeInPieces(body + "x", piece, PayloadMode::kStreamingSigned, DocKey(), -1).malformed);
    EXPECT_TRUE(DecodeInPieces(body, piece, PayloadMode::kStreamingSigned, DocKey(), 10).malformed);
  }
  // A header line that never ends is refused once it passes the line limit, not buffered.
  AwsChunkedDecoder decoder(PayloadMode::kStreamingUnsignedTrailer, "", "", "", "", -1);
  std::string out;
  bool ok = true;
  for (int i = 0; ok && i < 1000; ++i) ok = decoder.Feed(std::string(100, '1'), &out);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(decoder.result().malformed);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace nimbus::auth
