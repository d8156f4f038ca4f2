#include "core/auth/sigv4.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth/sigv4_internal.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"

namespace nimbus::auth {

namespace internal {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

const std::string* FindHeader(const HeaderList* headers, std::string_view name) {
  if (headers == nullptr) return nullptr;
  for (const auto& [key, value] : *headers)
    if (EqualsIgnoreCase(key, name)) return &value;
  return nullptr;
}

std::string Scope(std::string_view date, std::string_view region, std::string_view service) {
  std::string scope;
  scope.reserve(date.size() + region.size() + service.size() + 16);
  scope.append(date).append("/").append(region).append("/").append(service);
  scope.append("/aws4_request");
  return scope;
}

}  // namespace internal

namespace {

using internal::EqualsIgnoreCase;

constexpr auto kMaxSkew = std::chrono::minutes(15);

constexpr std::string_view kMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// RFC 3986 section 5.2.4 plus the AWS rule that empty segments ("//") are dropped; the same
// normalization botocore (utils.remove_dot_segments) and the JS SDK v3 apply before signing.
std::string RemoveDotSegments(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(start, slash - start);
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!segment.empty() && segment != ".") {
      out.push_back(segment);
    }
    start = slash + 1;
  }
  std::string result = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result.append(out[i]);
  }
  if (path.back() == '/' && !out.empty()) result += '/';
  return result;
}

// Each '/'-separated segment decoded, then encoded once (what the SigV4 documentation describes
// for S3, and what a client that signs the decoded path produces).
std::string EncodeSegmentsOnce(std::string_view path) {
  std::string result;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    std::optional<std::string> decoded = UriDecode(segment);
    result += UriEncode(decoded ? std::string_view(*decoded) : segment);
    if (slash == std::string_view::npos) break;
    result += '/';
    start = slash + 1;
  }
  return result;
}

// The canonical URIs a client may have signed, the SDKs' form first.
std::vector<std::string> CanonicalUris(std::string_view path, std::string_view service) {
  std::vector<std::string> uris;
  if (IsS3SigningName(service)) {
    // botocore's S3SigV4Auth and the JS SDK's S3 signer use the path exactly as sent.
    uris.emplace_back(path.empty() ? std::string("/") : std::string(path));
    std::string once = path.empty() ? std::string("/") : EncodeSegmentsOnce(path);
    if (once != uris.front()) uris.push_back(std::move(once));
  } else {
    // botocore: quote(remove_dot_segments(path), safe='/~'), i.e. the already-encoded path is
    // encoded again ("double encoding").
    std::string normalized = RemoveDotSegments(path);
    uris.push_back(UriEncode(normalized, /*keep_slash=*/true));
    std::string once = EncodeSegmentsOnce(normalized);
    if (once != uris.front()) uris.push_back(std::move(once));
  }
  return uris;
}

std::string CanonicalQuery(std::string_view query, bool presigned, bool plus_as_space) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view piece = query.substr(start, amp - start);
    start = amp + 1;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view raw_name = piece.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);
    std::optional<std::string> name = UriDecode(raw_name, plus_as_space);
    std::optional<std::string> value = UriDecode(raw_value, plus_as_space);
    std::string_view n = name ? std::string_view(*name) : raw_name;
    std::string_view v = value ? std::string_view(*value) : raw_value;
    if (presigned && n == "X-Amz-Signature") continue;
    params.emplace_back(UriEncode(n), UriEncode(v));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

std::vector<std::string> CanonicalQueries(std::string_view query, bool presigned) {
  std::vector<std::string> queries{CanonicalQuery(query, presigned, false)};
  // A '+' is a literal plus to the SDKs (they send spaces as %20), but form-style clients mean a
  // space by it.
  if (query.find('+') != std::string_view::npos) {
    queries.push_back(CanonicalQuery(query, presigned, true));
  }
  return queries;
}

