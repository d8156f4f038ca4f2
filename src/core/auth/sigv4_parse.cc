// ParseSignature: the SigV4 signature of a request, from the Authorization header or from a
// presigned query string. Messages follow the wording AWS answers with.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth/sigv4.h"
#include "core/auth/sigv4_internal.h"
#include "core/common/clock.h"
#include "core/common/encoding.h"

namespace nimbus::auth {

namespace {

using internal::EqualsIgnoreCase;

// Larger values are not something an SDK sends; refusing them bounds the work per request.
constexpr size_t kMaxAuthorizationSize = 16 * 1024;
constexpr size_t kMaxSignedHeaders = 128;
constexpr long kMaxPresignExpires = 604800;  // one week

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Truncated(std::string_view s) {
  constexpr size_t kMax = 512;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

std::optional<SignatureInfo> Fail(AuthResult* failure, std::string message) {
  if (failure != nullptr) *failure = AuthResult{AuthFailure::kMalformed, std::move(message)};
  return std::nullopt;
}

// Decoded query parameters, in order.
std::vector<std::pair<std::string, std::string>> QueryParams(std::string_view query) {
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
    std::optional<std::string> name = UriDecode(raw_name);
    std::optional<std::string> value = UriDecode(raw_value);
    params.emplace_back(name ? std::move(*name) : std::string(raw_name),
                        value ? std::move(*value) : std::string(raw_value));
  }
  return params;
}

const std::string* FindParam(const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view name) {
  for (const auto& [key, value] : params)
    if (key == name) return &value;
  return nullptr;
}

// "AKID/20150830/us-east-1/service/aws4_request" into `info`; an error message on failure.
std::optional<std::string> ParseCredential(std::string_view credential, SignatureInfo* info) {
  // Split from the right: date, region, service and terminator never contain '/'.
  std::string_view rest = credential;
  std::string_view parts[4];
  for (int i = 3; i >= 0; --i) {
    size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) {
      return "Credential should be scoped to a valid region, not '" + Truncated(credential) + "'. ";
    }
    parts[i] = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (parts[3] != "aws4_request") {
    return "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
           Truncated(parts[3]) + "'. ";
  }
  if (rest.empty())
    return std::string(
        "a non-empty Access Key (AKID) must be provided in the "
        "credential.");
  if (parts[0].size() != 8 ||
      !std::all_of(parts[0].begin(), parts[0].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "Invalid credential date \"" + Truncated(parts[0]) + "\". ";
  }
  if (parts[1].empty()) return std::string("Credential should be scoped to a valid region. ");
  if (parts[2].empty()) return std::string("Credential should be scoped to correct service. ");
  info->access_key_id = std::string(rest);
  info->date = std::string(parts[0]);
  info->region = std::string(parts[1]);
  info->service = std::string(parts[2]);
  return std::nullopt;
}

// "host;x-amz-date" into `info`; an error message on failure.
std::optional<std::string> ParseSignedHeaders(std::string_view list, SignatureInfo* info) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t semi = list.find(';', start);
    if (semi == std::string_view::npos) semi = list.size();
    std::string_view name = Trim(list.substr(start, semi - start));
    start = semi + 1;
    if (name.empty()) return std::string("SignedHeaders contains an empty header name. ");
    if (info->signed_headers.size() == kMaxSignedHeaders) {
      return std::string("SignedHeaders lists too many headers. ");
    }
    info->signed_headers.push_back(internal::ToLower(name));
  }
  bool has_host = false;
  for (const std::string& name : info->signed_headers) has_host |= name == "host";
  if (!has_host) {
    return std::string(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
        "Authorization. ");
  }
  return std::nullopt;
}

std::optional<PayloadMode> PayloadModeOf(std::string_view value) {
  if (value == internal::kUnsignedPayload) return PayloadMode::kUnsigned;
  if (value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") return PayloadMode::kStreamingSigned;
  if (value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
    return PayloadMode::kStreamingSignedTrailer;
  }
  if (value == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") return PayloadMode::kStreamingUnsignedTrailer;
  if (value.size() == 64 && internal::IsHex(value)) return PayloadMode::kSigned;
  return std::nullopt;
}

// Sets payload_hash/payload_mode from an x-amz-content-sha256 value; false if it is none of the
// forms AWS accepts.
bool SetPayload(std::string_view value, SignatureInfo* info) {
  std::optional<PayloadMode> mode = PayloadModeOf(value);
  if (!mode) return false;
  info->payload_hash = std::string(value);
  info->payload_mode = *mode;
  return true;
}

constexpr std::string_view kBadContentSha256 =
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid "
    "sha256 value.";

// The request time from x-amz-date, or failing that the Date header (basic ISO 8601, RFC 1123 or
// extended ISO 8601), as YYYYMMDDTHHMMSSZ.
std::optional<std::string> RequestDate(const HeaderList* headers, bool* present) {
  *present = true;
  if (const std::string* amz_date = internal::FindHeader(headers, "x-amz-date")) {
    Clock::TimePoint tp;
    if (!ParseAmzDate(Trim(*amz_date), &tp)) return std::nullopt;
    return std::string(Trim(*amz_date));
  }
  const std::string* date = internal::FindHeader(headers, "date");
  if (date == nullptr) {
    *present = false;
    return std::nullopt;
  }
  std::string_view text = Trim(*date);
  Clock::TimePoint tp;
  if (ParseAmzDate(text, &tp)) return std::string(text);
  std::string http_date(text);
  // email.utils.formatdate (botocore) writes "-0000" where RFC 7231 writes "GMT".
  if (http_date.size() == 31 && (http_date.ends_with(" -0000") || http_date.ends_with(" +0000"))) {
    http_date.replace(http_date.size() - 6, 6, " GMT");
  }
  double seconds = 0;
  if (ParseHttpDate(http_date, &seconds) || ParseIso8601(text, &seconds)) {
    return FormatAmzDate(Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(
        std::chrono::duration<double>(seconds))));
  }
  return std::nullopt;
}

std::optional<std::string> CheckScopeDate(const SignatureInfo& info) {
  if (info.amz_date.compare(0, 8, info.date) == 0) return std::nullopt;
  return "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
         "HTTP: '" +
         info.date + "' != '" + info.amz_date.substr(0, 8) + "', from '" + info.amz_date + "'.";
}

std::optional<SignatureInfo> ParseHeader(const RequestView& request, std::string_view header,
                                         AuthResult* failure) {
  if (header.size() > kMaxAuthorizationSize) {
    return Fail(failure, "The Authorization header is too long.");
  }
  std::string_view text = Trim(header);
  if (!text.starts_with(internal::kAlgorithm) ||
      (text.size() > internal::kAlgorithm.size() && text[internal::kAlgorithm.size()] != ' ')) {
    return Fail(failure,
                "The authorization mechanism you have provided is not supported. Please use "
                "AWS4-HMAC-SHA256.");
  }
  text.remove_prefix(internal::kAlgorithm.size());

  std::optional<std::string_view> credential, signed_headers, signature;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view pair = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Fail(failure, "'" + Truncated(pair) +
                               "' not a valid key=value pair (missing equal-sign) in "
                               "Authorization header: '" +
                               Truncated(header) + "'.");
    }
    std::string_view key = Trim(pair.substr(0, eq));
    std::string_view value = Trim(pair.substr(eq + 1));
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") signed_headers = value;
    if (key == "Signature") signature = value;
  }
  if (!credential || !signed_headers || !signature || signature->empty()) {
    std::string message;
    if (!credential) message += "Authorization header requires 'Credential' parameter. ";
    if (!signature || signature->empty()) {
      message += "Authorization header requires 'Signature' parameter. ";
    }
    if (!signed_headers) message += "Authorization header requires 'SignedHeaders' parameter. ";
    return Fail(failure, message + "Authorization=" + Truncated(header));
  }

