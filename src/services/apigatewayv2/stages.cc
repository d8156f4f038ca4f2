// Stages (CreateStage, GetStage(s), UpdateStage, DeleteStage) and deployments
// (CreateDeployment, GetDeployment(s), DeleteDeployment). A deployment keeps a copy of the
// routes and integrations it deployed; a stage serves its deployment, or with AutoDeploy the API
// as it is now.
#include <boost/json.hpp>
#include <cmath>

#include "core/common/clock.h"
#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

namespace {

double NowSeconds(const RequestContext& ctx) { return std::floor(ctx.env->clock->NowSeconds()); }

constexpr std::string_view kCopied[] = {"AccessLogSettings", "AutoDeploy",  "ClientCertificateId",
                                        "DeploymentId",      "Description", "RouteSettings",
                                        "StageVariables"};

Status CheckDeployment(const RequestContext& ctx, std::string_view api_id, const Document& in) {
  if (!HasMember(in, "DeploymentId")) return Ok{};
  auto d = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id,
                                         StringMember(in, "DeploymentId")));
  if (!d) return std::move(d).error();
  if (!*d) return DeploymentNotFound(StringMember(in, "DeploymentId"));
  return Ok{};
}

// Members merged over a stage record; DefaultRouteSettings merge member by member.
void MergeStage(const Document& in, json::object& record) {
  for (auto m : kCopied)
    if (HasMember(in, m)) record[m] = in.get_object().at(m);
  if (HasMember(in, "DefaultRouteSettings") && in.at("DefaultRouteSettings").is_object()) {
    json::object& drs = record["DefaultRouteSettings"].is_object()
                            ? record["DefaultRouteSettings"].as_object()
                            : record["DefaultRouteSettings"].emplace_object();
    for (const auto& [k, v] : in.at("DefaultRouteSettings").as_object()) drs[k] = v;
  }
}

void AutoDeployIfEnabled(const RequestContext& ctx, std::string_view api_id, json::object& stage,
                         Status* st) {
  const auto* auto_deploy = stage.if_contains("AutoDeploy");
  if (!auto_deploy || !auto_deploy->is_bool() || !auto_deploy->get_bool()) return;
  auto d = Deploy(ctx, api_id, "Automatic deployment triggered by changes to the Api configuration",
                  true);
  if (!d) {
    *st = std::move(d).error();
    return;
  }
  stage["DeploymentId"] = d->at("DeploymentId");
  stage["LastDeploymentStatusMessage"] = "Successfully deployed stage with deployment ID '" +
                                         std::string(d->at("DeploymentId").as_string()) + "'";
}

}  // namespace

Result<json::object> Deploy(const RequestContext& ctx, std::string_view api_id,
                            std::string_view description, bool auto_deployed) {
  auto routes = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
  if (!routes) return std::move(routes).error();
  auto integrations =
      LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kIntegration, api_id);
  if (!integrations) return std::move(integrations).error();
  auto authorizers = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kAuthorizer, api_id);
  if (!authorizers) return std::move(authorizers).error();
  std::string id = NewDeploymentId();
  json::object record{{"DeploymentId", id},
                      {"DeploymentStatus", "DEPLOYED"},
                      {"CreatedDate", NowSeconds(ctx)},
                      {"AutoDeployed", auto_deployed}};
  if (!description.empty()) record["Description"] = description;
  json::array route_copy;
  for (auto& r : *routes) route_copy.push_back(std::move(r));
  json::object integration_copy;
  for (auto& i : *integrations) {
    std::string iid(i.at("IntegrationId").as_string());
    integration_copy[iid] = std::move(i);
  }
  json::object authorizer_copy;
  for (auto& a : *authorizers) {
    std::string aid(a.at("AuthorizerId").as_string());
    authorizer_copy[aid] = std::move(a);
  }
  record["_routes"] = std::move(route_copy);
  record["_integrations"] = std::move(integration_copy);
  record["_authorizers"] = std::move(authorizer_copy);
  auto st =
      SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, id), record);
  if (!st) return std::move(st).error();
  return record;
}

