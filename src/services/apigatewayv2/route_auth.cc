#include "services/apigatewayv2/route_auth.h"

#include <boost/json.hpp>
#include <cctype>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/logging.h"
#include "services/execute_api/authorizer.h"
#include "services/execute_api/iam_auth.h"
#include "services/execute_api/identity_source.h"

namespace nimbus::apigatewayv2 {

namespace {

using execute_api::Invocation;

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

RouteAuthorization Refuse(int status, std::string_view message, const Invocation& inv,
                          std::string_view www_authenticate = {}) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "application/json");
  r.SetHeader("apigw-requestid", inv.request_id);
  if (!www_authenticate.empty()) r.SetHeader("www-authenticate", www_authenticate);
  r.body = json::serialize(json::object{{"message", message}});
  RouteAuthorization out;
  out.refusal = std::move(r);
  return out;
}

std::vector<std::string> StringList(const json::object& o, std::string_view member) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(member); v && v->is_array())
    for (const auto& s : v->get_array())
      if (s.is_string()) out.emplace_back(s.get_string());
  return out;
}

Task<RouteAuthorization> AuthorizeJwt(ServiceEnv& env, const json::object& route,
                                      const json::object& authorizer, const Invocation& inv,
                                      bool v2) {
  auto sources = StringList(authorizer, "IdentitySource");
  auto value =
      sources.empty() ? std::nullopt : IdentityValue(inv, sources[0], execute_api::kHttpIdentity);
  if (!value) co_return Refuse(401, "Unauthorized", inv);
  execute_api::JwtRules rules;
  if (const auto* c = authorizer.if_contains("JwtConfiguration"); c && c->is_object()) {
    rules.issuer = std::string(Str(c->get_object(), "Issuer"));
    rules.audiences = StringList(c->get_object(), "Audience");
  }
  rules.scopes = StringList(route, "AuthorizationScopes");
  int64_t now_ms = env.clock->NowMillis();
  rules.now_seconds = now_ms / 1000;
  auto outcome =
      co_await execute_api::AuthorizeJwt(execute_api::SharedJwks(), *value, rules, now_ms);
  if (outcome.verdict == execute_api::Verdict::kUnauthorized) {
    spdlog::info("apigatewayv2: api {} route {}: JWT refused: {}", inv.api_id, inv.route_key,
                 outcome.description);
    co_return Refuse(401, "Unauthorized", inv,
                     "Bearer scope=\"\" error=\"invalid_token\" error_description=\"" +
                         outcome.description + "\"");
  }
  if (outcome.verdict == execute_api::Verdict::kForbidden) {
    std::string wanted;
    for (const auto& s : rules.scopes) wanted += (wanted.empty() ? "" : " ") + s;
    co_return Refuse(403, "Forbidden", inv,
                     "Bearer scope=\"" + wanted + "\" error=\"insufficient_scope\"");
  }
  json::value scopes = nullptr;
  if (!outcome.scopes.empty()) {
    json::array a;
    for (auto& s : outcome.scopes) a.emplace_back(s);
    scopes = std::move(a);
  }
  json::object jwt{{"claims", execute_api::StringClaims(outcome.claims)}, {"scopes", scopes}};
  RouteAuthorization out;
  out.authorizer = v2 ? json::object{{"jwt", std::move(jwt)}} : std::move(jwt);
  co_return out;
}

// The event of a Lambda REQUEST authorizer ("Lambda authorizer payload format"): the
// integration's event of that version without the body, plus type, the route ARN and the
// identity sources.
std::string AuthorizerEvent(const Invocation& inv, bool v2, const std::string& route_arn,
                            const std::vector<std::string>& identity) {
  json::value e = json::parse(v2 ? execute_api::EventV2(inv) : execute_api::EventV1(inv));
  json::object& o = e.as_object();
  o.erase("body");
  o.erase("isBase64Encoded");
  o["type"] = "REQUEST";
  if (v2) {
    o["routeArn"] = route_arn;
    json::array ids;
    for (const auto& v : identity) ids.emplace_back(v);
    o["identitySource"] = std::move(ids);
  } else {
    std::string joined;
    for (const auto& v : identity) joined += (joined.empty() ? "" : ",") + v;
    o["methodArn"] = route_arn;
    o["identitySource"] = joined;
    o["authorizationToken"] = joined;
  }
  return json::serialize(e);
}

