// Errors, keys, records, paging and patch operations shared by the REST API operation families.
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <random>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/rest.h"

namespace nimbus::apigateway {

ApiError NotFound(std::string message) {
  return ApiError("NotFoundException", 404, std::move(message));
}
ApiError BadRequest(std::string message) {
  return ApiError("BadRequestException", 400, std::move(message));
}
ApiError Conflict(std::string message) {
  return ApiError("ConflictException", 409, std::move(message));
}
ApiError NotBuilt(std::string message) {
  return ApiError("NotImplementedException", 501, std::move(message));
}

// AWS names the account for an unknown API and nothing more for an API's children.
ApiError RestApiNotFound(const RequestContext& ctx, std::string_view api_id) {
  return NotFound("Invalid API identifier specified " + ctx.account_id + ":" + std::string(api_id));
}
ApiError ResourceNotFound() { return NotFound("Invalid Resource identifier specified"); }
ApiError MethodNotFound() { return NotFound("Invalid Method identifier specified"); }
ApiError IntegrationNotFound() { return NotFound("Invalid Integration identifier specified"); }
ApiError ResponseNotFound() { return NotFound("Invalid Response status code specified"); }
ApiError StageNotFound() { return NotFound("Invalid Stage identifier specified"); }
ApiError DeploymentNotFound() { return NotFound("Invalid Deployment identifier specified"); }
ApiError AuthorizerNotFound() { return NotFound("Invalid Authorizer identifier specified"); }

std::string ApiKey(std::string_view account, std::string_view region, std::string_view api_id) {
  std::string k = storage::ScopePrefix(account, region);
  k.append("a/").append(api_id);
  return k;
}

std::string ChildPrefix(std::string_view account, std::string_view region, Kind kind,
                        std::string_view api_id) {
  std::string k = storage::ScopePrefix(account, region);
  k.push_back(static_cast<char>(kind));
  k.append("/").append(api_id).append("/");
  return k;
}

std::string ChildKey(std::string_view account, std::string_view region, Kind kind,
                     std::string_view api_id, std::string_view child_id) {
  return ChildPrefix(account, region, kind, api_id) + std::string(child_id);
}

std::string OwnerKey(std::string_view api_id) { return "x/" + std::string(api_id); }

Result<std::optional<json::object>> LoadRecord(ServiceEnv& env, const std::string& key) {
  json::value v;
  auto st = storage::GetJson(*env.kv, kKeyspace, key, &v);
  if (st.IsNotFound()) return std::optional<json::object>();
  if (!st.ok()) return storage::StorageError(st);
  if (!v.is_object())
    return storage::StorageError(storage::StorageStatus::Corruption("apigateway: not an object"));
  return std::optional<json::object>(std::move(v.get_object()));
}

Result<json::object> LoadApi(const RequestContext& ctx, std::string_view api_id) {
  // Ids never hold '/': one that does would reach into another key.
  if (api_id.find('/') != std::string_view::npos) return RestApiNotFound(ctx, api_id);
  auto r = LoadRecord(*ctx.env, ApiKey(ctx.account_id, ctx.region, api_id));
  if (!r) return std::move(r).error();
  if (!*r) return RestApiNotFound(ctx, api_id);
  return std::move(**r);
}

Result<json::object> LoadResource(const RequestContext& ctx, std::string_view api_id,
                                  std::string_view resource_id) {
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  if (resource_id.empty() || resource_id.find('/') != std::string_view::npos)
    return ResourceNotFound();
  auto r = LoadRecord(*ctx.env,
                      ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, resource_id));
  if (!r) return std::move(r).error();
  if (!*r) return ResourceNotFound();
  return std::move(**r);
}

Result<std::vector<json::object>> LoadChildren(ServiceEnv& env, std::string_view account,
                                               std::string_view region, Kind kind,
                                               std::string_view api_id) {
  std::vector<json::object> out;
  auto st = storage::ScanJsonObjects(*env.kv, kKeyspace, ChildPrefix(account, region, kind, api_id),
                                     &out);
  if (!st.ok()) return storage::StorageError(st);
  return out;
}

