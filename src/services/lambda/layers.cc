// Layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayers, ListLayerVersions,
// DeleteLayerVersion; a function's layers merged in order into the directory mounted at /opt.
#include <boost/json.hpp>
#include <filesystem>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxLayers = 5;

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string LayerArn(const RequestContext& ctx, std::string_view name) {
  return "arn:aws:lambda:" + ctx.region + ":" + ctx.account_id + ":layer:" + std::string(name);
}

std::string LayerKey(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "L/" + std::string(name);
}

std::string LayerVersionPrefix(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "l/" + std::string(name) + "/";
}

std::string LayerVersionKey(const RequestContext& ctx, std::string_view name, int64_t version) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010lld", static_cast<long long>(version));
  return LayerVersionPrefix(ctx, name) + buf;
}

// A LayerName that may be an ARN → the name (of the caller's account and region).
Result<std::string> LayerNameOf(const RequestContext& ctx, std::string_view input) {
  std::string s(input);
  if (s.rfind("arn:", 0) != 0) return s;
  std::string prefix = LayerArn(ctx, "");
  if (s.rfind(prefix, 0) != 0 || s.size() == prefix.size())
    return InvalidParameter("Invalid layer name: " + s);
  return s.substr(prefix.size());
}

ApiError LayerVersionNotFound() {
  return ResourceNotFound("The resource you requested does not exist.");
}

// The answer GetLayerVersion gives for a stored record (without the internal "code").
json::object Public(json::object record) {
  record.erase("code");
  return record;
}

bool Matches(const json::object& v, const json::object& in) {
  std::string runtime = Str(in, "CompatibleRuntime");
  std::string arch = Str(in, "CompatibleArchitecture");
  auto has = [&](std::string_view list, const std::string& want) {
    const json::value* l = v.if_contains(list);
    if (!l || !l->is_array()) return false;
    for (const auto& e : l->get_array())
      if (e.is_string() && e.get_string() == want) return true;
    return false;
  };
  return (runtime.empty() || has("CompatibleRuntimes", runtime)) &&
         (arch.empty() || has("CompatibleArchitectures", arch));
}

json::object ListItem(const json::object& v) {
  json::object item;
  for (const char* k : {"LayerVersionArn", "Version", "Description", "CreatedDate",
                        "CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures"})
    if (const json::value* x = v.if_contains(k)) item[k] = *x;
  return item;
}

Result<std::vector<json::object>> Versions(const RequestContext& ctx, std::string_view name) {
  std::vector<json::object> out;
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, LayerVersionPrefix(ctx, name), "",
                              [&](std::string_view, json::value& doc) {
                                out.push_back(std::move(doc.get_object()));
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  return out;
}

}  // namespace

Task<Result<Document>> PublishLayerVersion(LambdaState& s, RequestContext& ctx, Document input) {
  const auto& in = input.get_object();
  auto name = LayerNameOf(ctx, in.at("LayerName").get_string());
  if (!name) co_return std::move(name).error();
  auto zip = co_await FetchZip(ctx, in.at("Content").get_object());
  if (!zip) co_return std::move(zip).error();
  auto stored = StoreCode(s, ctx, "layer." + *name, *zip);
  if (!stored) co_return std::move(stored).error();
  std::lock_guard lock(s.mu);
  auto counter = LoadRecord(ctx, LayerKey(ctx, *name));
  if (!counter) co_return std::move(counter).error();
  int64_t version = *counter ? (**counter).at("next_version").to_number<int64_t>() : 1;
  std::string arn = LayerArn(ctx, *name);
  json::object record{
      {"LayerArn", arn},
      {"LayerVersionArn", arn + ":" + std::to_string(version)},
      {"Version", version},
      {"Description", Str(in, "Description")},
      {"CreatedDate", LastModifiedNow(ctx)},
      {"Content",
       json::object{{"CodeSha256", stored->sha256_base64}, {"CodeSize", stored->code.at("size")}}},
      {"code", stored->code},
  };
  for (const char* k : {"CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"})
    if (const json::value* v = in.if_contains(k)) record[k] = *v;
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, LayerVersionKey(ctx, *name, version), record);
  storage::PutJson(batch, kKeyspace, LayerKey(ctx, *name),
                   json::object{{"next_version", version + 1}});
  auto st = ctx.env->kv->Write(batch);
  if (!st.ok()) co_return storage::StorageError(st);
  co_return json::value(Public(std::move(record)));
}

Result<Document> GetLayerVersion(LambdaState&, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  auto name = LayerNameOf(ctx, in.at("LayerName").get_string());
  if (!name) return std::move(name).error();
  auto rec =
      LoadRecord(ctx, LayerVersionKey(ctx, *name, in.at("VersionNumber").to_number<int64_t>()));
  if (!rec) return std::move(rec).error();
  if (!*rec) return LayerVersionNotFound();
  return json::value(Public(std::move(**rec)));
}

Result<Document> GetLayerVersionByArn(LambdaState& s, RequestContext& ctx, Document& input) {
  std::string arn(input.get_object().at("Arn").get_string());
  auto colon = arn.rfind(':');
  int64_t version = 0;
  try {
    version = std::stoll(arn.substr(colon + 1));
  } catch (...) {
    return InvalidParameter("Invalid layer version ARN: " + arn);
  }
  Document in = json::object{{"LayerName", arn.substr(0, colon)}, {"VersionNumber", version}};
  return GetLayerVersion(s, ctx, in);
}