Task<RouteAuthorization> AuthorizeLambda(ServiceEnv& env, const json::object& authorizer,
                                         const Invocation& inv, std::string_view region,
                                         std::string_view route_path, bool v2) {
  std::vector<std::string> identity;
  for (const auto& source : StringList(authorizer, "IdentitySource")) {
    auto value = IdentityValue(inv, source, execute_api::kHttpIdentity);
    // A missing identity source refuses the request without calling the function.
    if (!value) co_return Refuse(401, "Unauthorized", inv);
    identity.push_back(std::move(*value));
  }
  std::string route_arn = "arn:aws:execute-api:" + std::string(region) + ":" + inv.account_id +
                          ":" + inv.api_id + "/" + inv.stage + "/" + inv.request->method +
                          std::string(route_path);
  bool payload_v2 = Str(authorizer, "AuthorizerPayloadFormatVersion") == "2.0";
  const auto* simple_v = authorizer.if_contains("EnableSimpleResponses");
  bool simple = payload_v2 && simple_v && simple_v->is_bool() && simple_v->get_bool();
  int64_t ttl = 0;
  if (const auto* t = authorizer.if_contains("AuthorizerResultTtlInSeconds"); t && t->is_int64())
    ttl = t->get_int64();
  int64_t now_ms = env.clock->NowMillis();
  std::string cache_key;
  std::optional<json::value> answer;
  if (ttl > 0 && !identity.empty()) {
    std::string joined;
    for (const auto& v : identity) joined += v + '\n';
    cache_key = "apigatewayv2/" + inv.api_id + "/" +
                HexEncode(Sha256(json::serialize(authorizer) + '\0' + joined));
    answer = execute_api::SharedAuthorizerCache().Get(cache_key, now_ms);
  }
  if (!answer) {
    auto invoked = co_await execute_api::InvokeAuthorizer(
        env, inv.account_id, inv.request_id, Str(authorizer, "AuthorizerUri"), inv.stage_variables,
        AuthorizerEvent(inv, payload_v2, route_arn, identity));
    if (!invoked.answer) co_return Refuse(500, "Internal Server Error", inv);
    answer = std::move(invoked.answer);
    if (!cache_key.empty())
      execute_api::SharedAuthorizerCache().Put(cache_key, *answer, now_ms + ttl * 1000);
  }
  const json::object* o = answer->is_object() ? &answer->get_object() : nullptr;
  json::value context = nullptr;
  if (const auto* c = o ? o->if_contains("context") : nullptr; c && c->is_object()) context = *c;
  RouteAuthorization out;
  if (simple) {
    const auto* authorized = o ? o->if_contains("isAuthorized") : nullptr;
    if (!authorized || !authorized->is_bool()) {
      spdlog::info("apigatewayv2: api {}: authorizer answer without a boolean isAuthorized",
                   inv.api_id);
      co_return Refuse(500, "Internal Server Error", inv);
    }
    if (!authorized->get_bool()) co_return Refuse(403, "Forbidden", inv);
  } else {
    const auto* policy = o ? o->if_contains("policyDocument") : nullptr;
    if (!policy || !policy->is_object()) {
      spdlog::info("apigatewayv2: api {}: authorizer answer without a policyDocument", inv.api_id);
      co_return Refuse(500, "Internal Server Error", inv);
    }
    if (execute_api::EvaluatePolicy(*policy, route_arn) != execute_api::PolicyEffect::kAllow)
      co_return Refuse(403, "Forbidden", inv);
  }
  if (v2) {
    out.authorizer = json::object{{"lambda", context}};
  } else {
    if (context.is_object()) out.authorizer = context.get_object();
    if (const auto* p = o->if_contains("principalId"); p && p->is_string())
      out.authorizer["principalId"] = *p;
  }
  co_return out;
}

// AWS_IAM: a SigV4 signature for execute-api. No signature answers 403 {"message":"Forbidden"};
// a malformed, mismatched or stale one, or an unknown key (under --auth strict), AWS's message
// for it with x-amzn-ErrorType. The caller reaches requestContext.authorizer.iam (2.0) or
// requestContext.identity (1.0).
RouteAuthorization AuthorizeIam(ServiceEnv& env, const Invocation& inv, bool v2) {
  auto iam = execute_api::AuthenticateIam(env, *inv.request);
  if (iam.refusal) {
    if (iam.refusal->missing) return Refuse(403, "Forbidden", inv);
    RouteAuthorization out = Refuse(403, iam.refusal->message, inv);
    out.refusal->SetHeader("x-amzn-ErrorType", iam.refusal->error_type);
    return out;
  }
  RouteAuthorization out;
  if (v2)
    out.authorizer = execute_api::IamAuthorizerV2(*iam.caller);
  else
    out.identity = execute_api::IamIdentity(*iam.caller);
  return out;
}

}  // namespace

Task<RouteAuthorization> AuthorizeRoute(ServiceEnv& env, const json::object& route,
                                        const json::object& authorizers, const Invocation& inv,
                                        std::string_view region, std::string_view route_path,
                                        bool v2) {
  std::string_view type = Str(route, "AuthorizationType");
  if (type == "AWS_IAM") co_return AuthorizeIam(env, inv, v2);
  if (type != "JWT" && type != "CUSTOM") co_return RouteAuthorization{};
  const auto* authorizer = authorizers.if_contains(Str(route, "AuthorizerId"));
  if (!authorizer || !authorizer->is_object()) {
    spdlog::warn("apigatewayv2: api {} route {}: authorizer {} is not deployed", inv.api_id,
                 inv.route_key, Str(route, "AuthorizerId"));
    co_return Refuse(500, "Internal Server Error", inv);
  }
  const json::object& a = authorizer->get_object();
  if (Str(a, "AuthorizerType") == "JWT") co_return co_await AuthorizeJwt(env, route, a, inv, v2);
  co_return co_await AuthorizeLambda(env, a, inv, region, route_path, v2);
}

}  // namespace nimbus::apigatewayv2
