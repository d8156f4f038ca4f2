// API keys: CreateApiKey, GetApiKey, GetApiKeys, UpdateApiKey (patch operations), DeleteApiKey
// and ImportApiKeys (CSV). A key's value is unique in an account and region; GetApiKey(s) show it
// only when asked (includeValue / includeValues).
#include <boost/json.hpp>
#include <cctype>

#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/usage.h"

namespace nimbus::apigateway {

namespace {

constexpr size_t kMinValue = 20;
constexpr size_t kMaxValue = 128;

Result<std::optional<json::object>> LoadKey(const RequestContext& ctx, std::string_view id) {
  if (id.empty() || id.find('/') != std::string_view::npos) return std::optional<json::object>();
  return LoadRecord(*ctx.env, ApiKeyRecordKey(ctx.account_id, ctx.region, id));
}

json::object KeyView(json::object key, bool include_value) {
  if (!include_value) key.erase("value");
  return key;
}

bool BoolMember(const Document& in, std::string_view name) {
  return HasMember(in, name) && in.at(name).is_bool() && in.at(name).get_bool();
}

// "apiId/stageName" for a stage key, after checking the API and its stage exist.
Result<std::string> StageKeyOf(const RequestContext& ctx, std::string_view api_id,
                               std::string_view stage) {
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  if (stage.empty() || stage.find('/') != std::string_view::npos) return StageNotFound();
  auto s = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, stage));
  if (!s) return std::move(s).error();
  if (!*s) return StageNotFound();
  return std::string(api_id) + "/" + std::string(stage);
}

Status CheckValue(std::string_view value) {
  if (value.size() < kMinValue) return BadRequest("API Key value should be at least 20 characters");
  if (value.size() > kMaxValue) return BadRequest("API Key value should be at most 128 characters");
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return BadRequest("API Key value contains invalid characters");
  return Ok{};
}

struct NewKey {
  std::string name;
  std::string description;
  std::string value;
  std::string customer_id;
  bool enabled = false;
  json::array stage_keys;
  json::object tags;
};

// Validates and stores one key; its record (value included) or the error.
Result<json::object> StoreKey(const RequestContext& ctx, NewKey k, bool value_given) {
  if (value_given) {
    auto st = CheckValue(k.value);
    if (!st) return std::move(st).error();
  } else {
    k.value = RandomAlnum(40);
  }
  if (k.tags.size() > 50) return BadRequest("Too many tags: a resource takes at most 50.");
  auto existing = LoadRecord(*ctx.env, ApiKeyValueKey(ctx.account_id, ctx.region, k.value));
  if (!existing) return std::move(existing).error();
  if (*existing) return Conflict("API Key already exists");
  std::string id = NewRestApiId();
  double now = NowSeconds(ctx);
  json::object record{
      {"id", id},           {"value", k.value},       {"enabled", k.enabled},
      {"createdDate", now}, {"lastUpdatedDate", now}, {"stageKeys", std::move(k.stage_keys)}};
  if (!k.name.empty()) record["name"] = k.name;
  if (!k.description.empty()) record["description"] = k.description;
  if (!k.customer_id.empty()) record["customerId"] = k.customer_id;
  if (!k.tags.empty()) record["tags"] = std::move(k.tags);
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, ApiKeyRecordKey(ctx.account_id, ctx.region, id), record);
  storage::PutJson(batch, kKeyspace, ApiKeyValueKey(ctx.account_id, ctx.region, k.value),
                   json::object{{"id", id}});
  auto st = ctx.env->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return record;
}

