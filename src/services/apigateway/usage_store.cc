// Storage keys, days and usage counts of API keys and usage plans.
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/usage.h"

namespace nimbus::apigateway {

namespace {

std::string Scoped(std::string_view account, std::string_view region, std::string_view kind) {
  std::string k = storage::ScopePrefix(account, region);
  k.append(kind);
  return k;
}

}  // namespace

std::string ApiKeyRecordKey(std::string_view account, std::string_view region,
                            std::string_view key_id) {
  return Scoped(account, region, "k/").append(key_id);
}
std::string ApiKeyValueKey(std::string_view account, std::string_view region,
                           std::string_view value) {
  return Scoped(account, region, "h/").append(value);
}
std::string UsagePlanKey(std::string_view account, std::string_view region,
                         std::string_view plan_id) {
  return Scoped(account, region, "p/").append(plan_id);
}
std::string PlanMemberPrefix(std::string_view account, std::string_view region,
                             std::string_view plan_id) {
  return Scoped(account, region, "q/").append(plan_id).append("/");
}
std::string UsagePrefix(std::string_view account, std::string_view region, std::string_view plan_id,
                        std::string_view key_id) {
  return Scoped(account, region, "n/").append(plan_id).append("/").append(key_id).append("/");
}
std::string UsageDayKey(std::string_view account, std::string_view region, std::string_view plan_id,
                        std::string_view key_id, int64_t day) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%08lld", static_cast<long long>(std::max<int64_t>(day, 0)));
  return UsagePrefix(account, region, plan_id, key_id) + buf;
}

ApiError ApiKeyNotFound() { return NotFound("Invalid API Key identifier specified"); }
ApiError UsagePlanNotFound() { return NotFound("Invalid Usage Plan ID specified"); }

int64_t DayOf(double epoch_seconds) {
  return static_cast<int64_t>(std::floor(epoch_seconds / 86400.0));
}

std::string FormatDay(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<int64_t> ParseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  size_t spans[3][2] = {{0, 4}, {5, 2}, {8, 2}};
  for (int i = 0; i < 3; ++i) {
    for (size_t j = spans[i][0]; j < spans[i][0] + spans[i][1]; ++j) {
      if (text[j] < '0' || text[j] > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (text[j] - '0');
    }
  }
  std::chrono::year_month_day ymd{std::chrono::year{parts[0]},
                                  std::chrono::month{static_cast<unsigned>(parts[1])},
                                  std::chrono::day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok() || parts[0] < 1970) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

int64_t PeriodStart(const json::object& quota, int64_t day) {
  const auto* period = quota.if_contains("period");
  std::string_view p =
      period && period->is_string() ? std::string_view(period->get_string()) : "DAY";
  int64_t offset = 0;
  if (const auto* o = quota.if_contains("offset"); o && o->is_int64()) offset = o->get_int64();
  if (p == "WEEK") {
    // 1970-01-01 was a Thursday: (day + 4) % 7 is the weekday with Sunday 0.
    int64_t weekday = ((day + 4) % 7 + 7) % 7;
    int64_t back = ((weekday - offset) % 7 + 7) % 7;
    return day - back;
  }
  if (p == "MONTH") {
    using namespace std::chrono;  // NOLINT(build/namespaces)
    year_month_day ymd{sys_days{days{day}}};
    auto first = sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count();
    int64_t start = first + offset;
    if (start > day) {
      auto prev = ymd.year() / ymd.month() / 1 - months{1};
      start = sys_days{prev}.time_since_epoch().count() + offset;
    }
    return start;
  }
  return day;
}

Result<int64_t> UsedBetween(ServiceEnv& env, std::string_view account, std::string_view region,
                            std::string_view plan_id, std::string_view key_id, int64_t from,
                            int64_t to) {
  int64_t used = 0;
  for (int64_t d = from; d <= to; ++d) {
    json::value v;
    auto st =
        storage::GetJson(*env.kv, kKeyspace, UsageDayKey(account, region, plan_id, key_id, d), &v);
    if (st.IsNotFound()) continue;
    if (!st.ok()) return storage::StorageError(st);
    if (v.is_object())
      if (const auto* u = v.get_object().if_contains("used"); u && u->is_int64())
        used += u->get_int64();
  }
  return used;
}

}  // namespace nimbus::apigateway
