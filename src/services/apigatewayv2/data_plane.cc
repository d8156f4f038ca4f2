// Invocations of HTTP APIs: API → stage → route → integration (Lambda proxy or HTTP proxy).
#include "services/apigatewayv2/data_plane.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/http/client.h"
#include "services/apigatewayv2/apigw.h"
#include "services/apigatewayv2/deployed_api.h"
#include "services/apigatewayv2/route_auth.h"
#include "services/apigatewayv2/route_match.h"
#include "services/apigatewayv2/route_throttle.h"
#include "services/apigatewayv2/service_integration.h"
#include "services/execute_api/cors.h"
#include "services/execute_api/integration_timeout.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigatewayv2 {

using execute_api::EventV1;
using execute_api::EventV2;
using execute_api::FunctionFromUri;
using execute_api::Invocation;
using execute_api::LambdaCallContext;
using execute_api::ResponseFromLambda;
using execute_api::SubstituteStageVariables;

namespace {

using execute_api::EventV1;
using execute_api::EventV2;
using execute_api::Invocation;
using execute_api::ResponseFromLambda;

http::Response Message(int status, std::string_view message, std::string_view request_id) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "application/json");
  r.SetHeader("apigw-requestid", request_id);
  r.body = json::serialize(json::object{{"message", message}});
  return r;
}

Task<http::Response> InvokeLambda(ServiceEnv& env, const Invocation& inv,
                                  const json::object& integration) {
  std::string uri(integration.at("IntegrationUri").as_string());
  std::string function = FunctionFromUri(SubstituteStageVariables(uri, inv.stage_variables));
  bool v2 = integration.at("PayloadFormatVersion").as_string() == "2.0";
  // The call runs as the function's account and region (the ARN names them).
  RequestContext ctx = LambdaCallContext(env, inv.account_id, inv.request_id, function);
  json::object input{{"FunctionName", function},
                     {"InvocationType", "RequestResponse"},
                     {"Payload", v2 ? EventV2(inv) : EventV1(inv)}};
  // TimeoutInMillis bounds the call (503, as HTTP APIs answer an integration timeout); the
  // function itself runs on to its own end.
  int64_t timeout = 30000;
  if (const auto* t = integration.if_contains("TimeoutInMillis"); t && t->is_int64())
    timeout = t->get_int64();
  auto called =
      co_await execute_api::CallWithTimeout(env, std::move(ctx), "lambda", "Invoke",
                                            std::move(input), std::chrono::milliseconds(timeout));
  if (!called) {
    spdlog::info("apigatewayv2: api {} route {}: Lambda {} timed out", inv.api_id, inv.route_key,
                 function);
    co_return Message(503, "Service Unavailable", inv.request_id);
  }
  auto& result = *called;
  if (!result) {
    spdlog::warn("apigatewayv2: api {} route {}: Lambda {} failed: {} {}", inv.api_id,
                 inv.route_key, function, result.error().code, result.error().message);
    co_return Message(500, "Internal Server Error", inv.request_id);
  }
  const json::object& out = result->as_object();
  if (out.contains("FunctionError")) {
    spdlog::info("apigatewayv2: api {} route {}: function error from {}", inv.api_id, inv.route_key,
                 function);
    co_return Message(500, "Internal Server Error", inv.request_id);
  }
  const auto* payload = out.if_contains("Payload");
  std::string_view text = payload && payload->is_string() ? std::string_view(payload->get_string())
                                                          : std::string_view();
  auto response = ResponseFromLambda(text, v2);
  if (!response) {
    spdlog::info("apigatewayv2: api {} route {}: malformed Lambda proxy response", inv.api_id,
                 inv.route_key);
    co_return Message(500, "Internal Server Error", inv.request_id);
  }
  response->SetHeader("apigw-requestid", inv.request_id);
  co_return std::move(*response);
}

bool HopByHop(std::string_view name) {
  for (std::string_view h : {"connection", "keep-alive", "transfer-encoding", "upgrade", "te",
                             "trailer", "proxy-connection", "content-length", "host", "expect"})
    if (name == h) return true;
  return false;
}

