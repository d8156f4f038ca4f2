#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth/sigv4.h"

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

}  // namespace nimbus::auth
