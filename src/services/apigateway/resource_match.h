#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::apigateway {

struct ResourceMatch {
  size_t index = 0;  // into the resource paths given to MatchResource
  // Path parameters, decoded: {"id", "6"}; a greedy {proxy+} is named "proxy" and holds the
  // rest of the path ("a/b").
  std::vector<std::pair<std::string, std::string>> path_parameters;
};

// The resource of a REST API that serves `raw_path` (percent-encoded, stage removed, "/" for
// the root) among resource paths ("/", "/pets", "/pets/{id}", "/{proxy+}"), by API Gateway's
// precedence: segment by segment a literal beats a {variable}, which beats a greedy
// {variable+} (that takes one segment or more, so never matches the root). nullopt: none.
std::optional<ResourceMatch> MatchResource(const std::vector<std::string>& paths,
                                           std::string_view raw_path);

}  // namespace nimbus::apigateway