Status PatchKey(const RequestContext& ctx, const PatchOp& p, json::object& key) {
  if (p.path == "/stages") {
    std::string_view v = p.value ? std::string_view(*p.value) : std::string_view();
    auto slash = v.find('/');
    if (slash == std::string_view::npos)
      return BadRequest("Invalid stage key value '" + std::string(v) +
                        "': expected '{restApiId}/{stageName}'");
    json::value& sk = key["stageKeys"];
    if (!sk.is_array()) sk = json::array();
    auto& arr = sk.as_array();
    if (p.op == "add") {
      auto stage_key = StageKeyOf(ctx, v.substr(0, slash), v.substr(slash + 1));
      if (!stage_key) return std::move(stage_key).error();
      for (const auto& e : arr)
        if (e.is_string() && e.get_string() == *stage_key) return Ok{};
      arr.push_back(json::string(*stage_key));
      return Ok{};
    }
    if (p.op == "remove") {
      for (auto it = arr.begin(); it != arr.end(); ++it)
        if (it->is_string() && it->get_string() == v) {
          arr.erase(it);
          return Ok{};
        }
      return NotFound("Invalid stage key specified: " + std::string(v));
    }
    return InvalidPatchPath(p);
  }
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.path == "/enabled") {
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    key["enabled"] = *b;
  } else if (p.path == "/name" || p.path == "/description" || p.path == "/customerId") {
    std::string member = p.path.substr(1);
    if (p.value && !p.value->empty())
      key[member] = *p.value;
    else if (member == "name")
      return BadRequest("API Key name cannot be empty");
    else
      key.erase(member);
  } else {
    return InvalidPatchPath(p);
  }
  return Ok{};
}

