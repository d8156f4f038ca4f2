#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth/sigv4.h"
#include "core/common/hashing.h"

namespace nimbus::auth {

// Decodes an `aws-chunked` body (Content-Encoding: aws-chunked; x-amz-content-sha256 one of the
// STREAMING-* modes):
//   <hex-size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n
//   [<trailer-name>:<value>\r\n ...][x-amz-trailer-signature:<sig>\r\n]\r\n
// For signed modes each chunk signature is verified against the previous one, starting from the
// request's seed signature, with the request's signing key and scope:
//   AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<previous>\n<sha256("")>\n<sha256(chunk)>
// and in the signed-trailer mode the trailer signature chains from the final (empty) chunk's:
//   AWS4-HMAC-SHA256-TRAILER\n<amz_date>\n<scope>\n<previous>\n<sha256("name:value\n"...)>
struct ChunkedResult {
  AuthResult auth;         // kSignatureMismatch on a bad chunk/trailer signature, else ok
  bool malformed = false;  // framing error (truncated body, bad size, missing CRLF, length);
                           // check both: a malformed body leaves `auth` ok
  std::string message;     // what went wrong, for the error response
  std::string payload;     // the decoded bytes
  // Trailing headers in the order sent, lowercase names, trimmed values (e.g.
  // x-amz-checksum-crc32); x-amz-trailer-signature is checked, not returned.
  std::vector<std::pair<std::string, std::string>> trailers;
};

// `signing_key` (raw bytes, see SigningKey) may be empty: signatures are then not checked, which
// is what the unsigned-trailer mode needs and what a permissive server without the secret does;
// chunk-signature extensions are still required in the signed modes. `scope` is
// "date/region/service/aws4_request"; `amz_date` is the request's x-amz-date.
// `decoded_length` is x-amz-decoded-content-length when sent (-1 if absent) and is checked.
// Never reads outside `body`; a non-streaming `mode` is reported as malformed.
ChunkedResult DecodeAwsChunked(std::string_view body, PayloadMode mode,
                               std::string_view signing_key, std::string_view amz_date,
                               std::string_view scope, std::string_view seed_signature,
                               long long decoded_length);

// The same decoding for a body that arrives in pieces (large S3 uploads, never whole in memory):
// Feed each piece as it comes, then Finish once the body has ended. Arguments as for
// DecodeAwsChunked. A chunk's bytes are passed on before its signature (which follows them) is
// checked, so a caller must not act on the payload before Finish succeeds. Not thread-safe.
class AwsChunkedDecoder {
 public:
  AwsChunkedDecoder(PayloadMode mode, std::string signing_key, std::string amz_date,
                    std::string scope, std::string seed_signature, long long decoded_length);
  ~AwsChunkedDecoder();
  AwsChunkedDecoder(const AwsChunkedDecoder&) = delete;
  AwsChunkedDecoder& operator=(const AwsChunkedDecoder&) = delete;

  // Decodes `in`, appending the payload bytes it holds to `*out`. False once the body is known
  // to be bad (result() says how); every later call then returns false.
  bool Feed(std::string_view in, std::string* out);
  // The body has ended: false unless it ended right after the final chunk's trailing section.
  bool Finish();
  // auth, malformed, message and trailers as DecodeAwsChunked reports them (payload unused).
  const ChunkedResult& result() const { return result_; }
  ChunkedResult& result() { return result_; }
  // Payload bytes passed on so far.
  uint64_t decoded() const { return decoded_; }

 private:
  enum class State { kHeader, kData, kDataEnd, kTrailer, kDone, kFailed };
  bool Fail(std::string message);
  bool Mismatch();
  bool OnHeader(std::string_view line);
  bool OnChunkEnd();
  bool OnTrailer(std::string_view line);

  PayloadMode mode_;
  std::string signing_key_, amz_date_, scope_, previous_;
  long long decoded_length_;
  bool signed_chunks_, with_trailer_, check_;
  State state_ = State::kHeader;
  std::string line_;        // the header or trailer line (or data CRLF) being gathered
  uint64_t remaining_ = 0;  // data bytes of the current chunk still to come
  uint64_t decoded_ = 0;
  std::string chunk_signature_;  // of the current chunk, lowercase
  std::unique_ptr<Sha256Stream> chunk_hash_;
  std::optional<std::string> trailer_signature_;
  ChunkedResult result_;
};

}  // namespace nimbus::auth
