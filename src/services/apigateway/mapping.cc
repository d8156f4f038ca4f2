// Mapping templates and parameter mappings around MOCK, HTTP and AWS (Lambda and other
// services) integrations.
#include "services/apigateway/mapping.h"

#include <algorithm>
#include <boost/json.hpp>
#include <regex>
#include <utility>

#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/http/client.h"
#include "core/protocol/model.h"
#include "services/apigateway/vtl.h"
#include "services/execute_api/aws_service.h"
#include "services/execute_api/integration_timeout.h"

namespace nimbus::apigateway {

namespace {

using execute_api::Invocation;

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

const json::object* Obj(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// "Internal server error" as the gateway response `type` answers it.
GatewayError InternalError(std::string_view type, int status = 500) {
  return GatewayError{type, status, "Internal server error", "InternalServerErrorException"};
}
GatewayError TimedOut() {
  return GatewayError{"INTEGRATION_TIMEOUT", 504, "Endpoint request timed out",
                      "InternalServerErrorException"};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The entry of `headers` named `name` in any case, or nullptr.
const json::value* FindHeader(const json::object& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) ==
                 std::tolower(static_cast<unsigned char>(y));
        }))
      return &v;
  return nullptr;
}
json::value* FindHeader(json::object& headers, std::string_view name) {
  return const_cast<json::value*>(FindHeader(std::as_const(headers), name));
}

