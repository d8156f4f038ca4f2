// Errors, keys, records and paging shared by the API Gateway v2 operation families.
#include <boost/json.hpp>
#include <cctype>
#include <random>

#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

ApiError NotFound(std::string message, std::string_view resource_type) {
  ApiError e("NotFoundException", 404, std::move(message));
  e.extra["resourceType"] = resource_type;
  return e;
}

ApiError BadRequest(std::string message) {
  return ApiError("BadRequestException", 400, std::move(message));
}

ApiError Conflict(std::string message) {
  return ApiError("ConflictException", 409, std::move(message));
}

// The wording AWS answers for an unknown id names the account for APIs and the bare id for
// an API's children.
ApiError ApiNotFound(const RequestContext& ctx, std::string_view api_id) {
  return NotFound("Invalid API identifier specified " + ctx.account_id + ":" + std::string(api_id),
                  "Api");
}
ApiError RouteNotFound(std::string_view id) {
  return NotFound("Invalid Route identifier specified " + std::string(id), "Route");
}
ApiError IntegrationNotFound(std::string_view id) {
  return NotFound("Invalid Integration identifier specified " + std::string(id), "Integration");
}
ApiError StageNotFound(std::string_view name) {
  return NotFound("Invalid stage identifier specified " + std::string(name), "Stage");
}
ApiError DeploymentNotFound(std::string_view id) {
  return NotFound("Invalid Deployment identifier specified " + std::string(id), "Deployment");
}

ApiError AuthorizerNotFound(std::string_view id) {
  return NotFound("Invalid Authorizer identifier specified " + std::string(id), "Authorizer");
}

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
    return storage::StorageError(storage::StorageStatus::Corruption("apigatewayv2: not an object"));
  return std::optional<json::object>(std::move(v.get_object()));
}

Result<json::object> LoadApi(const RequestContext& ctx, std::string_view api_id) {
  auto r = LoadRecord(*ctx.env, ApiKey(ctx.account_id, ctx.region, api_id));
  if (!r) return std::move(r).error();
  if (!*r) return ApiNotFound(ctx, api_id);
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

Result<Document> Page(const Document& in, std::vector<json::object> items,
                      std::string_view id_member) {
  size_t limit = items.size();
  if (HasMember(in, "MaxResults")) {
    std::string_view raw = StringMember(in, "MaxResults");
    size_t n = 0;
    bool ok = !raw.empty() && raw.size() <= 9;
    for (char c : raw) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    if (ok) n = std::stoul(std::string(raw));
    if (!ok || n < 1) return BadRequest("Invalid MaxResults, must be a positive integer");
    limit = n;
  }
  size_t start = 0;
  if (HasMember(in, "NextToken")) {
    auto after = Base64Decode(StringMember(in, "NextToken"));
    if (!after || after->empty()) return BadRequest("Invalid pagination token specified");
    start = items.size();
    for (size_t i = 0; i < items.size(); ++i) {
      const auto* id = items[i].if_contains(id_member);
      if (id && id->is_string() && std::string_view(id->get_string()) > *after) {
        start = i;
        break;
      }
    }
  }
  json::array page;
  size_t end = std::min(items.size(), start + limit);
  std::string next_token;
  if (end < items.size() && end > start) {
    const auto* id = items[end - 1].if_contains(id_member);
    if (id && id->is_string()) next_token = Base64Encode(std::string(id->get_string()));
  }
  for (size_t i = start; i < end; ++i) {
    json::object item = std::move(items[i]);
    for (auto it = item.begin(); it != item.end();) {
      if (!it->key().empty() && it->key()[0] == '_')
        it = item.erase(it);
      else
        ++it;
    }
    page.push_back(std::move(item));
  }
  json::object out{{"Items", std::move(page)}};
  if (!next_token.empty()) out["NextToken"] = next_token;
  return Document(std::move(out));
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

std::string NewApiId() { return RandomLowerAlnum(10); }
std::string NewChildId() { return RandomLowerAlnum(7); }
std::string NewDeploymentId() { return RandomLowerAlnum(6); }

std::string ApiEndpoint(const ServiceEnv& env, std::string_view api_id) {
  return "http://" + std::string(api_id) +
         ".execute-api.localhost:" + std::to_string(env.config ? env.config->port : 4566);
}

std::string ApiArn(std::string_view region, std::string_view api_id) {
  return "arn:aws:apigateway:" + std::string(region) + "::/apis/" + std::string(api_id);
}

bool ValidHttpRouteKey(std::string_view key) {
  if (key == "$default") return true;
  auto space = key.find(' ');
  if (space == std::string_view::npos) return false;
  std::string_view method = key.substr(0, space);
  std::string_view path = key.substr(space + 1);
  static constexpr std::string_view kMethods[] = {"ANY",   "GET",    "POST", "PUT",
                                                  "PATCH", "DELETE", "HEAD", "OPTIONS"};
  bool known = false;
  for (auto m : kMethods) known = known || m == method;
  if (!known || path.empty() || path[0] != '/') return false;
  if (path.find(' ') != std::string_view::npos) return false;
  // Path variables: whole segments "{name}" or a final "{name+}".
  size_t pos = 1;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    std::string_view seg = path.substr(pos, next == std::string_view::npos ? next : next - pos);
    bool last = next == std::string_view::npos;
    if (seg.find_first_of("{}") != std::string_view::npos) {
      if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}') return false;
      std::string_view name = seg.substr(1, seg.size() - 2);
      if (!name.empty() && name.back() == '+') {
        if (!last) return false;
        name.remove_suffix(1);
      }
      if (name.empty() || name.find_first_of("{}+") != std::string_view::npos) return false;
    } else if (seg.empty() && !(last && pos == 1)) {
      return false;  // "//" or a trailing "/" (only "/" itself is a path of no segments)
    }
    if (last) break;
    pos = next + 1;
  }
  return true;
}

Result<Document> GetChild(const RequestContext& ctx, const Document& in, Kind kind,
                          std::string_view id_member, ApiError (*not_found)(std::string_view)) {
  std::string_view api_id = StringMember(in, "ApiId");
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  std::string_view id = StringMember(in, id_member);
  auto r = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, kind, api_id, id));
  if (!r) return std::move(r).error();
  if (!*r) return not_found(id);
  return Document(std::move(**r));
}

Result<Document> ListChildren(const RequestContext& ctx, const Document& in, Kind kind,
                              std::string_view id_member) {
  std::string_view api_id = StringMember(in, "ApiId");
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  auto items = LoadChildren(*ctx.env, ctx.account_id, ctx.region, kind, api_id);
  if (!items) return std::move(items).error();
  return Page(in, std::move(*items), id_member);
}

}  // namespace nimbus::apigatewayv2
