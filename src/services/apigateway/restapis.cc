// CreateRestApi (with its root resource "/"), GetRestApi, GetRestApis, UpdateRestApi (patch
// operations), DeleteRestApi, and tags (TagResource, UntagResource, GetTags) for REST APIs
// ("arn:aws:apigateway:<region>::/restapis/<id>"), stages (".../stages/<name>"), API keys
// ("...::/apikeys/<id>") and usage plans ("...::/usageplans/<id>").
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/usage.h"
#include "services/apigateway/validators.h"

namespace nimbus::apigateway {

namespace {

Status CheckEndpointConfiguration(const Document& in) {
  if (!HasMember(in, "endpointConfiguration")) return Ok{};
  const auto& ec = in.at("endpointConfiguration");
  if (!ec.is_object() || !HasMember(ec, "types")) return Ok{};
  const auto& types = ec.at("types");
  if (types.is_array() && types.get_array().size() > 1)
    return BadRequest("Cannot create an api with multiple Endpoint Types.");
  return Ok{};
}

struct TaggedRecord {
  std::string key;
  json::object record;
};

Result<TaggedRecord> FindTagged(const RequestContext& ctx, std::string_view arn) {
  std::string prefix = "arn:aws:apigateway:" + ctx.region + "::/restapis/";
  auto not_found = [&] { return NotFound("Invalid resource identifier specified"); };
  // API keys ("::/apikeys/<id>") and usage plans ("::/usageplans/<id>") carry tags too.
  for (std::string_view kind : {"apikeys", "usageplans"}) {
    std::string other = "arn:aws:apigateway:" + ctx.region + "::/" + std::string(kind) + "/";
    if (!arn.starts_with(other)) continue;
    std::string_view id = arn.substr(other.size());
    if (id.empty() || id.find('/') != std::string_view::npos) return not_found();
    TaggedRecord out;
    out.key = kind == "apikeys" ? ApiKeyRecordKey(ctx.account_id, ctx.region, id)
                                : UsagePlanKey(ctx.account_id, ctx.region, id);
    auto r = LoadRecord(*ctx.env, out.key);
    if (!r) return std::move(r).error();
    if (!*r) return not_found();
    out.record = std::move(**r);
    return out;
  }
  if (arn.substr(0, prefix.size()) != prefix)
    return BadRequest("Invalid ARN specified in the request");
  std::string_view rest = arn.substr(prefix.size());
  auto slash = rest.find('/');
  std::string api_id(rest.substr(0, slash));
  if (api_id.empty()) return not_found();
  TaggedRecord out;
  if (slash == std::string_view::npos) {
    out.key = ApiKey(ctx.account_id, ctx.region, api_id);
  } else {
    std::string_view sub = rest.substr(slash);
    constexpr std::string_view kStages = "/stages/";
    if (sub.substr(0, kStages.size()) != kStages || sub.size() == kStages.size() ||
        sub.substr(kStages.size()).find('/') != std::string_view::npos)
      return not_found();
    out.key =
        ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, sub.substr(kStages.size()));
  }
  auto r = LoadRecord(*ctx.env, out.key);
  if (!r) return std::move(r).error();
  if (!*r) return not_found();
  out.record = std::move(**r);
  return out;
}

// Applies one patch operation of UpdateRestApi to `api`.
Status PatchRestApi(const PatchOp& p, json::object& api) {
  constexpr std::string_view kBinary = "/binaryMediaTypes/";
  if (p.path.rfind(kBinary, 0) == 0 && p.path.size() > kBinary.size()) {
    std::string type = UnescapePatchSegment(std::string_view(p.path).substr(kBinary.size()));
    json::value& list = api["binaryMediaTypes"];
    if (!list.is_array()) list = json::array();
    auto& a = list.as_array();
    for (auto it = a.begin(); it != a.end();)
      it = it->is_string() && it->get_string() == type ? a.erase(it) : it + 1;
    if (p.op == "add" || p.op == "replace")
      a.emplace_back(type);
    else if (p.op != "remove")
      return InvalidPatchPath(p);
    if (a.empty()) api.erase("binaryMediaTypes");
    return Ok{};
  }
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.path == "/name") {
    if (!p.value || p.value->empty()) return BadRequest("Invalid null or empty value in name");
    api["name"] = *p.value;
  } else if (p.path == "/description" || p.path == "/version" || p.path == "/policy") {
    std::string member = p.path.substr(1);
    if (p.value)
      api[member] = *p.value;
    else
      api.erase(member);
  } else if (p.path == "/apiKeySource") {
    if (p.value != "HEADER" && p.value != "AUTHORIZER")
      return BadRequest("Invalid value for apiKeySource: must be HEADER or AUTHORIZER");
    api["apiKeySource"] = *p.value;
  } else if (p.path == "/disableExecuteApiEndpoint") {
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    api["disableExecuteApiEndpoint"] = *b;
  } else if (p.path == "/minimumCompressionSize") {
    if (!p.value || p.value->empty()) {
      api.erase("minimumCompressionSize");
      return Ok{};
    }
    int64_t n = -1;
    try {
      size_t used = 0;
      n = std::stoll(*p.value, &used);
      if (used != p.value->size()) n = -1;
    } catch (const std::exception&) {
      n = -1;
    }
    if (n < 0 || n > 10485760)
      return BadRequest("Invalid minimum compression size, must be between 0 and 10485760");
    api["minimumCompressionSize"] = n;
  } else {
    return InvalidPatchPath(p);
  }
  return Ok{};
}

}  // namespace

