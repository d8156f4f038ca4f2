#pragma once

#include <optional>
#include <string_view>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"
#include "services/apigatewayv2/deployed_api.h"

namespace nimbus::apigatewayv2 {

// Serves one invocation of an HTTP API: finds the API by id, the stage from the path (or
// $default), the route by AWS's precedence, and calls its integration. nullopt when the API
// does not exist (the router answers 404 {"message":"Not Found"}). The API's configuration
// comes from `cache`.
Task<std::optional<http::Response>> ServeInvocation(ServiceEnv& env, DeployedApiCache& cache,
                                                    const http::Request& request,
                                                    const DataPlaneTarget& target,
                                                    std::string_view request_id);

}  // namespace nimbus::apigatewayv2