Status SaveRecord(const RequestContext& ctx, const std::string& key, const json::object& record) {
  auto st = storage::PutJson(*ctx.env->kv, kKeyspace, key, record);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

Result<Document> Page(const Document& in, std::vector<json::object> items) {
  int64_t limit = 25;
  if (HasMember(in, "limit") && in.at("limit").is_int64()) {
    limit = in.at("limit").get_int64();
    if (limit > 500)
      return BadRequest("1 validation error detected: Value '" + std::to_string(limit) +
                        "' at 'limit' failed to satisfy constraint: Member must have value less "
                        "than or equal to 500");
    if (limit < 1) limit = 25;
  }
  size_t start = 0;
  if (HasMember(in, "position")) {
    auto after = Base64Decode(StringMember(in, "position"));
    if (!after || after->empty()) return BadRequest("Invalid position parameter");
    start = items.size();
    for (size_t i = 0; i < items.size(); ++i) {
      const auto* id = items[i].if_contains("id");
      if (id && id->is_string() && std::string_view(id->get_string()) > *after) {
        start = i;
        break;
      }
    }
  }
  size_t end = std::min(items.size(), start + static_cast<size_t>(limit));
  std::string position;
  if (end < items.size() && end > start) {
    const auto* id = items[end - 1].if_contains("id");
    if (id && id->is_string()) position = Base64Encode(std::string(id->get_string()));
  }
  json::array page;
  for (size_t i = start; i < end; ++i) {
    json::object item = std::move(items[i]);
    for (auto it = item.begin(); it != item.end();)
      it = !it->key().empty() && it->key()[0] == '_' ? item.erase(it) : it + 1;
    page.push_back(std::move(item));
  }
  json::object out{{"items", std::move(page)}};
  if (!position.empty()) out["position"] = position;
  return Document(std::move(out));
}

std::vector<PatchOp> PatchOps(const Document& in) {
  std::vector<PatchOp> out;
  if (!HasMember(in, "patchOperations") || !in.at("patchOperations").is_array()) return out;
  for (const auto& v : in.at("patchOperations").get_array()) {
    if (!v.is_object()) continue;
    PatchOp p;
    p.op = std::string(StringMember(v, "op"));
    p.path = std::string(StringMember(v, "path"));
    if (HasMember(v, "value") && v.at("value").is_string())
      p.value = std::string(StringMember(v, "value"));
    if (HasMember(v, "from") && v.at("from").is_string())
      p.from = std::string(StringMember(v, "from"));
    out.push_back(std::move(p));
  }
  return out;
}

ApiError InvalidPatchPath(const PatchOp& p) {
  return BadRequest("Invalid patch path '" + p.path + "' specified for op '" + p.op +
                    "'. Please choose supported operations");
}

ApiError InvalidPatchPathMustBe(const PatchOp& p, std::string_view paths) {
  return BadRequest("Invalid patch path '" + p.path + "' specified for op '" + p.op +
                    "'. Must be one of: " + std::string(paths));
}

ApiError UnknownPatchPath(const PatchOp& p) { return BadRequest("Invalid patch path " + p.path); }

std::optional<std::string> PatchMapKey(const PatchOp& p, std::string_view member) {
  std::string_view path = p.path;
  if (path.size() < member.size() + 3 || path[0] != '/' ||
      path.substr(1, member.size()) != member || path[member.size() + 1] != '/')
    return std::nullopt;
  std::string key = UnescapePatchSegment(path.substr(member.size() + 2));
  if (key.empty()) return std::nullopt;
  return key;
}

Status PatchStringMap(const PatchOp& p, json::object& record, std::string_view member,
                      std::string_view key, bool null_ok) {
  json::value& map = record[member];
  if (!map.is_object()) map = json::object();
  if (p.op == "remove") {
    map.as_object().erase(key);
  } else if (p.op == "add" || p.op == "replace") {
    if (p.value)
      map.as_object()[key] = *p.value;
    else if (null_ok)
      map.as_object()[key] = nullptr;
    else
      return BadRequest("Invalid null value for " + p.path);
  } else {
    return InvalidPatchPath(p);
  }
  if (map.as_object().empty()) record.erase(member);
  return Ok{};
}

Result<int64_t> PatchInt(const PatchOp& p, int64_t lo, int64_t hi, std::string_view message) {
  const std::string& v = p.value.value_or("");
  bool digits = !v.empty() && v.size() <= 18;
  for (size_t i = 0; i < v.size() && digits; ++i)
    digits =
        std::isdigit(static_cast<unsigned char>(v[i])) || (i == 0 && v[i] == '-' && v.size() > 1);
  if (!digits) return BadRequest(std::string(message));
  int64_t n = std::stoll(v);
  if (n < lo || n > hi) return BadRequest(std::string(message));
  return n;
}

std::string UnescapePatchSegment(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && i + 1 < s.size() && (s[i + 1] == '1' || s[i + 1] == '0')) {
      out.push_back(s[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<bool> PatchBool(const PatchOp& p) {
  if (p.value == "true") return true;
  if (p.value == "false") return false;
  return BadRequest("Invalid value '" + p.value.value_or("") + "' for " + p.path +
                    ": must be true or false");
}

namespace {

std::string RandomLowerAlnum(size_t n) {
  static const char* kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out(n, 'a');
  for (auto& c : out) c = kChars[rng() % 36];
  return out;
}

}  // namespace

std::string NewRestApiId() { return RandomLowerAlnum(10); }
std::string NewResourceId() { return RandomLowerAlnum(10); }
std::string NewDeploymentId() { return RandomLowerAlnum(6); }

std::string RestApiArn(std::string_view region, std::string_view api_id) {
  return "arn:aws:apigateway:" + std::string(region) + "::/restapis/" + std::string(api_id);
}

double NowSeconds(const RequestContext& ctx) { return std::floor(ctx.env->clock->NowSeconds()); }

}  // namespace nimbus::apigateway
