#include "services/execute_api/iam_auth.h"

#include <boost/json.hpp>
#include <cctype>
#include <chrono>

#include "core/auth/credentials.h"
#include "core/auth/sigv4.h"
#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"

namespace nimbus::execute_api {

namespace {

// API Gateway accepts a header signature dated within 5 minutes of its clock ("Signature
// expired: ... (... - 5 min.)"), where AWS APIs allow 15.
constexpr auto kMaxSkew = std::chrono::minutes(5);

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

IamAuthentication Refuse(std::string message, std::string_view error_type,
                         std::string_view response_type, bool missing = false) {
  IamAuthentication out;
  out.refusal = IamRefusal{missing, std::move(message), std::string(error_type), response_type};
  return out;
}

bool IsTwelveDigits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// As API Gateway words a mismatch: the canonical request and string to sign it computed (the
// SDKs' form).
std::string MismatchMessage(const auth::RequestView& view, const auth::SignatureInfo& sig) {
  std::string payload_hash;
  if (sig.payload_mode == auth::PayloadMode::kUnsigned)
    payload_hash = "UNSIGNED-PAYLOAD";
  else if (!sig.payload_hash.empty())
    payload_hash = sig.payload_hash;
  else
    payload_hash = HexEncode(Sha256(view.body));
  std::string canonical =
      auth::CanonicalRequest(view, sig.signed_headers, payload_hash, sig.presigned, sig.service);
  std::string scope = sig.date + "/" + sig.region + "/" + sig.service + "/aws4_request";
  return std::string(kMismatch) + "\n\nThe Canonical String for this request should have been\n'" +
         canonical + "'\n\nThe String-to-Sign should have been\n'" +
         auth::StringToSign(sig.amz_date, scope, canonical) + "'\n";
}

// The 5-minute window of a header signature; nullopt when inside it.
std::optional<std::string> SkewMessage(const auth::SignatureInfo& sig, Clock::TimePoint now) {
  Clock::TimePoint signed_at;
  if (!ParseAmzDate(sig.amz_date, &signed_at)) return std::nullopt;  // the parser checked it
  if (signed_at < now - kMaxSkew)
    return "Signature expired: " + sig.amz_date + " is now earlier than " +
           FormatAmzDate(now - kMaxSkew) + " (" + FormatAmzDate(now) + " - 5 min.)";
  if (signed_at > now + kMaxSkew)
    return "Signature not yet current: " + sig.amz_date + " is still later than " +
           FormatAmzDate(now + kMaxSkew) + " (" + FormatAmzDate(now) + " + 5 min.)";
  return std::nullopt;
}

}  // namespace

IamAuthentication AuthenticateIam(ServiceEnv& env, const http::Request& request) {
  // The request as the client signed it: the URL it asked for (the stage and any
  // /_aws/execute-api/<id> prefix included) and the Host it named.
  auth::RequestView view{request.method, request.path, request.query, &request.headers,
                         request.body};
  auth::AuthResult parse_failure;
  auto sig = auth::ParseSignature(view, &parse_failure);
  if (!parse_failure.ok())
    return Refuse(parse_failure.message, "IncompleteSignatureException", "INVALID_SIGNATURE");
  if (!sig)
    return Refuse("Missing Authentication Token", "MissingAuthenticationTokenException",
                  "MISSING_AUTHENTICATION_TOKEN", true);
  if (sig->service != "execute-api")
    return Refuse("Credential should be scoped to correct service: 'execute-api'. ",
                  "InvalidSignatureException", "INVALID_SIGNATURE");

  const bool strict = env.config && env.config->strict_auth;
  std::optional<auth::Credential> cred;
  if (env.credentials) cred = env.credentials->Find(sig->access_key_id);
  if (strict) {
    if (!cred)
      return Refuse("The security token included in the request is invalid.",
                    "AccessDeniedException", "ACCESS_DENIED");
    // As the router: a header signature's date is the client's real clock (which tests do not
    // move), a presigned URL's lifetime an expiry like any other.
    Clock::TimePoint now = sig->presigned ? env.clock->Now() : std::chrono::system_clock::now();
    auto verdict = auth::Verify(view, *sig, cred->secret_access_key, now);
    switch (verdict.failure) {
      case auth::AuthFailure::kNone:
      case auth::AuthFailure::kClockSkew:
        if (!sig->presigned)
          if (auto skew = SkewMessage(*sig, now))
            return Refuse(std::move(*skew), "InvalidSignatureException", "EXPIRED_TOKEN");
        break;
      case auth::AuthFailure::kSignatureMismatch:
        return Refuse(MismatchMessage(view, *sig), "InvalidSignatureException",
                      "INVALID_SIGNATURE");
      case auth::AuthFailure::kRequestExpired:
        return Refuse(verdict.message, "AccessDeniedException", "EXPIRED_TOKEN");
      case auth::AuthFailure::kMalformed:
        return Refuse(verdict.message, "IncompleteSignatureException", "INVALID_SIGNATURE");
      case auth::AuthFailure::kContentHashMismatch:
        return Refuse(verdict.message.empty()
                          ? std::string("The provided 'x-amz-content-sha256' header does not "
                                        "match what was computed.")
                          : verdict.message,
                      "InvalidSignatureException", "INVALID_SIGNATURE");
    }
    if (cred->expires_at > 0 && env.clock->NowSeconds() >= cred->expires_at)
      return Refuse("The security token included in the request is expired",
                    "ExpiredTokenException", "EXPIRED_TOKEN");
  }

  IamCaller caller;
  caller.access_key_id = sig->access_key_id;
  if (cred) {
    caller.account_id = cred->account_id;
    caller.arn = cred->principal_arn;
    caller.user_id = cred->user_id;
  } else if (IsTwelveDigits(sig->access_key_id)) {
    caller.account_id = sig->access_key_id;
  } else {
    caller.account_id = env.config ? env.config->account : "000000000000";
  }
  if (caller.arn.empty()) caller.arn = "arn:aws:iam::" + caller.account_id + ":root";
  if (caller.user_id.empty()) caller.user_id = caller.account_id;
  IamAuthentication out;
  out.caller = std::move(caller);
  return out;
}

json::object IamIdentity(const IamCaller& caller) {
  return json::object{{"accessKey", caller.access_key_id},
                      {"accountId", caller.account_id},
                      {"caller", caller.user_id},
                      {"user", caller.user_id},
                      {"userArn", caller.arn}};
}

json::object IamAuthorizerV2(const IamCaller& caller) {
  return json::object{{"iam", json::object{{"accessKey", caller.access_key_id},
                                           {"accountId", caller.account_id},
                                           {"callerId", caller.user_id},
                                           {"cognitoIdentity", nullptr},
                                           {"principalOrgId", nullptr},
                                           {"userArn", caller.arn},
                                           {"userId", caller.user_id}}}};
}

}  // namespace nimbus::execute_api
