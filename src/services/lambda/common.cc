// Errors, names, storage layout and deployment packages shared by the Lambda service's files.
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/lambda/lambda.h"
#include "services/lambda/runtime/zip.h"

namespace nimbus::lambda {

namespace fs = std::filesystem;

ApiError InvalidParameter(std::string message) {
  return ApiError("InvalidParameterValueException", 400, std::move(message));
}

ApiError ResourceNotFound(std::string message) {
  return ApiError("ResourceNotFoundException", 404, std::move(message));
}

ApiError FunctionNotFound(std::string_view arn) {
  return ResourceNotFound("Function not found: " + std::string(arn));
}

ApiError ResourceConflict(std::string message) {
  return ApiError("ResourceConflictException", 409, std::move(message));
}

ApiError PreconditionFailed() {
  return ApiError("PreconditionFailedException", 412,
                  "The Revision Id provided does not match the latest Revision Id. Call the "
                  "GetFunction/GetAlias API to retrieve the latest Revision Id");
}

ApiError TooManyRequests(std::string reason) {
  ApiError e("TooManyRequestsException", 429, "Rate Exceeded.");
  e.extra["Reason"] = reason;
  e.headers.emplace_back("Retry-After", "1");
  return e;
}

ApiError RequestTooLarge(std::string message) {
  return ApiError("RequestTooLargeException", 413, std::move(message));
}

ApiError RangeError(std::string_view member, int64_t value, int64_t max) {
  return errors::Validation("1 validation error detected: Value '" + std::to_string(value) +
                            "' at '" + std::string(member) +
                            "' failed to satisfy constraint: Member must have value less than "
                            "or equal to " +
                            std::to_string(max));
}

ApiError MinError(std::string_view member, int64_t value, int64_t min) {
  return errors::Validation("1 validation error detected: Value '" + std::to_string(value) +
                            "' at '" + std::string(member) +
                            "' failed to satisfy constraint: Member must have value greater "
                            "than or equal to " +
                            std::to_string(min));
}

int EphemeralStorageMb(const json::object& config) {
  const json::value* e = config.if_contains("EphemeralStorage");
  const json::value* size = e && e->is_object() ? e->get_object().if_contains("Size") : nullptr;
  if (!size || !size->is_number()) return 512;
  return static_cast<int>(size->to_number<int64_t>());
}

namespace {

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t from = 0;
  for (;;) {
    size_t p = s.find(sep, from);
    out.push_back(s.substr(from, p == std::string_view::npos ? std::string_view::npos : p - from));
    if (p == std::string_view::npos) break;
    from = p + 1;
  }
  return out;
}

}  // namespace

