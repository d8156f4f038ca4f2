// Stage method settings: UpdateStage patch operations on
// "/{resourcePath}/{httpMethod}/{area}/{setting}" (API Gateway REST API reference, "Stage":
// "methodSettings"; "*/*" names every method of the stage). A setting not patched yet takes
// AWS's default.
#include <boost/json.hpp>
#include <cmath>
#include <vector>

#include "services/apigateway/usage.h"

namespace nimbus::apigateway {

namespace {

json::object DefaultMethodSetting() {
  return json::object{{"metricsEnabled", false},
                      {"loggingLevel", "OFF"},
                      {"dataTraceEnabled", false},
                      {"throttlingBurstLimit", 5000},
                      {"throttlingRateLimit", 10000.0},
                      {"cachingEnabled", false},
                      {"cacheTtlInSeconds", 300},
                      {"cacheDataEncrypted", false},
                      {"requireAuthorizationForCacheControl", true},
                      {"unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITH_RESPONSE_HEADER"}};
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    auto slash = s.find('/', pos);
    out.push_back(s.substr(pos, slash == std::string_view::npos ? slash : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

ApiError InvalidValue(const PatchOp& p, std::string_view expected) {
  return BadRequest("Invalid value '" + p.value.value_or("") + "' for " + p.path + ": " +
                    std::string(expected));
}

}  // namespace

std::optional<Status> PatchMethodSetting(const PatchOp& p, json::object& stage) {
  if (p.path.size() < 2 || p.path[0] != '/') return std::nullopt;
  auto parts = Split(std::string_view(p.path).substr(1));
  if (parts.size() < 4) return std::nullopt;
  std::string_view area = parts[parts.size() - 2];
  std::string_view setting = parts.back();
  std::string_view method = parts[parts.size() - 3];
  std::string resource;
  for (size_t i = 0; i + 3 < parts.size(); ++i) {
    if (i) resource += '/';
    resource += parts[i];
  }
  resource = UnescapePatchSegment(resource);
  while (!resource.empty() && resource.front() == '/') resource.erase(0, 1);
  // "*/*" or "{resourcePath}/{METHOD}" with a method API Gateway knows.
  bool known_method = false;
  for (std::string_view m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
    if (method == m) known_method = true;
  if (resource == "*" ? method != "*" : !known_method) return Status(InvalidPatchPath(p));
  if (p.op != "replace") return Status(InvalidPatchPath(p));
  std::string key = resource + "/" + std::string(method);

  json::value& all = stage["methodSettings"];
  if (!all.is_object()) all = json::object();
  json::object setting_record = all.as_object().contains(key) && all.at(key).is_object()
                                    ? all.at(key).as_object()
                                    : DefaultMethodSetting();
  std::string_view v = p.value ? std::string_view(*p.value) : std::string_view();
  auto as_bool = [&](std::string_view member) -> Status {
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    setting_record[member] = *b;
    return Ok{};
  };
  auto as_int = [&](std::string_view member, int64_t min, int64_t max) -> Status {
    try {
      size_t used = 0;
      long long n = std::stoll(std::string(v), &used);
      if (used == v.size() && n >= min && n <= max) {
        setting_record[member] = static_cast<int64_t>(n);
        return Ok{};
      }
    } catch (const std::exception&) {
    }
    return InvalidValue(
        p, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  };
  Status st = Ok{};
  if (area == "throttling" && setting == "rateLimit") {
    try {
      size_t used = 0;
      double d = std::stod(std::string(v), &used);
      if (used != v.size() || !std::isfinite(d) || d < 0)
        st = InvalidValue(p, "must be a non-negative number");
      else
        setting_record["throttlingRateLimit"] = d;
    } catch (const std::exception&) {
      st = InvalidValue(p, "must be a non-negative number");
    }
  } else if (area == "throttling" && setting == "burstLimit") {
    st = as_int("throttlingBurstLimit", 0, 5000000);
  } else if (area == "logging" && setting == "loglevel") {
    if (v != "OFF" && v != "ERROR" && v != "INFO")
      st = InvalidValue(p, "must be OFF, ERROR or INFO");
    else
      setting_record["loggingLevel"] = v;
  } else if (area == "logging" && setting == "dataTrace") {
    st = as_bool("dataTraceEnabled");
  } else if (area == "metrics" && setting == "enabled") {
    st = as_bool("metricsEnabled");
  } else if (area == "caching" && setting == "enabled") {
    st = as_bool("cachingEnabled");
  } else if (area == "caching" && setting == "dataEncrypted") {
    st = as_bool("cacheDataEncrypted");
  } else if (area == "caching" && setting == "ttlInSeconds") {
    st = as_int("cacheTtlInSeconds", 0, 3600);
  } else if (area == "caching" && setting == "requireAuthorizationForCacheControl") {
    st = as_bool("requireAuthorizationForCacheControl");
  } else if (area == "caching" && setting == "unauthorizedCacheControlHeaderStrategy") {
    if (v != "FAIL_WITH_403" && v != "SUCCEED_WITH_RESPONSE_HEADER" &&
        v != "SUCCEED_WITHOUT_RESPONSE_HEADER")
      st = InvalidValue(p,
                        "must be FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER or "
                        "SUCCEED_WITHOUT_RESPONSE_HEADER");
    else
      setting_record["unauthorizedCacheControlHeaderStrategy"] = v;
  } else {
    return Status(InvalidPatchPath(p));
  }
  if (!st) return st;
  all.as_object()[key] = std::move(setting_record);
  return Status(Ok{});
}

}  // namespace nimbus::apigateway
