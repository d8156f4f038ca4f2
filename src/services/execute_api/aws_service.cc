// AWS service integrations: a wire request handed to the service's own codec in process.
#include "services/execute_api/aws_service.h"

#include <boost/json.hpp>

#include "core/common/logging.h"
#include "core/protocol/codec.h"
#include "core/protocol/model.h"
#include "services/execute_api/integration_timeout.h"

namespace nimbus::execute_api {

namespace {

// The text of the first <tag>...</tag> in `xml` (error envelopes carry no nesting of the same
// name), unescaped for the five XML entities.
std::string XmlText(std::string_view xml, std::string_view tag) {
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  auto start = xml.find(open);
  if (start == std::string_view::npos) return "";
  start += open.size();
  auto end = xml.find(close, start);
  if (end == std::string_view::npos) return "";
  std::string out;
  std::string_view text = xml.substr(start, end - start);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      bool done = false;
      for (auto [entity, c] : {std::pair{std::string_view("&amp;"), '&'},
                               {"&lt;", '<'},
                               {"&gt;", '>'},
                               {"&quot;", '"'},
                               {"&apos;", '\''}})
        if (text.substr(i, entity.size()) == entity) {
          out += c;
          i += entity.size() - 1;
          done = true;
          break;
        }
      if (done) continue;
    }
    out += text[i];
  }
  return out;
}

// The legacy JSON form of a query-protocol error, with the code the XML form carries.
http::Response JsonQueryError(const http::Response& xml, const ApiError& err,
                              std::string_view request_id) {
  http::Response r;
  r.status = xml.status;
  for (const auto& [k, v] : xml.headers)
    if (k != "content-type" && k != "content-length") r.headers.emplace_back(k, v);
  std::string code = XmlText(xml.body, "Code");
  json::object error{{"Code", code.empty() ? err.code : code},
                     {"Message", err.message},
                     {"Type", err.sender_fault ? "Sender" : "Receiver"}};
  r.SetHeader("content-type", "application/json");
  r.body = json::serialize(json::object{{"Error", std::move(error)}, {"RequestId", request_id}});
  return r;
}

// The legacy JSON form of a query-protocol answer: every member of the output shape, null when
// absent.
http::Response JsonQueryOutput(const protocol::Operation& op, const Document& output,
                               std::string_view request_id) {
  json::object result;
  if (op.output) {
    const json::object* members = output.is_object() ? &output.get_object() : nullptr;
    for (const auto& m : op.output->members) {
      const json::value* v = members ? members->if_contains(m.name) : nullptr;
      result[m.name] = v ? *v : json::value(nullptr);
    }
  }
  json::object body{{op.name + "Response",
                     json::object{{op.name + "Result", std::move(result)},
                                  {"ResponseMetadata", json::object{{"RequestId", request_id}}}}}};
  http::Response r;
  r.status = 200;
  r.SetHeader("content-type", "application/json");
  r.SetHeader("x-amzn-RequestId", request_id);
  r.body = json::serialize(body);
  return r;
}

}  // namespace

std::optional<AwsServiceUri> ParseAwsServiceUri(std::string_view uri) {
  constexpr std::string_view kPrefix = "arn:aws:apigateway:";
  if (uri.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::string_view rest = uri.substr(kPrefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  AwsServiceUri out;
  out.region = std::string(rest.substr(0, colon));
  rest = rest.substr(colon + 1);
  colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  out.subdomain = std::string(rest.substr(0, colon));
  rest = rest.substr(colon + 1);
  if (rest.rfind("action/", 0) == 0) {
    out.action = true;
    out.target = std::string(rest.substr(7));
    if (out.target.empty() || out.target.find('/') != std::string::npos) return std::nullopt;
  } else if (rest.rfind("path/", 0) == 0) {
    out.target = std::string(rest.substr(5));
  } else {
    return std::nullopt;
  }
  // A subdomain may carry a host prefix ("<bucket>.s3"); the service is its last label.
  if (auto dot = out.subdomain.rfind('.'); dot != std::string::npos) {
    out.host_prefix = out.subdomain.substr(0, dot);
    out.subdomain = out.subdomain.substr(dot + 1);
  }
  return out;
}

std::string ServiceForSubdomain(std::string_view subdomain) {
  if (subdomain == "states") return "stepfunctions";
  if (subdomain == "email") return "ses";
  if (subdomain == "monitoring") return "cloudwatch";
  if (subdomain == "execute-api") return "apigateway";
  return std::string(subdomain);
}

bool IsServed(const Registry& registry, std::string_view service) {
  const Service* svc = registry.Find(service);
  return svc && svc->implemented_count() > 0;
}

Task<std::optional<http::Response>> CallServiceWire(ServiceEnv& env, RequestContext ctx,
                                                    std::string service,
                                                    const http::Request& request,
                                                    std::chrono::milliseconds timeout) {
  Service* svc = env.registry->Find(service);
  const protocol::ServiceModel* model = svc ? svc->model() : nullptr;
  http::Response response;
  if (!model) {
    response.status = 500;
    response.SetHeader("content-type", "application/json");
    response.body = R"({"message":"no such service"})";
    co_return response;
  }
  const protocol::Codec* codec = protocol::CodecFor(model->protocol);
  bool query = model->protocol == "query";
  if (model->aws_query_compatible && !request.HasHeader("x-amz-target")) {
    codec = svc->QueryCodec() ? svc->QueryCodec() : protocol::CodecFor("query");
    query = true;
  }
  if (!codec) {
    response.status = 500;
    co_return response;
  }
  std::string_view accept = request.Header("accept");
  bool as_json = query && (accept.empty() || accept.find("json") != std::string_view::npos ||
                           accept.find("xml") == std::string_view::npos);
  std::string request_id = ctx.request_id;
  auto fail = [&](const ApiError& err) {
    http::Response r;
    codec->EncodeError(*model, err, request_id, &r);
    if (as_json) r = JsonQueryError(r, err, request_id);
    return r;
  };
  auto op = codec->ResolveOperation(*model, request);
  if (!op) co_return fail(op.error());
  const protocol::Operation& operation = **op;
  auto input = codec->DecodeInput(*model, operation, request);
  if (!input) {
    ApiError err = std::move(input).error();
    const auto& serialization_code = svc->validation().serialization_error_code;
    if (err.code == "SerializationException" && !serialization_code.empty())
      err.code = serialization_code;
    co_return fail(err);
  }
  ctx.service = service;
  ctx.operation = operation.name;
  ctx.env = &env;
  auto called = co_await CallWithTimeout(env, std::move(ctx), service, operation.name,
                                         std::move(*input), timeout);
  if (!called) co_return std::nullopt;
  auto& result = *called;
  if (!result) co_return fail(result.error());
  if (as_json) co_return JsonQueryOutput(operation, *result, request_id);
  codec->EncodeOutput(*model, operation, *result, request_id, &response);
  co_return response;
}

}  // namespace nimbus::execute_api
