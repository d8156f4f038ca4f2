#include "services/execute_api/authorizer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>

#include "core/common/encoding.h"
#include "core/common/logging.h"
#include "core/http/client.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::execute_api {

namespace {

constexpr int64_t kJwksTtlMs = 3600 * 1000;
constexpr int64_t kJwksRefetchMs = 10 * 1000;
constexpr size_t kMaxCached = 10000;

std::optional<json::object> ParseObject(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// A NumericDate claim (RFC 7519 §2) in seconds; nullopt when absent or not a number.
std::optional<double> NumericDate(const json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double() && std::isfinite(v->get_double())) return v->get_double();
  return std::nullopt;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

std::unique_ptr<EVP_PKEY, PkeyFree> RsaPublicKey(std::string_view n, std::string_view e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* key = nullptr;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return std::unique_ptr<EVP_PKEY, PkeyFree>(key);
}

bool ContainsString(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string b64;
  b64.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '-')
      b64.push_back('+');
    else if (c == '_')
      b64.push_back('/');
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;  // not the URL alphabet; no padding in JWS
    else
      b64.push_back(c);
  }
  if (b64.size() % 4 == 1) return std::nullopt;
  while (b64.size() % 4 != 0) b64.push_back('=');
  return Base64Decode(b64);
}

std::optional<Jwt> ParseJwt(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  auto header = Base64UrlDecode(token.substr(0, first));
  auto payload = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  auto signature = Base64UrlDecode(token.substr(second + 1));
  if (!header || !payload || !signature) return std::nullopt;
  auto h = ParseObject(*header);
  auto c = ParseObject(*payload);
  if (!h || !c) return std::nullopt;
  Jwt jwt;
  jwt.header = std::move(*h);
  jwt.claims = std::move(*c);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

bool VerifyRs256(std::string_view data, std::string_view signature, const json::object& jwk) {
  if (Str(jwk, "kty") != "RSA") return false;
  auto n = Base64UrlDecode(Str(jwk, "n"));
  auto e = Base64UrlDecode(Str(jwk, "e"));
  // 1024 to 8192-bit moduli; anything else is refused before OpenSSL sees it.
  if (!n || !e || n->size() < 128 || n->size() > 1024 || e->empty() || e->size() > 8) return false;
  auto key = RsaPublicKey(*n, *e);
  if (!key) return false;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  if (!md) return false;
  bool ok = EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

std::vector<std::string> TokenScopes(const json::object& claims) {
  std::vector<std::string> out;
  auto split = [&](std::string_view s) {
    size_t pos = 0;
    while (pos < s.size()) {
      auto space = s.find(' ', pos);
      std::string_view part = s.substr(pos, space == std::string_view::npos ? space : space - pos);
      if (!part.empty()) out.emplace_back(part);
      if (space == std::string_view::npos) break;
      pos = space + 1;
    }
  };
  if (const auto* scope = claims.if_contains("scope"); scope && scope->is_string()) {
    split(scope->get_string());
  } else if (const auto* scp = claims.if_contains("scp")) {
    if (scp->is_string()) split(scp->get_string());
    if (scp->is_array())
      for (const auto& s : scp->get_array())
        if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

JwtOutcome CheckJwtClaims(const json::object& claims, const JwtRules& rules) {
  JwtOutcome out;
  if (Str(claims, "iss") != rules.issuer || rules.issuer.empty()) {
    out.description = "the token does not have a valid issuer";
    return out;
  }
  // aud wins over client_id when both are present (developer guide, "Troubleshooting issues
  // with HTTP API JWT authorizers").
  bool audience_ok = false;
  if (const auto* aud = claims.if_contains("aud")) {
    if (aud->is_string()) audience_ok = ContainsString(rules.audiences, aud->get_string());
    if (aud->is_array())
      for (const auto& a : aud->get_array())
        audience_ok =
            audience_ok || (a.is_string() && ContainsString(rules.audiences, a.get_string()));
  } else if (const auto* client = claims.if_contains("client_id"); client && client->is_string()) {
    audience_ok = ContainsString(rules.audiences, client->get_string());
  }
  if (!audience_ok) {
    out.description = "the token does not have a valid audience";
    return out;
  }
  auto now = static_cast<double>(rules.now_seconds);
  auto exp = NumericDate(claims, "exp");
  if (!exp || *exp <= now) {
    out.description = "the token has expired";
    return out;
  }
  // nbf and iat get a minute of leeway for issuers whose clocks run a little ahead.
  constexpr double kLeewaySeconds = 60;
  if (claims.contains("nbf")) {
    auto nbf = NumericDate(claims, "nbf");
    if (!nbf || *nbf > now + kLeewaySeconds) {
      out.description = "the token is not valid yet";
      return out;
    }
  }
  if (claims.contains("iat")) {
    auto iat = NumericDate(claims, "iat");
    if (!iat || *iat > now + kLeewaySeconds) {
      out.description = "the token was issued in the future";
      return out;
    }
  }
  out.claims = claims;
  out.scopes = TokenScopes(claims);
  if (!rules.scopes.empty()) {
    bool any = false;
    for (const auto& s : rules.scopes) any = any || ContainsString(out.scopes, s);
    if (!any) {
      out.verdict = Verdict::kForbidden;
      return out;
    }
  }
  out.verdict = Verdict::kAllow;
  return out;
}

json::object StringClaims(const json::object& claims) {
  json::object out;
  for (const auto& [k, v] : claims) {
    if (v.is_string()) {
      out[k] = v.get_string();
    } else if (v.is_array()) {
      std::string s = "[";
      for (const auto& item : v.get_array()) {
        if (s.size() > 1) s += ' ';
        s += item.is_string() ? std::string(item.get_string()) : json::serialize(item);
      }
      out[k] = s + "]";
    } else {
      out[k] = json::serialize(v);
    }
  }
  return out;
}

std::optional<json::object> JwksCache::Find(const std::string& issuer, const std::string& kid,
                                            int64_t now_ms, bool* stale) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(issuer);
  *stale = it == entries_.end() || now_ms - it->second.fetched_ms > kJwksTtlMs ||
           now_ms < it->second.fetched_ms;
  if (it == entries_.end()) return std::nullopt;
  const json::object* only_rsa = nullptr;
  size_t rsa_keys = 0;
  for (const auto& k : it->second.keys) {
    if (!k.is_object()) continue;
    const auto& key = k.get_object();
    if (Str(key, "kty") == "RSA") {
      ++rsa_keys;
      only_rsa = &key;
    }
    if (!kid.empty() && Str(key, "kid") == kid) return key;
  }
  if (kid.empty() && rsa_keys == 1) return *only_rsa;
  // An unknown kid may be a rotated key: refetch, but not on every request.
  if (now_ms - it->second.fetched_ms > kJwksRefetchMs) *stale = true;
  return std::nullopt;
}

Task<std::optional<json::object>> JwksCache::Key(std::string issuer, std::string kid,
                                                 int64_t now_ms) {
  bool stale = false;
  auto key = Find(issuer, kid, now_ms, &stale);
  if (key || !stale) co_return key;
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::OutgoingRequest discovery;
  discovery.url = base + "/.well-known/openid-configuration";
  discovery.timeout = std::chrono::milliseconds(5000);
  discovery.max_response_bytes = 1 << 20;
  auto config = co_await http::Send(std::move(discovery));
  std::optional<json::object> doc;
  if (config.status == 200) doc = ParseObject(config.body);
  if (!doc || Str(*doc, "jwks_uri").empty()) {
    spdlog::info("execute-api: JWT issuer {}: no OpenID configuration ({} {})", issuer,
                 config.status, config.error);
    Remember(issuer, json::array(), now_ms);
    co_return std::nullopt;
  }
  http::OutgoingRequest jwks;
  jwks.url = std::string(Str(*doc, "jwks_uri"));
  jwks.timeout = std::chrono::milliseconds(5000);
  jwks.max_response_bytes = 1 << 20;
  auto keys = co_await http::Send(std::move(jwks));
  std::optional<json::object> set;
  if (keys.status == 200) set = ParseObject(keys.body);
  const auto* list = set ? set->if_contains("keys") : nullptr;
  if (!list || !list->is_array()) {
    spdlog::info("execute-api: JWT issuer {}: no JWKS at {} ({} {})", issuer,
                 std::string(Str(*doc, "jwks_uri")), keys.status, keys.error);
    Remember(issuer, json::array(), now_ms);
    co_return std::nullopt;
  }
  Remember(issuer, list->get_array(), now_ms);
  co_return Find(issuer, kid, now_ms, &stale);
}

void JwksCache::Remember(const std::string& issuer, json::array keys, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxCached) entries_.clear();
  entries_[issuer] = Entry{std::move(keys), now_ms};
}

void JwksCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

Task<JwtOutcome> AuthorizeJwt(JwksCache& jwks, std::string_view value, const JwtRules& rules,
                              int64_t now_ms) {
  JwtOutcome out;
  std::string_view token = value;
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.size() >= 7) {
    std::string scheme(token.substr(0, 7));
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == "bearer ") token.remove_prefix(7);
  }
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  auto jwt = ParseJwt(token);
  if (!jwt) {
    out.description = "the token is malformed";
    co_return out;
  }
  std::string_view alg = Str(jwt->header, "alg");
  if (alg != "RS256") {
    // API Gateway accepts RSA signatures only; "none" and HMAC tokens never pass.
    out.description = "signing method " + std::string(alg.empty() ? "none" : alg) + " is invalid";
    co_return out;
  }
  auto key = co_await jwks.Key(rules.issuer, std::string(Str(jwt->header, "kid")), now_ms);
  if (!key) {
    out.description = "the token's signing key was not found";
    co_return out;
  }
  if (!VerifyRs256(jwt->signing_input, jwt->signature, *key)) {
    out.description = "the token's signature is invalid";
    co_return out;
  }
  co_return CheckJwtClaims(jwt->claims, rules);
}

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  // Iterative glob matching with backtracking to the last '*': linear in practice, never
  // exponential.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PolicyEffect EvaluatePolicy(const json::value& policy_document, std::string_view arn) {
  if (!policy_document.is_object()) return PolicyEffect::kNone;
  const auto* statements = policy_document.get_object().if_contains("Statement");
  if (!statements) return PolicyEffect::kNone;
  json::array list;
  if (statements->is_array())
    list = statements->get_array();
  else
    list.push_back(*statements);
  auto any_matches = [](const json::value* v, auto&& match) {
    if (!v) return false;
    if (v->is_string()) return match(std::string_view(v->get_string()));
    if (v->is_array())
      for (const auto& item : v->get_array())
        if (item.is_string() && match(std::string_view(item.get_string()))) return true;
    return false;
  };
  bool allowed = false;
  for (const auto& s : list) {
    if (!s.is_object()) continue;
    const auto& st = s.get_object();
    bool action = any_matches(st.if_contains("Action"), [](std::string_view a) {
      std::string lower(a);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return WildcardMatch(lower, "execute-api:invoke");
    });
    if (!action) continue;
    bool resource = any_matches(st.if_contains("Resource"),
                                [&](std::string_view r) { return WildcardMatch(r, arn); });
    if (!resource) continue;
    std::string_view effect = Str(st, "Effect");
    if (effect == "Deny") return PolicyEffect::kDeny;
    if (effect == "Allow") allowed = true;
  }
  return allowed ? PolicyEffect::kAllow : PolicyEffect::kNone;
}

