// CreateRoute, GetRoute(s), UpdateRoute, DeleteRoute: route keys "METHOD /path" or "$default",
// targets "integrations/<id>".
#include <boost/json.hpp>

#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

namespace {

constexpr std::string_view kCopied[] = {"ApiKeyRequired",
                                        "AuthorizationScopes",
                                        "AuthorizationType",
                                        "AuthorizerId",
                                        "ModelSelectionExpression",
                                        "OperationName",
                                        "RequestModels",
                                        "RequestParameters",
                                        "RouteKey",
                                        "RouteResponseSelectionExpression",
                                        "Target"};

// Merges the input over `record` and checks it against the API's other routes and its
// integrations.
Result<json::object> RouteFromInput(const RequestContext& ctx, std::string_view api_id,
                                    const Document& in, json::object record) {
  for (auto m : kCopied)
    if (HasMember(in, m)) record[m] = in.get_object().at(m);
  if (!record.contains("ApiKeyRequired")) record["ApiKeyRequired"] = false;
  if (!record.contains("AuthorizationType")) record["AuthorizationType"] = "NONE";
  std::string key(record.at("RouteKey").as_string());
  if (!ValidHttpRouteKey(key))
    return BadRequest(
        "The provided route key is not formatted properly for HTTP protocol. Format "
        "should be \"<HTTP METHOD> /<resource path>\" or \"$default\"");
  auto auth = CheckRouteAuthorization(ctx, api_id, record);
  if (!auth) return std::move(auth).error();
  auto routes = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
  if (!routes) return std::move(routes).error();
  for (const auto& other : *routes) {
    if (other.at("RouteId") == record.at("RouteId")) continue;
    if (other.at("RouteKey").as_string() == key)
      return Conflict("Route with key " + key + " already exists for this API");
  }
  if (const auto* target = record.if_contains("Target"); target && target->is_string()) {
    std::string_view t = target->get_string();
    constexpr std::string_view kPrefix = "integrations/";
    if (t.substr(0, kPrefix.size()) != kPrefix)
      return BadRequest("Invalid target specified: " + std::string(t) +
                        ". Targets have the form integrations/<integrationId>");
    std::string integration_id(t.substr(kPrefix.size()));
    auto integration = LoadRecord(
        *ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id, integration_id));
    if (!integration) return std::move(integration).error();
    if (!*integration) return IntegrationNotFound(integration_id);
  }
  return record;
}

}  // namespace

HandlerTable RouteHandlers() {
  HandlerTable t;
  t.emplace_back("CreateRoute", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string id = NewChildId();
    auto record = RouteFromInput(ctx, api_id, in, json::object{{"RouteId", id}});
    if (!record) return std::move(record).error();
    auto st =
        SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kRoute, api_id, id), *record);
    if (!st) return std::move(st).error();
    return Document(std::move(*record));
  });
  t.emplace_back("GetRoute", [](RequestContext& ctx, Document& in) {
    return GetChild(ctx, in, Kind::kRoute, "RouteId", &RouteNotFound);
  });
  t.emplace_back("GetRoutes", [](RequestContext& ctx, Document& in) {
    return ListChildren(ctx, in, Kind::kRoute, "RouteId");
  });
  t.emplace_back("UpdateRoute", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key =
        ChildKey(ctx.account_id, ctx.region, Kind::kRoute, api_id, StringMember(in, "RouteId"));
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return RouteNotFound(StringMember(in, "RouteId"));
    auto record = RouteFromInput(ctx, api_id, in, std::move(**r));
    if (!record) return std::move(record).error();
    auto st = SaveRecord(ctx, key, *record);
    if (!st) return std::move(st).error();
    return Document(std::move(*record));
  });
  t.emplace_back("DeleteRoute", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key =
        ChildKey(ctx.account_id, ctx.region, Kind::kRoute, api_id, StringMember(in, "RouteId"));
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return RouteNotFound(StringMember(in, "RouteId"));
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
  return t;
}

}  // namespace nimbus::apigatewayv2
