#include "services/execute_api/identity_source.h"

#include <cctype>

namespace nimbus::execute_api {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The context variable `name` of the request, as the API type names them; nullopt when it
// names none.
std::optional<std::string> ContextValue(const Invocation& inv, std::string_view name,
                                        bool http_api) {
  const http::Request& r = *inv.request;
  if (name == "requestId") return inv.request_id;
  if (name == "apiId") return inv.api_id;
  if (name == "stage") return inv.stage;
  if (name == "accountId") return inv.account_id;
  if (name == "httpMethod") return r.method;
  if (name == "path") return inv.path;
  if (name == "identity.sourceIp") return r.remote_address;
  if (name == "identity.userAgent") return std::string(r.Header("user-agent"));
  if (!http_api) {
    if (name == "resourcePath") return inv.resource_path;
    if (name == "resourceId") return inv.resource_id;
    return std::nullopt;
  }
  if (name == "routeKey") return inv.route_key;
  if (name == "domainName") return inv.domain_name;
  if (name == "domainPrefix") return inv.domain_prefix;
  if (name == "http.method") return r.method;
  if (name == "http.path") return inv.path;
  if (name == "http.sourceIp") return r.remote_address;
  if (name == "http.userAgent") return std::string(r.Header("user-agent"));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> IdentityValue(const Invocation& inv, std::string_view source,
                                         const IdentitySyntax& syntax) {
  const http::Request& r = *inv.request;
  std::string value;
  bool found = false;
  auto add = [&](std::string_view v) {
    if (found) value += ',';
    value += v;
    found = true;
  };
  if (source.rfind(syntax.header, 0) == 0) {
    std::string name = Lower(source.substr(syntax.header.size()));
    for (const auto& [k, v] : r.headers)
      if (k == name) add(v);
  } else if (source.rfind(syntax.query, 0) == 0) {
    std::string_view name = source.substr(syntax.query.size());
    for (const auto& [k, v] : http::ParseQuery(r.query, false))
      if (k == name) add(v);
  } else if (source.rfind(syntax.stage, 0) == 0) {
    std::string name(source.substr(syntax.stage.size()));
    if (const auto* v = inv.stage_variables.if_contains(name); v && v->is_string())
      add(v->get_string());
  } else if (source.rfind(syntax.context, 0) == 0) {
    if (auto v = ContextValue(inv, source.substr(syntax.context.size()), syntax.http_api)) add(*v);
  }
  if (!found || value.empty()) return std::nullopt;
  return value;
}

}  // namespace nimbus::execute_api
