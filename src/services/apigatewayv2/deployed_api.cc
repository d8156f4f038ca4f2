// The data plane's cache of HTTP APIs: one storage read per API and configuration change
// instead of an owner, API, stage and three child scans (or a deployment) per request.
#include "services/apigatewayv2/deployed_api.h"

#include <boost/json.hpp>

#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

namespace {

// What `stage` serves: with AutoDeploy, the API's routes, integrations and authorizers as they
// are; otherwise those of its deployment (nothing when it was never deployed).
Status LoadServed(ServiceEnv& env, const std::string& account, const std::string& region,
                  std::string_view api_id, DeployedStage* s) {
  const auto* auto_deploy = s->stage.if_contains("AutoDeploy");
  if (auto_deploy && auto_deploy->is_bool() && auto_deploy->get_bool()) {
    auto routes = LoadChildren(env, account, region, Kind::kRoute, api_id);
    if (!routes) return std::move(routes).error();
    auto integrations = LoadChildren(env, account, region, Kind::kIntegration, api_id);
    if (!integrations) return std::move(integrations).error();
    auto authorizers = LoadChildren(env, account, region, Kind::kAuthorizer, api_id);
    if (!authorizers) return std::move(authorizers).error();
    s->routes = std::move(*routes);
    for (auto& i : *integrations) {
      std::string id(i.at("IntegrationId").as_string());
      s->integrations[id] = std::move(i);
    }
    for (auto& a : *authorizers) {
      std::string id(a.at("AuthorizerId").as_string());
      s->authorizers[id] = std::move(a);
    }
  } else if (const auto* deployment_id = s->stage.if_contains("DeploymentId");
             deployment_id && deployment_id->is_string()) {
    auto d = LoadRecord(env, ChildKey(account, region, Kind::kDeploy, api_id,
                                      std::string(deployment_id->get_string())));
    if (!d) return std::move(d).error();
    if (*d) {
      if (auto* routes = (*d)->if_contains("_routes"); routes && routes->is_array())
        for (auto& r : routes->as_array())
          if (r.is_object()) s->routes.push_back(std::move(r.as_object()));
      if (auto* integrations = (*d)->if_contains("_integrations");
          integrations && integrations->is_object())
        s->integrations = std::move(integrations->as_object());
      if (auto* authorizers = (*d)->if_contains("_authorizers");
          authorizers && authorizers->is_object())
        s->authorizers = std::move(authorizers->as_object());
    }
  }
  for (const auto& r : s->routes) {
    const auto* key = r.if_contains("RouteKey");
    s->route_keys.emplace_back(key && key->is_string() ? std::string_view(key->get_string())
                                                       : std::string_view());
  }
  return Ok{};
}

Result<std::shared_ptr<const DeployedApi>> Load(ServiceEnv& env, std::string_view api_id) {
  auto owner = LoadRecord(env, OwnerKey(api_id));
  if (!owner) return std::move(owner).error();
  if (!*owner) return std::shared_ptr<const DeployedApi>();
  auto out = std::make_shared<DeployedApi>();
  out->account = std::string((*owner)->at("account").as_string());
  out->region = std::string((*owner)->at("region").as_string());
  auto api = LoadRecord(env, ApiKey(out->account, out->region, api_id));
  if (!api) return std::move(api).error();
  if (!*api) return std::shared_ptr<const DeployedApi>();
  out->api = std::move(**api);
  auto stages = LoadChildren(env, out->account, out->region, Kind::kStage, api_id);
  if (!stages) return std::move(stages).error();
  for (auto& record : *stages) {
    auto s = std::make_shared<DeployedStage>();
    const auto* name = record.if_contains("StageName");
    if (!name || !name->is_string()) continue;
    s->name = std::string(name->get_string());
    s->stage = std::move(record);
    auto st = LoadServed(env, out->account, out->region, api_id, s.get());
    if (!st) return std::move(st).error();
    std::string key = s->name;
    out->stages.emplace(std::move(key), std::move(s));
  }
  return std::shared_ptr<const DeployedApi>(std::move(out));
}

}  // namespace

const DeployedStage* DeployedApi::Stage(const std::string& name) const {
  auto it = stages.find(name);
  return it == stages.end() ? nullptr : it->second.get();
}

Result<std::shared_ptr<const DeployedApi>> DeployedApiCache::Find(ServiceEnv& env,
                                                                  std::string_view api_id) {
  // The generation is read before storage: a write that lands during the read bumps it, so
  // what was read is stored as already stale.
  uint64_t generation = generation_.load(std::memory_order_acquire);
  std::string key(api_id);
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.generation == generation) return it->second.api;
  }
  auto loaded = Load(env, api_id);
  if (!loaded) return loaded;
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  auto& e = entries_[std::move(key)];
  if (e.generation <= generation) e = Entry{generation, *loaded};
  return loaded;
}

void DeployedApiCache::Invalidate() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  std::lock_guard lock(mu_);
  entries_.clear();
}

}  // namespace nimbus::apigatewayv2
