// ImportRestApi and PutRestApi: a definition (read by openapi_read.cc) becomes the resources,
// methods, integrations, models and request validators of a REST API, in one write.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/validators.h"

namespace nimbus::apigateway {

namespace {

bool IsVariablePart(std::string_view p) { return !p.empty() && p.front() == '{'; }

// Adds the definition to an API whose resources are `existing` (merge: methods the definition
// states replace the API's; overwrite: the caller passes the root alone), into `batch`.
Status WriteDefinition(const RequestContext& ctx, std::string_view api_id, RestDefinition& def,
                       std::vector<json::object> existing, storage::WriteBatch& batch) {
  std::map<std::string, json::object> by_path;
  for (auto& r : existing) {
    std::string path(StringMember(r, "path"));
    by_path[path] = std::move(r);
  }
  if (!by_path.count("/")) return InvalidDefinition("the API has no root resource");
  // Validators: reuse the API's validator of the same name, else a new one.
  std::map<std::string, std::string> validator_ids;
  auto current = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kValidator, api_id);
  if (!current) return std::move(current).error();
  for (const auto& v : *current)
    validator_ids[std::string(StringMember(v, "name"))] = StringMember(v, "id");
  for (auto& [name, record] : def.validators) {
    auto it = validator_ids.find(name);
    std::string id = it != validator_ids.end() ? it->second : NewDeploymentId();
    validator_ids[name] = id;
    record["id"] = id;
    storage::PutJson(batch, kKeyspace,
                     ChildKey(ctx.account_id, ctx.region, Kind::kValidator, api_id, id), record);
  }
  for (const auto& [type, record] : def.gateway_responses)
    storage::PutJson(batch, kKeyspace, GatewayResponseKey(ctx, api_id, type), record);
  for (const auto& m : def.models)
    storage::PutJson(
        batch, kKeyspace,
        ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, m.at("name").as_string()), m);
  std::set<std::string> touched;
  for (auto& [path, methods] : def.paths) {
    // The resource and its ancestors.
    std::string at;
    size_t pos = 1;
    while (path != "/" && pos <= path.size()) {
      auto next = path.find('/', pos);
      std::string part =
          path.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      std::string parent = at.empty() ? "/" : at;
      at += "/" + part;
      if (!by_path.count(at)) {
        const json::object& p = by_path.at(parent);
        std::string_view parent_part = StringMember(p, "pathPart");
        if (parent_part.size() > 2 && parent_part.substr(parent_part.size() - 2) == "+}")
          return InvalidDefinition("path " + path +
                                   ": a greedy path variable cannot have children");
        if (IsVariablePart(part))
          for (const auto& [other_path, other] : by_path)
            if (StringMember(other, "parentId") == StringMember(p, "id") &&
                IsVariablePart(StringMember(other, "pathPart")))
              return InvalidDefinition("paths " + other_path + " and " + at +
                                       " give one resource two variable path parts -- only one is "
                                       "allowed");
        by_path[at] = json::object{{"id", NewResourceId()},
                                   {"parentId", StringMember(p, "id")},
                                   {"pathPart", part},
                                   {"path", at}};
        touched.insert(at);
      }
      if (next == std::string::npos) break;
      pos = next + 1;
    }
    json::object& resource = by_path.at(path);
    touched.insert(path);
    json::value& rm = resource["resourceMethods"];
    if (!rm.is_object()) rm = json::object();
    for (auto& [name, method] : methods) {
      json::object m = method.as_object();
      if (auto v = StringMember(m, "_validator"); !v.empty())
        m["requestValidatorId"] = validator_ids.at(std::string(v));
      m.erase("_validator");
      if (auto* i = m.if_contains("methodIntegration");
          i && i->is_object() && !i->get_object().contains("cacheNamespace"))
        i->get_object()["cacheNamespace"] = StringMember(resource, "id");
      rm.get_object()[name] = std::move(m);
    }
  }
  for (const auto& path : touched) {
    const json::object& r = by_path.at(path);
    storage::PutJson(
        batch, kKeyspace,
        ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, StringMember(r, "id")), r);
  }
  // Overwrite passes the root with its methods cleared; write it even when untouched.
  if (!touched.count("/")) {
    const json::object& root = by_path.at("/");
    storage::PutJson(
        batch, kKeyspace,
        ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, StringMember(root, "id")),
        root);
  }
  return Ok{};
}

