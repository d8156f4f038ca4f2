// What API keys, usage plans and stage throttles decide for one invocation of a REST API
// (developer guide, "Usage plans and API keys for REST APIs" and "Throttle requests to your REST
// APIs"): the key check (403), the usage plan's throttle for the key (429 Too Many Requests), the
// stage's method throttle (429) and the plan's quota (429 Limit Exceeded), in that order. Only
// admitted requests count towards the quota and GetUsage.
#include <boost/json.hpp>
#include <mutex>

#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/usage.h"
#include "services/execute_api/throttle.h"

namespace nimbus::apigateway {

namespace {

using execute_api::ThrottleLimit;

Rejection Forbidden() { return {403, "Forbidden", "ForbiddenException"}; }
Rejection TooManyRequests() { return {429, "Too Many Requests", "TooManyRequestsException"}; }
Rejection LimitExceeded() { return {429, "Limit Exceeded", "LimitExceededException"}; }

ThrottleLimit LimitOf(const json::value* v, std::string_view rate_member,
                      std::string_view burst_member) {
  ThrottleLimit l;
  if (!v || !v->is_object()) return l;
  const auto& o = v->get_object();
  if (const auto* r = o.if_contains(rate_member)) {
    if (r->is_double()) l.rate = r->get_double();
    if (r->is_int64()) l.rate = static_cast<double>(r->get_int64());
  }
  if (const auto* b = o.if_contains(burst_member); b && b->is_int64()) l.burst = b->get_int64();
  return l;
}

bool Bool(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_bool() && v->get_bool();
}

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// Serializes the read-count-write of usage counters.
std::mutex& UsageMutex() {
  static std::mutex mu;
  return mu;
}

struct KeyPlan {
  std::string key_id;
  json::object plan;
  const json::object* api_stage = nullptr;  // within `plan`
};

// The usage plan through which the key named by `value` reaches the API stage, or why not.
std::optional<Rejection> FindPlan(ServiceEnv& env, const Admission& a, std::string_view value,
                                  KeyPlan* out) {
  if (value.empty()) return Forbidden();
  auto index = LoadRecord(env, ApiKeyValueKey(a.account, a.region, value));
  if (!index || !*index) return Forbidden();
  std::string key_id(Str(**index, "id"));
  auto key = LoadRecord(env, ApiKeyRecordKey(a.account, a.region, key_id));
  if (!key || !*key || !Bool(**key, "enabled")) return Forbidden();
  std::vector<json::object> plans;
  auto st =
      storage::ScanJsonObjects(*env.kv, kKeyspace, UsagePlanKey(a.account, a.region, ""), &plans);
  if (!st.ok()) return Forbidden();
  for (auto& plan : plans) {
    const auto* stages = plan.if_contains("apiStages");
    if (!stages || !stages->is_array()) continue;
    bool listed = false;
    for (const auto& s : stages->get_array())
      if (StringMember(s, "apiId") == a.api_id && StringMember(s, "stage") == a.stage_name)
        listed = true;
    if (!listed) continue;
    auto member = LoadRecord(env, PlanMemberPrefix(a.account, a.region, Str(plan, "id")) + key_id);
    if (!member || !*member) continue;
    out->key_id = key_id;
    out->plan = std::move(plan);
    for (const auto& s : out->plan.at("apiStages").get_array())
      if (StringMember(s, "apiId") == a.api_id && StringMember(s, "stage") == a.stage_name)
        out->api_stage = &s.get_object();
    return std::nullopt;
  }
  return Forbidden();
}

// The stage's method setting for the method: "pets/{id}/GET", else "*/*".
const json::value* StageMethodSetting(const Admission& a) {
  const auto* settings = a.stage->if_contains("methodSettings");
  if (!settings || !settings->is_object()) return nullptr;
  std::string_view path = a.resource_path;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string key = std::string(path) + "/" + std::string(a.method_name);
  if (const auto* s = settings->get_object().if_contains(key)) return s;
  return settings->get_object().if_contains("*/*");
}

}  // namespace

std::optional<Rejection> AdmitInvocation(ServiceEnv& env, const Admission& a) {
  int64_t now_ms = env.clock->NowMillis();
  std::string scope = std::string(a.account) + "/" + std::string(a.region) + "/";
  std::optional<KeyPlan> key_plan;
  if (a.method && Bool(*a.method, "apiKeyRequired")) {
    // apiKeySource AUTHORIZER takes the key from a Lambda authorizer's usageIdentifierKey;
    // nimbus has no Lambda authorizers yet, so only the x-api-key header names a key.
    if (Str(*a.api, "apiKeySource") == "AUTHORIZER") return Forbidden();
    key_plan.emplace();
    if (auto denied = FindPlan(env, a, a.request->Header("x-api-key"), &*key_plan)) return denied;
    // The plan's throttle for the key: per method of the API stage when set, else the plan's.
    std::string method_path = std::string(a.resource_path) + "/" + std::string(a.method_name);
    const json::value* method_limit = nullptr;
    if (key_plan->api_stage)
      if (const auto* t = key_plan->api_stage->if_contains("throttle"); t && t->is_object())
        method_limit = t->get_object().if_contains(method_path);
    std::string bucket =
        scope + "plan/" + std::string(Str(key_plan->plan, "id")) + "/" + key_plan->key_id;
    ThrottleLimit limit;
    if (method_limit) {
      limit = LimitOf(method_limit, "rateLimit", "burstLimit");
      bucket += "/" + method_path;
    } else {
      limit = LimitOf(key_plan->plan.if_contains("throttle"), "rateLimit", "burstLimit");
    }
    if (limit.set() && !execute_api::Throttles().TryTake(bucket, limit, now_ms))
      return TooManyRequests();
  }
  if (const auto* setting = StageMethodSetting(a)) {
    ThrottleLimit limit = LimitOf(setting, "throttlingRateLimit", "throttlingBurstLimit");
    std::string bucket = scope + "stage/" + std::string(a.api_id) + "/" +
                         std::string(a.stage_name) + "/" + std::string(a.resource_path) + "/" +
                         std::string(a.method_name);
    if (limit.set() && !execute_api::Throttles().TryTake(bucket, limit, now_ms))
      return TooManyRequests();
  }
  if (!key_plan) return std::nullopt;

  std::string_view plan_id = Str(key_plan->plan, "id");
  int64_t today = DayOf(env.clock->NowSeconds());
  std::lock_guard lock(UsageMutex());
  if (const auto* quota = key_plan->plan.if_contains("quota"); quota && quota->is_object()) {
    int64_t limit = 0;
    if (const auto* l = quota->get_object().if_contains("limit"); l && l->is_int64())
      limit = l->get_int64();
    auto used = UsedBetween(env, a.account, a.region, plan_id, key_plan->key_id,
                            PeriodStart(quota->get_object(), today), today);
    if (used && *used >= limit) return LimitExceeded();
  }
  std::string day_key = UsageDayKey(a.account, a.region, plan_id, key_plan->key_id, today);
  int64_t count = 0;
  json::value v;
  if (storage::GetJson(*env.kv, kKeyspace, day_key, &v).ok() && v.is_object())
    if (const auto* u = v.get_object().if_contains("used"); u && u->is_int64())
      count = u->get_int64();
  auto st = storage::PutJson(*env.kv, kKeyspace, day_key, json::object{{"used", count + 1}});
  if (!st.ok()) spdlog::warn("apigateway: usage of key {} not recorded", key_plan->key_id);
  return std::nullopt;
}

}  // namespace nimbus::apigateway
