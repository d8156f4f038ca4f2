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
  std::string_view body;  // the body as received (used when the payload hash must be computed)
  // The body is not at hand (a large upload streamed to its handler): Verify neither hashes nor
  // checks it; the caller checks a signed payload's hash when the body has been read.
  bool body_streamed = false;
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
  kMalformed,            // Authorization present but unparsable (IncompleteSignature /
                         // AuthorizationHeaderMalformed)
  kSignatureMismatch,    // signature differs (SignatureDoesNotMatch)
  kRequestExpired,       // presigned URL past X-Amz-Expires (AccessDenied "Request has expired")
  kClockSkew,            // x-amz-date more than 15 minutes from now (RequestTimeTooSkewed /
                         // InvalidSignatureException)
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
// kMalformed (and returns nullopt) when a signature is present but malformed. Malformed covers:
// an Authorization scheme other than AWS4-HMAC-SHA256 (SigV2, SigV4a), missing Credential /
// SignedHeaders / Signature, a credential scope that is not AKID/YYYYMMDD/region/service/
// aws4_request, SignedHeaders without "host", no usable x-amz-date (or Date, also in RFC 1123
// form) header, a scope date other than the request date, an x-amz-content-sha256 that is
// none of the AWS forms, both a header and a presigned query, X-Amz-Expires outside 1..604800.
// `failure` may be null. Thread-safe (no state).
std::optional<SignatureInfo> ParseSignature(const RequestView& request, AuthResult* failure);

// Verifies `info` against `request` with `secret_access_key` at time `now`: canonical request,
// string to sign, signing key, then the date window (15 minutes of skew for header auth;
// X-Amz-Date + X-Amz-Expires for presigned). The payload hash is checked for kSigned.
// Order of failures: kMalformed (unusable `info`), kSignatureMismatch, kClockSkew or
// kRequestExpired (a presigned URL dated more than 15 minutes ahead is "not yet valid"),
// kContentHashMismatch. Payload hash signed: info.payload_hash when sent, else the body's
// SHA-256 for header auth; a presigned URL without x-amz-content-sha256 may have signed either
// UNSIGNED-PAYLOAD (S3 presigners) or the body's hash (botocore for other services), and both
// are accepted. Beyond the SDKs' canonical form (CanonicalRequest) it also accepts a path
// encoded once instead of as sent (S3) or twice (other services), and '+' in the query meaning
// a space, so that clients which read the specification differently still verify.
AuthResult Verify(const RequestView& request, const SignatureInfo& info,
                  std::string_view secret_access_key, Clock::TimePoint now);

// Building blocks, exposed for unit tests against the published AWS SigV4 test vectors.
//
// CanonicalRequest builds the form the SDKs sign. `service` (the credential-scope signing name)
// selects the canonical URI rule: for S3 ("s3", "s3express", "s3-object-lambda", "s3-outposts")
// the path is used as sent; for every other service it is normalized (empty and "." segments
// dropped, ".." resolved) and URI-encoded again, so "%3A" on the wire signs as "%253A". The query
// is decoded, re-encoded with the RFC 3986 unreserved set and sorted; `presigned` leaves out
// X-Amz-Signature. Headers are taken in the order of `signed_headers`.
std::string CanonicalRequest(const RequestView& request,
                             const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash, bool presigned,
                             std::string_view service = {});
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);  // raw bytes
std::string HexSignature(std::string_view signing_key, std::string_view string_to_sign);
// Compares two signatures in time independent of where they differ.
bool SignatureEquals(std::string_view a, std::string_view b);
// True for the signing names whose canonical URI is the path as sent (S3 and its variants).
bool IsS3SigningName(std::string_view service);

// Signs a request as an SDK would (adds nothing to the request; returns the Authorization
// header value). Used by tests and by nimbus's own internal callers.
std::string AuthorizationHeader(const RequestView& request, std::string_view access_key_id,
                                std::string_view secret, std::string_view amz_date,
                                std::string_view region, std::string_view service,
                                const std::vector<std::string>& signed_headers,
                                std::string_view payload_hash);

}  // namespace nimbus::auth
