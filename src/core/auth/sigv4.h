#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/clock.h"

namespace nimbus::auth {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // names lowercase

// What SigV4 needs from an HTTP request, independent of the HTTP stack.
struct RequestView {
  std::string_view method;
  std::string_view path;   // raw path as sent (still percent-encoded), without the query
  std::string_view query;  // raw query string without '?', may be empty
  const HeaderList* headers = nullptr;
  std::string_view body;   // the body as received (used when the payload hash must be computed)
};

// How the payload is covered by the signature (x-amz-content-sha256).
enum class PayloadMode {
  kSigned,                    // hex SHA-256 of the body, or absent (computed by the verifier)
  kUnsigned,                  // UNSIGNED-PAYLOAD
  kStreamingSigned,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD (aws-chunked, chunk signatures)
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

// The parsed signature of a request, from the Authorization header or a presigned query.
struct SignatureInfo {
  bool presigned = false;
  std::string access_key_id;
  std::string date;     // credential scope date, YYYYMMDD
  std::string region;   // credential scope region
  std::string service;  // credential scope service (signing name: "dynamodb", "s3", "execute-api")
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // hex
  std::string amz_date;                     // x-amz-date / X-Amz-Date, YYYYMMDDTHHMMSSZ
  long expires_seconds = 0;                 // presigned X-Amz-Expires
  std::string security_token;               // x-amz-security-token, if any
  PayloadMode payload_mode = PayloadMode::kSigned;
  std::string payload_hash;  // the x-amz-content-sha256 value as sent (may be empty)
};

enum class AuthFailure {
  kNone,
  kMalformed,          // Authorization present but unparsable (IncompleteSignature / AuthorizationHeaderMalformed)
  kSignatureMismatch,  // signature differs (SignatureDoesNotMatch)
  kRequestExpired,     // presigned URL past X-Amz-Expires (AccessDenied "Request has expired")
  kClockSkew,          // x-amz-date more than 15 minutes from now (RequestTimeTooSkewed / InvalidSignatureException)
  kContentHashMismatch,  // x-amz-content-sha256 does not match the body (XAmzContentSHA256Mismatch)
};

struct AuthResult {
  AuthFailure failure = AuthFailure::kNone;
  std::string message;  // AWS-style explanation for the error message
  bool ok() const { return failure == AuthFailure::kNone; }
};

// Parses the signature from `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...` or from X-Amz-Algorithm/X-Amz-Credential/... query parameters. Returns nullopt
// when the request carries no SigV4 signature at all (anonymous request); sets `*failure` to
// kMalformed (and returns nullopt) when a signature is present but malformed.
std::optional<SignatureInfo> ParseSignature(const RequestView& request, AuthResult* failure);

// Verifies `info` against `request` with `secret_access_key` at time `now`: canonical request,
// string to sign, signing key, then the date window (15 minutes of skew for header auth;
// X-Amz-Date + X-Amz-Expires for presigned). The payload hash is checked for kSigned.
AuthResult Verify(const RequestView& request, const SignatureInfo& info,
                  std::string_view secret_access_key, Clock::TimePoint now);

// Building blocks, exposed for unit tests against the published AWS SigV4 test vectors.
std::string CanonicalRequest(const RequestView& request, const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash, bool presigned);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);  // raw bytes
std::string HexSignature(std::string_view signing_key, std::string_view string_to_sign);

// Signs a request as an SDK would (adds nothing to the request; returns the Authorization
// header value). Used by tests and by nimbus's own internal callers.
std::string AuthorizationHeader(const RequestView& request, std::string_view access_key_id,
                                std::string_view secret, std::string_view amz_date,
                                std::string_view region, std::string_view service,
                                const std::vector<std::string>& signed_headers,
                                std::string_view payload_hash);

}  // namespace nimbus::auth
