// CreateApi (quick create included), GetApi, GetApis, UpdateApi, DeleteApi.
#include <boost/json.hpp>
#include <cmath>

#include "core/common/clock.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

namespace {

constexpr std::string_view kCopied[] = {"ApiKeySelectionExpression",
                                        "CorsConfiguration",
                                        "Description",
                                        "DisableExecuteApiEndpoint",
                                        "IpAddressType",
                                        "Name",
                                        "RouteSelectionExpression",
                                        "Version"};

// Lengths the model leaves to the service.
Status CheckLengths(const Document& in) {
  if (HasMember(in, "Name") &&
      (StringMember(in, "Name").empty() || StringMember(in, "Name").size() > 128))
    return BadRequest("Name must be between 1 and 128 characters long.");
  if (StringMember(in, "Description").size() > 1024)
    return BadRequest("Description must be at most 1024 characters long.");
  if (StringMember(in, "Version").size() > 64)
    return BadRequest("Version must be at most 64 characters long.");
  return Ok{};
}

bool IsLambdaTarget(std::string_view t) {
  return t.rfind("arn:aws:lambda:", 0) == 0 || (t.rfind("arn:aws:apigateway:", 0) == 0 &&
                                                t.find(":lambda:path/") != std::string_view::npos);
}

bool IsUrlTarget(std::string_view t) {
  return t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0;
}

// The quick-create integration and route of an API (ApiGatewayManaged), if it has them.
Result<std::optional<json::object>> ManagedChild(const RequestContext& ctx, std::string_view api_id,
                                                 Kind kind) {
  auto items = LoadChildren(*ctx.env, ctx.account_id, ctx.region, kind, api_id);
  if (!items) return std::move(items).error();
  for (auto& item : *items) {
    const auto* m = item.if_contains("ApiGatewayManaged");
    if (m && m->is_bool() && m->get_bool()) return std::optional<json::object>(std::move(item));
  }
  return std::optional<json::object>();
}

}  // namespace

Status QuickCreate(const RequestContext& ctx, const json::object& api, std::string_view target,
                   std::string_view route_key) {
  std::string api_id(api.at("ApiId").as_string());
  std::string integration_id = NewChildId();
  json::object integration_in{{"IntegrationUri", target}};
  if (IsLambdaTarget(target)) {
    integration_in["IntegrationType"] = "AWS_PROXY";
    integration_in["PayloadFormatVersion"] = "2.0";
    integration_in["IntegrationMethod"] = "POST";
  } else {
    integration_in["IntegrationType"] = "HTTP_PROXY";
    integration_in["IntegrationMethod"] = "ANY";
  }
  auto integration = IntegrationFromInput(
      Document(std::move(integration_in)),
      json::object{{"IntegrationId", integration_id}, {"ApiGatewayManaged", true}});
  if (!integration) return std::move(integration).error();
  std::string route_id = NewChildId();
  json::object route{{"ApiGatewayManaged", true},   {"ApiKeyRequired", false},
                     {"AuthorizationType", "NONE"}, {"RouteId", route_id},
                     {"RouteKey", route_key},       {"Target", "integrations/" + integration_id}};
  auto st = SaveRecord(
      ctx, ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id, integration_id),
      *integration);
  if (!st) return st;
  st = SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kRoute, api_id, route_id), route);
  if (!st) return st;
  auto deployment = Deploy(ctx, api_id,
                           "Automatic deployment triggered by changes to the Api "
                           "configuration",
                           true);
  if (!deployment) return std::move(deployment).error();
  double now = std::floor(ctx.env->clock->NowSeconds());
  json::object stage{{"ApiGatewayManaged", true},
                     {"AutoDeploy", true},
                     {"CreatedDate", now},
                     {"DefaultRouteSettings", json::object{{"DetailedMetricsEnabled", false}}},
                     {"DeploymentId", deployment->at("DeploymentId")},
                     {"LastDeploymentStatusMessage",
                      "Successfully deployed stage with deployment ID '" +
                          std::string(deployment->at("DeploymentId").as_string()) + "'"},
                     {"LastUpdatedDate", now},
                     {"RouteSettings", json::object()},
                     {"StageName", "$default"},
                     {"StageVariables", json::object()},
                     {"Tags", json::object()}};
  return SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, "$default"),
                    stage);
}

