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
// request's seed signature, with the request's signing key and scope.
struct ChunkedResult {
  AuthResult auth;           // kSignatureMismatch on a bad chunk/trailer signature
  bool malformed = false;    // framing error (truncated body, bad size, missing CRLF)
  std::string message;
  std::string payload;       // the decoded bytes
  std::vector<std::pair<std::string, std::string>> trailers;  // lowercase names, e.g. x-amz-checksum-crc32
};

// `signing_key` may be empty for the unsigned-trailer mode (and is then not checked);
// `decoded_length` is x-amz-decoded-content-length when sent (-1 if absent) and is checked.
ChunkedResult DecodeAwsChunked(std::string_view body, PayloadMode mode,
                               std::string_view signing_key, std::string_view amz_date,
                               std::string_view scope, std::string_view seed_signature,
                               long long decoded_length);

}  // namespace nimbus::auth