HandlerTable RestApiHandlers() {
  HandlerTable t;
  t.emplace_back("CreateRestApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    if (StringMember(in, "name").empty()) return BadRequest("Invalid null or empty value in name");
    if (HasMember(in, "cloneFrom"))
      return NotBuilt("CreateRestApi with cloneFrom is not implemented");
    auto ec = CheckEndpointConfiguration(in);
    if (!ec) return std::move(ec).error();
    std::string id = NewRestApiId();
    std::string root_id = NewResourceId();
    json::object api{{"id", id},
                     {"name", StringMember(in, "name")},
                     {"createdDate", NowSeconds(ctx)},
                     {"apiKeySource",
                      HasMember(in, "apiKeySource") ? StringMember(in, "apiKeySource") : "HEADER"},
                     {"endpointConfiguration",
                      json::object{{"types", json::array{"EDGE"}}, {"ipAddressType", "ipv4"}}},
                     {"disableExecuteApiEndpoint", false},
                     {"rootResourceId", root_id}};
    for (std::string_view m : {"description", "version", "policy", "binaryMediaTypes",
                               "minimumCompressionSize", "disableExecuteApiEndpoint", "tags"})
      if (HasMember(in, m)) api[m] = in.at(m);
    if (HasMember(in, "endpointConfiguration")) {
      json::object& ec_out = api["endpointConfiguration"].as_object();
      for (const auto& [k, v] : in.at("endpointConfiguration").as_object()) ec_out[k] = v;
    }
    if (const auto* tags = api.if_contains("tags");
        tags && tags->is_object() && tags->get_object().size() > 50)
      return BadRequest("Too many tags: a resource takes at most 50.");
    json::object root{{"id", root_id}, {"path", "/"}};
    storage::WriteBatch batch;
    storage::PutJson(batch, kKeyspace, ApiKey(ctx.account_id, ctx.region, id), api);
    storage::PutJson(batch, kKeyspace,
                     ChildKey(ctx.account_id, ctx.region, Kind::kResource, id, root_id), root);
    storage::PutJson(batch, kKeyspace, OwnerKey(id),
                     json::object{{"account", ctx.account_id}, {"region", ctx.region}});
    for (const auto& m : DefaultModels())
      storage::PutJson(
          batch, kKeyspace,
          ChildKey(ctx.account_id, ctx.region, Kind::kModel, id, m.at("name").as_string()), m);
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return Document(std::move(api));
  });
  t.emplace_back("GetRestApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto api = LoadApi(ctx, StringMember(in, "restApiId"));
    if (!api) return std::move(api).error();
    return Document(std::move(*api));
  });
  t.emplace_back("GetRestApis", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::vector<json::object> items;
    std::string prefix = storage::ScopePrefix(ctx.account_id, ctx.region) + "a/";
    auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, prefix, "",
                                [&](std::string_view, json::value& doc) {
                                  if (doc.is_object()) items.push_back(std::move(doc.get_object()));
                                  return true;
                                });
    if (!st.ok()) return storage::StorageError(st);
    return Page(in, std::move(items));
  });
  t.emplace_back("UpdateRestApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, id);
    if (!api) return std::move(api).error();
    for (const auto& p : PatchOps(in)) {
      auto st = PatchRestApi(p, *api);
      if (!st) return std::move(st).error();
    }
    auto st = SaveRecord(ctx, ApiKey(ctx.account_id, ctx.region, id), *api);
    if (!st) return std::move(st).error();
    return Document(std::move(*api));
  });
  t.emplace_back("DeleteRestApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, id);
    if (!api) return std::move(api).error();
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, ApiKey(ctx.account_id, ctx.region, id));
    batch.Delete(kKeyspace, OwnerKey(id));
    for (Kind k : {Kind::kResource, Kind::kStage, Kind::kDeploy, Kind::kAuthorizer, Kind::kModel,
                   Kind::kValidator, Kind::kGatewayResponse}) {
      std::string prefix = ChildPrefix(ctx.account_id, ctx.region, k, id);
      batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
    }
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });

  t.emplace_back("TagResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto res = FindTagged(ctx, StringMember(in, "resourceArn"));
    if (!res) return std::move(res).error();
    json::value& tags = res->record["tags"];
    if (!tags.is_object()) tags = json::object();
    if (HasMember(in, "tags") && in.at("tags").is_object())
      for (const auto& [k, v] : in.at("tags").get_object()) tags.as_object()[k] = v;
    if (tags.as_object().size() > 50)
      return BadRequest("Too many tags: a resource takes at most 50.");
    auto st = SaveRecord(ctx, res->key, res->record);
    if (!st) return std::move(st).error();
    return Document(json::object());
  });
  t.emplace_back("UntagResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto res = FindTagged(ctx, StringMember(in, "resourceArn"));
    if (!res) return std::move(res).error();
    if (auto* tags = res->record.if_contains("tags"); tags && tags->is_object()) {
      if (HasMember(in, "tagKeys") && in.at("tagKeys").is_array())
        for (const auto& k : in.at("tagKeys").get_array())
          if (k.is_string()) tags->as_object().erase(k.get_string());
      if (tags->as_object().empty()) res->record.erase("tags");
    }
    auto st = SaveRecord(ctx, res->key, res->record);
    if (!st) return std::move(st).error();
    return Document(json::object());
  });
  t.emplace_back("GetTags", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto res = FindTagged(ctx, StringMember(in, "resourceArn"));
    if (!res) return std::move(res).error();
    const auto* tags = res->record.if_contains("tags");
    return Document(
        json::object{{"tags", tags && tags->is_object() ? *tags : json::value(json::object())}});
  });
  return t;
}

}  // namespace nimbus::apigateway
