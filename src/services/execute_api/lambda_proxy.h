#pragma once

// The Lambda proxy integration of API Gateway, shared by HTTP APIs (apigatewayv2) and REST APIs
// (apigateway): the event a function receives (payload format versions 1.0 and 2.0; REST APIs
// send 1.0 without "version") and how its answer becomes the HTTP response, as the developer
// guide describes them ("Create AWS Lambda proxy integrations for HTTP APIs", "Lambda proxy
// integrations in API Gateway" for REST APIs).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "core/http/http_types.h"
#include "core/router/service.h"

namespace nimbus::execute_api {

// The largest request body API Gateway accepts (REST and HTTP APIs): 10 MB.
inline constexpr size_t kMaxPayloadBytes = 10 * 1024 * 1024;

// What an event is built from, besides the HTTP request itself.
struct Invocation {
  const http::Request* request = nullptr;
  std::string account_id;
  std::string api_id;
  std::string domain_name;    // "<apiId>.execute-api.localhost", "<urlId>.lambda-url.<region>..."
  std::string domain_prefix;  // "<apiId>", "<urlId>"
  std::string stage;          // "$default" or the stage name
  std::string route_key;      // "GET /pets/{id}" or "$default"
  std::string request_id;     // API Gateway's ("apigw-requestid")
  std::string path;           // the request path, decoded, stage prefix included
  std::vector<std::pair<std::string, std::string>> path_parameters;
  json::object stage_variables;
  json::object authorizer;  // requestContext.authorizer when not empty
  // Members set over requestContext.identity's of a 1.0 event (the AWS_IAM caller).
  json::object identity;
  int64_t time_epoch_ms = 0;
  // REST APIs only (rest_api set): the event has no "version", `resource` and
  // requestContext.resourcePath are `resource_path`, requestContext.resourceId is
  // `resource_id`, the event's `path` is `rest_path` (without the stage) while
  // requestContext.path is `path` (with it), and a body travels base64-encoded only when its
  // content type is one of `binary_media_types`.
  bool rest_api = false;
  std::string resource_path;
  std::string resource_id;
  std::string rest_path;
  std::vector<std::string> binary_media_types;
};

// The events, as JSON text.
std::string EventV2(const Invocation& inv);
std::string EventV1(const Invocation& inv);

// The HTTP response a function's answer makes, or nullopt when the answer is not one
// (malformed: the caller answers 500 {"message":"Internal Server Error"}). Format 2.0 infers a
// 200 JSON response from an answer without statusCode.
std::optional<http::Response> ResponseFromLambda(std::string_view payload, bool v2);

// The request body as an event carries it: text when the content type is textual and the bytes
// are UTF-8, else base64 (`*base64` set).
std::string EventBody(const http::Request& request, bool* base64);
// As a REST API carries it: base64 when the content type matches one of `binary_media_types`
// ("image/png", "image/*", "*/*"), else the bytes as they came.
std::string RestEventBody(const http::Request& request,
                          const std::vector<std::string>& binary_media_types, bool* base64);

// The FunctionName for Invoke an integration URI names:
// "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations" or a
// function ARN as it is.
std::string FunctionFromUri(std::string_view uri);
// `text` with every "${stageVariables.<name>}" replaced by the variable's value ("" if unset).
std::string SubstituteStageVariables(std::string_view text, const json::object& vars);
// The context an invocation calls Lambda with: the function's account and region when its ARN
// names them, else `account` and the server's region; the caller is that account's root.
RequestContext LambdaCallContext(ServiceEnv& env, std::string_view account,
                                 std::string_view request_id, std::string_view function);

}  // namespace nimbus::execute_api
