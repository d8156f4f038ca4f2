#pragma once

// API keys, usage plans, stage method settings and what they enforce when a REST API is invoked
// (developer guide, "Usage plans and API keys for REST APIs in API Gateway" and "Throttle
// requests to your REST APIs for better throughput").

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/http_types.h"
#include "services/apigateway/rest.h"

namespace nimbus::apigateway {

// ---- Storage layout (keyspace "apigateway", beside rest.h's) ----
//   <scope>k/<keyId>                  API key: GetApiKey's answer with its value
//   <scope>h/<value>                  {"id": keyId}: the key a value names (values are unique)
//   <scope>p/<planId>                 usage plan: GetUsagePlan's answer
//   <scope>q/<planId>/<keyId>         {}: the key belongs to the plan
//   <scope>n/<planId>/<keyId>/<day>   {"used": n}: requests of the key admitted through the plan
//                                     on that UTC day (days since 1970-01-01, 8 digits)
std::string ApiKeyRecordKey(std::string_view account, std::string_view region,
                            std::string_view key_id);
std::string ApiKeyValueKey(std::string_view account, std::string_view region,
                           std::string_view value);
std::string UsagePlanKey(std::string_view account, std::string_view region,
                         std::string_view plan_id);
std::string PlanMemberPrefix(std::string_view account, std::string_view region,
                             std::string_view plan_id);
std::string UsagePrefix(std::string_view account, std::string_view region, std::string_view plan_id,
                        std::string_view key_id);
std::string UsageDayKey(std::string_view account, std::string_view region, std::string_view plan_id,
                        std::string_view key_id, int64_t day);

ApiError ApiKeyNotFound();     // "Invalid API Key identifier specified"
ApiError UsagePlanNotFound();  // "Invalid Usage Plan ID specified"

// Days since 1970-01-01 (UTC) of an epoch time in seconds, and back as "yyyy-MM-dd".
int64_t DayOf(double epoch_seconds);
std::string FormatDay(int64_t day);
// "yyyy-MM-dd" → day, or nullopt.
std::optional<int64_t> ParseDay(std::string_view text);
// The first day of the quota period holding `day` (QuotaSettings: period DAY, WEEK (offset 0 is
// Sunday) or MONTH (offset 0 is the first of the month)).
int64_t PeriodStart(const json::object& quota, int64_t day);
// Requests counted for a plan's key on days [from, to].
Result<int64_t> UsedBetween(ServiceEnv& env, std::string_view account, std::string_view region,
                            std::string_view plan_id, std::string_view key_id, int64_t from,
                            int64_t to);

// ---- Handlers ----
HandlerTable ApiKeyHandlers();     // api_keys.cc: CreateApiKey ... ImportApiKeys
HandlerTable UsagePlanHandlers();  // usage_plans.cc: usage plans, their keys, GetUsage

// ---- Stage method settings ----
// Applies an UpdateStage patch operation on "/{resourcePath}/{httpMethod}/{area}/{setting}"
// ("/*/*/throttling/rateLimit", "/~1pets/GET/logging/loglevel") to stage["methodSettings"]
// (keys "*/*", "pets/GET"). nullopt when `p` names no method setting (another path).
std::optional<Status> PatchMethodSetting(const PatchOp& p, json::object& stage);

// ---- Invocations ----
struct Admission {
  std::string_view account;
  std::string_view region;
  std::string_view api_id;
  std::string_view stage_name;
  const json::object* api = nullptr;
  const json::object* stage = nullptr;
  const json::object* method = nullptr;  // the deployed method record
  std::string_view method_name;          // its key in resourceMethods ("GET", "ANY")
  std::string_view resource_path;        // "/pets/{id}"
  const http::Request* request = nullptr;
};
// What API Gateway answers instead of calling the integration.
struct Rejection {
  int status = 0;
  std::string message;
  std::string error_type;
};
// Admits one invocation or says why not: a method with apiKeyRequired needs an `x-api-key`
// header naming an enabled key of a usage plan that lists the API stage (else 403 Forbidden);
// the plan's throttle (per key, or per method of the API stage) and the stage's method settings
// throttle answer 429 "Too Many Requests"; the plan's quota 429 "Limit Exceeded". An admitted
// request with a key is counted for GetUsage.
std::optional<Rejection> AdmitInvocation(ServiceEnv& env, const Admission& a);

}  // namespace nimbus::apigateway