HandlerTable ApiHandlers() {
  HandlerTable t;
  t.emplace_back("CreateApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    if (StringMember(in, "ProtocolType") == "WEBSOCKET")
      return ApiError("NotImplementedException", 501,
                      "WEBSOCKET APIs are not implemented in nimbus; HTTP APIs are.");
    if (auto st = CheckLengths(in); !st) return std::move(st).error();
    std::string_view target = StringMember(in, "Target");
    if (HasMember(in, "RouteKey") && !HasMember(in, "Target"))
      return BadRequest("RouteKey can only be specified with Target (quick create).");
    if (HasMember(in, "Target") && !IsLambdaTarget(target) && !IsUrlTarget(target))
      return BadRequest("Invalid Target specified: " + std::string(target) +
                        ". Use a Lambda function ARN or an HTTP URL.");
    std::string route_key =
        HasMember(in, "RouteKey") ? std::string(StringMember(in, "RouteKey")) : "$default";
    if (!ValidHttpRouteKey(route_key))
      return BadRequest(
          "The provided route key is not formatted properly for HTTP protocol. "
          "Format should be \"<HTTP METHOD> /<resource path>\" or \"$default\"");
    std::lock_guard lock(WriteMutex());
    std::string id = NewApiId();
    json::object api{{"ApiEndpoint", ApiEndpoint(*ctx.env, id)},
                     {"ApiId", id},
                     {"ApiKeySelectionExpression", "$request.header.x-api-key"},
                     {"CreatedDate", std::floor(ctx.env->clock->NowSeconds())},
                     {"DisableExecuteApiEndpoint", false},
                     {"IpAddressType", "ipv4"},
                     {"ProtocolType", "HTTP"},
                     {"RouteSelectionExpression", "$request.method $request.path"},
                     {"Tags", json::object()}};
    for (auto m : kCopied)
      if (HasMember(in, m)) api[m] = in.at(m);
    if (HasMember(in, "Tags")) api["Tags"] = in.at("Tags");
    if (HasMember(in, "CredentialsArn")) api["_CredentialsArn"] = in.at("CredentialsArn");
    storage::WriteBatch batch;
    storage::PutJson(batch, kKeyspace, ApiKey(ctx.account_id, ctx.region, id), api);
    storage::PutJson(batch, kKeyspace, OwnerKey(id),
                     json::object{{"account", ctx.account_id}, {"region", ctx.region}});
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    if (HasMember(in, "Target")) {
      auto qs = QuickCreate(ctx, api, target, route_key);
      if (!qs) return std::move(qs).error();
    }
    return Document(std::move(api));
  });
  t.emplace_back("GetApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto api = LoadApi(ctx, StringMember(in, "ApiId"));
    if (!api) return std::move(api).error();
    return Document(std::move(*api));
  });
  t.emplace_back("GetApis", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::vector<json::object> items;
    std::string prefix = storage::ScopePrefix(ctx.account_id, ctx.region) + "a/";
    auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, prefix, "",
                                [&](std::string_view, json::value& doc) {
                                  if (doc.is_object()) items.push_back(std::move(doc.get_object()));
                                  return true;
                                });
    if (!st.ok()) return storage::StorageError(st);
    return Page(in, std::move(items), "ApiId");
  });
  t.emplace_back("UpdateApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    if (auto st = CheckLengths(in); !st) return std::move(st).error();
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    // Target and RouteKey update what quick create made, and only that.
    if (HasMember(in, "Target") || HasMember(in, "RouteKey")) {
      auto integration = ManagedChild(ctx, api_id, Kind::kIntegration);
      if (!integration) return std::move(integration).error();
      auto route = ManagedChild(ctx, api_id, Kind::kRoute);
      if (!route) return std::move(route).error();
      if (!*integration || !*route)
        return BadRequest(
            "Target and RouteKey can only be updated on an API created with quick "
            "create.");
      if (HasMember(in, "Target")) {
        std::string_view target = StringMember(in, "Target");
        if (!IsLambdaTarget(target) && !IsUrlTarget(target))
          return BadRequest("Invalid Target specified: " + std::string(target) +
                            ". Use a Lambda function ARN or an HTTP URL.");
        json::object& rec = **integration;
        rec["IntegrationUri"] = target;
        auto st = SaveRecord(ctx,
                             ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id,
                                      std::string(rec.at("IntegrationId").as_string())),
                             rec);
        if (!st) return std::move(st).error();
      }
      if (HasMember(in, "RouteKey")) {
        std::string key(StringMember(in, "RouteKey"));
        if (!ValidHttpRouteKey(key))
          return BadRequest(
              "The provided route key is not formatted properly for HTTP protocol. "
              "Format should be \"<HTTP METHOD> /<resource path>\" or \"$default\"");
        json::object& rec = **route;
        rec["RouteKey"] = key;
        auto st = SaveRecord(ctx,
                             ChildKey(ctx.account_id, ctx.region, Kind::kRoute, api_id,
                                      std::string(rec.at("RouteId").as_string())),
                             rec);
        if (!st) return std::move(st).error();
      }
    }
    for (auto m : kCopied)
      if (HasMember(in, m)) (*api)[m] = in.at(m);
    if (HasMember(in, "CredentialsArn")) (*api)["_CredentialsArn"] = in.at("CredentialsArn");
    auto st = SaveRecord(ctx, ApiKey(ctx.account_id, ctx.region, api_id), *api);
    if (!st) return std::move(st).error();
    return Document(std::move(*api));
  });
  t.emplace_back("DeleteApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, ApiKey(ctx.account_id, ctx.region, api_id));
    batch.Delete(kKeyspace, OwnerKey(api_id));
    for (Kind k :
         {Kind::kRoute, Kind::kIntegration, Kind::kStage, Kind::kDeploy, Kind::kAuthorizer}) {
      std::string prefix = ChildPrefix(ctx.account_id, ctx.region, k, api_id);
      batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
    }
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
  return t;
}

}  // namespace nimbus::apigatewayv2
