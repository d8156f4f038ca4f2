#pragma once

// Route throttling of HTTP API stages (developer guide, "Throttle requests to your HTTP APIs"):
// a route's RouteSettings ThrottlingBurstLimit / ThrottlingRateLimit, else the stage's
// DefaultRouteSettings, bound the requests the route takes in that stage; past them API
// Gateway answers 429 {"message":"Too Many Requests"}.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string_view>

namespace nimbus::apigatewayv2 {

// Whether a request to `route_key` of `stage` (the stage record) may go on at `now_ms`; takes
// a token of the route's bucket when throttling applies.
bool AdmitRoute(std::string_view account, std::string_view region, std::string_view api_id,
                const boost::json::object& stage, std::string_view stage_name,
                std::string_view route_key, int64_t now_ms);

}  // namespace nimbus::apigatewayv2