// The media type of a content type header ("application/json; charset=utf-8" →
// "application/json"), lowercased.
std::string MediaType(std::string_view content_type) {
  std::string t = Lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

// What the templates see of the method request: $input.params() and $context (the REST proxy
// event's requestContext, so both describe a request alike).
vtl::Bindings RequestBindings(const Invocation& inv) {
  vtl::Bindings b;
  b.body = inv.request->body;
  boost::system::error_code ec;
  json::value event = json::parse(execute_api::EventV1(inv), ec);
  b.params = MethodRequestParams(*inv.request, inv.path_parameters);
  if (!ec && event.is_object())
    if (const auto* c = Obj(event.get_object(), "requestContext")) b.context = *c;
  b.stage_variables = inv.stage_variables;
  return b;
}

// The request template for the request's content type, or why there is none: passthrough (an
// empty optional) or 415 (`*refuse`). Developer guide, "Method request behavior for payloads
// without mapping templates".
std::optional<std::string> RequestTemplate(const json::object& integration,
                                           std::string_view content_type, std::string* key,
                                           bool* refuse) {
  *refuse = false;
  const json::object* templates = Obj(integration, "requestTemplates");
  std::string type = content_type.empty() ? "application/json" : MediaType(content_type);
  if (templates)
    for (const auto& [k, v] : *templates)
      if (MediaType(k) == type) {
        *key = k;
        if (v.is_string() && !v.get_string().empty()) return std::string(v.get_string());
        return std::nullopt;  // a null template passes the body through
      }
  std::string_view behavior = Str(integration, "passthroughBehavior");
  if (behavior == "NEVER" || (behavior == "WHEN_NO_TEMPLATES" && templates && !templates->empty()))
    *refuse = true;
  return std::nullopt;
}

// Java's String.matches: the whole subject. selectionPattern and the subject (a function's
// errorMessage) are both outside our control, so the match is bounded: libstdc++'s
// __polynomial executor (a Thompson NFA: linear in the subject, no recursion per character,
// where the default backtracking one is exponential on "(.*)*x" and overflows the stack on long
// subjects), patterns up to 4 KB (compiling recurses over the pattern) and the subject's first
// 4 KB, as method_auth.cc bounds identityValidationExpression. A pattern it cannot run
// (backreferences, too many states) never matches.
bool Matches(std::string_view pattern, std::string_view subject) {
  constexpr size_t kMaxPattern = 4096, kMaxSubject = 4096;
  if (pattern.size() > kMaxPattern) return false;
  try {
    std::regex re{std::string(pattern),
                  std::regex::ECMAScript | std::regex_constants::__polynomial};
    return std::regex_match(std::string(subject.substr(0, kMaxSubject)), re);
  } catch (const std::exception&) {
    return false;
  }
}

// The integration response whose selectionPattern matches `subject`, else the default one
// (no selectionPattern), else null.
const json::object* SelectResponse(const json::object& integration, std::string_view subject) {
  const json::object* responses = Obj(integration, "integrationResponses");
  if (!responses) return nullptr;
  const json::object* fallback = nullptr;
  for (const auto& [k, v] : *responses) {
    if (!v.is_object()) continue;
    std::string_view pattern = Str(v.get_object(), "selectionPattern");
    if (pattern.empty()) {
      if (!fallback) fallback = &v.get_object();
    } else if (Matches(pattern, subject)) {
      return &v.get_object();
    }
  }
  return fallback;
}

// What the integration answered.
struct IntegrationResult {
  int status = 200;
  http::HeaderList headers;
  std::string body;
  std::string selector;  // what selectionPattern is matched against
};

// The method response: the selected integration response's template, parameters and status.
Outcome MethodResponse(const Invocation& inv, const json::object& integration,
                       IntegrationResult result, vtl::Bindings& b) {
  const json::object* ir = SelectResponse(integration, result.selector);
  if (!ir) {
    spdlog::info("apigateway: api {} {}: no integration response for '{}'", inv.api_id,
                 inv.resource_path, result.selector.substr(0, 200));
    return InternalError("API_CONFIGURATION_ERROR");
  }
  http::Response r;
  r.status = std::atoi(std::string(Str(*ir, "statusCode")).c_str());
  if (r.status < 100 || r.status > 599) r.status = 200;
  std::string content_type = "application/json";
  r.body = result.body;
  if (const json::object* templates = Obj(*ir, "responseTemplates");
      templates && !templates->empty()) {
    std::string accept = MediaType(inv.request->Header("accept"));
    const json::value* chosen = nullptr;
    for (const auto& [k, v] : *templates)
      if (MediaType(k) == accept) chosen = &v, content_type = k;
    if (!chosen)
      if ((chosen = templates->if_contains("application/json"))) content_type = "application/json";
    if (!chosen) chosen = &templates->begin()->value(), content_type = templates->begin()->key();
    if (chosen->is_string() && !chosen->get_string().empty()) {
      b.body = result.body;
      auto rendered = vtl::Render(chosen->get_string(), b);
      if (!rendered.ok()) {
        spdlog::info("apigateway: api {} {}: response template failed: {}", inv.api_id,
                     inv.resource_path, rendered.error);
        return InternalError("API_CONFIGURATION_ERROR");
      }
      r.body = std::move(rendered.output);
    }
  }
  r.SetHeader("content-type", content_type);
  if (const json::object* params = Obj(*ir, "responseParameters")) {
    constexpr std::string_view kHeader = "method.response.header.";
    json::value body_doc;
    bool body_parsed = false;
    for (const auto& [k, v] : *params) {
      std::string_view name = k;
      if (name.rfind(kHeader, 0) != 0 || !v.is_string()) continue;
      std::string_view source = v.get_string();
      std::optional<std::string> value;
      constexpr std::string_view kRespHeader = "integration.response.header.";
      constexpr std::string_view kRespBody = "integration.response.body";
      if (source.rfind(kRespHeader, 0) == 0) {
        std::string want = Lower(source.substr(kRespHeader.size()));
        for (const auto& [hk, hv] : result.headers)
          if (Lower(hk) == want) value = hv;
      } else if (source == kRespBody) {
        value = result.body;
      } else if (source.rfind(kRespBody, 0) == 0 && source[kRespBody.size()] == '.') {
        if (!body_parsed) {
          boost::system::error_code ec;
          body_doc = json::parse(result.body, ec);
          body_parsed = true;
        }
        if (auto picked =
                vtl::JsonPath(body_doc, "$" + std::string(source.substr(kRespBody.size()))))
          value =
              picked->is_string() ? std::string(picked->get_string()) : json::serialize(*picked);
      } else {
        value = RequestSource(source, b);
      }
      if (value) r.SetHeader(name.substr(kHeader.size()), *value);
    }
  }
  // $context.responseOverride (developer guide, "Override your API's request and response
  // parameters and status codes").
  if (const json::object* o = Obj(b.context, "responseOverride")) {
    if (const auto* s = o->if_contains("status")) {
      int status = s->is_int64()    ? static_cast<int>(s->get_int64())
                   : s->is_string() ? std::atoi(std::string(s->get_string()).c_str())
                                    : 0;
      if (status >= 100 && status <= 599) r.status = status;
    }
    if (const json::object* h = Obj(*o, "header"))
      for (const auto& [k, v] : *h) r.SetHeader(k, vtl::ToJavaString(v));
  }
  return r;
}

// The status code a MOCK integration's request sets ({"statusCode": 200}); 0 for a JSON object
// without one (or with one out of range), -1 for a body that is not a JSON object.
int MockStatus(std::string_view body) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return -1;
  const auto* s = doc.get_object().if_contains("statusCode");
  if (!s) return 0;
  int code = s->is_int64()    ? static_cast<int>(s->get_int64())
             : s->is_string() ? std::atoi(std::string(s->get_string()).c_str())
                              : 0;
  return code >= 100 && code <= 599 ? code : 0;
}

