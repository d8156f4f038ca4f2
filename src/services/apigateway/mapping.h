#pragma once

// Non-proxy integrations of REST APIs (MOCK, HTTP and AWS with a Lambda function): the method
// request goes through the integration's request template and requestParameters, the
// integration answers, an integration response is selected by its selectionPattern, and its
// response template and responseParameters make the method response (developer guide, "Set up
// data transformations for REST APIs").

#include <boost/json/object.hpp>
#include <string>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigateway {

// Calls `integration` (type MOCK, HTTP or AWS) for the invocation `inv` and answers the method
// response. What API Gateway answers itself:
//   415 {"message":"Unsupported Media Type"}  no request template for the content type and a
//                                             passthroughBehavior that refuses it
//   400 {"message":"Could not parse request body into json: ..."}  a template reads a body
//                                             that is not JSON
//   500 {"message":"Internal server error"}   a template that fails (malformed, over a limit),
//                                             no integration response for the outcome, an AWS
//                                             integration other than Lambda
//   502 / 504                                 backend unreachable / integration timeout
// The caller stamps the request ids.
Task<http::Response> InvokeMapped(ServiceEnv& env, const execute_api::Invocation& inv,
                                  const json::object& integration);

}  // namespace nimbus::apigateway
