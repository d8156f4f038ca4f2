#pragma once

// AWS service integrations of HTTP APIs: an AWS_PROXY integration with an IntegrationSubtype
// ("SQS-SendMessage", ...) calls one action of a service with parameters mapped from the request
// by RequestParameters (developer guide, "Integration subtype reference").

#include <boost/json/object.hpp>
#include <string_view>

#include "core/common/result.h"
#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigatewayv2 {

// Checks an integration record with an IntegrationSubtype as CreateIntegration does: type
// AWS_PROXY, a known subtype, PayloadFormatVersion 1.0 (the default), RequestParameters naming
// only the subtype's parameters and all its required ones; a subtype whose service nimbus does
// not serve answers NotImplementedException. Fills the defaults.
Status CheckServiceIntegration(const Registry& registry, json::object& record);

// Runs the integration for `inv`: maps RequestParameters, calls the action and answers its
// status and body in the service's JSON protocol. TimeoutInMillis: 503.
Task<http::Response> InvokeServiceIntegration(ServiceEnv& env, const execute_api::Invocation& inv,
                                              const json::object& integration);

}  // namespace nimbus::apigatewayv2