Result<Document> ListLayerVersions(LambdaState&, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  auto name = LayerNameOf(ctx, in.at("LayerName").get_string());
  if (!name) return std::move(name).error();
  auto versions = Versions(ctx, *name);
  if (!versions) return std::move(versions).error();
  // Newest first, as AWS lists them.
  std::vector<std::string> keys;
  std::vector<json::object> items;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    if (!Matches(*it, in)) continue;
    keys.push_back(std::to_string(it->at("Version").to_number<int64_t>()));
    items.push_back(ListItem(*it));
  }
  size_t max_items = 50;
  if (const json::value* m = in.if_contains("MaxItems"); m && m->is_number())
    max_items = static_cast<size_t>(m->to_number<int64_t>());
  size_t i = MarkerStart(keys, Str(in, "Marker"));
  json::array out;
  for (; i < keys.size() && out.size() < max_items; ++i) out.push_back(items[i]);
  json::object result{{"LayerVersions", std::move(out)}};
  if (i < keys.size()) result["NextMarker"] = keys[i - 1];
  return json::value(std::move(result));
}

Result<Document> ListLayers(LambdaState&, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  std::vector<std::string> names;
  std::string prefix = storage::ScopePrefix(ctx.account_id, ctx.region) + "L/";
  auto st = ctx.env->kv->Scan(kKeyspace, {prefix, storage::PrefixEnd(prefix)},
                              [&](std::string_view key, std::string_view) {
                                names.emplace_back(key.substr(prefix.size()));
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  std::vector<std::string> keys;
  std::vector<json::object> items;
  for (const auto& name : names) {
    auto versions = Versions(ctx, name);
    if (!versions) return std::move(versions).error();
    for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
      if (!Matches(*it, in)) continue;
      keys.push_back(name);
      items.push_back(json::object{{"LayerName", name},
                                   {"LayerArn", LayerArn(ctx, name)},
                                   {"LatestMatchingVersion", ListItem(*it)}});
      break;
    }
  }
  size_t max_items = 50;
  if (const json::value* m = in.if_contains("MaxItems"); m && m->is_number())
    max_items = static_cast<size_t>(m->to_number<int64_t>());
  size_t i = MarkerStart(keys, Str(in, "Marker"));
  json::array out;
  for (; i < keys.size() && out.size() < max_items; ++i) out.push_back(items[i]);
  json::object result{{"Layers", std::move(out)}};
  if (i < keys.size()) result["NextMarker"] = keys[i - 1];
  return json::value(std::move(result));
}

Result<Document> DeleteLayerVersion(LambdaState& s, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  auto name = LayerNameOf(ctx, in.at("LayerName").get_string());
  if (!name) return std::move(name).error();
  std::lock_guard lock(s.mu);
  std::string key = LayerVersionKey(ctx, *name, in.at("VersionNumber").to_number<int64_t>());
  auto rec = LoadRecord(ctx, key);
  if (!rec) return std::move(rec).error();
  if (*rec) {  // deleting what is not there succeeds, as in AWS
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    // The zip stays while functions use it: their /opt was merged from the unpacked copy.
  }
  return json::value(json::object{});
}

Result<json::array> ResolveLayers(const RequestContext& ctx, const json::array& arns) {
  if (arns.size() > kMaxLayers) return InvalidParameter("Cannot reference more than 5 layers.");
  json::array out;
  for (const auto& a : arns) {
    std::string arn = a.is_string() ? std::string(a.get_string()) : std::string();
    std::string prefix = LayerArn(ctx, "");
    auto colon = arn.rfind(':');
    auto missing = InvalidParameter("Layer version " + arn + " does not exist.");
    if (arn.rfind(prefix, 0) != 0 || colon == std::string::npos || colon <= prefix.size())
      return missing;
    int64_t version = 0;
    try {
      version = std::stoll(arn.substr(colon + 1));
    } catch (...) {
      return missing;
    }
    auto rec = LoadRecord(
        ctx, LayerVersionKey(ctx, arn.substr(prefix.size(), colon - prefix.size()), version));
    if (!rec) return std::move(rec).error();
    if (!*rec) return missing;
    out.push_back(json::object{{"Arn", arn},
                               {"CodeSize", (**rec).at("Content").at("CodeSize")},
                               {"code", (**rec).at("code")}});
  }
  return out;
}

Result<std::string> OptDir(LambdaState& state, const RequestContext& ctx,
                           const json::object& config) {
  (void)ctx;
  const json::value* layers = config.if_contains("Layers");
  if (!layers || !layers->is_array() || layers->get_array().empty()) return std::string();
  std::vector<std::string> dirs;
  std::string shas;
  for (const auto& l : layers->get_array()) {
    const json::value* code = l.get_object().if_contains("code");
    if (!code || !code->is_object()) continue;
    auto dir = CodeDir(state, code->get_object());
    if (!dir) return std::move(dir).error();
    dirs.push_back(*dir);
    shas += std::string(code->get_object().at("sha256").get_string()) + "/";
  }
  std::string merged = state.work_dir + "/opt/" + HexEncode(Sha256(shas));
  std::error_code ec;
  if (fs::is_directory(merged, ec)) return merged;
  std::string tmp = merged + ".tmp-" + RandomHex(8);
  fs::create_directories(tmp, ec);
  for (const auto& d : dirs) {
    fs::copy(d, tmp,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing |
                 fs::copy_options::copy_symlinks,
             ec);
    if (ec) {
      spdlog::error("lambda: cannot merge layer {}: {}", d, ec.message());
      fs::remove_all(tmp, ec);
      return errors::InternalFailure();
    }
  }
  fs::rename(tmp, merged, ec);
  if (ec) fs::remove_all(tmp, ec);  // made by a concurrent invocation first
  return merged;
}

}  // namespace nimbus::lambda
