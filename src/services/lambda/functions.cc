// CreateFunction, GetFunction(Configuration), ListFunctions, UpdateFunctionCode,
// UpdateFunctionConfiguration, DeleteFunction.
#include <boost/json.hpp>
#include <set>

#include "core/common/ids.h"
#include "core/http/listener.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

// Variables Lambda sets itself: a function may not define them.
const std::set<std::string, std::less<>> kReservedVariables = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

std::string Str(const json::object& o, std::string_view k, std::string_view fallback = "") {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

std::optional<int64_t> Int(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

bool Bool(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}

// Checks the members CreateFunction and UpdateFunctionConfiguration share.
Status CheckSettings(const json::object& in) {
  if (auto m = Int(in, "MemorySize"); m && *m > 10240) return RangeError("memorySize", *m, 10240);
  if (auto t = Int(in, "Timeout"); t && *t > 900) return RangeError("timeout", *t, 900);
  if (const json::value* e = in.if_contains("EphemeralStorage"); e && e->is_object()) {
    if (auto size = Int(e->get_object(), "Size")) {
      if (*size < 512) return MinError("ephemeralStorage.size", *size, 512);
      if (*size > 10240) return RangeError("ephemeralStorage.size", *size, 10240);
    }
  }
  if (const json::value* env = in.if_contains("Environment"); env && env->is_object()) {
    const json::value* vars = env->get_object().if_contains("Variables");
    if (vars && vars->is_object()) {
      std::string reserved;
      for (const auto& [k, v] : vars->get_object()) {
        if (kReservedVariables.count(std::string_view(k))) {
          if (!reserved.empty()) reserved += ", ";
          reserved += std::string(k);
        }
      }
      if (!reserved.empty())
        return InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not "
            "supported for modification. Reserved keys used in this request: " +
            reserved);
      std::string measured = json::serialize(*vars);
      if (measured.size() > 4096)
        return InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. String measured: " +
            measured);
    }
  }
  return Ok{};
}

// Applies the settable members of `in` to `config`.
void ApplySettings(const json::object& in, json::object& config) {
  for (const char* k : {"Runtime", "Handler", "Role", "Description"})
    if (const json::value* v = in.if_contains(k); v && v->is_string()) config[k] = *v;
  for (const char* k : {"MemorySize", "Timeout"})
    if (auto v = Int(in, k)) config[k] = *v;
  if (const json::value* env = in.if_contains("Environment"); env && env->is_object()) {
    const json::value* vars = env->get_object().if_contains("Variables");
    config["Environment"] =
        json::object{{"Variables", vars && vars->is_object() ? *vars : json::object{}}};
  }
  if (const json::value* e = in.if_contains("EphemeralStorage"); e && e->is_object())
    config["EphemeralStorage"] = *e;
  if (const json::value* d = in.if_contains("DeadLetterConfig"); d && d->is_object())
    config["DeadLetterConfig"] = *d;
  if (const json::value* t = in.if_contains("TracingConfig"); t && t->is_object())
    config["TracingConfig"] = json::object{{"Mode", Str(t->get_object(), "Mode", "PassThrough")}};
  if (const json::value* l = in.if_contains("LoggingConfig"); l && l->is_object()) {
    json::object lc =
        config["LoggingConfig"].is_object() ? config["LoggingConfig"].get_object() : json::object{};
    for (const auto& [k, v] : l->get_object()) lc[k] = v;
    config["LoggingConfig"] = std::move(lc);
  }
}

// A copy of `config` as a call's answer shows it right after a change: State Pending on
// creation, LastUpdateStatus InProgress on an update (stored as Active / Successful, so the
// CLI's function-active and function-updated waiters see the change done on their first poll).
json::value AsInProgress(json::object config, bool creating) {
  config = PublicConfig(std::move(config));
  if (creating) {
    config["State"] = "Pending";
    config["StateReason"] = "The function is being created.";
    config["StateReasonCode"] = "Creating";
  } else {
    config["LastUpdateStatus"] = "InProgress";
    config["LastUpdateStatusReason"] = "The function is being created.";
    config["LastUpdateStatusReasonCode"] = "Creating";
  }
  return config;
}

