// PublishVersion, ListVersionsByFunction and aliases (Create/Get/Update/Delete/ListAliases).
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

std::string Str(const json::object& o, std::string_view k, std::string_view fallback = "") {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

Result<FunctionRef> NameOnly(RequestContext& ctx, const Document& in) {
  auto ref = ParseFunctionName(in.get_object().at("FunctionName").get_string(), ctx.account_id,
                               ctx.region);
  if (ref && !ref->qualifier.empty())
    return InvalidParameter(
        "The derived qualifier from the function name does not match the "
        "specified qualifier.");
  return ref;
}

Status Put(const RequestContext& ctx, const std::string& key, const json::object& record) {
  auto st = storage::PutJson(*ctx.env->kv, kKeyspace, key, record);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

// Checks an alias's version and routing: the versions exist, weights are in [0, 1] and add up
// to at most 1, and the additional version is not the primary one.
Status CheckAliasTarget(const RequestContext& ctx, const std::string& name,
                        const std::string& version, const json::object& in) {
  std::string arn = FunctionArn(ctx.region, ctx.account_id, name);
  auto exists = [&](const std::string& v) -> Status {
    if (v == "$LATEST") return Ok{};
    int64_t n = 0;
    try {
      n = std::stoll(v);
    } catch (...) {
      return FunctionNotFound(arn + ":" + v);
    }
    auto rec = LoadRecord(ctx, VersionKey(ctx, name, n));
    if (!rec) return std::move(rec).error();
    if (!*rec) return FunctionNotFound(arn + ":" + v);
    return Ok{};
  };
  if (auto st = exists(version); !st) return st;
  const json::value* rc = in.if_contains("RoutingConfig");
  if (!rc || !rc->is_object()) return Ok{};
  const json::value* w = rc->get_object().if_contains("AdditionalVersionWeights");
  if (!w || !w->is_object()) return Ok{};
  if (w->get_object().size() > 1)
    return InvalidParameter(
        "Number of items in AdditionalVersionWeights cannot be greater "
        "than 1");
  double total = 0;
  for (const auto& [v, weight] : w->get_object()) {
    std::string version_name(v);
    if (version_name == version)
      return InvalidParameter("Invalid function version " + version_name + ". Function version " +
                              version_name + " is already included in routing configuration.");
    if (version == "$LATEST" || version_name == "$LATEST")
      return InvalidParameter(
          "$LATEST is not supported for an alias pointing to more than 1 "
          "version");
    if (auto st = exists(version_name); !st) return st;
    double x = weight.is_number() ? weight.to_number<double>() : -1;
    if (x < 0 || x > 1)
      return errors::Validation("1 validation error detected: Value '{" + version_name + "=" +
                                json::serialize(weight) +
                                "}' at 'routingConfig.additionalVersionWeights' failed to "
                                "satisfy constraint: Map value must satisfy constraint: [Member "
                                "must have value less than or equal to 1.0, Member must have "
                                "value greater than or equal to 0.0]");
    total += x;
  }
  if (total > 1) return InvalidParameter("The sum of routing weights must not exceed 1");
  return Ok{};
}

}  // namespace

Result<Document> PublishVersion(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  std::lock_guard lock(s.mu);
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  json::object latest = fn->at("config").get_object();
  if (auto sha = Str(in, "CodeSha256"); !sha.empty() && sha != Str(latest, "CodeSha256"))
    return InvalidParameter(
        "CodeSHA256 (" + sha + ") is different from current CodeSHA256 in $LATEST (" +
        Str(latest, "CodeSha256") + "). Please try again with the CodeSHA256 in $LATEST.");
  if (auto rev = Str(in, "RevisionId"); !rev.empty() && rev != Str(latest, "RevisionId"))
    return PreconditionFailed();
  // Nothing changed since the last publish: AWS answers with that version.
  if (Str(*fn, "published_revision") == Str(latest, "RevisionId") && fn->contains("last_version")) {
    auto rec = LoadRecord(ctx, VersionKey(ctx, ref->name, fn->at("last_version").as_int64()));
    if (!rec) return std::move(rec).error();
    if (*rec) return json::value(PublicConfig((**rec).at("config").get_object()));
  }
  int64_t n = fn->at("next_version").as_int64();
  json::object config = latest;
  std::string version = std::to_string(n);
  config["Version"] = version;
  config["FunctionArn"] = Str(latest, "FunctionArn") + ":" + version;
  if (in.contains("Description")) config["Description"] = in.at("Description");
  config["RevisionId"] = NewUuid();
  config["LastModified"] = LastModifiedNow(ctx);
  (*fn)["next_version"] = n + 1;
  (*fn)["last_version"] = n;
  (*fn)["published_revision"] = Str(latest, "RevisionId");
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, VersionKey(ctx, ref->name, n),
                   json::object{{"config", config}, {"code", fn->at("code")}});
  storage::PutJson(batch, kKeyspace, FunctionKey(ctx, ref->name), *fn);
  auto st = ctx.env->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return json::value(PublicConfig(std::move(config)));
}