std::chrono::milliseconds Timeout(const json::object& integration) {
  const auto* t = integration.if_contains("timeoutInMillis");
  return std::chrono::milliseconds(t && t->is_int64() ? t->get_int64() : 29000);
}

// Fills "{name}" of an HTTP integration URI from integration.request.path.name.
std::string FillPath(std::string url,
                     const std::vector<std::pair<std::string, std::string>>& path) {
  for (const auto& [name, value] : path) {
    std::string token = "{" + name + "}";
    for (size_t pos = url.find(token); pos != std::string::npos; pos = url.find(token, pos)) {
      std::string encoded = UriEncode(value, true);
      url.replace(pos, token.size(), encoded);
      pos += encoded.size();
    }
  }
  return url;
}

// The integration request's path, query string and header parameters
// (integration.request.{path,querystring,header}.<name>) from requestParameters.
struct MappedParameters {
  std::vector<std::pair<std::string, std::string>> path, query, headers;
};
MappedParameters MapParameters(const json::object& integration, const vtl::Bindings& b) {
  MappedParameters m;
  if (const json::object* params = Obj(integration, "requestParameters"))
    for (const auto& [k, v] : *params) {
      if (!v.is_string()) continue;
      auto value = RequestSource(v.get_string(), b);
      if (!value) continue;
      std::string_view key = k;
      for (auto [prefix, out] : {std::pair{std::string_view("integration.request.path."), &m.path},
                                 {"integration.request.querystring.", &m.query},
                                 {"integration.request.header.", &m.headers}})
        if (key.rfind(prefix, 0) == 0) out->emplace_back(key.substr(prefix.size()), *value);
    }
  return m;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string qs;
  for (const auto& [k, v] : query)
    qs += (qs.empty() ? "" : "&") + UriEncode(k) + "=" + UriEncode(v);
  return qs;
}