Status Save(const RequestContext& ctx, const std::string& key, const json::object& record) {
  auto st = storage::PutJson(*ctx.env->kv, kKeyspace, key, record);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

Result<FunctionRef> RefOf(RequestContext& ctx, const Document& in) {
  return ParseFunctionName(in.get_object().at("FunctionName").get_string(), ctx.account_id,
                           ctx.region);
}

// The unqualified ARN for lookups by name only (operations without a qualifier).
Result<FunctionRef> UnqualifiedRef(RequestContext& ctx, const Document& in) {
  auto ref = RefOf(ctx, in);
  if (!ref) return ref;
  if (!ref->qualifier.empty())
    return InvalidParameter(
        "The derived qualifier from the function name does not match the "
        "specified qualifier.");
  return ref;
}

std::string CodeLocation(LambdaState& s, RequestContext& ctx, const json::object& code) {
  std::string token = RandomHex(40);
  {
    std::lock_guard lock(s.code_mu);
    auto now = std::chrono::steady_clock::now();
    for (auto it = s.code_tokens.begin(); it != s.code_tokens.end();) {
      if (now - it->second.second > std::chrono::minutes(10)) {
        it = s.code_tokens.erase(it);
      } else {
        ++it;
      }
    }
    s.code_tokens[token] = {std::string(code.at("blob").get_string()), now};
  }
  std::string host = "127.0.0.1";
  if (ctx.http && !ctx.http->HostName().empty()) host = std::string(ctx.http->HostName());
  uint16_t port = s.code_listener ? s.code_listener->port() : 0;
  return "http://" + host + ":" + std::to_string(port) + "/code/" + token + "/" +
         std::string(code.at("sha256").get_string()) + ".zip";
}

}  // namespace

