// Deployments (CreateDeployment, GetDeployment(s), UpdateDeployment (/description),
// DeleteDeployment) and stages (CreateStage,
// GetStage(s), UpdateStage with patch operations, DeleteStage). A deployment keeps a copy of the
// API's resources, methods and integrations: a stage serves that copy, never the API as it is
// being edited.
#include <boost/json.hpp>
#include <cctype>

#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/usage.h"
#include "services/apigateway/validators.h"

namespace nimbus::apigateway {

namespace {

bool ValidStageName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

json::object DeploymentView(json::object record) {
  for (auto it = record.begin(); it != record.end();)
    it = !it->key().empty() && it->key()[0] == '_' ? record.erase(it) : it + 1;
  return record;
}

Result<std::optional<json::object>> LoadStage(const RequestContext& ctx, std::string_view api_id,
                                              std::string_view name) {
  if (name.find('/') != std::string_view::npos) return std::optional<json::object>();
  return LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, name));
}

Status CheckDeploymentExists(const RequestContext& ctx, std::string_view api_id,
                             std::string_view deployment_id) {
  if (deployment_id.empty() || deployment_id.find('/') != std::string_view::npos)
    return DeploymentNotFound();
  auto d = LoadRecord(*ctx.env,
                      ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, deployment_id));
  if (!d) return std::move(d).error();
  if (!*d) return DeploymentNotFound();
  return Ok{};
}

json::object NewStage(const RequestContext& ctx, std::string_view name,
                      std::string_view deployment_id) {
  double now = NowSeconds(ctx);
  return json::object{{"stageName", name},
                      {"deploymentId", deployment_id},
                      {"cacheClusterEnabled", false},
                      {"cacheClusterStatus", "NOT_AVAILABLE"},
                      {"methodSettings", json::object()},
                      {"tracingEnabled", false},
                      {"createdDate", now},
                      {"lastUpdatedDate", now}};
}

Status PatchStage(const RequestContext& ctx, std::string_view api_id, const PatchOp& p,
                  json::object& stage) {
  constexpr std::string_view kVariables = "/variables/";
  if (p.path.rfind(kVariables, 0) == 0 && p.path.size() > kVariables.size()) {
    std::string name = UnescapePatchSegment(std::string_view(p.path).substr(kVariables.size()));
    json::value& vars = stage["variables"];
    if (!vars.is_object()) vars = json::object();
    if (p.op == "remove") {
      vars.as_object().erase(name);
    } else if (p.op == "add" || p.op == "replace") {
      if (!p.value) return BadRequest("Invalid null value for stage variable " + name);
      vars.as_object()[name] = *p.value;
    } else {
      return InvalidPatchPath(p);
    }
    if (vars.as_object().empty()) stage.erase("variables");
    return Ok{};
  }
  if (auto setting = PatchMethodSetting(p, stage)) return std::move(*setting);
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.path == "/description") {
    if (p.value)
      stage["description"] = *p.value;
    else
      stage.erase("description");
  } else if (p.path == "/deploymentId") {
    auto st = CheckDeploymentExists(ctx, api_id, p.value.value_or(""));
    if (!st) return st;
    stage["deploymentId"] = *p.value;
  } else if (p.path == "/tracingEnabled" || p.path == "/cacheClusterEnabled") {
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    stage[p.path.substr(1)] = *b;
  } else {
    return InvalidPatchPath(p);
  }
  return Ok{};
}