Task<Outcome> CallHttp(const Invocation& inv, const json::object& integration, std::string body,
                       std::string content_type, vtl::Bindings& b) {
  auto [path, query, headers] = MapParameters(integration, b);
  std::string url = FillPath(
      execute_api::SubstituteStageVariables(Str(integration, "uri"), inv.stage_variables), path);
  std::string qs = QueryString(query);
  if (!qs.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + qs;
  http::OutgoingRequest out;
  std::string method(Str(integration, "httpMethod"));
  out.method = method.empty() || method == "ANY" ? inv.request->method : method;
  out.url = url;
  bool has_type = false;
  for (auto& [k, v] : headers) {
    has_type = has_type || Lower(k) == "content-type";
    out.headers.emplace_back(std::move(k), std::move(v));
  }
  if (!has_type && !content_type.empty()) out.headers.emplace_back("content-type", content_type);
  out.body = std::move(body);
  out.timeout = Timeout(integration);
  auto sent = co_await http::Send(std::move(out));
  if (sent.status == 0) {
    spdlog::info("apigateway: api {} {}: {} failed: {}", inv.api_id, inv.resource_path, url,
                 sent.error);
    co_return sent.timed_out ? TimedOut() : InternalError("INTEGRATION_FAILURE", 502);
  }
  IntegrationResult result{sent.status, std::move(sent.headers), std::move(sent.body),
                           std::to_string(sent.status)};
  co_return MethodResponse(inv, integration, std::move(result), b);
}

// "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations".
bool IsLambdaUri(std::string_view uri) {
  return uri.rfind("arn:aws:apigateway:", 0) == 0 &&
         uri.find(":lambda:path/2015-03-31/functions/") != std::string_view::npos;
}

Task<Outcome> CallLambda(ServiceEnv& env, const Invocation& inv, const json::object& integration,
                         std::string body, vtl::Bindings& b) {
  std::string function = execute_api::FunctionFromUri(
      execute_api::SubstituteStageVariables(Str(integration, "uri"), inv.stage_variables));
  RequestContext ctx =
      execute_api::LambdaCallContext(env, inv.account_id, inv.request_id, function);
  json::object input{{"FunctionName", function},
                     {"InvocationType", "RequestResponse"},
                     {"Payload", body.empty() ? std::string("{}") : body}};
  auto called = co_await execute_api::CallWithTimeout(env, std::move(ctx), "lambda", "Invoke",
                                                      std::move(input), Timeout(integration));
  if (!called) co_return TimedOut();
  auto& answer = *called;
  if (!answer) {
    spdlog::warn("apigateway: api {} {}: Lambda {} failed: {} {}", inv.api_id, inv.resource_path,
                 function, answer.error().code, answer.error().message);
    co_return InternalError("INTEGRATION_FAILURE");
  }
  const json::object& out = answer->as_object();
  IntegrationResult result;
  if (const auto* p = out.if_contains("Payload"); p && p->is_string())
    result.body = std::string(p->get_string());
  // Lambda custom integrations match selectionPattern against a function error's errorMessage
  // (developer guide, "Handle Lambda errors in API Gateway"); a success takes the default.
  if (out.contains("FunctionError")) {
    boost::system::error_code ec;
    json::value error = json::parse(result.body, ec);
    if (!ec && error.is_object())
      result.selector = std::string(Str(error.get_object(), "errorMessage"));
  }
  co_return MethodResponse(inv, integration, std::move(result), b);
}

// An AWS service integration other than Lambda (execute_api/aws_service.h): the mapped body,
// query string and headers make a request in the service's own wire format, which its codec
// reads in process; the service's status code is what selectionPattern is matched against.
Task<Outcome> CallAwsService(ServiceEnv& env, const Invocation& inv,
                             const json::object& integration, std::string body,
                             std::string content_type, vtl::Bindings& b) {
  auto uri = execute_api::ParseAwsServiceUri(
      execute_api::SubstituteStageVariables(Str(integration, "uri"), inv.stage_variables));
  std::string service = uri ? execute_api::ServiceForSubdomain(uri->subdomain) : std::string();
  const Service* svc = uri ? env.registry->Find(service) : nullptr;
  const protocol::ServiceModel* model = svc ? svc->model() : nullptr;
  if (!model || !execute_api::IsServed(*env.registry, service)) {
    spdlog::info("apigateway: api {} {}: AWS integration {} names no service nimbus serves",
                 inv.api_id, inv.resource_path, Str(integration, "uri"));
    co_return InternalError("API_CONFIGURATION_ERROR");
  }
  auto [path, query, headers] = MapParameters(integration, b);
  http::Request request;
  std::string method(Str(integration, "httpMethod"));
  request.method = method.empty() || method == "ANY" ? inv.request->method : method;
  std::string region = uri->region.empty() ? env.config->region : uri->region;
  request.headers.emplace_back("host", uri->subdomain + "." + region + ".amazonaws.com");
  if (uri->action) {
    request.path = "/";
    if (model->protocol == "json" && !model->aws_query_compatible) {
      // The JSON protocol: the action is the target.
      request.headers.emplace_back("x-amz-target", model->target_prefix + "." + uri->target);
      content_type = "application/x-amz-json-" +
                     (model->json_version.empty() ? std::string("1.0") : model->json_version);
    } else {
      // The query protocol (SQS's too): Action and Version lead the query string.
      query.insert(query.begin(), {{"Action", uri->target}, {"Version", model->api_version}});
    }
  } else {
    request.path = FillPath("/" + uri->target, path);
    // "<bucket>.s3:path/<key>" is the virtual-hosted form: the same request path-style.
    if (!uri->host_prefix.empty() && service == "s3")
      request.path = "/" + FillPath(uri->host_prefix, path) + request.path;
  }
  request.query = QueryString(query);
  request.target = request.path + (request.query.empty() ? "" : "?" + request.query);
  bool has_type = false;
  for (auto& [k, v] : headers) {
    std::string name = Lower(k);
    has_type = has_type || name == "content-type";
    bool replaced = false;
    for (auto& [hk, hv] : request.headers)
      if (hk == name) hv = v, replaced = true;
    if (!replaced) request.headers.emplace_back(std::move(name), std::move(v));
  }
  if (!has_type)
    request.headers.emplace_back("content-type",
                                 content_type.empty() ? "application/json" : content_type);
  request.body = std::move(body);
  request.remote_address = inv.request->remote_address;

  RequestContext ctx;
  ctx.request_id = NewRequestId();
  ctx.account_id = inv.account_id;
  ctx.region = region;
  // The integration's role, when it names one, is the caller; else the API's account.
  std::string_view role = Str(integration, "credentials");
  ctx.caller_arn = role.rfind("arn:aws:iam::", 0) == 0 ? std::string(role)
                                                       : "arn:aws:iam::" + inv.account_id + ":root";
  ctx.caller_user_id = inv.account_id;
  ctx.env = &env;
  auto answered = co_await execute_api::CallServiceWire(env, std::move(ctx), service, request,
                                                        Timeout(integration));
  if (!answered) co_return TimedOut();
  http::Response& answer = *answered;
  if (answer.status >= 400)
    spdlog::info("apigateway: api {} {}: {} answered {}", inv.api_id, inv.resource_path, service,
                 answer.status);
  IntegrationResult result{answer.status, std::move(answer.headers), std::move(answer.body),
                           std::to_string(answer.status)};
  co_return MethodResponse(inv, integration, std::move(result), b);
}

}  // namespace