HandlerTable StageHandlers() {
  HandlerTable t;
  t.emplace_back("CreateStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string name(StringMember(in, "StageName"));
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, name);
    auto existing = LoadRecord(*ctx.env, key);
    if (!existing) return std::move(existing).error();
    if (*existing) return Conflict("Stage " + name + " already exists");
    auto dst = CheckDeployment(ctx, api_id, in);
    if (!dst) return std::move(dst).error();
    double now = NowSeconds(ctx);
    json::object stage{{"StageName", name},
                       {"CreatedDate", now},
                       {"LastUpdatedDate", now},
                       {"DefaultRouteSettings", json::object{{"DetailedMetricsEnabled", false}}},
                       {"RouteSettings", json::object()},
                       {"StageVariables", json::object()},
                       {"Tags", json::object()}};
    MergeStage(in, stage);
    if (HasMember(in, "Tags")) stage["Tags"] = in.at("Tags");
    Status st = Ok{};
    AutoDeployIfEnabled(ctx, api_id, stage, &st);
    if (!st) return std::move(st).error();
    st = SaveRecord(ctx, key, stage);
    if (!st) return std::move(st).error();
    return Document(std::move(stage));
  });
  t.emplace_back("GetStage", [](RequestContext& ctx, Document& in) {
    return GetChild(ctx, in, Kind::kStage, "StageName", &StageNotFound);
  });
  t.emplace_back("GetStages", [](RequestContext& ctx, Document& in) {
    return ListChildren(ctx, in, Kind::kStage, "StageName");
  });
  t.emplace_back("UpdateStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key =
        ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, StringMember(in, "StageName"));
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return StageNotFound(StringMember(in, "StageName"));
    auto dst = CheckDeployment(ctx, api_id, in);
    if (!dst) return std::move(dst).error();
    json::object stage = std::move(**r);
    const auto* was = stage.if_contains("AutoDeploy");
    bool was_auto = was && was->is_bool() && was->get_bool();
    MergeStage(in, stage);
    stage["LastUpdatedDate"] = NowSeconds(ctx);
    Status st = Ok{};
    if (!was_auto) AutoDeployIfEnabled(ctx, api_id, stage, &st);
    if (!st) return std::move(st).error();
    st = SaveRecord(ctx, key, stage);
    if (!st) return std::move(st).error();
    return Document(std::move(stage));
  });
  t.emplace_back("DeleteStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key =
        ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, StringMember(in, "StageName"));
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return StageNotFound(StringMember(in, "StageName"));
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });

  t.emplace_back("CreateDeployment", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::optional<json::object> stage;
    std::string stage_key;
    if (HasMember(in, "StageName")) {
      stage_key =
          ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, StringMember(in, "StageName"));
      auto r = LoadRecord(*ctx.env, stage_key);
      if (!r) return std::move(r).error();
      if (!*r) return BadRequest("Invalid stage identifier specified");
      const auto* a = (*r)->if_contains("AutoDeploy");
      if (a && a->is_bool() && a->get_bool())
        return BadRequest("Cannot create a deployment for a stage with AutoDeploy enabled.");
      stage = std::move(**r);
    }
    auto routes = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
    if (!routes) return std::move(routes).error();
    if (routes->empty())
      return BadRequest("At least one route is required before deploying the Api.");
    auto d = Deploy(ctx, api_id, StringMember(in, "Description"), false);
    if (!d) return std::move(d).error();
    if (stage) {
      (*stage)["DeploymentId"] = d->at("DeploymentId");
      (*stage)["LastUpdatedDate"] = NowSeconds(ctx);
      auto st = SaveRecord(ctx, stage_key, *stage);
      if (!st) return std::move(st).error();
    }
    return Document(std::move(*d));
  });
  t.emplace_back("GetDeployment", [](RequestContext& ctx, Document& in) {
    return GetChild(ctx, in, Kind::kDeploy, "DeploymentId", &DeploymentNotFound);
  });
  t.emplace_back("GetDeployments", [](RequestContext& ctx, Document& in) {
    return ListChildren(ctx, in, Kind::kDeploy, "DeploymentId");
  });
  t.emplace_back("DeleteDeployment", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string id(StringMember(in, "DeploymentId"));
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, id);
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return DeploymentNotFound(id);
    auto stages = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kStage, api_id);
    if (!stages) return std::move(stages).error();
    for (const auto& s : *stages) {
      const auto* d = s.if_contains("DeploymentId");
      if (d && d->is_string() && d->get_string() == id)
        return BadRequest("Active stages pointing to this deployment must be moved or deleted");
    }
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
  return t;
}

}  // namespace nimbus::apigatewayv2