Result<Document> CreateFunctionWithZip(LambdaState& s, RequestContext& ctx, Document& input,
                                       std::string_view zip) {
  const auto& in = input.get_object();
  std::string name(in.at("FunctionName").get_string());
  auto ref = ParseFunctionName(name, ctx.account_id, ctx.region);
  if (!ref) return std::move(ref).error();
  if (!ref->qualifier.empty())
    return InvalidParameter(
        "The derived qualifier from the function name does not match the "
        "specified qualifier.");
  name = ref->name;
  if (Str(in, "PackageType", "Zip") == "Image")
    return InvalidParameter("nimbus runs zip packages only: container images are not supported");
  if (!in.contains("Runtime") || !in.contains("Handler"))
    return InvalidParameter(
        "Runtime and Handler are mandatory parameters for functions created "
        "with deployment packages.");
  if (auto st = CheckSettings(in); !st) return std::move(st).error();
  auto stored = StoreCode(s, ctx, name, zip);
  if (!stored) return std::move(stored).error();

  std::string arn = FunctionArn(ctx.region, ctx.account_id, name);
  json::object config{
      {"FunctionName", name},
      {"FunctionArn", arn},
      {"Runtime", ""},
      {"Role", ""},
      {"Handler", ""},
      {"CodeSize", stored->code.at("size")},
      {"Description", ""},
      {"Timeout", 3},
      {"MemorySize", 128},
      {"LastModified", LastModifiedNow(ctx)},
      {"CodeSha256", stored->sha256_base64},
      {"Version", "$LATEST"},
      {"Environment", json::object{{"Variables", json::object{}}}},
      {"TracingConfig", json::object{{"Mode", "PassThrough"}}},
      {"RevisionId", NewUuid()},
      {"State", "Active"},
      {"LastUpdateStatus", "Successful"},
      {"PackageType", "Zip"},
      {"Architectures",
       in.contains("Architectures") ? in.at("Architectures") : json::array{"x86_64"}},
      {"EphemeralStorage", json::object{{"Size", 512}}},
      {"SnapStart", json::object{{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
      {"LoggingConfig", json::object{{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + name}}},
  };
  ApplySettings(in, config);
  if (const json::value* l = in.if_contains("Layers"); l && l->is_array()) {
    auto layers = ResolveLayers(ctx, l->get_array());
    if (!layers) return std::move(layers).error();
    config["Layers"] = std::move(*layers);
  }
  {
    std::lock_guard lock(s.mu);
    auto existing = LoadRecord(ctx, FunctionKey(ctx, name));
    if (!existing) return std::move(existing).error();
    if (*existing) return ResourceConflict("Function already exist: " + name);
    json::object record{{"config", config},
                        {"code", stored->code},
                        {"tags", in.contains("Tags") ? in.at("Tags") : json::object{}},
                        {"policy", json::array{}},
                        {"next_version", 1}};
    if (auto st = Save(ctx, FunctionKey(ctx, name), record); !st) return std::move(st).error();
  }
  if (Bool(in, "Publish")) {
    json::value publish{{"FunctionName", name}};
    auto v = PublishVersion(s, ctx, publish);
    if (!v) return std::move(v).error();
  }
  return AsInProgress(std::move(config), true);
}

Task<Result<Document>> CreateFunction(LambdaState& s, RequestContext& ctx, Document in) {
  auto zip = co_await FetchZip(ctx, in.get_object().at("Code").get_object());
  if (!zip) co_return std::move(zip).error();
  co_return CreateFunctionWithZip(s, ctx, in, *zip);
}

Result<Document> GetFunctionConfiguration(LambdaState&, RequestContext& ctx, Document& in) {
  auto ref = RefOf(ctx, in);
  if (!ref) return std::move(ref).error();
  if (auto* q = in.get_object().if_contains("Qualifier"); q && q->is_string())
    ref->qualifier = std::string(q->get_string());
  auto fn = Resolve(ctx, *ref);
  if (!fn) return std::move(fn).error();
  return json::value(PublicConfig(std::move(fn->config)));
}

Result<Document> GetFunction(LambdaState& s, RequestContext& ctx, Document& in) {
  auto ref = RefOf(ctx, in);
  if (!ref) return std::move(ref).error();
  if (auto* q = in.get_object().if_contains("Qualifier"); q && q->is_string())
    ref->qualifier = std::string(q->get_string());
  auto fn = Resolve(ctx, *ref);
  if (!fn) return std::move(fn).error();
  json::object out{{"Configuration", PublicConfig(fn->config)},
                   {"Code", json::object{{"RepositoryType", "S3"},
                                         {"Location", CodeLocation(s, ctx, fn->code)}}}};
  const json::value* tags = fn->function.if_contains("tags");
  if (tags && tags->is_object() && !tags->get_object().empty()) out["Tags"] = *tags;
  if (const json::value* c = fn->function.if_contains("concurrency"))
    out["Concurrency"] = json::object{{"ReservedConcurrentExecutions", *c}};
  return json::value(std::move(out));
}

Result<Document> ListFunctions(LambdaState&, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  bool all = Str(in, "FunctionVersion") == "ALL";
  std::vector<std::string> names;
  std::vector<json::object> configs;
  std::string prefix = storage::ScopePrefix(ctx.account_id, ctx.region) + "f/";
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, prefix, "",
                              [&](std::string_view, json::value& doc) {
                                auto& cfg = doc.get_object()["config"].get_object();
                                names.emplace_back(cfg.at("FunctionName").get_string());
                                configs.push_back(cfg);
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  std::vector<std::string> keys;
  std::vector<json::object> items;
  for (size_t i = 0; i < names.size(); ++i) {
    keys.push_back(names[i] + ":$LATEST");
    items.push_back(configs[i]);
    if (!all) continue;
    auto vst = storage::ScanJson(
        *ctx.env->kv, kKeyspace, VersionPrefix(ctx, names[i]), "",
        [&](std::string_view, json::value& doc) {
          auto& cfg = doc.get_object()["config"].get_object();
          keys.push_back(names[i] + ":" + std::string(cfg.at("Version").get_string()));
          items.push_back(cfg);
          return true;
        });
    if (!vst.ok()) return storage::StorageError(vst);
  }
  size_t max_items = 50;
  if (auto m = Int(in, "MaxItems")) max_items = static_cast<size_t>(*m);
  size_t start = MarkerStart(keys, Str(in, "Marker"));
  json::array functions;
  size_t i = start;
  for (; i < keys.size() && functions.size() < max_items; ++i)
    functions.push_back(PublicConfig(items[i]));
  json::object out{{"Functions", std::move(functions)}};
  if (i < keys.size()) out["NextMarker"] = keys[i - 1];
  return json::value(std::move(out));
}

Task<Result<Document>> UpdateFunctionCode(LambdaState& s, RequestContext& ctx, Document input) {
  auto ref = UnqualifiedRef(ctx, input);
  if (!ref) co_return std::move(ref).error();
  const auto& in = input.get_object();
  if (!in.contains("ZipFile") && !in.contains("S3Bucket"))
    co_return InvalidParameter("Please provide a source for function code.");
  {
    auto fn = LoadFunction(ctx, ref->name);
    if (!fn) co_return std::move(fn).error();
  }
  auto zip = co_await FetchZip(ctx, in);
  if (!zip) co_return std::move(zip).error();
  auto stored = StoreCode(s, ctx, ref->name, *zip);
  if (!stored) co_return std::move(stored).error();
  json::object config;
  {
    std::lock_guard lock(s.mu);
    auto fn = LoadFunction(ctx, ref->name);
    if (!fn) co_return std::move(fn).error();
    config = fn->at("config").get_object();
    if (auto rev = Str(in, "RevisionId"); !rev.empty() && rev != Str(config, "RevisionId"))
      co_return PreconditionFailed();
    if (Bool(in, "DryRun")) co_return json::value(PublicConfig(config));
    config["CodeSha256"] = stored->sha256_base64;
    config["CodeSize"] = stored->code.at("size");
    config["LastModified"] = LastModifiedNow(ctx);
    config["RevisionId"] = NewUuid();
    (*fn)["config"] = config;
    (*fn)["code"] = stored->code;
    if (auto st = Save(ctx, FunctionKey(ctx, ref->name), *fn); !st) co_return std::move(st).error();
  }
  s.pool->Retire(FunctionArn(ctx.region, ctx.account_id, ref->name));
  if (Bool(in, "Publish")) {
    json::value publish{{"FunctionName", ref->name}};
    auto v = PublishVersion(s, ctx, publish);
    if (!v) co_return std::move(v).error();
    co_return AsInProgress(v->get_object(), false);
  }
  co_return AsInProgress(std::move(config), false);
}

Result<Document> UpdateFunctionConfiguration(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = UnqualifiedRef(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  if (auto st = CheckSettings(in); !st) return std::move(st).error();
  std::optional<json::array> layers;
  if (const json::value* l = in.if_contains("Layers"); l && l->is_array()) {
    auto resolved = ResolveLayers(ctx, l->get_array());
    if (!resolved) return std::move(resolved).error();
    layers = std::move(*resolved);
  }
  json::object config;
  {
    std::lock_guard lock(s.mu);
    auto fn = LoadFunction(ctx, ref->name);
    if (!fn) return std::move(fn).error();
    config = fn->at("config").get_object();
    if (auto rev = Str(in, "RevisionId"); !rev.empty() && rev != Str(config, "RevisionId"))
      return PreconditionFailed();
    ApplySettings(in, config);
    if (layers) {
      if (layers->empty()) {
        config.erase("Layers");
      } else {
        config["Layers"] = std::move(*layers);
      }
    }
    config["LastModified"] = LastModifiedNow(ctx);
    config["RevisionId"] = NewUuid();
    (*fn)["config"] = config;
    if (auto st = Save(ctx, FunctionKey(ctx, ref->name), *fn); !st) return std::move(st).error();
  }
  s.pool->Retire(FunctionArn(ctx.region, ctx.account_id, ref->name));
  return AsInProgress(std::move(config), false);
}

Result<Document> DeleteFunction(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = RefOf(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  std::string qualifier = Str(in, "Qualifier", ref->qualifier);
  std::string arn = FunctionArn(ctx.region, ctx.account_id, ref->name);
  std::lock_guard lock(s.mu);
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  storage::WriteBatch batch;
  std::set<std::string> blobs;
  if (!qualifier.empty() && qualifier != "$LATEST") {
    // One published version.
    int64_t n = 0;
    try {
      n = std::stoll(qualifier);
    } catch (...) {
      return InvalidParameter(
          "Deletion of aliases is not supported by DeleteFunction: use "
          "DeleteAlias.");
    }
    auto v = LoadRecord(ctx, VersionKey(ctx, ref->name, n));
    if (!v) return std::move(v).error();
    if (!*v) return FunctionNotFound(arn + ":" + qualifier);
    std::vector<std::string> using_aliases;
    auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, AliasPrefix(ctx, ref->name), "",
                                [&](std::string_view, json::value& doc) {
                                  if (Str(doc.get_object(), "FunctionVersion") == qualifier)
                                    using_aliases.push_back(Str(doc.get_object(), "Name"));
                                  return true;
                                });
    if (!st.ok()) return storage::StorageError(st);
    if (!using_aliases.empty()) {
      std::string list;
      for (auto& a : using_aliases) list += (list.empty() ? "" : ", ") + a;
      return ResourceConflict(
          "Unable to delete version because the following aliases reference "
          "it: [" +
          list + "]");
    }
    batch.Delete(kKeyspace, VersionKey(ctx, ref->name, n));
  } else if (qualifier == "$LATEST") {
    return InvalidParameter("$LATEST version cannot be deleted without deleting the function.");
  } else {
    batch.Delete(kKeyspace, FunctionKey(ctx, ref->name));
    std::string vp = VersionPrefix(ctx, ref->name);
    std::string ap = AliasPrefix(ctx, ref->name);
    blobs.insert(std::string(fn->at("code").get_object().at("blob").get_string()));
    auto st =
        storage::ScanJson(*ctx.env->kv, kKeyspace, vp, "", [&](std::string_view, json::value& doc) {
          blobs.insert(std::string(doc.at("code").get_object().at("blob").get_string()));
          return true;
        });
    if (!st.ok()) return storage::StorageError(st);
    batch.DeleteRange(kKeyspace, vp, storage::PrefixEnd(vp));
    batch.DeleteRange(kKeyspace, ap, storage::PrefixEnd(ap));
    if (auto urls = DeleteFunctionUrls(ctx, ref->name, "", &batch); !urls)
      return std::move(urls).error();
  }
  auto st = ctx.env->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  for (const auto& b : blobs) (void)ctx.env->blobs->Delete(b);
  s.pool->Retire(arn);
  return json::value(json::object{{"StatusCode", 204}});
}

}  // namespace nimbus::lambda