Task<http::Response> ProxyHttp(const Invocation& inv, const json::object& integration,
                               std::string_view route_path_without_stage) {
  const http::Request& r = *inv.request;
  std::string url =
      SubstituteStageVariables(integration.at("IntegrationUri").as_string(), inv.stage_variables);
  // Path variables of the route fill {name} in the URI; the $default route sends the whole
  // request path.
  for (const auto& [name, value] : inv.path_parameters) {
    std::string placeholder = "{" + name + "}";
    for (auto pos = url.find(placeholder); pos != std::string::npos; pos = url.find(placeholder))
      url.replace(pos, placeholder.size(), UriEncode(value, true));
  }
  if (inv.route_key == "$default") {
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += route_path_without_stage;
  }
  if (!r.query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + r.query;
  http::OutgoingRequest out;
  std::string method(integration.at("IntegrationMethod").as_string());
  out.method = method == "ANY" ? r.method : method;
  out.url = url;
  for (const auto& [k, v] : r.headers)
    if (!HopByHop(k) && k != "x-forwarded-for") out.headers.emplace_back(k, v);
  std::string xff(r.Header("x-forwarded-for"));
  out.headers.emplace_back("x-forwarded-for",
                           xff.empty() ? r.remote_address : xff + ", " + r.remote_address);
  out.headers.emplace_back("x-forwarded-proto", "http");
  out.body = r.body;
  int64_t timeout = 30000;
  if (const auto* t = integration.if_contains("TimeoutInMillis"); t && t->is_int64())
    timeout = t->get_int64();
  out.timeout = std::chrono::milliseconds(timeout);
  auto sent = co_await http::Send(std::move(out));
  if (sent.status == 0) {
    spdlog::info("apigatewayv2: api {} route {}: {} failed: {}", inv.api_id, inv.route_key, url,
                 sent.error);
    co_return sent.timed_out ? Message(503, "Service Unavailable", inv.request_id)
                             : Message(500, "Internal Server Error", inv.request_id);
  }
  http::Response response;
  response.status = sent.status;
  for (auto& [k, v] : sent.headers)
    if (!HopByHop(k)) response.headers.emplace_back(std::move(k), std::move(v));
  response.body = std::move(sent.body);
  response.SetHeader("apigw-requestid", inv.request_id);
  co_return response;
}

// Stage → route → integration.
Task<http::Response> ServeStage(ServiceEnv& env, const http::Request& request,
                                const DataPlaneTarget& target, const DeployedApi& api,
                                const std::string& apigw_request_id) {
  const std::string& account = api.account;
  const std::string& region = api.region;
  // The stage: the first path segment when a stage of that name exists, else $default.
  std::string_view path = target.path;
  std::string_view first =
      path.substr(1, path.find('/', 1) == std::string_view::npos ? std::string_view::npos
                                                                 : path.find('/', 1) - 1);
  std::string_view route_path = path;
  const DeployedStage* deployed = nullptr;
  if (!first.empty()) {
    std::string decoded = UriDecode(first).value_or(std::string(first));
    if (decoded != "$default") {
      deployed = api.Stage(decoded);
      if (deployed) {
        route_path = path.substr(1 + first.size());
        if (route_path.empty()) route_path = "/";
      }
    }
  }
  if (!deployed) deployed = api.Stage("$default");
  if (!deployed) co_return Message(404, "Not Found", apigw_request_id);
  const json::object& stage = deployed->stage;
  const std::string& stage_name = deployed->name;
  const std::vector<std::string>& keys = deployed->route_keys;

  auto match = MatchRoute(keys, request.method, route_path);
  if (!match) co_return Message(404, "Not Found", apigw_request_id);
  const json::object& route = deployed->routes[match->index];
  if (!AdmitRoute(account, region, target.id, stage, stage_name, keys[match->index],
                  env.clock->NowMillis()))
    co_return Message(429, "Too Many Requests", apigw_request_id);
  const auto* route_target = route.if_contains("Target");
  constexpr std::string_view kPrefix = "integrations/";
  if (!route_target || !route_target->is_string() ||
      std::string_view(route_target->get_string()).substr(0, kPrefix.size()) != kPrefix)
    co_return Message(404, "Not Found", apigw_request_id);
  const auto* integration = deployed->integrations.if_contains(
      std::string_view(route_target->get_string()).substr(kPrefix.size()));
  if (!integration || !integration->is_object())
    co_return Message(500, "Internal Server Error", apigw_request_id);

  Invocation inv;
  inv.request = &request;
  inv.account_id = account;
  inv.api_id = target.id;
  inv.domain_name = target.domain_name;
  inv.domain_prefix = target.domain_name.substr(0, target.domain_name.find('.'));
  inv.stage = stage_name;
  inv.route_key = keys[match->index];
  inv.request_id = apigw_request_id;
  inv.path = UriDecode(path).value_or(std::string(path));
  inv.path_parameters = std::move(match->path_parameters);
  if (const auto* vars = stage.if_contains("StageVariables"); vars && vars->is_object())
    inv.stage_variables = vars->get_object();
  inv.time_epoch_ms = env.clock->NowMillis();

  const json::object& integ = integration->get_object();
  std::string type(integ.at("IntegrationType").as_string());
  const auto* version = integ.if_contains("PayloadFormatVersion");
  bool v2 = version && version->is_string() && version->get_string() == "2.0";
  auto auth =
      co_await AuthorizeRoute(env, route, deployed->authorizers, inv, region, route_path, v2);
  if (auth.refusal) co_return std::move(*auth.refusal);
  inv.authorizer = std::move(auth.authorizer);
  inv.identity = std::move(auth.identity);
  if (type == "AWS_PROXY" && integ.contains("IntegrationSubtype"))
    co_return co_await InvokeServiceIntegration(env, inv, integ);
  if (type == "AWS_PROXY") co_return co_await InvokeLambda(env, inv, integ);
  if (type == "HTTP_PROXY") co_return co_await ProxyHttp(inv, integ, route_path);
  co_return Message(500, "Internal Server Error", apigw_request_id);
}

}  // namespace

