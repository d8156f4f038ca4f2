#pragma once

// The Lambda proxy integration of HTTP APIs: the event a function receives (payload format
// versions 1.0 and 2.0) and how its answer becomes the HTTP response, as the developer guide
// describes them ("Create AWS Lambda proxy integrations for HTTP APIs").

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "core/http/http_types.h"

namespace nimbus::apigatewayv2 {

// What an event is built from, besides the HTTP request itself.
struct Invocation {
  const http::Request* request = nullptr;
  std::string account_id;
  std::string api_id;
  std::string domain_name;    // "<apiId>.execute-api.localhost"
  std::string domain_prefix;  // "<apiId>"
  std::string stage;          // "$default" or the stage name
  std::string route_key;      // "GET /pets/{id}" or "$default"
  std::string request_id;     // API Gateway's ("apigw-requestid")
  std::string path;           // the request path, decoded, stage prefix included
  std::vector<std::pair<std::string, std::string>> path_parameters;
  json::object stage_variables;
  int64_t time_epoch_ms = 0;
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

}  // namespace nimbus::apigatewayv2