// Adds Empty and Error to the definition's models unless it defines them.
void AddDefaultModels(RestDefinition& def) {
  for (auto& m : DefaultModels()) {
    bool defined = false;
    for (const auto& d : def.models) defined = defined || d.at("name") == m.at("name");
    if (!defined) def.models.push_back(std::move(m));
  }
}

Document ApiAnswer(json::object api, const RestDefinition& def) {
  if (!def.warnings.empty()) {
    json::array w;
    for (const auto& s : def.warnings) w.emplace_back(s);
    api["warnings"] = std::move(w);
  }
  return Document(std::move(api));
}

}  // namespace

HandlerTable OpenApiHandlers() {
  HandlerTable t;
  t.emplace_back("ImportRestApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string id = NewRestApiId();
    auto def = ReadRestDefinition(in, id);
    if (!def) return std::move(def).error();
    AddDefaultModels(*def);
    std::string root_id = NewResourceId();
    json::object api{{"id", id},
                     {"createdDate", NowSeconds(ctx)},
                     {"apiKeySource", "HEADER"},
                     {"endpointConfiguration",
                      json::object{{"types", json::array{"EDGE"}}, {"ipAddressType", "ipv4"}}},
                     {"disableExecuteApiEndpoint", false},
                     {"rootResourceId", root_id}};
    for (const auto& [k, v] : def->api_fields) api[k] = v;
    std::lock_guard lock(WriteMutex());
    storage::WriteBatch batch;
    storage::PutJson(batch, kKeyspace, ApiKey(ctx.account_id, ctx.region, id), api);
    storage::PutJson(batch, kKeyspace, OwnerKey(id),
                     json::object{{"account", ctx.account_id}, {"region", ctx.region}});
    std::vector<json::object> existing{json::object{{"id", root_id}, {"path", "/"}}};
    if (auto st = WriteDefinition(ctx, id, *def, std::move(existing), batch); !st)
      return std::move(st).error();
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return ApiAnswer(std::move(api), *def);
  });
  t.emplace_back("PutRestApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string id(StringMember(in, "restApiId"));
    {
      auto api = LoadApi(ctx, id);
      if (!api) return std::move(api).error();
    }
    std::string mode = HasMember(in, "mode") ? std::string(StringMember(in, "mode")) : "merge";
    if (mode != "merge" && mode != "overwrite")
      return BadRequest("Invalid mode " + mode + ": use merge or overwrite");
    auto def = ReadRestDefinition(in, id);
    if (!def) return std::move(def).error();
    std::lock_guard lock(WriteMutex());
    auto api = LoadApi(ctx, id);
    if (!api) return std::move(api).error();
    auto resources = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, id);
    if (!resources) return std::move(resources).error();
    storage::WriteBatch batch;
    if (mode == "overwrite") {
      // Everything but the root resource (which keeps its id) goes; so do models and
      // validators. The API's fields the definition states replace the old ones.
      for (Kind k : {Kind::kResource, Kind::kModel, Kind::kValidator}) {
        std::string prefix = ChildPrefix(ctx.account_id, ctx.region, k, id);
        batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
      }
      std::vector<json::object> root;
      for (auto& r : *resources)
        if (StringMember(r, "path") == "/")
          root.push_back(json::object{{"id", r.at("id")}, {"path", "/"}});
      *resources = std::move(root);
      AddDefaultModels(*def);
      for (std::string_view m : {"description", "binaryMediaTypes", "version", "policy"})
        api->erase(m);
      for (const auto& [k, v] : def->api_fields) (*api)[k] = v;
    } else {
      for (const auto& [k, v] : def->api_fields)
        if (k != "name") (*api)[k] = v;
    }
    if (auto st = WriteDefinition(ctx, id, *def, std::move(*resources), batch); !st)
      return std::move(st).error();
    storage::PutJson(batch, kKeyspace, ApiKey(ctx.account_id, ctx.region, id), *api);
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return ApiAnswer(std::move(*api), *def);
  });
  t.emplace_back("GetExport", [](RequestContext& ctx, Document& in) { return GetExport(ctx, in); });
  return t;
}

}  // namespace nimbus::apigateway
