#include "services/execute_api/cors.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

namespace nimbus::execute_api {

std::vector<std::string> Cors::List(std::string_view member) const {
  std::vector<std::string> out;
  if (const auto* v = config->if_contains(member); v && v->is_array())
    for (const auto& s : v->get_array())
      if (s.is_string()) out.emplace_back(s.get_string());
  return out;
}

bool Cors::Credentials() const {
  const auto* v = config->if_contains("AllowCredentials");
  return v && v->is_bool() && v->get_bool();
}

std::string Cors::AllowOrigin(std::string_view origin) const {
  if (origin.empty()) return {};
  for (const auto& o : List("AllowOrigins")) {
    if (o == "*") return "*";
    if (o.size() == origin.size() &&
        std::equal(o.begin(), o.end(), origin.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return std::string(origin);
  }
  return {};
}

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace

bool IsPreflight(const http::Request& request) {
  return request.method == "OPTIONS" && request.HasHeader("origin") &&
         request.HasHeader("access-control-request-method");
}

http::Response Preflight(const Cors& cors, const http::Request& request, int status) {
  http::Response r;
  r.status = status;
  std::string origin = cors.AllowOrigin(request.Header("origin"));
  if (origin.empty()) return r;
  r.SetHeader("access-control-allow-origin", origin);
  if (auto methods = cors.List("AllowMethods"); !methods.empty())
    r.SetHeader("access-control-allow-methods", Join(methods));
  if (auto headers = cors.List("AllowHeaders"); !headers.empty())
    r.SetHeader("access-control-allow-headers", Join(headers));
  if (const auto* age = cors.config->if_contains("MaxAge"); age && age->is_int64())
    r.SetHeader("access-control-max-age", std::to_string(age->get_int64()));
  if (cors.Credentials()) r.SetHeader("access-control-allow-credentials", "true");
  return r;
}

void AddCorsHeaders(const Cors& cors, const http::Request& request, http::Response* r) {
  for (auto it = r->headers.begin(); it != r->headers.end();)
    it = it->first.rfind("access-control-", 0) == 0 ? r->headers.erase(it) : it + 1;
  std::string origin = cors.AllowOrigin(request.Header("origin"));
  if (origin.empty()) return;
  r->SetHeader("access-control-allow-origin", origin);
  if (auto expose = cors.List("ExposeHeaders"); !expose.empty())
    r->SetHeader("access-control-expose-headers", Join(expose));
  if (cors.Credentials()) r->SetHeader("access-control-allow-credentials", "true");
}

}  // namespace nimbus::execute_api