void AddDeploymentHandlers(HandlerTable& t) {
  t.emplace_back("CreateDeployment", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto resources = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
    if (!resources) return std::move(resources).error();
    size_t methods = 0;
    for (const auto& r : *resources) {
      const auto* ms = r.if_contains("resourceMethods");
      if (!ms || !ms->is_object()) continue;
      for (const auto& [name, m] : ms->get_object()) {
        ++methods;
        if (!m.is_object() || !m.get_object().contains("methodIntegration"))
          return BadRequest("No integration defined for method");
      }
    }
    if (methods == 0) return BadRequest("The REST API doesn't contain any methods");
    std::string stage_name(StringMember(in, "stageName"));
    if (HasMember(in, "stageName") && !ValidStageName(stage_name))
      return BadRequest("Stage name only allows a-zA-Z0-9_");
    std::string id = NewDeploymentId();
    json::object record{{"id", id}, {"createdDate", NowSeconds(ctx)}};
    if (HasMember(in, "description")) record["description"] = StringMember(in, "description");
    json::array copy;
    for (auto& r : *resources) copy.push_back(std::move(r));
    record["_resources"] = std::move(copy);
    auto authorizers =
        LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kAuthorizer, api_id);
    if (!authorizers) return std::move(authorizers).error();
    json::object authorizer_copy;
    for (auto& a : *authorizers) {
      std::string aid(a.at("id").as_string());
      authorizer_copy[aid] = std::move(a);
    }
    record["_authorizers"] = std::move(authorizer_copy);
    if (auto st = SnapshotModels(ctx, api_id, record); !st) return std::move(st).error();
    if (auto st = SnapshotGatewayResponses(ctx, api_id, record); !st) return std::move(st).error();
    storage::WriteBatch batch;
    storage::PutJson(batch, kKeyspace,
                     ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, id), record);
    if (!stage_name.empty()) {
      // CreateDeployment with stageName creates the stage or points it at the new deployment.
      auto existing = LoadStage(ctx, api_id, stage_name);
      if (!existing) return std::move(existing).error();
      json::object stage = *existing ? std::move(**existing) : NewStage(ctx, stage_name, id);
      stage["deploymentId"] = id;
      stage["lastUpdatedDate"] = NowSeconds(ctx);
      if (HasMember(in, "stageDescription"))
        stage["description"] = StringMember(in, "stageDescription");
      if (HasMember(in, "variables") && in.at("variables").is_object()) {
        json::value& vars = stage["variables"];
        if (!vars.is_object()) vars = json::object();
        for (const auto& [k, v] : in.at("variables").get_object()) vars.as_object()[k] = v;
      }
      storage::PutJson(batch, kKeyspace,
                       ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, stage_name),
                       stage);
    }
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return Document(DeploymentView(std::move(record)));
  });
  t.emplace_back("GetDeployment", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto st = CheckDeploymentExists(ctx, api_id, StringMember(in, "deploymentId"));
    if (!st) return std::move(st).error();
    auto d = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id,
                                           StringMember(in, "deploymentId")));
    if (!d) return std::move(d).error();
    if (!*d) return DeploymentNotFound();
    return Document(DeploymentView(std::move(**d)));
  });
  t.emplace_back("GetDeployments", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kDeploy, api_id);
    if (!all) return std::move(all).error();
    return Page(in, std::move(*all));
  });
  t.emplace_back("UpdateDeployment", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    std::string id(StringMember(in, "deploymentId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    if (id.empty() || id.find('/') != std::string::npos) return DeploymentNotFound();
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, id);
    auto d = LoadRecord(*ctx.env, key);
    if (!d) return std::move(d).error();
    if (!*d) return DeploymentNotFound();
    json::object deployment = std::move(**d);
    // A deployment's snapshot is fixed; only its description changes.
    for (const auto& p : PatchOps(in)) {
      if (p.path != "/description") return InvalidPatchPathMustBe(p, "[/description]");
      if (p.op != "replace") return InvalidPatchPath(p);
      if (p.value)
        deployment["description"] = *p.value;
      else
        deployment.erase("description");
    }
    auto st = SaveRecord(ctx, key, deployment);
    if (!st) return std::move(st).error();
    return Document(DeploymentView(std::move(deployment)));
  });
  t.emplace_back("DeleteDeployment", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    std::string id(StringMember(in, "deploymentId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto st = CheckDeploymentExists(ctx, api_id, id);
    if (!st) return std::move(st).error();
    auto stages = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kStage, api_id);
    if (!stages) return std::move(stages).error();
    for (const auto& s : *stages)
      if (const auto* d = s.if_contains("deploymentId");
          d && d->is_string() && d->get_string() == id)
        return BadRequest("Active stages pointing to this deployment must be moved or deleted");
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, id));
    auto del = ctx.env->kv->Write(batch);
    if (!del.ok()) return storage::StorageError(del);
    return Document(json::object());
  });
}

void AddStageHandlers(HandlerTable& t) {
  t.emplace_back("CreateStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string name(StringMember(in, "stageName"));
    if (!ValidStageName(name)) return BadRequest("Stage name only allows a-zA-Z0-9_");
    auto existing = LoadStage(ctx, api_id, name);
    if (!existing) return std::move(existing).error();
    if (*existing) return Conflict("Stage already exists");
    auto dst = CheckDeploymentExists(ctx, api_id, StringMember(in, "deploymentId"));
    if (!dst) return std::move(dst).error();
    json::object stage = NewStage(ctx, name, StringMember(in, "deploymentId"));
    for (std::string_view m : {"description", "variables", "tags", "tracingEnabled",
                               "cacheClusterEnabled", "cacheClusterSize", "documentationVersion"})
      if (HasMember(in, m)) stage[m] = in.at(m);
    if (const auto* tags = stage.if_contains("tags");
        tags && tags->is_object() && tags->get_object().size() > 50)
      return BadRequest("Too many tags: a resource takes at most 50.");
    auto st =
        SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, name), stage);
    if (!st) return std::move(st).error();
    return Document(std::move(stage));
  });
  t.emplace_back("GetStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto s = LoadStage(ctx, api_id, StringMember(in, "stageName"));
    if (!s) return std::move(s).error();
    if (!*s) return StageNotFound();
    return Document(std::move(**s));
  });
  t.emplace_back("GetStages", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kStage, api_id);
    if (!all) return std::move(all).error();
    json::array items;
    for (auto& s : *all) {
      if (HasMember(in, "deploymentId")) {
        const auto* d = s.if_contains("deploymentId");
        if (!d || !d->is_string() || d->get_string() != StringMember(in, "deploymentId")) continue;
      }
      items.push_back(std::move(s));
    }
    return Document(json::object{{"item", std::move(items)}});
  });
  t.emplace_back("UpdateStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    std::string name(StringMember(in, "stageName"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto s = LoadStage(ctx, api_id, name);
    if (!s) return std::move(s).error();
    if (!*s) return StageNotFound();
    json::object stage = std::move(**s);
    for (const auto& p : PatchOps(in)) {
      auto st = PatchStage(ctx, api_id, p, stage);
      if (!st) return std::move(st).error();
    }
    stage["lastUpdatedDate"] = NowSeconds(ctx);
    auto st =
        SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, name), stage);
    if (!st) return std::move(st).error();
    return Document(std::move(stage));
  });
  t.emplace_back("DeleteStage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    std::string name(StringMember(in, "stageName"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto s = LoadStage(ctx, api_id, name);
    if (!s) return std::move(s).error();
    if (!*s) return StageNotFound();
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, name));
    auto del = ctx.env->kv->Write(batch);
    if (!del.ok()) return storage::StorageError(del);
    return Document(json::object());
  });
}

}  // namespace

HandlerTable StageHandlers() {
  HandlerTable t;
  AddDeploymentHandlers(t);
  AddStageHandlers(t);
  return t;
}

}  // namespace nimbus::apigateway
