#pragma once

// The integration timeout of API Gateway (timeoutInMillis / TimeoutInMillis): the gateway
// answers when it runs out, while the integration (a Lambda function) goes on to its own end, as
// on AWS, where a function keeps running after API Gateway gave up on it.

#include <chrono>
#include <optional>
#include <string>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/common/task.h"
#include "core/router/service.h"

namespace nimbus::execute_api {

// Calls `operation` of `service` through the registry as `ctx` and waits at most `timeout` for
// its answer: nullopt when the time ran out first (the call then goes on in the background and
// its answer is dropped).
Task<std::optional<Result<Document>>> CallWithTimeout(ServiceEnv& env, RequestContext ctx,
                                                      std::string service, std::string operation,
                                                      Document input,
                                                      std::chrono::milliseconds timeout);

}  // namespace nimbus::execute_api