  SignatureInfo info;
  if (auto error = ParseCredential(*credential, &info)) {
    return Fail(failure, "The authorization header is malformed; " + *error);
  }
  if (auto error = ParseSignedHeaders(*signed_headers, &info)) return Fail(failure, *error);
  info.signature = std::string(*signature);

  bool date_present = false;
  std::optional<std::string> amz_date = RequestDate(request.headers, &date_present);
  if (!date_present) {
    return Fail(failure,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header. Authorization=" +
                    Truncated(header));
  }
  if (!amz_date)
    return Fail(failure, "AWS authentication requires a valid Date or x-amz-date header");
  info.amz_date = std::move(*amz_date);
  if (auto error = CheckScopeDate(info)) return Fail(failure, *error);

  if (const std::string* token = internal::FindHeader(request.headers, "x-amz-security-token")) {
    info.security_token = *token;
  }
  if (const std::string* sha = internal::FindHeader(request.headers, "x-amz-content-sha256")) {
    if (!SetPayload(Trim(*sha), &info)) return Fail(failure, std::string(kBadContentSha256));
  }
  return info;
}

std::optional<SignatureInfo> ParsePresigned(
    const RequestView& request, const std::vector<std::pair<std::string, std::string>>& params,
    AuthResult* failure) {
  const std::string* algorithm = FindParam(params, "X-Amz-Algorithm");
  const std::string* credential = FindParam(params, "X-Amz-Credential");
  const std::string* signature = FindParam(params, "X-Amz-Signature");
  const std::string* date = FindParam(params, "X-Amz-Date");
  const std::string* signed_headers = FindParam(params, "X-Amz-SignedHeaders");
  const std::string* expires = FindParam(params, "X-Amz-Expires");
  if (!algorithm || !credential || !signature || !date || !signed_headers || !expires ||
      signature->empty()) {
    return Fail(failure,
                "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                "X-Amz-Expires parameters.");
  }
  if (*algorithm != internal::kAlgorithm) {
    return Fail(failure, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  SignatureInfo info;
  info.presigned = true;
  if (auto error = ParseCredential(*credential, &info)) {
    return Fail(failure, "Error parsing the X-Amz-Credential parameter; " + *error);
  }
  if (auto error = ParseSignedHeaders(*signed_headers, &info)) return Fail(failure, *error);
  info.signature = *signature;

  Clock::TimePoint tp;
  if (!ParseAmzDate(*date, &tp)) {
    return Fail(failure, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  info.amz_date = *date;
  if (auto error = CheckScopeDate(info)) return Fail(failure, *error);

  long seconds = 0;
  auto [end, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
  if (ec != std::errc() || end != expires->data() + expires->size() || expires->empty()) {
    return Fail(failure, "X-Amz-Expires should be a number");
  }
  if (seconds < 0) return Fail(failure, "X-Amz-Expires must be non-negative");
  if (seconds == 0) return Fail(failure, "X-Amz-Expires must be at least 1 second");
  if (seconds > kMaxPresignExpires) {
    return Fail(failure, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  info.expires_seconds = seconds;

  if (const std::string* token = FindParam(params, "X-Amz-Security-Token")) {
    info.security_token = *token;
  } else if (const std::string* header =
                 internal::FindHeader(request.headers, "x-amz-security-token")) {
    info.security_token = *header;
  }
  // A presigned URL covers no body unless the client signed x-amz-content-sha256 itself.
  info.payload_mode = PayloadMode::kUnsigned;
  const std::string* sha = FindParam(params, "X-Amz-Content-Sha256");
  if (sha == nullptr) {
    for (const std::string& name : info.signed_headers) {
      if (name == "x-amz-content-sha256") {
        sha = internal::FindHeader(request.headers, "x-amz-content-sha256");
      }
    }
  }
  if (sha != nullptr && !SetPayload(Trim(*sha), &info)) {
    return Fail(failure, std::string(kBadContentSha256));
  }
  return info;
}

}  // namespace

std::optional<SignatureInfo> ParseSignature(const RequestView& request, AuthResult* failure) {
  if (failure != nullptr) *failure = AuthResult{};
  const std::string* authorization = internal::FindHeader(request.headers, "authorization");
  std::vector<std::pair<std::string, std::string>> params;
  bool presigned = false;
  // Cheap test first: most requests carry no X-Amz- query parameters at all.
  if (request.query.find("X-Amz-") != std::string_view::npos ||
      request.query.find('%') != std::string_view::npos) {
    params = QueryParams(request.query);
    presigned = FindParam(params, "X-Amz-Algorithm") || FindParam(params, "X-Amz-Credential") ||
                FindParam(params, "X-Amz-Signature");
  }
  if (presigned && authorization != nullptr) {
    return Fail(failure,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be "
                "specified");
  }
  if (presigned) return ParsePresigned(request, params, failure);
  if (authorization != nullptr) return ParseHeader(request, *authorization, failure);
  return std::nullopt;
}

}  // namespace nimbus::auth