Task<AuthorizerAnswer> InvokeAuthorizer(ServiceEnv& env, std::string_view account,
                                        std::string_view request_id,
                                        std::string_view authorizer_uri,
                                        const json::object& stage_variables, std::string event) {
  AuthorizerAnswer out;
  std::string function = FunctionFromUri(SubstituteStageVariables(authorizer_uri, stage_variables));
  RequestContext ctx = LambdaCallContext(env, account, request_id, function);
  json::object input{{"FunctionName", function},
                     {"InvocationType", "RequestResponse"},
                     {"Payload", std::move(event)}};
  auto result = co_await env.registry->Call(ctx, "lambda", "Invoke", std::move(input));
  if (!result) {
    spdlog::warn("execute-api: authorizer {} failed: {} {}", function, result.error().code,
                 result.error().message);
    co_return out;
  }
  const json::object& invoked = result->as_object();
  const auto* payload = invoked.if_contains("Payload");
  std::string_view text =
      payload && payload->is_string() ? std::string_view(payload->get_string()) : "";
  json::error_code ec;
  json::value answer = json::parse(text, ec);
  if (invoked.contains("FunctionError")) {
    // A function that raises "Unauthorized" refuses the caller (developer guide, "Use API
    // Gateway Lambda authorizers").
    if (!ec && answer.is_object()) {
      const auto* message = answer.get_object().if_contains("errorMessage");
      out.unauthorized = message && message->is_string() && message->get_string() == "Unauthorized";
    }
    if (!out.unauthorized) spdlog::info("execute-api: authorizer {}: function error", function);
    co_return out;
  }
  if (ec) {
    spdlog::info("execute-api: authorizer {}: the answer is not JSON", function);
    co_return out;
  }
  out.answer = std::move(answer);
  co_return out;
}

std::optional<json::value> AuthorizerCache::Get(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_ms <= now_ms) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.result;
}

void AuthorizerCache::Put(const std::string& key, json::value result, int64_t expires_ms) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxCached) {
    int64_t oldest_expiry = expires_ms;
    for (const auto& [k, e] : entries_) oldest_expiry = std::min(oldest_expiry, e.expires_ms);
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires_ms <= oldest_expiry; });
    if (entries_.size() >= kMaxCached) entries_.clear();
  }
  entries_[key] = Entry{std::move(result), expires_ms};
}

void AuthorizerCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

JwksCache& SharedJwks() {
  static JwksCache cache;
  return cache;
}

AuthorizerCache& SharedAuthorizerCache() {
  static AuthorizerCache cache;
  return cache;
}

}  // namespace nimbus::execute_api
