#include "services/execute_api/lambda_proxy.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>

#include "core/common/encoding.h"
#include "core/common/ids.h"

namespace nimbus::execute_api {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Content types API Gateway passes as text; everything else travels base64-encoded (HTTP APIs
// encode form posts too).
bool IsTextual(std::string_view content_type) {
  std::string ct = Lower(content_type.substr(0, content_type.find(';')));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  if (ct.rfind("text/", 0) == 0) return true;
  for (std::string_view t : {"application/json", "application/xml", "application/javascript",
                             "application/ecmascript", "application/graphql"})
    if (ct == t) return true;
  auto ends = [&](std::string_view suffix) {
    return ct.size() >= suffix.size() &&
           ct.compare(ct.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends("+json") || ends("+xml");
}

// "12/Mar/2020:19:03:58 +0000"
std::string ClfTime(int64_t epoch_ms) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// Query parameters in order, decoded ('+' stays a plus, as in a URI).
std::vector<std::pair<std::string, std::string>> Query(const http::Request& r) {
  return http::ParseQuery(r.query, false);
}

json::value PathParameters(const Invocation& inv) {
  if (inv.path_parameters.empty()) return nullptr;
  json::object o;
  for (const auto& [k, v] : inv.path_parameters) o[k] = v;
  return o;
}

std::vector<std::string> Cookies(const http::Request& r) {
  std::vector<std::string> out;
  for (const auto& [name, value] : r.headers) {
    if (name != "cookie") continue;
    std::string_view v = value;
    while (!v.empty()) {
      auto semi = v.find(';');
      std::string_view c = v.substr(0, semi);
      while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      while (!c.empty() && c.back() == ' ') c.remove_suffix(1);
      if (!c.empty()) out.emplace_back(c);
      if (semi == std::string_view::npos) break;
      v.remove_prefix(semi + 1);
    }
  }
  return out;
}

std::string_view UserAgent(const http::Request& r) { return r.Header("user-agent"); }

// Headers API Gateway adds on the way in.
void ForwardedHeaders(const Invocation& inv, std::vector<std::pair<std::string, std::string>>* h) {
  const http::Request& r = *inv.request;
  std::string xff(r.Header("x-forwarded-for"));
  xff = xff.empty() ? r.remote_address : xff + ", " + r.remote_address;
  // REST APIs pass header names in the client's case and add theirs capitalised; HTTP APIs
  // lowercase every name.
  const bool as_sent = inv.rest_api;
  std::vector<std::string_view> names;
  if (as_sent) names = r.HeaderNamesAsSent();
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < r.headers.size(); ++i) {
    const auto& kv = r.headers[i];
    if (kv.first != "x-forwarded-for" && kv.first != "x-forwarded-proto" &&
        kv.first != "x-forwarded-port" && kv.first != "x-amzn-trace-id")
      out.emplace_back(as_sent ? std::string(names[i]) : kv.first, kv.second);
  }
  std::string_view host = r.Header("host");
  auto colon = host.rfind(':');
  auto bracket = host.rfind(']');
  bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  out.emplace_back(as_sent ? "X-Forwarded-For" : "x-forwarded-for", xff);
  out.emplace_back(as_sent ? "X-Forwarded-Port" : "x-forwarded-port",
                   has_port ? std::string(host.substr(colon + 1)) : "80");
  out.emplace_back(as_sent ? "X-Forwarded-Proto" : "x-forwarded-proto", "http");
  char epoch[17];
  std::snprintf(epoch, sizeof epoch, "%08llx",
                static_cast<unsigned long long>(inv.time_epoch_ms / 1000));
  out.emplace_back(as_sent ? "X-Amzn-Trace-Id" : "x-amzn-trace-id",
                   "Root=1-" + std::string(epoch) + "-" + RandomHex(24));
  *h = std::move(out);
}

}  // namespace

std::string EventBody(const http::Request& request, bool* base64) {
  *base64 = false;
  if (request.body.empty()) return {};
  if (IsTextual(request.Header("content-type")) && IsValidUtf8(request.body)) return request.body;
  *base64 = true;
  return Base64Encode(request.body);
}

std::string RestEventBody(const http::Request& request,
                          const std::vector<std::string>& binary_media_types, bool* base64) {
  *base64 = false;
  if (request.body.empty()) return {};
  std::string ct = Lower(request.Header("content-type"));
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  for (const auto& type : binary_media_types) {
    std::string t = Lower(type);
    bool match = t == ct || t == "*/*" ||
                 (t.size() > 2 && t.substr(t.size() - 2) == "/*" &&
                  ct.rfind(t.substr(0, t.size() - 1), 0) == 0);
    if (match) {
      *base64 = true;
      return Base64Encode(request.body);
    }
  }
  return request.body;
}

std::string FunctionFromUri(std::string_view uri) {
  constexpr std::string_view kFunctions = ":lambda:path/2015-03-31/functions/";
  auto pos = uri.find(kFunctions);
  if (uri.rfind("arn:aws:apigateway:", 0) == 0 && pos != std::string_view::npos) {
    std::string_view rest = uri.substr(pos + kFunctions.size());
    constexpr std::string_view kTail = "/invocations";
    if (rest.size() > kTail.size() && rest.substr(rest.size() - kTail.size()) == kTail)
      rest.remove_suffix(kTail.size());
    return std::string(rest);
  }
  return std::string(uri);
}

std::string SubstituteStageVariables(std::string_view text, const json::object& vars) {
  std::string out;
  constexpr std::string_view kOpen = "${stageVariables.";
  size_t pos = 0;
  while (true) {
    auto start = text.find(kOpen, pos);
    auto end = start == std::string_view::npos ? start : text.find('}', start);
    if (end == std::string_view::npos) {
      out.append(text.substr(pos));
      return out;
    }
    out.append(text.substr(pos, start - pos));
    std::string name(text.substr(start + kOpen.size(), end - start - kOpen.size()));
    if (const auto* v = vars.if_contains(name); v && v->is_string()) out.append(v->get_string());
    pos = end + 1;
  }
}

RequestContext LambdaCallContext(ServiceEnv& env, std::string_view account,
                                 std::string_view request_id, std::string_view function) {
  RequestContext ctx;
  ctx.request_id = std::string(request_id);
  ctx.account_id = std::string(account);
  ctx.region = env.config ? env.config->region : "us-east-1";
  std::string_view f = function;
  if (f.rfind("arn:aws:lambda:", 0) == 0) {
    f.remove_prefix(15);
    auto colon = f.find(':');
    ctx.region = std::string(f.substr(0, colon));
    f.remove_prefix(colon == std::string_view::npos ? f.size() : colon + 1);
    ctx.account_id = std::string(f.substr(0, f.find(':')));
  }
  ctx.caller_arn = "arn:aws:iam::" + ctx.account_id + ":root";
  ctx.caller_user_id = ctx.account_id;
  ctx.env = &env;
  return ctx;
}

std::string EventV2(const Invocation& inv) {
  const http::Request& r = *inv.request;
  // The event is built, serialized and dropped: its nodes come from one buffer (on the stack
  // while it lasts) instead of one allocation each.
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::storage_ptr sp(&arena);
  json::object e(12, sp);
  e["version"] = "2.0";
  e["routeKey"] = inv.route_key;
  e["rawPath"] = inv.path;
  e["rawQueryString"] = r.query;
  auto cookies = Cookies(r);
  if (!cookies.empty()) {
    json::array a(sp);
    for (auto& c : cookies) a.emplace_back(c);
    e["cookies"] = std::move(a);
  }
  std::vector<std::pair<std::string, std::string>> headers;
  ForwardedHeaders(inv, &headers);
  json::object h(headers.size(), sp);
  for (const auto& [k, v] : headers) {
    if (k == "cookie") continue;
    auto* existing = h.if_contains(k);
    if (existing)
      existing->as_string().append("," + v);
    else
      h[k] = v;
  }
  e["headers"] = std::move(h);
  auto query = Query(r);
  if (!query.empty()) {
    json::object q(sp);
    for (const auto& [k, v] : query) {
      auto* existing = q.if_contains(k);
      if (existing)
        existing->as_string().append("," + v);
      else
        q[k] = v;
    }
    e["queryStringParameters"] = std::move(q);
  }
  json::object http({{"method", r.method},
                     {"path", inv.path},
                     {"protocol", r.http_version == 10 ? "HTTP/1.0" : "HTTP/1.1"},
                     {"sourceIp", r.remote_address},
                     {"userAgent", UserAgent(r)}},
                    sp);
  json::object context({{"accountId", inv.account_id},
                        {"apiId", inv.api_id},
                        {"domainName", inv.domain_name},
                        {"domainPrefix", inv.domain_prefix},
                        {"http", std::move(http)},
                        {"requestId", inv.request_id},
                        {"routeKey", inv.route_key},
                        {"stage", inv.stage},
                        {"time", ClfTime(inv.time_epoch_ms)},
                        {"timeEpoch", inv.time_epoch_ms}},
                       sp);
  if (!inv.authorizer.empty()) context["authorizer"] = inv.authorizer;
  e["requestContext"] = std::move(context);
  bool base64 = false;
  std::string body = EventBody(r, &base64);
  if (!r.body.empty()) e["body"] = std::move(body);
  if (!inv.path_parameters.empty()) {
    json::object params(sp);
    for (const auto& [k, v] : inv.path_parameters) params[k] = v;
    e["pathParameters"] = std::move(params);
  }
  e["isBase64Encoded"] = base64;
  if (!inv.stage_variables.empty()) e["stageVariables"] = inv.stage_variables;
  return json::serialize(e);
}

std::string EventV1(const Invocation& inv) {
  const http::Request& r = *inv.request;
  std::string resource(inv.route_key == "$default"
                           ? std::string_view("$default")
                           : std::string_view(inv.route_key).substr(inv.route_key.find(' ') + 1));
  if (inv.rest_api) resource = inv.resource_path;
  json::object e;
  if (!inv.rest_api) e["version"] = "1.0";
  e["resource"] = resource;
  e["path"] = inv.rest_api ? inv.rest_path : inv.path;
  e["httpMethod"] = r.method;
  std::vector<std::pair<std::string, std::string>> headers;
  ForwardedHeaders(inv, &headers);
  json::object h, mh;
  for (const auto& [k, v] : headers) {
    h[k] = v;
    auto& list = mh[k];
    if (!list.is_array()) list = json::array();
    list.as_array().emplace_back(v);
  }
  e["headers"] = std::move(h);
  e["multiValueHeaders"] = std::move(mh);
  auto query = Query(r);
  if (query.empty()) {
    e["queryStringParameters"] = nullptr;
    e["multiValueQueryStringParameters"] = nullptr;
  } else {
    json::object q, mq;
    for (const auto& [k, v] : query) {
      q[k] = v;
      auto& list = mq[k];
      if (!list.is_array()) list = json::array();
      list.as_array().emplace_back(v);
    }
    e["queryStringParameters"] = std::move(q);
    e["multiValueQueryStringParameters"] = std::move(mq);
  }
  json::object identity{{"accessKey", nullptr},
                        {"accountId", nullptr},
                        {"caller", nullptr},
                        {"cognitoAuthenticationProvider", nullptr},
                        {"cognitoAuthenticationType", nullptr},
                        {"cognitoIdentityId", nullptr},
                        {"cognitoIdentityPoolId", nullptr},
                        {"principalOrgId", nullptr},
                        {"sourceIp", r.remote_address},
                        {"user", nullptr},
                        {"userAgent", UserAgent(r)},
                        {"userArn", nullptr}};
  for (const auto& [k, v] : inv.identity) identity[k] = v;
  json::object request_context{{"accountId", inv.account_id},
                               {"apiId", inv.api_id},
                               {"domainName", inv.domain_name},
                               {"domainPrefix", inv.domain_prefix},
                               {"extendedRequestId", inv.request_id},
                               {"httpMethod", r.method},
                               {"identity", std::move(identity)},
                               {"path", inv.path},
                               {"protocol", r.http_version == 10 ? "HTTP/1.0" : "HTTP/1.1"},
                               {"requestId", inv.request_id},
                               {"requestTime", ClfTime(inv.time_epoch_ms)},
                               {"requestTimeEpoch", inv.time_epoch_ms},
                               {"resourceId", inv.rest_api ? inv.resource_id : inv.route_key},
                               {"resourcePath", resource},
                               {"stage", inv.stage}};
  if (!inv.authorizer.empty()) request_context["authorizer"] = inv.authorizer;
  e["requestContext"] = std::move(request_context);
  e["pathParameters"] = PathParameters(inv);
  e["stageVariables"] =
      inv.stage_variables.empty() ? json::value(nullptr) : json::value(inv.stage_variables);
  bool base64 = false;
  std::string body =
      inv.rest_api ? RestEventBody(r, inv.binary_media_types, &base64) : EventBody(r, &base64);
  e["body"] = r.body.empty() ? json::value(nullptr) : json::value(std::move(body));
  e["isBase64Encoded"] = base64;
  return json::serialize(e);
}

namespace {

// A header value as a function may give it: a string, a number or a boolean.
std::optional<std::string> HeaderValue(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return json::serialize(v);
  return std::nullopt;
}

}  // namespace

std::optional<http::Response> ResponseFromLambda(std::string_view payload, bool v2) {
  json::error_code ec;
  json::value answer = json::parse(payload, ec);
  if (ec) return std::nullopt;
  http::Response out;
  const json::object* o = answer.is_object() ? &answer.get_object() : nullptr;
  if (!o || !o->contains("statusCode")) {
    if (!v2) return std::nullopt;
    // Format 2.0 infers: statusCode 200, content-type application/json, the answer as body.
    out.status = 200;
    out.SetHeader("content-type", "application/json");
    out.body = answer.is_string() ? std::string(answer.get_string()) : std::string(payload);
    return out;
  }
  const json::value& status = o->at("statusCode");
  int64_t code = 0;
  if (status.is_int64())
    code = status.get_int64();
  else if (status.is_uint64())
    code = static_cast<int64_t>(std::min<uint64_t>(status.get_uint64(), 1000));
  else if (status.is_double() && std::floor(status.get_double()) == status.get_double())
    code = static_cast<int64_t>(status.get_double());
  else
    return std::nullopt;
  if (code < 100 || code > 599) return std::nullopt;
  out.status = static_cast<int>(code);
  if (const auto* h = o->if_contains("headers"); h && !h->is_null()) {
    if (!h->is_object()) return std::nullopt;
    for (const auto& [k, v] : h->get_object()) {
      if (v.is_null()) continue;
      auto s = HeaderValue(v);
      if (!s) return std::nullopt;
      out.headers.emplace_back(Lower(k), std::move(*s));
    }
  }
  if (const auto* mh = o->if_contains("multiValueHeaders"); !v2 && mh && !mh->is_null()) {
    if (!mh->is_object()) return std::nullopt;
    for (const auto& [k, list] : mh->get_object()) {
      if (list.is_null()) continue;
      if (!list.is_array()) return std::nullopt;
      std::string name = Lower(k);
      // multiValueHeaders win over headers of the same name.
      for (auto it = out.headers.begin(); it != out.headers.end();)
        it = it->first == name ? out.headers.erase(it) : it + 1;
      for (const auto& v : list.get_array()) {
        auto s = HeaderValue(v);
        if (!s) return std::nullopt;
        out.headers.emplace_back(name, std::move(*s));
      }
    }
  }
  if (const auto* cookies = o->if_contains("cookies"); v2 && cookies && !cookies->is_null()) {
    if (!cookies->is_array()) return std::nullopt;
    for (const auto& c : cookies->get_array()) {
      if (!c.is_string()) return std::nullopt;
      out.headers.emplace_back("set-cookie", std::string(c.get_string()));
    }
  }
  bool base64 = false;
  if (const auto* b = o->if_contains("isBase64Encoded"); b && !b->is_null()) {
    if (!b->is_bool()) return std::nullopt;
    base64 = b->get_bool();
  }
  if (const auto* body = o->if_contains("body"); body && !body->is_null()) {
    if (body->is_string())
      out.body = std::string(body->get_string());
    else if (v2)
      out.body = json::serialize(*body);
    else
      return std::nullopt;
  }
  if (base64) {
    auto decoded = Base64Decode(out.body);
    if (!decoded) return std::nullopt;
    out.body = std::move(*decoded);
  }
  return out;
}

}  // namespace nimbus::execute_api
