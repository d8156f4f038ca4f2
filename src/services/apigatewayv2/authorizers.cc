// CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer, DeleteAuthorizer for HTTP APIs: JWT
// authorizers (an issuer and audiences) and Lambda REQUEST authorizers (a function, payload
// format 1.0 or 2.0, simple or IAM policy answers, a result cache).
#include <boost/json.hpp>

#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

namespace {

constexpr std::string_view kCopied[] = {"AuthorizerCredentialsArn",
                                        "AuthorizerPayloadFormatVersion",
                                        "AuthorizerResultTtlInSeconds",
                                        "AuthorizerType",
                                        "AuthorizerUri",
                                        "EnableSimpleResponses",
                                        "IdentitySource",
                                        "IdentityValidationExpression",
                                        "JwtConfiguration",
                                        "Name"};

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// An identity source of a Lambda authorizer: "$request.header.<name>",
// "$request.querystring.<name>", "$context.<variable>" or "$stageVariables.<name>"; a JWT
// authorizer takes a header or a query string parameter only.
bool ValidIdentitySource(std::string_view s, bool jwt) {
  for (std::string_view prefix :
       {"$request.header.", "$request.querystring.", "$context.", "$stageVariables."}) {
    if (s.rfind(prefix, 0) != 0 || s.size() == prefix.size()) continue;
    if (jwt && prefix[1] != 'r') return false;
    return s.find_first_of(" \t\r\n") == std::string_view::npos;
  }
  return false;
}

// AWS's rules for the authorizer `record` (CreateAuthorizer input, or UpdateAuthorizer's merged
// over the stored authorizer); fills in the defaults.
Status CheckAuthorizer(json::object& record) {
  std::string type(Str(record, "AuthorizerType"));
  json::array sources;
  if (const auto* s = record.if_contains("IdentitySource"); s && s->is_array())
    sources = s->get_array();
  for (const auto& s : sources) {
    if (!s.is_string() || !ValidIdentitySource(s.get_string(), type == "JWT"))
      return BadRequest(
          "Invalid identity source specified: " +
          (s.is_string() ? std::string(s.get_string()) : json::serialize(s)) +
          ". Identity sources have the form $request.header.<name>, "
          "$request.querystring.<name>" +
          std::string(type == "JWT" ? "" : ", $context.<name> or $stageVariables.<name>"));
  }
  if (type == "JWT") {
    if (sources.size() != 1) return BadRequest("JWT authorizers take exactly one identity source.");
    const auto* jwt = record.if_contains("JwtConfiguration");
    if (!jwt || !jwt->is_object())
      return BadRequest("JwtConfiguration is required for authorizer of type JWT.");
    std::string_view issuer = Str(jwt->get_object(), "Issuer");
    if (issuer.empty()) return BadRequest("Issuer is required for authorizer of type JWT.");
    if (issuer.rfind("https://", 0) != 0 && issuer.rfind("http://", 0) != 0)
      return BadRequest("Invalid issuer " + std::string(issuer) + ". Issuer must be a URL.");
    const auto* audience = jwt->get_object().if_contains("Audience");
    if (!audience || !audience->is_array() || audience->get_array().empty())
      return BadRequest("Audience is required for authorizer of type JWT.");
    // Members of Lambda authorizers: their "off" values (which tools send by default) are
    // dropped, anything else is refused.
    if (const auto* ttl = record.if_contains("AuthorizerResultTtlInSeconds");
        ttl && ttl->is_int64() && ttl->get_int64() == 0)
      record.erase("AuthorizerResultTtlInSeconds");
    if (const auto* simple = record.if_contains("EnableSimpleResponses");
        simple && simple->is_bool() && !simple->get_bool())
      record.erase("EnableSimpleResponses");
    for (std::string_view m : {"AuthorizerUri", "AuthorizerPayloadFormatVersion",
                               "AuthorizerResultTtlInSeconds", "EnableSimpleResponses"})
      if (record.contains(m))
        return BadRequest(std::string(m) + " is not supported for authorizer of type JWT.");
    return Ok{};
  }
  // REQUEST (the model allows no other type).
  std::string_view uri = Str(record, "AuthorizerUri");
  if (uri.empty()) return BadRequest("AuthorizerUri is required for authorizer of type REQUEST.");
  // The Lambda invocation URI (what AWS documents), or the function ARN itself.
  bool invocation_uri = uri.rfind("arn:aws:apigateway:", 0) == 0 &&
                        uri.find(":lambda:path/2015-03-31/functions/") != std::string_view::npos;
  if (!invocation_uri && uri.rfind("arn:aws:lambda:", 0) != 0)
    return BadRequest("Invalid AuthorizerUri " + std::string(uri) +
                      ". Authorizer URIs have the form arn:aws:apigateway:<region>:lambda:path/"
                      "2015-03-31/functions/<function ARN>/invocations");
  if (record.contains("JwtConfiguration"))
    return BadRequest("JwtConfiguration is not supported for authorizer of type REQUEST.");
  std::string_view version = Str(record, "AuthorizerPayloadFormatVersion");
  if (version.empty())
    return BadRequest(
        "AuthorizerPayloadFormatVersion is required for authorizer of type "
        "REQUEST.");
  if (version != "1.0" && version != "2.0")
    return BadRequest("Invalid AuthorizerPayloadFormatVersion " + std::string(version) +
                      ". Supported versions: 1.0, 2.0.");
  if (!record.contains("AuthorizerResultTtlInSeconds")) record["AuthorizerResultTtlInSeconds"] = 0;
  if (!record.contains("EnableSimpleResponses")) record["EnableSimpleResponses"] = false;
  const auto& simple = record.at("EnableSimpleResponses");
  if (simple.is_bool() && simple.get_bool() && version != "2.0")
    return BadRequest("EnableSimpleResponses is only supported for payload format version 2.0.");
  const auto& ttl = record.at("AuthorizerResultTtlInSeconds");
  if (ttl.is_int64() && ttl.get_int64() > 0 && sources.empty())
    return BadRequest("Identity source is required when authorizer caching is enabled.");
  return Ok{};
}

Result<json::object> LoadAuthorizer(const RequestContext& ctx, std::string_view api_id,
                                    std::string_view id, std::string* key) {
  *key = ChildKey(ctx.account_id, ctx.region, Kind::kAuthorizer, api_id, id);
  auto r = LoadRecord(*ctx.env, *key);
  if (!r) return std::move(r).error();
  if (!*r) return AuthorizerNotFound(id);
  return std::move(**r);
}

}  // namespace