json::object MethodRequestParams(
    const http::Request& request,
    const std::vector<std::pair<std::string, std::string>>& path_params) {
  json::object path, query, header;
  for (const auto& [k, v] : path_params) path[k] = v;
  for (const auto& [k, v] : http::ParseQuery(request.query)) query[k] = v;
  // Header names keep the client's case, as on AWS; a header sent twice (in any case) is one
  // entry under its first name, its values joined by commas.
  const auto names = request.HeaderNamesAsSent();
  for (size_t i = 0; i < request.headers.size(); ++i) {
    const auto& [k, v] = request.headers[i];
    json::value* seen = FindHeader(header, k);
    if (seen)
      *seen = json::string(std::string(seen->get_string()) + "," + v);
    else
      header[names[i]] = v;
  }
  return json::object{
      {"path", std::move(path)}, {"querystring", std::move(query)}, {"header", std::move(header)}};
}

std::optional<std::string> RequestSource(std::string_view source, const vtl::Bindings& b) {
  if (source.size() >= 2 && source.front() == '\'' && source.back() == '\'')
    return std::string(source.substr(1, source.size() - 2));
  auto walk = [](const json::value* v, std::string_view dotted) -> std::optional<std::string> {
    size_t pos = 0;
    while (v && !dotted.empty() && pos <= dotted.size()) {
      auto dot = dotted.find('.', pos);
      std::string_view part = dotted.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
      v = v->is_object() ? v->get_object().if_contains(part) : nullptr;
      if (dot == std::string_view::npos) break;
      pos = dot + 1;
    }
    if (!v || v->is_null()) return std::nullopt;
    return vtl::ToJavaString(*v);
  };
  constexpr std::string_view kMethod = "method.request.";
  if (source.rfind(kMethod, 0) == 0) {
    std::string_view rest = source.substr(kMethod.size());
    if (rest == "body") return b.body;
    if (rest.rfind("body.", 0) == 0) {
      boost::system::error_code ec;
      json::value doc = json::parse(b.body, ec);
      if (ec) return std::nullopt;
      auto v = vtl::JsonPath(doc, "$" + std::string(rest.substr(4)));
      if (!v) return std::nullopt;
      return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    }
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    std::string group(rest.substr(0, dot));
    std::string name(rest.substr(dot + 1));
    const auto* g = Obj(b.params, group);
    if (!g) return std::nullopt;
    // Header names match in any case; the others exactly.
    return walk(group == "header" ? FindHeader(*g, name) : g->if_contains(name), "");
  }
  if (source.rfind("stageVariables.", 0) == 0) {
    json::value vars(b.stage_variables);
    return walk(&vars, source.substr(15));
  }
  if (source.rfind("context.", 0) == 0) {
    json::value ctx(b.context);
    return walk(&ctx, source.substr(8));
  }
  return std::nullopt;
}

