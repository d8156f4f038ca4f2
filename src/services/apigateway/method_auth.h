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

// One run of a Lambda authorizer record for `inv`: the identity checks, the function (or, when
// `use_cache`, its cached answer) and the answer's form. `refusal` is set for 401 and 500; else
// `answer` holds principalId and policyDocument and `context` the answer's context, still to be
// checked against a method ARN.
struct AuthorizerRun {
  std::optional<Refusal> refusal;
  json::object answer;
  json::object context;
  int64_t latency_ms = 0;
};
Task<AuthorizerRun> RunAuthorizer(ServiceEnv& env, const json::object& authorizer,
                                  const execute_api::Invocation& inv, std::string method_arn,
                                  bool use_cache);

// Authorizes `inv` for `method` (a deployed method record) with the authorizer it names among
// `authorizers` (id → record). Methods without a Lambda authorizer pass as they are.
Task<MethodAuthorization> AuthorizeMethod(ServiceEnv& env, const json::object& method,
                                          const json::object& authorizers,
                                          const execute_api::Invocation& inv,
                                          std::string_view region);

}  // namespace nimbus::apigateway
