#pragma once

// HTTP requests handed to a Lambda function and its answers made HTTP responses, shared by API
// Gateway HTTP APIs (the Lambda proxy integration, payload formats 1.0 and 2.0: developer guide
// "Create AWS Lambda proxy integrations for HTTP APIs") and Lambda function URLs (the 2.0 format:
// Lambda developer guide "Invoking Lambda function URLs"), plus the CORS both answer from a
// configuration of the same shape (AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders,
// MaxAge, AllowCredentials).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "core/http/http_types.h"

namespace nimbus::http_lambda {

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
  json::object authorizer;  // requestContext.authorizer of format 2.0 when not empty
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

// CORS from a configuration object (API Gateway's CorsConfiguration, a function URL's Cors).
struct Cors {
  const json::object* config = nullptr;  // not owned; null: no CORS configured
  // A list member's strings.
  std::vector<std::string> List(std::string_view member) const;
  bool Credentials() const;
  // The Access-Control-Allow-Origin value for `origin`, "" when it is not allowed.
  std::string AllowOrigin(std::string_view origin) const;
};

// A browser's preflight: OPTIONS with Origin and Access-Control-Request-Method.
bool IsPreflight(const http::Request& request);
// The answer to a preflight (status `status`, no body): the Access-Control-* headers when the
// origin is allowed, none otherwise.
http::Response Preflight(const Cors& cors, const http::Request& request, int status);
// Replaces a response's Access-Control-* headers with the configured ones for the request's
// origin (none when it is not allowed).
void AddCorsHeaders(const Cors& cors, const http::Request& request, http::Response* r);

}  // namespace nimbus::http_lambda
