#include "services/apigateway/method_auth.h"

#include <boost/json.hpp>
#include <cctype>
#include <regex>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/logging.h"
#include "core/http/http_types.h"
#include "services/execute_api/authorizer.h"
#include "services/execute_api/identity_source.h"

namespace nimbus::apigateway {

namespace {

using execute_api::Invocation;

// Tokens longer than this are not matched against identityValidationExpression (std::regex
// recurses per character) and are refused as invalid.
constexpr size_t kMaxValidatedToken = 4096;

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

MethodAuthorization Refuse(int status, json::value message, std::string_view error_type) {
  MethodAuthorization out;
  out.refusal = Refusal{status, std::move(message), std::string(error_type)};
  return out;
}

MethodAuthorization Unauthorized() { return Refuse(401, "Unauthorized", "UnauthorizedException"); }

// Developer guide, "Gateway response types": AUTHORIZER_CONFIGURATION_ERROR answers a null
// message.
MethodAuthorization ConfigurationError() {
  return Refuse(500, nullptr, "AuthorizerConfigurationException");
}

bool TokenMatches(std::string_view token, std::string_view expression) {
  if (expression.empty()) return true;
  if (token.size() > kMaxValidatedToken) return false;
  try {
    return std::regex_match(std::string(token), std::regex(std::string(expression)));
  } catch (const std::regex_error&) {
    return false;
  }
}

}  // namespace

Task<AuthorizerRun> RunAuthorizer(ServiceEnv& env, const json::object& authorizer,
                                  const Invocation& inv, std::string method_arn, bool use_cache) {
  AuthorizerRun run;
  auto refuse = [&](MethodAuthorization m) {
    run.refusal = std::move(m.refusal);
    return std::move(run);
  };
  bool token_type = Str(authorizer, "type") == "TOKEN";
  // The identity: the token header of a TOKEN authorizer, or every identity source of a REQUEST
  // authorizer. A missing one refuses the call without invoking the function.
  std::vector<std::string> identity;
  std::string_view sources = Str(authorizer, "identitySource");
  size_t pos = 0;
  while (!sources.empty() && pos <= sources.size()) {
    auto comma = sources.find(',', pos);
    std::string source =
        Trim(sources.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    auto value = IdentityValue(inv, source, execute_api::kRestIdentity);
    if (!value) co_return refuse(Unauthorized());
    identity.push_back(std::move(*value));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (token_type) {
    if (identity.size() != 1) co_return refuse(Unauthorized());
    if (!TokenMatches(identity[0], Str(authorizer, "identityValidationExpression")))
      co_return refuse(Unauthorized());
  }

  int64_t ttl = 300;
  if (const auto* t = authorizer.if_contains("authorizerResultTtlInSeconds"); t && t->is_int64())
    ttl = t->get_int64();
  int64_t now_ms = env.clock->NowMillis();
  std::string cache_key;
  std::optional<json::value> answer;
  if (use_cache && ttl > 0 && !identity.empty()) {
    std::string joined;
    for (const auto& v : identity) joined += v + '\n';
    cache_key = "apigateway/" + inv.api_id + "/" +
                HexEncode(Sha256(json::serialize(authorizer) + '\0' + joined));
    answer = execute_api::SharedAuthorizerCache().Get(cache_key, now_ms);
  }
  if (!answer) {
    std::string event;
    if (token_type) {
      event = json::serialize(json::object{
          {"type", "TOKEN"}, {"authorizationToken", identity[0]}, {"methodArn", method_arn}});
    } else {
      json::value e = json::parse(execute_api::EventV1(inv));
      json::object& o = e.as_object();
      o.erase("body");
      o.erase("isBase64Encoded");
      o["type"] = "REQUEST";
      o["methodArn"] = method_arn;
      event = json::serialize(e);
    }
    auto invoked = co_await execute_api::InvokeAuthorizer(env, inv.account_id, inv.request_id,
                                                          Str(authorizer, "authorizerUri"),
                                                          inv.stage_variables, std::move(event));
    run.latency_ms = env.clock->NowMillis() - now_ms;
    if (invoked.unauthorized) co_return refuse(Unauthorized());
    if (!invoked.answer) co_return refuse(ConfigurationError());
    answer = std::move(invoked.answer);
    // Only well-formed answers are kept.
    const auto* o = answer->is_object() ? &answer->get_object() : nullptr;
    if (!cache_key.empty() && o && o->contains("principalId") && o->contains("policyDocument"))
      execute_api::SharedAuthorizerCache().Put(cache_key, *answer, now_ms + ttl * 1000);
  }

  // The answer: {"principalId", "policyDocument", "context"?, "usageIdentifierKey"?}.
  const json::object* o = answer->is_object() ? &answer->get_object() : nullptr;
  const auto* principal = o ? o->if_contains("principalId") : nullptr;
  const auto* policy = o ? o->if_contains("policyDocument") : nullptr;
  if (!principal || !policy || !policy->is_object()) {
    spdlog::info("apigateway: api {}: authorizer answer without principalId or policyDocument",
                 inv.api_id);
    co_return refuse(ConfigurationError());
  }
  if (const auto* context = o->if_contains("context"); context && !context->is_null()) {
    if (!context->is_object()) co_return refuse(ConfigurationError());
    // Context values are strings, numbers or booleans; anything else is a misconfiguration.
    for (const auto& [k, v] : context->get_object()) {
      if (v.is_object() || v.is_array()) {
        spdlog::info("apigateway: api {}: authorizer context {} is not a primitive", inv.api_id,
                     std::string_view(k));
        co_return refuse(ConfigurationError());
      }
      run.context[k] = v;
    }
  }
  run.answer = *o;
  run.answer["principalId"] = principal->is_string() ? json::value(principal->get_string())
                                                     : json::value(json::serialize(*principal));
  co_return run;
}

Task<MethodAuthorization> AuthorizeMethod(ServiceEnv& env, const json::object& method,
                                          const json::object& authorizers, const Invocation& inv,
                                          std::string_view region) {
  if (Str(method, "authorizationType") != "CUSTOM") co_return MethodAuthorization{};
  const auto* record = authorizers.if_contains(Str(method, "authorizerId"));
  if (!record || !record->is_object()) {
    spdlog::warn("apigateway: api {}: authorizer {} is not deployed", inv.api_id,
                 Str(method, "authorizerId"));
    co_return ConfigurationError();
  }
  std::string method_arn = "arn:aws:execute-api:" + std::string(region) + ":" + inv.account_id +
                           ":" + inv.api_id + "/" + inv.stage + "/" + inv.request->method +
                           inv.rest_path;
  auto run = co_await RunAuthorizer(env, record->get_object(), inv, method_arn, true);
  if (run.refusal) {
    MethodAuthorization out;
    out.refusal = std::move(run.refusal);
    co_return out;
  }
  switch (execute_api::EvaluatePolicy(run.answer.at("policyDocument"), method_arn)) {
    case execute_api::PolicyEffect::kDeny:
      co_return Refuse(403, "User is not authorized to access this resource with an explicit deny",
                       "AccessDeniedException");
    case execute_api::PolicyEffect::kNone:
      co_return Refuse(403, "User is not authorized to access this resource",
                       "AccessDeniedException");
    case execute_api::PolicyEffect::kAllow:
      break;
  }
  MethodAuthorization out;
  out.authorizer = std::move(run.context);
  out.authorizer["principalId"] = run.answer.at("principalId");
  out.authorizer["integrationLatency"] = run.latency_ms;
  co_return out;
}

}  // namespace nimbus::apigateway