Result<FunctionRef> ParseFunctionName(std::string_view input, std::string_view account,
                                      std::string_view region) {
  auto parts = Split(input, ':');
  FunctionRef ref;
  auto bad = [&] {
    return InvalidParameter("1 validation error detected: Value '" + std::string(input) +
                            "' at 'functionName' failed to satisfy constraint: Member must "
                            "satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
                            "([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
                            "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  };
  if (parts[0] == "arn") {
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    if (parts.size() < 7 || parts.size() > 8 || parts[2] != "lambda" || parts[5] != "function")
      return bad();
    if (parts[3] != region || parts[4] != account) {
      return ResourceNotFound("Functions from '" + std::string(parts[3]) +
                              "' are not reachable in this region ('" + std::string(region) + "')");
    }
    ref.name = std::string(parts[6]);
    if (parts.size() == 8) ref.qualifier = std::string(parts[7]);
  } else if (parts.size() >= 3 && parts[1] == "function") {
    // <account>:function:<name>[:<qualifier>]
    if (parts.size() > 4) return bad();
    if (parts[0] != account) return bad();
    ref.name = std::string(parts[2]);
    if (parts.size() == 4) ref.qualifier = std::string(parts[3]);
  } else if (parts.size() <= 2) {
    ref.name = std::string(parts[0]);
    if (parts.size() == 2) ref.qualifier = std::string(parts[1]);
  } else {
    return bad();
  }
  if (!ValidName(ref.name)) return bad();
  if (parts.size() > 1 && ref.qualifier.empty() && input.back() == ':') return bad();
  return ref;
}

std::string FunctionArn(std::string_view region, std::string_view account, std::string_view name) {
  return "arn:aws:lambda:" + std::string(region) + ":" + std::string(account) +
         ":function:" + std::string(name);
}

std::string FunctionKey(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "f/" + std::string(name);
}

std::string VersionPrefix(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "v/" + std::string(name) + "/";
}

std::string VersionKey(const RequestContext& ctx, std::string_view name, int64_t version) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010lld", static_cast<long long>(version));
  return VersionPrefix(ctx, name) + buf;
}

std::string AliasPrefix(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "a/" + std::string(name) + "/";
}

std::string AliasKey(const RequestContext& ctx, std::string_view name, std::string_view alias) {
  return AliasPrefix(ctx, name) + std::string(alias);
}

Result<std::optional<json::object>> LoadRecord(const RequestContext& ctx, const std::string& key) {
  json::value v;
  auto st = storage::GetJson(*ctx.env->kv, kKeyspace, key, &v);
  if (st.IsNotFound()) return std::optional<json::object>();
  if (!st.ok()) return storage::StorageError(st);
  if (!v.is_object())
    return storage::StorageError(storage::StorageStatus::Corruption("lambda: not an object"));
  return std::optional<json::object>(std::move(v.get_object()));
}

Result<json::object> LoadFunction(const RequestContext& ctx, std::string_view name) {
  auto r = LoadRecord(ctx, FunctionKey(ctx, name));
  if (!r) return std::move(r).error();
  if (!*r) return FunctionNotFound(FunctionArn(ctx.region, ctx.account_id, name));
  return std::move(**r);
}

Result<ResolvedFunction> Resolve(const RequestContext& ctx, const FunctionRef& ref) {
  auto fn = LoadFunction(ctx, ref.name);
  if (!fn) return std::move(fn).error();
  ResolvedFunction out;
  out.function = std::move(*fn);
  std::string arn = FunctionArn(ctx.region, ctx.account_id, ref.name);
  if (ref.qualifier.empty() || ref.qualifier == "$LATEST") {
    out.config = out.function.at("config").get_object();
    out.code = out.function.at("code").get_object();
    return out;
  }
  std::string version = ref.qualifier;
  if (!std::isdigit(static_cast<unsigned char>(ref.qualifier[0]))) {
    auto alias = LoadRecord(ctx, AliasKey(ctx, ref.name, ref.qualifier));
    if (!alias) return std::move(alias).error();
    if (!*alias) return FunctionNotFound(arn + ":" + ref.qualifier);
    version = std::string((**alias).at("FunctionVersion").get_string());
    out.alias = std::move(**alias);
    if (version == "$LATEST") {
      out.config = out.function.at("config").get_object();
      out.code = out.function.at("code").get_object();
      return out;
    }
  }
  int64_t n = 0;
  try {
    n = std::stoll(version);
  } catch (...) {
    return FunctionNotFound(arn + ":" + ref.qualifier);
  }
  auto v = LoadRecord(ctx, VersionKey(ctx, ref.name, n));
  if (!v) return std::move(v).error();
  if (!*v) return FunctionNotFound(arn + ":" + ref.qualifier);
  out.config = (**v).at("config").get_object();
  out.code = (**v).at("code").get_object();
  return out;
}

Result<StoredCode> StoreCode(LambdaState& state, const RequestContext& ctx, std::string_view owner,
                             std::string_view zip) {
  if (zip.size() > kMaxZippedBytes)
    return RequestTooLarge(
        "Request must be smaller than 70167211 bytes for the CreateFunction "
        "operation");
  if (zip.empty())
    return InvalidParameter(
        "Could not unzip uploaded file. Please check your "
        "file, then try to upload again.");
  std::string digest = Sha256(zip);
  std::string hex = HexEncode(digest);
  StoredCode out;
  out.sha256_base64 = Base64Encode(digest);
  std::string dir = state.work_dir + "/code/" + hex;
  std::error_code ec;
  uint64_t unzipped = 0;
  if (!fs::is_directory(dir, ec)) {
    std::string tmp = dir + ".tmp-" + RandomHex(8);
    auto r = runtime::UnzipTo(zip, tmp, kMaxUnzippedBytes);
    switch (r.status) {
      case runtime::UnzipStatus::kOk:
        break;
      case runtime::UnzipStatus::kTooLarge:
        return InvalidParameter("Unzipped size must be smaller than 262144000 bytes");
      case runtime::UnzipStatus::kCorrupt:
        return InvalidParameter(
            "Could not unzip uploaded file. Please check your file, then "
            "try to upload again.");
      case runtime::UnzipStatus::kIoError:
        spdlog::error("lambda: cannot unpack code: {}", r.message);
        return errors::InternalFailure();
    }
    unzipped = r.unzipped_bytes;
    fs::rename(tmp, dir, ec);
    if (ec) fs::remove_all(tmp, ec);  // another request unpacked the same package first
  } else {
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
      if (e.is_regular_file(ec)) unzipped += e.file_size(ec);
  }
  std::string blob =
      "lambda/" + ctx.account_id + "/" + ctx.region + "/" + std::string(owner) + "/" + hex + ".zip";
  auto writer = ctx.env->blobs->NewWriter();
  auto st = writer->Append(zip);
  if (st.ok()) st = writer->Commit(blob);
  if (!st.ok()) return storage::StorageError(st);
  out.code = json::object{{"blob", blob},
                          {"sha256", hex},
                          {"size", static_cast<uint64_t>(zip.size())},
                          {"unzipped", unzipped}};
  return out;
}

Result<std::string> CodeDir(LambdaState& state, const json::object& code) {
  std::string hex(code.at("sha256").get_string());
  std::string dir = state.work_dir + "/code/" + hex;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return dir;
  std::string zip;
  auto st = state.env->blobs->Read(code.at("blob").get_string(), 0, UINT64_MAX, &zip);
  if (!st.ok()) return storage::StorageError(st);
  std::string tmp = dir + ".tmp-" + RandomHex(8);
  auto r = runtime::UnzipTo(zip, tmp, kMaxUnzippedBytes);
  if (r.status != runtime::UnzipStatus::kOk) {
    spdlog::error("lambda: cannot unpack stored code {}: {}", hex, r.message);
    return errors::InternalFailure();
  }
  fs::rename(tmp, dir, ec);
  if (ec) fs::remove_all(tmp, ec);
  return dir;
}

json::object PublicConfig(json::object config) {
  if (json::value* layers = config.if_contains("Layers"); layers && layers->is_array())
    for (auto& l : layers->get_array())
      if (l.is_object()) l.get_object().erase("code");
  return config;
}

std::string LastModifiedNow(const RequestContext& ctx) {
  auto now = ctx.env->clock->Now();
  std::string iso = FormatIso8601(now, true);  // 2024-01-31T12:00:00.000Z
  return iso.substr(0, iso.size() - 1) + "+0000";
}

std::string PickAliasVersion(const json::object& alias, double roll) {
  std::string primary(alias.at("FunctionVersion").get_string());
  const json::value* rc = alias.if_contains("RoutingConfig");
  if (!rc || !rc->is_object()) return primary;
  const json::value* w = rc->get_object().if_contains("AdditionalVersionWeights");
  if (!w || !w->is_object()) return primary;
  double acc = 0;
  for (const auto& [version, weight] : w->get_object()) {
    acc += weight.is_double() ? weight.get_double() : weight.to_number<double>();
    if (roll < acc) return std::string(version);
  }
  return primary;
}

size_t MarkerStart(const std::vector<std::string>& keys, std::string_view marker) {
  if (marker.empty()) return 0;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == marker) return i + 1;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] > marker) return i;
  return keys.size();
}

Task<Result<std::string>> FetchZip(const RequestContext& ctx, const json::object& code) {
  if (const json::value* z = code.if_contains("ZipFile"); z && z->is_string())
    co_return std::string(z->get_string());
  const json::value* bucket = code.if_contains("S3Bucket");
  const json::value* key = code.if_contains("S3Key");
  if (!bucket || !key || !bucket->is_string() || !key->is_string())
    co_return InvalidParameter("Please provide a source for function code.");
  json::object input{{"Bucket", *bucket}, {"Key", *key}};
  if (const json::value* v = code.if_contains("S3ObjectVersion"); v && v->is_string())
    input["VersionId"] = *v;
  auto object = co_await ctx.env->registry->Call(ctx, "s3", "GetObject", json::value(input));
  if (!object) {
    co_return InvalidParameter(
        "Error occurred while GetObject. S3 Error Code: " + object.error().code +
        ". S3 Error Message: " + object.error().message);
  }
  const json::value* body =
      object->is_object() ? object->get_object().if_contains("Body") : nullptr;
  if (!body || !body->is_string())
    co_return InvalidParameter(
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 "
        "Error Message: The specified key does not exist.");
  co_return std::string(body->get_string());
}

}  // namespace nimbus::lambda
