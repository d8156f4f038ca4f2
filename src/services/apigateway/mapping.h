#pragma once

// Non-proxy integrations of REST APIs (MOCK, HTTP and AWS with a Lambda function): the method
// request goes through the integration's request template and requestParameters, the
// integration answers, an integration response is selected by its selectionPattern, and its
// response template and responseParameters make the method response (developer guide, "Set up
// data transformations for REST APIs").

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/vtl.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigateway {

// Calls `integration` (type MOCK, HTTP or AWS) for the invocation `inv` and answers the method
// response, or the error API Gateway answers itself (rendered through the gateway responses by
// the caller):
//   415 {"message":"Unsupported Media Type"}  (UNSUPPORTED_MEDIA_TYPE) no request template for the
//   content type and a
//                                             passthroughBehavior that refuses it
//   400 {"message":"Could not parse request body into json: ..."}  (BAD_REQUEST_BODY) a template
//                                             reads a body that is not JSON
//   500 {"message":"Internal server error"}   (API_CONFIGURATION_ERROR) a template that fails
//                                             (malformed, over a limit), no integration
//                                             response for the outcome, an AWS integration
//                                             other than Lambda
//   502 / 500 / 504                           (INTEGRATION_FAILURE, INTEGRATION_TIMEOUT)
//                                             backend unreachable, Lambda call failed / timeout
// The caller stamps the request ids.
Task<Outcome> InvokeMapped(ServiceEnv& env, const execute_api::Invocation& inv,
                           const json::object& integration);

// $input.params() of a method request: {"path", "querystring", "header"}, header names as the
// client sent them (a header sent twice, in any case, is one entry: its first name, the values
// joined by commas).
json::object MethodRequestParams(
    const http::Request& request,
    const std::vector<std::pair<std::string, std::string>>& path_parameters);

// A mapping source of requestParameters / responseParameters that does not depend on the
// integration response: 'static', method.request.{path,querystring,header}.X (header names in
// any case), method.request.body[.JSONPath], stageVariables.X, context.X[.Y]. nullopt when it
// names nothing.
std::optional<std::string> RequestSource(std::string_view source, const vtl::Bindings& b);

}  // namespace nimbus::apigateway
