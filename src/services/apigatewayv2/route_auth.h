#pragma once

// The authorization of an HTTP API route before its integration runs (developer guide, "Control
// access to HTTP APIs with JWT authorizers", "... with AWS Lambda authorizers" and "... with IAM
// authorization").

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigatewayv2 {

struct RouteAuthorization {
  // The answer when the request is refused: 401 {"message":"Unauthorized"}, 403
  // {"message":"Forbidden"} or, when a Lambda authorizer fails, 500
  // {"message":"Internal Server Error"}.
  std::optional<http::Response> refusal;
  // requestContext.authorizer of the integration's event (its payload format `v2` or 1.0):
  // {"jwt": {"claims", "scopes"}} / {"claims", "scopes"} for JWT, {"lambda": context} /
  // context (and principalId) for Lambda authorizers. Empty for routes without an authorizer.
  json::object authorizer;
  // requestContext.identity members of a 1.0 event (the caller of an AWS_IAM route).
  json::object identity;
};

// Authorizes `inv` (whose route is `route`) with the authorizer the route names among
// `authorizers` (id → record, as the stage serves them). `route_path` is the request path
// without the stage, for the route ARN.
Task<RouteAuthorization> AuthorizeRoute(ServiceEnv& env, const json::object& route,
                                        const json::object& authorizers,
                                        const execute_api::Invocation& inv, std::string_view region,
                                        std::string_view route_path, bool v2);

}  // namespace nimbus::apigatewayv2