Task<std::optional<http::Response>> ServeInvocation(ServiceEnv& env, DeployedApiCache& cache,
                                                    const http::Request& request,
                                                    const DataPlaneTarget& target,
                                                    std::string_view) {
  auto found = cache.Find(env, target.id);
  if (!found || !*found) co_return std::nullopt;
  std::shared_ptr<const DeployedApi> api = std::move(*found);
  std::string apigw_request_id = RandomAlnum(15) + "=";
  if (const auto* disabled = api->api.if_contains("DisableExecuteApiEndpoint");
      disabled && disabled->is_bool() && disabled->get_bool())
    co_return Message(403, "Forbidden", apigw_request_id);
  // API Gateway's payload limit: 10 MB.
  if (request.body.size() > execute_api::kMaxPayloadBytes)
    co_return Message(413, "Request Entity Too Large", apigw_request_id);
  // CORS (developer guide, "Configuring CORS for an HTTP API"): with a CorsConfiguration, API
  // Gateway answers preflight requests itself, whatever the routes, and puts the configured
  // headers on every response to an allowed origin, dropping the backend's own.
  execute_api::Cors cors;
  if (const auto* c = api->api.if_contains("CorsConfiguration"); c && c->is_object())
    cors.config = &c->get_object();
  if (cors.config && execute_api::IsPreflight(request)) {
    http::Response preflight = execute_api::Preflight(cors, request, 204);
    preflight.SetHeader("apigw-requestid", apigw_request_id);
    co_return preflight;
  }
  http::Response response = co_await ServeStage(env, request, target, *api, apigw_request_id);
  if (cors.config) execute_api::AddCorsHeaders(cors, request, &response);
  co_return response;
}

}  // namespace nimbus::apigatewayv2