HandlerTable AuthorizerHandlers() {
  HandlerTable t;
  t.emplace_back("CreateAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string id = NewDeploymentId();  // 6 lowercase alphanumerics, as AWS's
    json::object record{{"AuthorizerId", id}};
    for (auto m : kCopied)
      if (HasMember(in, m)) record[m] = in.get_object().at(m);
    auto st = CheckAuthorizer(record);
    if (!st) return std::move(st).error();
    st = SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kAuthorizer, api_id, id),
                    record);
    if (!st) return std::move(st).error();
    return Document(std::move(record));
  });
  t.emplace_back("GetAuthorizer", [](RequestContext& ctx, Document& in) {
    return GetChild(ctx, in, Kind::kAuthorizer, "AuthorizerId", &AuthorizerNotFound);
  });
  t.emplace_back("GetAuthorizers", [](RequestContext& ctx, Document& in) {
    return ListChildren(ctx, in, Kind::kAuthorizer, "AuthorizerId");
  });
  t.emplace_back("UpdateAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key;
    auto record = LoadAuthorizer(ctx, api_id, StringMember(in, "AuthorizerId"), &key);
    if (!record) return std::move(record).error();
    std::string old_type(Str(*record, "AuthorizerType"));
    for (auto m : kCopied)
      if (HasMember(in, m)) (*record)[m] = in.get_object().at(m);
    if (Str(*record, "AuthorizerType") != old_type) {
      // Members of the other type do not carry over a change of type.
      for (std::string_view m :
           {"JwtConfiguration", "AuthorizerUri", "AuthorizerPayloadFormatVersion",
            "AuthorizerResultTtlInSeconds", "EnableSimpleResponses"})
        if (!HasMember(in, m)) record->erase(m);
    }
    auto st = CheckAuthorizer(*record);
    if (!st) return std::move(st).error();
    // A route keeps the authorization type it was made with: an authorizer in use stays of the
    // kind its routes expect.
    if (Str(*record, "AuthorizerType") != old_type) {
      auto routes = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
      if (!routes) return std::move(routes).error();
      for (const auto& r : *routes)
        if (Str(r, "AuthorizerId") == Str(*record, "AuthorizerId"))
          return BadRequest("Cannot change the type of authorizer " +
                            std::string(Str(*record, "AuthorizerId")) +
                            ", it is referenced in route: " + std::string(Str(r, "RouteKey")));
    }
    st = SaveRecord(ctx, key, *record);
    if (!st) return std::move(st).error();
    return Document(std::move(*record));
  });
  t.emplace_back("DeleteAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key;
    auto record = LoadAuthorizer(ctx, api_id, StringMember(in, "AuthorizerId"), &key);
    if (!record) return std::move(record).error();
    auto routes = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
    if (!routes) return std::move(routes).error();
    for (const auto& r : *routes)
      if (Str(r, "AuthorizerId") == Str(*record, "AuthorizerId"))
        return BadRequest("Cannot delete authorizer '" + std::string(Str(*record, "Name")) +
                          "', is referenced in route: " + std::string(Str(r, "RouteKey")));
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
  return t;
}

Status CheckRouteAuthorization(const RequestContext& ctx, std::string_view api_id,
                               json::object& route) {
  std::string auth(Str(route, "AuthorizationType"));
  if (auth != "JWT" && auth != "CUSTOM") {
    route.erase("AuthorizerId");
    return Ok{};
  }
  std::string_view id = Str(route, "AuthorizerId");
  if (id.empty()) return BadRequest("AuthorizerId is required for AuthorizationType " + auth);
  std::string key;
  auto authorizer = LoadAuthorizer(ctx, api_id, id, &key);
  if (!authorizer) return std::move(authorizer).error();
  std::string_view type = Str(*authorizer, "AuthorizerType");
  if ((auth == "JWT") != (type == "JWT"))
    return BadRequest("Authorization type " + auth + " does not match the type " +
                      std::string(type) + " of authorizer " + std::string(id) +
                      ". Use JWT for JWT authorizers and CUSTOM for REQUEST authorizers.");
  return Ok{};
}

}  // namespace nimbus::apigatewayv2
