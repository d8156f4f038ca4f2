// Invocations of REST APIs: API → stage (first path segment) → deployed resource → method →
// integration (Lambda proxy, HTTP proxy, or MOCK/HTTP/Lambda through mapping templates).
#include "services/apigateway/data_plane.h"

#include <boost/json.hpp>
#include <regex>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/http/client.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/mapping.h"
#include "services/apigateway/method_auth.h"
#include "services/apigateway/resource_match.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/usage.h"
#include "services/apigateway/validators.h"
#include "services/execute_api/iam_auth.h"
#include "services/execute_api/integration_timeout.h"
#include "services/execute_api/lambda_proxy.h"

namespace nimbus::apigateway {

namespace {

using execute_api::Invocation;

struct Call {
  const http::Request* request = nullptr;
  std::string request_id;  // x-amzn-RequestId, requestContext.requestId
  std::string api_id;
  // What the gateway responses see once known: stage, resource, deployed responses.
  GatewayRequest gateway;
};

void StampIds(const Call& call, http::Response* r) {
  r->SetHeader("x-amzn-requestid", call.request_id);
  r->SetHeader("x-amz-apigw-id", RandomAlnum(14) + "=");
}

// API Gateway's own answers, through the deployed gateway responses.
http::Response Gateway(const Call& call, const GatewayError& error) {
  GatewayRequest req = call.gateway;
  req.request = call.request;
  req.request_id = call.request_id;
  req.api_id = call.api_id;
  http::Response r = RenderGatewayResponse(error, req);
  StampIds(call, &r);
  return r;
}

// What REST APIs answer for a stage, resource or method that does not exist (developer guide,
// "Gateway response types": MISSING_AUTHENTICATION_TOKEN).
http::Response MissingToken(const Call& call) {
  return Gateway(call, {"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token",
                        "MissingAuthenticationTokenException"});
}
// "Internal server error" as gateway response `type` (DEFAULT_5XX when it has none of its own).
http::Response InternalError(const Call& call, std::string_view type, int status) {
  return Gateway(call, {type, status, "Internal server error", "InternalServerErrorException"});
}
http::Response TimedOut(const Call& call) {
  return Gateway(call, {"INTEGRATION_TIMEOUT", 504, "Endpoint request timed out",
                        "InternalServerErrorException"});
}

// The gateway response type of an authorizer's refusal (by its x-amzn-ErrorType).
std::string_view RefusalType(const Refusal& r) {
  if (r.error_type == "UnauthorizedException") return "UNAUTHORIZED";
  if (r.error_type == "AccessDeniedException") return "ACCESS_DENIED";
  if (r.error_type == "AuthorizerConfigurationException") return "AUTHORIZER_CONFIGURATION_ERROR";
  return r.status >= 500 ? "AUTHORIZER_FAILURE" : "DEFAULT_4XX";
}
// ... and of a usage plan's rejection.
std::string_view RejectionType(const Rejection& r) {
  if (r.error_type == "ForbiddenException") return "INVALID_API_KEY";
  if (r.error_type == "TooManyRequestsException") return "THROTTLED";
  if (r.error_type == "LimitExceededException") return "QUOTA_EXCEEDED";
  return r.status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
}

std::string_view StrOf(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// timeoutInMillis of an integration (29000 unless set).
std::chrono::milliseconds IntegrationTimeout(const json::object& integration) {
  int64_t timeout = 29000;
  if (const auto* t = integration.if_contains("timeoutInMillis"); t && t->is_int64())
    timeout = t->get_int64();
  return std::chrono::milliseconds(timeout);
}

Task<http::Response> InvokeLambda(ServiceEnv& env, const Call& call, const Invocation& inv,
                                  const json::object& integration) {
  std::string function = execute_api::FunctionFromUri(
      execute_api::SubstituteStageVariables(StrOf(integration, "uri"), inv.stage_variables));
  RequestContext ctx =
      execute_api::LambdaCallContext(env, inv.account_id, call.request_id, function);
  json::object input{{"FunctionName", function},
                     {"InvocationType", "RequestResponse"},
                     {"Payload", execute_api::EventV1(inv)}};
  // The integration timeout bounds the call; the function itself runs on to its own end.
  auto called = co_await execute_api::CallWithTimeout(
      env, std::move(ctx), "lambda", "Invoke", std::move(input), IntegrationTimeout(integration));
  if (!called) {
    spdlog::info("apigateway: api {} {}: Lambda {} timed out", inv.api_id, inv.resource_path,
                 function);
    co_return TimedOut(call);
  }
  auto& result = *called;
  if (!result) {
    spdlog::warn("apigateway: api {} {}: Lambda {} failed: {} {}", inv.api_id, inv.resource_path,
                 function, result.error().code, result.error().message);
    co_return InternalError(call, "INTEGRATION_FAILURE", 502);
  }
  const json::object& out = result->as_object();
  if (out.contains("FunctionError")) {
    spdlog::info("apigateway: api {} {}: function error from {}", inv.api_id, inv.resource_path,
                 function);
    co_return InternalError(call, "DEFAULT_5XX", 502);
  }
  const auto* payload = out.if_contains("Payload");
  std::string_view text = payload && payload->is_string() ? std::string_view(payload->get_string())
                                                          : std::string_view();
  auto response = execute_api::ResponseFromLambda(text, false);
  if (!response) {
    spdlog::info("apigateway: api {} {}: malformed Lambda proxy response", inv.api_id,
                 inv.resource_path);
    co_return InternalError(call, "DEFAULT_5XX", 502);
  }
  if (response->Header("content-type").empty())
    response->SetHeader("content-type", "application/json");
  StampIds(call, &*response);
  co_return std::move(*response);
}

bool HopByHop(std::string_view name) {
  for (std::string_view h : {"connection", "keep-alive", "transfer-encoding", "upgrade", "te",
                             "trailer", "proxy-connection", "content-length", "host", "expect"})
    if (name == h) return true;
  return false;
}

// Fills "{name}" in an HTTP_PROXY URI: from the integration's requestParameters
// ("integration.request.path.name": "method.request.path.other") or the path parameter of the
// same name. A greedy parameter keeps its slashes.
std::string FillUri(std::string url, const Invocation& inv, const json::object& integration) {
  auto param = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& [k, v] : inv.path_parameters)
      if (k == name) return v;
    return std::nullopt;
  };
  auto encode = [](std::string_view v) {
    std::string out;
    size_t pos = 0;
    while (true) {
      auto slash = v.find('/', pos);
      out += UriEncode(v.substr(pos, slash == std::string_view::npos ? slash : slash - pos), true);
      if (slash == std::string_view::npos) break;
      out += '/';
      pos = slash + 1;
    }
    return out;
  };
  const json::object* mapping = nullptr;
  if (const auto* rp = integration.if_contains("requestParameters"); rp && rp->is_object())
    mapping = &rp->get_object();
  size_t pos = 0;
  while ((pos = url.find('{', pos)) != std::string::npos) {
    auto end = url.find('}', pos);
    if (end == std::string::npos) break;
    std::string name = url.substr(pos + 1, end - pos - 1);
    std::optional<std::string> value;
    if (mapping) {
      std::string_view source = StrOf(*mapping, "integration.request.path." + name);
      constexpr std::string_view kMethodPath = "method.request.path.";
      if (source.rfind(kMethodPath, 0) == 0) value = param(source.substr(kMethodPath.size()));
    }
    if (!value) value = param(name);
    if (!value) {
      pos = end + 1;
      continue;
    }
    std::string encoded = encode(*value);
    url.replace(pos, end - pos + 1, encoded);
    pos += encoded.size();
  }
  return url;
}

Task<http::Response> ProxyHttp(const Call& call, const Invocation& inv,
                               const json::object& integration) {
  const http::Request& r = *call.request;
  std::string url =
      FillUri(execute_api::SubstituteStageVariables(StrOf(integration, "uri"), inv.stage_variables),
              inv, integration);
  if (!r.query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + r.query;
  http::OutgoingRequest out;
  std::string method(StrOf(integration, "httpMethod"));
  out.method = method.empty() || method == "ANY" ? r.method : method;
  out.url = url;
  for (const auto& [k, v] : r.headers)
    if (!HopByHop(k) && k != "x-forwarded-for") out.headers.emplace_back(k, v);
  std::string xff(r.Header("x-forwarded-for"));
  out.headers.emplace_back("x-forwarded-for",
                           xff.empty() ? r.remote_address : xff + ", " + r.remote_address);
  out.body = r.body;
  out.timeout = IntegrationTimeout(integration);
  auto sent = co_await http::Send(std::move(out));
  if (sent.status == 0) {
    spdlog::info("apigateway: api {} {}: {} failed: {}", inv.api_id, inv.resource_path, url,
                 sent.error);
    co_return sent.timed_out ? TimedOut(call) : InternalError(call, "INTEGRATION_FAILURE", 502);
  }
  http::Response response;
  response.status = sent.status;
  for (auto& [k, v] : sent.headers)
    if (!HopByHop(k)) response.headers.emplace_back(std::move(k), std::move(v));
  response.body = std::move(sent.body);
  StampIds(call, &response);
  co_return response;
}

}  // namespace

Task<std::optional<http::Response>> ServeInvocation(ServiceEnv& env, const http::Request& request,
                                                    const DataPlaneTarget& target,
                                                    std::string_view) {
  if (target.id.empty() || target.id.find('/') != std::string::npos) co_return std::nullopt;
  auto owner = LoadRecord(env, OwnerKey(target.id));
  if (!owner || !*owner) co_return std::nullopt;
  std::string account(StrOf(**owner, "account"));
  std::string region(StrOf(**owner, "region"));
  auto api = LoadRecord(env, ApiKey(account, region, target.id));
  if (!api || !*api) co_return std::nullopt;
  Call call{&request, NewRequestId(), target.id};
  if (const auto* d = (*api)->if_contains("disableExecuteApiEndpoint");
      d && d->is_bool() && d->get_bool())
    co_return Gateway(call, {"DEFAULT_4XX", 403, "Forbidden", "ForbiddenException"});

  // The stage is the first path segment; a REST API has no $default stage.
  std::string_view path = target.path;
  auto slash = path.find('/', 1);
  std::string_view first = path.substr(1, slash == std::string_view::npos ? slash : slash - 1);
  std::string stage_name = UriDecode(first).value_or(std::string(first));
  std::string_view rest = slash == std::string_view::npos ? "/" : path.substr(slash);
  if (stage_name.empty() || stage_name.find('/') != std::string::npos) co_return MissingToken(call);
  auto stage = LoadRecord(env, ChildKey(account, region, Kind::kStage, target.id, stage_name));
  if (!stage) co_return InternalError(call, "DEFAULT_5XX", 500);
  if (!*stage) co_return MissingToken(call);
  call.gateway.stage = stage_name;
  if (const auto* v = (*stage)->if_contains("variables"); v && v->is_object())
    call.gateway.stage_variables = &v->get_object();
  std::string deployment_id(StrOf(**stage, "deploymentId"));
  auto deployment =
      deployment_id.empty()
          ? Result<std::optional<json::object>>(std::optional<json::object>())
          : LoadRecord(env, ChildKey(account, region, Kind::kDeploy, target.id, deployment_id));
  if (!deployment) co_return InternalError(call, "DEFAULT_5XX", 500);
  if (!*deployment) co_return MissingToken(call);
  if (const auto* g = (*deployment)->if_contains("_gatewayResponses"); g && g->is_object())
    call.gateway.responses = &g->get_object();
  // API Gateway's payload limit, 10 MB (gateway response REQUEST_TOO_LARGE).
  if (request.body.size() > execute_api::kMaxPayloadBytes)
    co_return Gateway(call,
                      {"REQUEST_TOO_LARGE", 413, "Request Too Long", "RequestTooLongException"});
  auto* resources = (*deployment)->if_contains("_resources");
  if (!resources || !resources->is_array()) co_return MissingToken(call);

  std::vector<std::string> paths;
  std::vector<const json::object*> records;
  for (const auto& r : resources->get_array()) {
    if (!r.is_object()) continue;
    paths.emplace_back(StrOf(r.get_object(), "path"));
    records.push_back(&r.get_object());
  }
  auto match = MatchResource(paths, rest);
  if (!match) co_return MissingToken(call);
  const json::object& resource = *records[match->index];
  call.gateway.resource_path = StrOf(resource, "path");
  call.gateway.resource_id = StrOf(resource, "id");
  call.gateway.path_parameters = &match->path_parameters;
  const auto* methods = resource.if_contains("resourceMethods");
  const json::value* method = nullptr;
  if (methods && methods->is_object()) {
    method = methods->get_object().if_contains(request.method);
    if (!method) method = methods->get_object().if_contains("ANY");
  }
  if (!method || !method->is_object()) co_return MissingToken(call);
  std::string method_name = methods->get_object().contains(request.method) ? request.method : "ANY";
  const auto* integration = method->get_object().if_contains("methodIntegration");
  if (!integration || !integration->is_object())
    co_return InternalError(call, "API_CONFIGURATION_ERROR", 500);
  const json::object& integ = integration->get_object();

  Invocation inv;
  inv.request = &request;
  inv.account_id = account;
  inv.api_id = target.id;
  inv.domain_name = target.domain_name;
  inv.domain_prefix = target.id;
  inv.stage = stage_name;
  inv.request_id = call.request_id;
  inv.path = UriDecode(path).value_or(std::string(path));
  inv.rest_path = UriDecode(rest).value_or(std::string(rest));
  inv.path_parameters = match->path_parameters;
  if (const auto* v = (*stage)->if_contains("variables"); v && v->is_object())
    inv.stage_variables = v->get_object();
  inv.time_epoch_ms = static_cast<int64_t>(env.clock->NowSeconds() * 1000);
  inv.rest_api = true;
  inv.resource_path = std::string(StrOf(resource, "path"));
  inv.resource_id = std::string(StrOf(resource, "id"));
  if (const auto* b = (*api)->if_contains("binaryMediaTypes"); b && b->is_array())
    for (const auto& t : b->get_array())
      if (t.is_string()) inv.binary_media_types.emplace_back(t.get_string());

  // AWS_IAM: a SigV4 signature for execute-api (gateway responses MISSING_AUTHENTICATION_TOKEN,
  // INVALID_SIGNATURE, EXPIRED_TOKEN, ACCESS_DENIED); the caller reaches
  // requestContext.identity.
  if (StrOf(method->get_object(), "authorizationType") == "AWS_IAM") {
    auto iam = execute_api::AuthenticateIam(env, request);
    if (iam.refusal)
      co_return Gateway(call, {iam.refusal->response_type, 403, json::value(iam.refusal->message),
                               iam.refusal->error_type});
    inv.identity = execute_api::IamIdentity(*iam.caller);
  }
  static const json::object kNoAuthorizers;
  const json::object* authorizers = &kNoAuthorizers;
  if (const auto* a = (*deployment)->if_contains("_authorizers"); a && a->is_object())
    authorizers = &a->get_object();
  auto auth = co_await AuthorizeMethod(env, method->get_object(), *authorizers, inv, region);
  if (auth.refusal)
    co_return Gateway(call, {RefusalType(*auth.refusal), auth.refusal->status,
                             std::move(auth.refusal->message), auth.refusal->error_type});
  inv.authorizer = std::move(auth.authorizer);
  // After the authorizer (as API Gateway orders them): the API key, throttles and quota.
  if (auto rejected = AdmitInvocation(
          env, Admission{account, region, target.id, stage_name, &**api, &**stage,
                         &method->get_object(), method_name, StrOf(resource, "path"), &request}))
    co_return Gateway(call, {RejectionType(*rejected), rejected->status,
                             json::value(rejected->message), rejected->error_type});
  // Then the request validator of the method (as deployed).
  if (auto invalid = ValidateInvocation(**deployment, method->get_object(), request)) {
    // BAD_REQUEST_PARAMETERS for missing parameters, BAD_REQUEST_BODY for a body its model
    // refuses.
    bool params = invalid->rfind("Missing required request parameters", 0) == 0;
    co_return Gateway(call, {params ? "BAD_REQUEST_PARAMETERS" : "BAD_REQUEST_BODY", 400,
                             json::value(*invalid), "BadRequestException"});
  }

  std::string_view type = StrOf(integ, "type");
  if (type == "AWS_PROXY") co_return co_await InvokeLambda(env, call, inv, integ);
  if (type == "HTTP_PROXY") co_return co_await ProxyHttp(call, inv, integ);
  if (type == "MOCK" || type == "HTTP" || type == "AWS") {
    Outcome outcome = co_await InvokeMapped(env, inv, integ);
    if (auto* error = std::get_if<GatewayError>(&outcome)) co_return Gateway(call, *error);
    http::Response& response = std::get<http::Response>(outcome);
    StampIds(call, &response);
    co_return std::move(response);
  }
  co_return InternalError(call, "API_CONFIGURATION_ERROR", 500);
}

}  // namespace nimbus::apigateway