// ImportApiKeys' CSV: a header row naming the columns (name, key, description, enabled,
// usageplanIds; case-insensitive, any order), then one key a row.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view body) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (quoted) {
      if (c == '"' && i + 1 < body.size() && body[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      row.push_back(std::move(cell));
      cell.clear();
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) return BadRequest("Invalid API keys file: unterminated quoted value");
  if (!cell.empty() || !row.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

HandlerTable ApiKeyHandlers() {
  HandlerTable t;
  t.emplace_back("CreateApiKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    NewKey k;
    k.name = std::string(StringMember(in, "name"));
    k.description = std::string(StringMember(in, "description"));
    k.customer_id = std::string(StringMember(in, "customerId"));
    k.enabled = BoolMember(in, "enabled");
    k.value = std::string(StringMember(in, "value"));
    if (HasMember(in, "stageKeys") && in.at("stageKeys").is_array()) {
      for (const auto& s : in.at("stageKeys").get_array()) {
        auto stage_key =
            StageKeyOf(ctx, StringMember(s, "restApiId"), StringMember(s, "stageName"));
        if (!stage_key) return std::move(stage_key).error();
        k.stage_keys.push_back(json::string(*stage_key));
      }
    }
    if (HasMember(in, "tags") && in.at("tags").is_object()) k.tags = in.at("tags").get_object();
    auto record = StoreKey(ctx, std::move(k), HasMember(in, "value"));
    if (!record) return std::move(record).error();
    return Document(std::move(*record));
  });
  t.emplace_back("GetApiKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto k = LoadKey(ctx, StringMember(in, "apiKey"));
    if (!k) return std::move(k).error();
    if (!*k) return ApiKeyNotFound();
    return Document(KeyView(std::move(**k), BoolMember(in, "includeValue")));
  });
  t.emplace_back("GetApiKeys", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::vector<json::object> all;
    auto st = storage::ScanJsonObjects(*ctx.env->kv, kKeyspace,
                                       ApiKeyRecordKey(ctx.account_id, ctx.region, ""), &all);
    if (!st.ok()) return storage::StorageError(st);
    std::string_view name_query = StringMember(in, "nameQuery");
    std::string_view customer = StringMember(in, "customerId");
    bool include = BoolMember(in, "includeValues");
    std::vector<json::object> items;
    for (auto& k : all) {
      const auto* name = k.if_contains("name");
      std::string_view n = name && name->is_string() ? std::string_view(name->get_string()) : "";
      if (!name_query.empty() && !n.starts_with(name_query)) continue;
      if (HasMember(in, "customerId")) {
        const auto* c = k.if_contains("customerId");
        if (!c || !c->is_string() || c->get_string() != customer) continue;
      }
      items.push_back(KeyView(std::move(k), include));
    }
    return Page(in, std::move(items));
  });
  t.emplace_back("UpdateApiKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string id(StringMember(in, "apiKey"));
    auto k = LoadKey(ctx, id);
    if (!k) return std::move(k).error();
    if (!*k) return ApiKeyNotFound();
    json::object key = std::move(**k);
    for (const auto& p : PatchOps(in)) {
      auto st = PatchKey(ctx, p, key);
      if (!st) return std::move(st).error();
    }
    key["lastUpdatedDate"] = NowSeconds(ctx);
    auto st = SaveRecord(ctx, ApiKeyRecordKey(ctx.account_id, ctx.region, id), key);
    if (!st) return std::move(st).error();
    return Document(KeyView(std::move(key), false));
  });
  t.emplace_back("DeleteApiKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string id(StringMember(in, "apiKey"));
    auto k = LoadKey(ctx, id);
    if (!k) return std::move(k).error();
    if (!*k) return ApiKeyNotFound();
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, ApiKeyRecordKey(ctx.account_id, ctx.region, id));
    if (const auto* v = (*k)->if_contains("value"); v && v->is_string())
      batch.Delete(kKeyspace, ApiKeyValueKey(ctx.account_id, ctx.region, v->get_string()));
    // The key leaves every usage plan it was in.
    std::vector<json::object> plans;
    auto st = storage::ScanJsonObjects(*ctx.env->kv, kKeyspace,
                                       UsagePlanKey(ctx.account_id, ctx.region, ""), &plans);
    if (!st.ok()) return storage::StorageError(st);
    for (const auto& plan : plans)
      if (const auto* pid = plan.if_contains("id"); pid && pid->is_string())
        batch.Delete(kKeyspace,
                     PlanMemberPrefix(ctx.account_id, ctx.region, pid->get_string()) + id);
    auto w = ctx.env->kv->Write(batch);
    if (!w.ok()) return storage::StorageError(w);
    return Document(json::object());
  });
  t.emplace_back("ImportApiKeys", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    if (StringMember(in, "format") != "csv")
      return BadRequest("Invalid format: only csv is supported");
    auto rows = ParseCsv(StringMember(in, "body"));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return BadRequest("Invalid API keys file: no header row");
    std::vector<std::string> header;
    for (const auto& h : (*rows)[0]) header.push_back(Lower(h));
    auto column = [&](std::string_view name) -> int {
      for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return static_cast<int>(i);
      return -1;
    };
    int c_key = column("key");
    if (c_key < 0) return BadRequest("Invalid API keys file: the header names no 'key' column");
    int c_name = column("name"), c_desc = column("description"), c_enabled = column("enabled");
    int c_plans = column("usageplanids");
    bool fail_on_warnings = BoolMember(in, "failOnWarnings");
    json::array ids, warnings;
    for (size_t r = 1; r < rows->size(); ++r) {
      const auto& row = (*rows)[r];
      auto cell = [&](int c) { return c >= 0 && c < static_cast<int>(row.size()) ? row[c] : ""; };
      NewKey k;
      k.value = cell(c_key);
      k.name = cell(c_name);
      k.description = cell(c_desc);
      k.enabled = Lower(cell(c_enabled)) == "true";
      auto record = StoreKey(ctx, std::move(k), true);
      if (!record) {
        std::string w = "Line " + std::to_string(r + 1) + ": " + record.error().message;
        if (fail_on_warnings) return BadRequest(w);
        warnings.push_back(json::string(w));
        continue;
      }
      std::string id(record->at("id").as_string());
      ids.push_back(json::string(id));
      // usageplanIds: plan ids separated by ':' (AWS's sample uses one id).
      std::string plans = cell(c_plans);
      size_t pos = 0;
      while (!plans.empty() && pos <= plans.size()) {
        size_t end = plans.find(':', pos);
        std::string plan = plans.substr(pos, end == std::string::npos ? end : end - pos);
        pos = end == std::string::npos ? plans.size() + 1 : end + 1;
        if (plan.empty()) continue;
        auto p = LoadRecord(*ctx.env, UsagePlanKey(ctx.account_id, ctx.region, plan));
        if (!p) return std::move(p).error();
        if (!*p || plan.find('/') != std::string::npos) {
          warnings.push_back(json::string("Line " + std::to_string(r + 1) +
                                          ": Invalid Usage Plan ID specified " + plan));
          continue;
        }
        auto st = SaveRecord(ctx, PlanMemberPrefix(ctx.account_id, ctx.region, plan) + id,
                             json::object());
        if (!st) return std::move(st).error();
      }
    }
    json::object out{{"ids", std::move(ids)}};
    if (!warnings.empty()) out["warnings"] = std::move(warnings);
    return Document(std::move(out));
  });
  return t;
}

}  // namespace nimbus::apigateway
