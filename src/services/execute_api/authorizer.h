#pragma once

// Authorizers of API Gateway, shared by HTTP APIs (apigatewayv2: JWT and Lambda REQUEST
// authorizers) and REST APIs (apigateway: Lambda TOKEN and REQUEST authorizers): JWT checks
// (developer guide, "Control access to HTTP APIs with JWT authorizers"), the JWKS of an issuer,
// the IAM policies Lambda authorizers answer and the cache of their results.
//
// Every function here is safe to call from any server thread; none throws on hostile input.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/task.h"
#include "core/router/service.h"

namespace nimbus::execute_api {

// ---- JSON Web Tokens ----

// base64url without padding (RFC 7515 §2); nullopt on characters outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// A compact JWS "<header>.<payload>.<signature>" taken apart: nullopt when it is not three
// base64url parts whose first two are JSON objects.
struct Jwt {
  json::object header;
  json::object claims;
  std::string signing_input;  // "<header>.<payload>" as sent
  std::string signature;      // raw bytes
};
std::optional<Jwt> ParseJwt(std::string_view token);

// True when `signature` is an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `data` by the
// RSA public key of `jwk` ({"kty":"RSA","n":...,"e":...}); false for any other key or failure.
bool VerifyRs256(std::string_view data, std::string_view signature, const json::object& jwk);

enum class Verdict { kAllow, kUnauthorized, kForbidden };

// What a JWT authorizer requires of a token's claims.
struct JwtRules {
  std::string issuer;
  std::vector<std::string> audiences;
  std::vector<std::string> scopes;  // the route's AuthorizationScopes (any one suffices)
  int64_t now_seconds = 0;
};

struct JwtOutcome {
  Verdict verdict = Verdict::kUnauthorized;
  // error_description of the www-authenticate header ("the token has expired"); empty when the
  // answer carries none.
  std::string description;
  json::object claims;
  std::vector<std::string> scopes;  // the token's (scope or scp claim)
};

// The claim checks after the signature: iss, aud (else client_id), exp, nbf and iat (a minute
// of leeway), then scopes (kForbidden when the route wants scopes the token lacks).
JwtOutcome CheckJwtClaims(const json::object& claims, const JwtRules& rules);

// The scopes a token grants: the space-separated "scope" claim or the "scp" claim (a list or a
// space-separated string).
std::vector<std::string> TokenScopes(const json::object& claims);

// The signing keys of issuers, from "<issuer>/.well-known/openid-configuration" → jwks_uri,
// kept an hour; an unknown kid refetches, and an issuer that could not be reached is asked
// again, at most every 10 seconds per issuer.
class JwksCache {
 public:
  // The JWK of `issuer` with `kid` (the first RSA key when `kid` is empty and the set holds
  // one), or nullopt when the issuer cannot be reached or has no such key.
  Task<std::optional<json::object>> Key(std::string issuer, std::string kid, int64_t now_ms);
  void Clear();

 private:
  struct Entry {
    json::array keys;
    int64_t fetched_ms = 0;
  };
  std::optional<json::object> Find(const std::string& issuer, const std::string& kid,
                                   int64_t now_ms, bool* stale);
  void Remember(const std::string& issuer, json::array keys, int64_t now_ms);
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// A JWT authorizer from token to verdict: `value` is the identity source's value ("Bearer
// <token>" or the bare token); the signature must be RS256 by a key of the issuer's JWKS.
Task<JwtOutcome> AuthorizeJwt(JwksCache& jwks, std::string_view value, const JwtRules& rules,
                              int64_t now_ms);

// The claims as HTTP APIs hand them to integrations: strings, numbers and booleans as strings,
// lists as "[a b c]", objects as JSON text.
json::object StringClaims(const json::object& claims);

// ---- Lambda authorizers ----

// The effect an IAM policy document ({"Statement": [...]}) gives execute-api:Invoke on `arn`:
// an explicit Deny wins over an Allow; kNone when nothing matches.
enum class PolicyEffect { kAllow, kDeny, kNone };
PolicyEffect EvaluatePolicy(const json::value& policy_document, std::string_view arn);
// IAM wildcard matching: '*' any run of characters, '?' any one character.
bool WildcardMatch(std::string_view pattern, std::string_view text);

// Invokes an authorizer function (AuthorizerUri: the Lambda invocation URI or a function ARN)
// with `event`. `answer` is the function's JSON answer, nullopt when it could not be invoked,
// failed or did not answer JSON; `unauthorized` is set when it failed with the error message
// "Unauthorized" (REST APIs answer 401 then).
struct AuthorizerAnswer {
  std::optional<json::value> answer;
  bool unauthorized = false;
};
Task<AuthorizerAnswer> InvokeAuthorizer(ServiceEnv& env, std::string_view account,
                                        std::string_view request_id,
                                        std::string_view authorizer_uri,
                                        const json::object& stage_variables, std::string event);

// Lambda authorizer results by key (authorizer, identity values), each until it expires. Holds at
// most 10,000 results; a full cache drops those that expire first.
class AuthorizerCache {
 public:
  std::optional<json::value> Get(const std::string& key, int64_t now_ms);
  void Put(const std::string& key, json::value result, int64_t expires_ms);
  void Clear();

 private:
  struct Entry {
    json::value result;
    int64_t expires_ms = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// The one JWKS cache and Lambda authorizer result cache of the process (keys name the service
// and API, so both API Gateway services share them).
JwksCache& SharedJwks();
AuthorizerCache& SharedAuthorizerCache();

}  // namespace nimbus::execute_api
