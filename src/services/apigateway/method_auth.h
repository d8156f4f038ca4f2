#pragma once

// The Lambda authorizer of a REST API method (authorizationType CUSTOM), run before its
// integration (developer guide, "Use API Gateway Lambda authorizers").

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/task.h"
#include "core/router/service.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigateway {

// A refusal as API Gateway answers it: status, the "message" (a string, or null for an
// authorizer's failure) and x-amzn-ErrorType.
struct Refusal {
  int status = 0;
  json::value message;
  std::string error_type;
};

struct MethodAuthorization {
  std::optional<Refusal> refusal;
  json::object authorizer;  // requestContext.authorizer: principalId and the context
};

// Authorizes `inv` for `method` (a deployed method record) with the authorizer it names among
// `authorizers` (id → record). Methods without a Lambda authorizer pass as they are.
Task<MethodAuthorization> AuthorizeMethod(ServiceEnv& env, const json::object& method,
                                          const json::object& authorizers,
                                          const execute_api::Invocation& inv,
                                          std::string_view region);

}  // namespace nimbus::apigateway