Task<Outcome> InvokeMapped(ServiceEnv& env, const Invocation& inv,
                           const json::object& integration) {
  std::string_view type = Str(integration, "type");
  vtl::Bindings b = RequestBindings(inv);
  std::string content_type(inv.request->Header("content-type"));
  std::string key;
  bool refuse = false;
  auto request_template = RequestTemplate(integration, content_type, &key, &refuse);
  if (refuse)
    co_return GatewayError{"UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type",
                           "UnsupportedMediaTypeException"};
  std::string body = inv.request->body;
  if (request_template) {
    auto rendered = vtl::Render(*request_template, b);
    if (rendered.failure == vtl::Failure::kBadBody)
      co_return GatewayError{"BAD_REQUEST_BODY", 400, json::string(rendered.error),
                             "BadRequestException"};
    if (!rendered.ok()) {
      spdlog::info("apigateway: api {} {}: request template failed: {}", inv.api_id,
                   inv.resource_path, rendered.error);
      co_return InternalError("API_CONFIGURATION_ERROR");
    }
    body = std::move(rendered.output);
    content_type = key;
  }
  if (type == "MOCK") {
    // A JSON object without statusCode (a passed-through body, a template without one): the
    // default integration response answers (developer guide, "Mock integrations for REST
    // APIs"). What is not a JSON object cannot tell the mock anything: 500.
    int status = MockStatus(body);
    if (status < 0) co_return InternalError("API_CONFIGURATION_ERROR");
    b.body.clear();
    co_return MethodResponse(
        inv, integration,
        IntegrationResult{status ? status : 200, {}, "", status ? std::to_string(status) : ""}, b);
  }
  if (type == "HTTP")
    co_return co_await CallHttp(inv, integration, std::move(body), std::move(content_type), b);
  if (!IsLambdaUri(Str(integration, "uri")))
    co_return co_await CallAwsService(env, inv, integration, std::move(body),
                                      std::move(content_type), b);
  co_return co_await CallLambda(env, inv, integration, std::move(body), b);
}

}  // namespace nimbus::apigateway
