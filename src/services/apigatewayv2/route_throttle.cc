// Token buckets per HTTP API route and stage.
#include "services/apigatewayv2/route_throttle.h"

#include <boost/json.hpp>
#include <string>

#include "services/execute_api/throttle.h"

namespace nimbus::apigatewayv2 {

namespace json = boost::json;

namespace {

// Fills the members of `limit` that `settings` sets and `limit` does not have yet.
void Fill(const json::value* settings, execute_api::ThrottleLimit* limit) {
  if (!settings || !settings->is_object()) return;
  const auto& o = settings->get_object();
  if (limit->rate < 0)
    if (const auto* r = o.if_contains("ThrottlingRateLimit")) {
      if (r->is_double()) limit->rate = r->get_double();
      if (r->is_int64()) limit->rate = static_cast<double>(r->get_int64());
    }
  if (limit->burst < 0)
    if (const auto* b = o.if_contains("ThrottlingBurstLimit"); b && b->is_int64())
      limit->burst = b->get_int64();
}

}  // namespace

bool AdmitRoute(std::string_view account, std::string_view region, std::string_view api_id,
                const json::object& stage, std::string_view stage_name, std::string_view route_key,
                int64_t now_ms) {
  execute_api::ThrottleLimit limit;
  if (const auto* routes = stage.if_contains("RouteSettings"); routes && routes->is_object())
    Fill(routes->get_object().if_contains(route_key), &limit);
  Fill(stage.if_contains("DefaultRouteSettings"), &limit);
  if (!limit.set()) return true;
  std::string bucket = std::string(account) + "/" + std::string(region) + "/http/" +
                       std::string(api_id) + "/" + std::string(stage_name) + "/" +
                       std::string(route_key);
  return execute_api::Throttles().TryTake(bucket, limit, now_ms);
}

}  // namespace nimbus::apigatewayv2