// Trimall from the SigV4 documentation, as the SDKs implement it (botocore: ' '.join(v.split())):
// leading/trailing whitespace removed, inner runs of whitespace collapsed to one space.
void AppendTrimmed(std::string_view value, std::string* out) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  bool pending_space = false, any = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) *out += ' ';
    pending_space = false;
    any = true;
    *out += c;
  }
}

std::string CanonicalHeaders(const HeaderList* headers,
                             const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    out.append(name).append(":");
    bool first = true;
    if (headers != nullptr) {
      for (const auto& [key, value] : *headers) {
        if (!EqualsIgnoreCase(key, name)) continue;
        if (!first) out += ',';
        first = false;
        AppendTrimmed(value, &out);
      }
    }
    out += '\n';
  }
  return out;
}

std::string JoinSignedHeaders(const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string AssembleCanonicalRequest(std::string_view method, std::string_view uri,
                                     std::string_view query, std::string_view headers,
                                     std::string_view signed_headers,
                                     std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + uri.size() + query.size() + headers.size() + signed_headers.size() +
              payload_hash.size() + 8);
  out.append(method).append("\n").append(uri).append("\n").append(query).append("\n");
  out.append(headers).append("\n").append(signed_headers).append("\n").append(payload_hash);
  return out;
}

AuthResult Failure(AuthFailure failure, std::string message) {
  return AuthResult{failure, std::move(message)};
}

AuthResult CheckDateWindow(const SignatureInfo& info, Clock::TimePoint signed_at,
                           Clock::TimePoint now) {
  if (info.presigned) {
    if (signed_at > now + kMaxSkew) {
      return Failure(AuthFailure::kRequestExpired, "Request is not yet valid");
    }
    if (now > signed_at + std::chrono::seconds(info.expires_seconds)) {
      return Failure(AuthFailure::kRequestExpired, "Request has expired");
    }
    return {};
  }
  // Wording of the AWS JSON/query services (InvalidSignatureException / SignatureDoesNotMatch).
  if (signed_at < now - kMaxSkew) {
    return Failure(AuthFailure::kClockSkew,
                   "Signature expired: " + info.amz_date + " is now earlier than " +
                       FormatAmzDate(now - kMaxSkew) + " (" + FormatAmzDate(now) + " - 15 min.)");
  }
  if (signed_at > now + kMaxSkew) {
    return Failure(AuthFailure::kClockSkew,
                   "Signature not yet current: " + info.amz_date + " is still later than " +
                       FormatAmzDate(now + kMaxSkew) + " (" + FormatAmzDate(now) + " + 15 min.)");
  }
  return {};
}

}  // namespace

bool IsS3SigningName(std::string_view service) {
  return service == "s3" || service == "s3express" || service == "s3-object-lambda" ||
         service == "s3-outposts";
}

bool SignatureEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string CanonicalRequest(const RequestView& request,
                             const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash, bool presigned,
                             std::string_view service) {
  return AssembleCanonicalRequest(request.method, CanonicalUris(request.path, service).front(),
                                  CanonicalQuery(request.query, presigned, false),
                                  CanonicalHeaders(request.headers, signed_headers),
                                  JoinSignedHeaders(signed_headers), payload_hash);
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(internal::kAlgorithm);
  out.append("\n").append(amz_date).append("\n").append(scope).append("\n");
  out += HexEncode(Sha256(canonical_request));
  return out;
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = "AWS4";
  key.append(secret);
  std::string k_date = HmacSha256(key, date);
  std::string k_region = HmacSha256(k_date, region);
  std::string k_service = HmacSha256(k_region, service);
  return HmacSha256(k_service, "aws4_request");
}

