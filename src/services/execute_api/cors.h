#pragma once

// CORS answered from a configuration object of the shape API Gateway HTTP APIs
// (CorsConfiguration) and Lambda function URLs (Cors) share: AllowOrigins, AllowMethods,
// AllowHeaders, ExposeHeaders, MaxAge, AllowCredentials. The gateway answers preflights itself
// and puts the configured headers on every response to an allowed origin, dropping the
// backend's own.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"
#include "core/http/http_types.h"

namespace nimbus::execute_api {

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

}  // namespace nimbus::execute_api