Result<Document> ListVersionsByFunction(LambdaState&, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  std::vector<std::string> keys{"$LATEST"};
  std::vector<json::value> items{fn->at("config")};
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, VersionPrefix(ctx, ref->name), "",
                              [&](std::string_view, json::value& doc) {
                                auto& cfg = doc.get_object()["config"];
                                keys.push_back(Str(cfg.get_object(), "Version"));
                                items.push_back(cfg);
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  size_t max_items = 50;
  if (const json::value* m = in.if_contains("MaxItems"); m && m->is_number())
    max_items = static_cast<size_t>(m->to_number<int64_t>());
  size_t i = MarkerStart(keys, Str(in, "Marker"));
  json::array versions;
  for (; i < keys.size() && versions.size() < max_items; ++i)
    versions.push_back(PublicConfig(items[i].get_object()));
  json::object out{{"Versions", std::move(versions)}};
  if (i < keys.size()) out["NextMarker"] = keys[i - 1];
  return json::value(std::move(out));
}

Result<Document> CreateAlias(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  std::string alias = Str(in, "Name");
  std::string version = Str(in, "FunctionVersion");
  std::lock_guard lock(s.mu);
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  std::string arn = FunctionArn(ctx.region, ctx.account_id, ref->name) + ":" + alias;
  auto existing = LoadRecord(ctx, AliasKey(ctx, ref->name, alias));
  if (!existing) return std::move(existing).error();
  if (*existing) return ResourceConflict("Alias already exists: " + arn);
  if (auto st = CheckAliasTarget(ctx, ref->name, version, in); !st) return std::move(st).error();
  json::object record{{"AliasArn", arn},
                      {"Name", alias},
                      {"FunctionVersion", version},
                      {"Description", Str(in, "Description")},
                      {"RevisionId", NewUuid()}};
  if (const json::value* rc = in.if_contains("RoutingConfig"); rc && rc->is_object())
    record["RoutingConfig"] = *rc;
  if (auto st = Put(ctx, AliasKey(ctx, ref->name, alias), record); !st)
    return std::move(st).error();
  return json::value(std::move(record));
}

Result<Document> GetAlias(LambdaState&, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  std::string alias = Str(input.get_object(), "Name");
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  auto rec = LoadRecord(ctx, AliasKey(ctx, ref->name, alias));
  if (!rec) return std::move(rec).error();
  if (!*rec)
    return ResourceNotFound(
        "Alias not found: " + FunctionArn(ctx.region, ctx.account_id, ref->name) + ":" + alias);
  return json::value(std::move(**rec));
}

Result<Document> UpdateAlias(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  std::string alias = Str(in, "Name");
  std::lock_guard lock(s.mu);
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  auto rec = LoadRecord(ctx, AliasKey(ctx, ref->name, alias));
  if (!rec) return std::move(rec).error();
  if (!*rec)
    return ResourceNotFound(
        "Alias not found: " + FunctionArn(ctx.region, ctx.account_id, ref->name) + ":" + alias);
  json::object record = std::move(**rec);
  if (auto rev = Str(in, "RevisionId"); !rev.empty() && rev != Str(record, "RevisionId"))
    return PreconditionFailed();
  std::string version = Str(in, "FunctionVersion", Str(record, "FunctionVersion"));
  json::object check = in;
  if (!check.contains("RoutingConfig") && record.contains("RoutingConfig"))
    check["RoutingConfig"] = record["RoutingConfig"];
  if (auto st = CheckAliasTarget(ctx, ref->name, version, check); !st) return std::move(st).error();
  record["FunctionVersion"] = version;
  if (in.contains("Description")) record["Description"] = in.at("Description");
  if (const json::value* rc = in.if_contains("RoutingConfig"); rc && rc->is_object())
    record["RoutingConfig"] = *rc;
  record["RevisionId"] = NewUuid();
  if (auto st = Put(ctx, AliasKey(ctx, ref->name, alias), record); !st)
    return std::move(st).error();
  return json::value(std::move(record));
}

Result<Document> DeleteAlias(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  std::lock_guard lock(s.mu);
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  // The alias's function URL goes with it.
  std::string alias = Str(input.get_object(), "Name");
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, AliasKey(ctx, ref->name, alias));
  if (auto urls = DeleteFunctionUrls(ctx, ref->name, alias, &batch); !urls)
    return std::move(urls).error();
  auto st = ctx.env->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return json::value(json::object{});
}

Result<Document> ListAliases(LambdaState&, RequestContext& ctx, Document& input) {
  auto ref = NameOnly(ctx, input);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  std::string only = Str(in, "FunctionVersion");
  std::vector<std::string> keys;
  std::vector<json::value> items;
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, AliasPrefix(ctx, ref->name), "",
                              [&](std::string_view, json::value& doc) {
                                const auto& o = doc.get_object();
                                if (only.empty() || Str(o, "FunctionVersion") == only) {
                                  keys.push_back(Str(o, "Name"));
                                  items.push_back(doc);
                                }
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  size_t max_items = 50;
  if (const json::value* m = in.if_contains("MaxItems"); m && m->is_number())
    max_items = static_cast<size_t>(m->to_number<int64_t>());
  size_t i = MarkerStart(keys, Str(in, "Marker"));
  json::array aliases;
  for (; i < keys.size() && aliases.size() < max_items; ++i) aliases.push_back(items[i]);
  json::object out{{"Aliases", std::move(aliases)}};
  if (i < keys.size()) out["NextMarker"] = keys[i - 1];
  return json::value(std::move(out));
}

}  // namespace nimbus::lambda