std::string HexSignature(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

AuthResult Verify(const RequestView& request, const SignatureInfo& info,
                  std::string_view secret_access_key, Clock::TimePoint now) {
  Clock::TimePoint signed_at;
  if (!ParseAmzDate(info.amz_date, &signed_at)) {
    return Failure(AuthFailure::kMalformed,
                   "AWS authentication requires a valid Date or x-amz-date header");
  }
  if (info.presigned && (info.expires_seconds < 1 || info.expires_seconds > 604800)) {
    return Failure(AuthFailure::kMalformed,
                   "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }

  // The payload hash the client put in its canonical request. Without x-amz-content-sha256 a
  // header-signed request covers the body; a presigned S3 URL signs UNSIGNED-PAYLOAD while
  // botocore's SigV4QueryAuth for other services (STS, RDS tokens) signs the body's hash.
  std::vector<std::string> payload_hashes;
  std::string body_hash;
  auto get_body_hash = [&]() -> const std::string& {
    if (body_hash.empty()) body_hash = HexEncode(Sha256(request.body));
    return body_hash;
  };
  if (!info.payload_hash.empty()) {
    payload_hashes.push_back(info.payload_hash);
  } else if (info.presigned && IsS3SigningName(info.service)) {
    payload_hashes = {std::string(internal::kUnsignedPayload)};
    if (!request.body_streamed) payload_hashes.push_back(get_body_hash());
  } else if (info.presigned) {
    payload_hashes = {get_body_hash(), std::string(internal::kUnsignedPayload)};
  } else {
    payload_hashes.push_back(get_body_hash());
  }

  const std::string key = SigningKey(secret_access_key, info.date, info.region, info.service);
  const std::string scope = internal::Scope(info.date, info.region, info.service);
  const std::string headers = CanonicalHeaders(request.headers, info.signed_headers);
  const std::string signed_headers = JoinSignedHeaders(info.signed_headers);
  const std::string provided = internal::ToLower(info.signature);

  // The SDKs' canonical form first; the alternatives cover clients that encode the path once or
  // send '+' for a space, and cost nothing for requests that verify on the first try.
  bool matched = false;
  for (const std::string& uri : CanonicalUris(request.path, info.service)) {
    for (const std::string& query : CanonicalQueries(request.query, info.presigned)) {
      for (const std::string& payload_hash : payload_hashes) {
        std::string canonical = AssembleCanonicalRequest(request.method, uri, query, headers,
                                                         signed_headers, payload_hash);
        if (SignatureEquals(HexSignature(key, StringToSign(info.amz_date, scope, canonical)),
                            provided)) {
          matched = true;
          break;
        }
      }
      if (matched) break;
    }
    if (matched) break;
  }
  if (!matched) return Failure(AuthFailure::kSignatureMismatch, std::string(kMismatchMessage));

  if (AuthResult window = CheckDateWindow(info, signed_at, now); !window.ok()) return window;

  if (info.payload_mode == PayloadMode::kSigned && !info.payload_hash.empty() &&
      !request.body_streamed && !EqualsIgnoreCase(info.payload_hash, get_body_hash())) {
    return Failure(AuthFailure::kContentHashMismatch,
                   "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return {};
}

std::string AuthorizationHeader(const RequestView& request, std::string_view access_key_id,
                                std::string_view secret, std::string_view amz_date,
                                std::string_view region, std::string_view service,
                                const std::vector<std::string>& signed_headers,
                                std::string_view payload_hash) {
  // As the SDKs do: header names lowercase, sorted, each once.
  std::vector<std::string> names;
  names.reserve(signed_headers.size());
  for (const std::string& name : signed_headers) names.push_back(internal::ToLower(name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::string_view date = amz_date.substr(0, 8);
  std::string canonical = CanonicalRequest(request, names, payload_hash, false, service);
  std::string signature =
      HexSignature(SigningKey(secret, date, region, service),
                   StringToSign(amz_date, internal::Scope(date, region, service), canonical));
  std::string out(internal::kAlgorithm);
  out.append(" Credential=").append(access_key_id).append("/");
  out.append(internal::Scope(date, region, service));
  out.append(", SignedHeaders=").append(JoinSignedHeaders(names));
  out.append(", Signature=").append(signature);
  return out;
}

}  // namespace nimbus::auth
