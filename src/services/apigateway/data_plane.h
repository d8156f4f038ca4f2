#pragma once

#include <optional>
#include <string_view>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

// Serves one invocation of a REST API: finds the API by id, the stage from the first path
// segment, the deployed resource by AWS's precedence and its method (or ANY), and calls the
// integration. A missing stage, resource or method answers 403 {"message":"Missing
// Authentication Token"}. nullopt when no REST API has the id (another service may own it).
Task<std::optional<http::Response>> ServeInvocation(ServiceEnv& env, const http::Request& request,
                                                    const DataPlaneTarget& target,
                                                    std::string_view request_id);

}  // namespace nimbus::apigateway
