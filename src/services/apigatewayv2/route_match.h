#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::apigatewayv2 {

struct RouteMatch {
  size_t index = 0;  // into the route keys given to MatchRoute
  // Path variables, decoded: {"id", "6"}; a greedy {proxy+} is named "proxy" and holds the
  // rest of the path ("a/b").
  std::vector<std::pair<std::string, std::string>> path_parameters;
};

// Picks the route an HTTP API serves `method` and `raw_path` (percent-encoded, stage prefix
// removed) with, among route keys "METHOD /path" and "$default", by AWS's precedence
// (developer guide, "Routing API requests"): the most specific path wins, segment by segment a
// literal beats a {variable} beats a greedy {variable+}; on equal paths a route naming the
// method beats ANY; $default only when nothing else matches. nullopt: no route.
std::optional<RouteMatch> MatchRoute(const std::vector<std::string>& route_keys,
                                     std::string_view method, std::string_view raw_path);

// The path of "METHOD /path" ("/path"), or "$default".
std::string_view RoutePath(std::string_view route_key);

}  // namespace nimbus::apigatewayv2
