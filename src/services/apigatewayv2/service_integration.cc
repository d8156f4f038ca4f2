// AWS service integrations of HTTP APIs (IntegrationSubtype): parameter mapping and the call.
#include "services/apigatewayv2/service_integration.h"

#include <boost/json.hpp>
#include <cctype>

#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/protocol/codec.h"
#include "core/protocol/json_shape.h"
#include "core/protocol/model.h"
#include "services/apigatewayv2/apigw.h"
#include "services/execute_api/integration_timeout.h"

namespace nimbus::apigatewayv2 {

namespace {

struct Parameter {
  std::string_view name;
  bool required = false;
};

// The subtypes of the developer guide's "Integration subtype reference", the service (model
// name) and action each calls, and its parameters.
struct Subtype {
  std::string_view name;
  std::string_view service;
  std::string_view operation;
  std::vector<Parameter> parameters;
};

const std::vector<Subtype>& Subtypes() {
  static const std::vector<Subtype> kSubtypes = {
      {"EventBridge-PutEvents",
       "events",
       "PutEvents",
       {{"Detail", true},
        {"DetailType", true},
        {"Source", true},
        {"Time"},
        {"EventBusName"},
        {"Region"},
        {"Resources"},
        {"TraceHeader"}}},
      {"SQS-SendMessage",
       "sqs",
       "SendMessage",
       {{"QueueUrl", true},
        {"MessageBody", true},
        {"DelaySeconds"},
        {"MessageAttributes"},
        {"MessageDeduplicationId"},
        {"MessageGroupId"},
        {"MessageSystemAttributes"},
        {"Region"}}},
      {"SQS-ReceiveMessage",
       "sqs",
       "ReceiveMessage",
       {{"QueueUrl", true},
        {"AttributeNames"},
        {"MaxNumberOfMessages"},
        {"MessageAttributeNames"},
        {"ReceiveRequestAttemptId"},
        {"VisibilityTimeout"},
        {"WaitTimeSeconds"},
        {"Region"}}},
      {"SQS-DeleteMessage",
       "sqs",
       "DeleteMessage",
       {{"QueueUrl", true}, {"ReceiptHandle", true}, {"Region"}}},
      {"SQS-PurgeQueue", "sqs", "PurgeQueue", {{"QueueUrl", true}, {"Region"}}},
      {"AppConfig-GetConfiguration",
       "appconfig",
       "GetConfiguration",
       {{"Application", true},
        {"Environment", true},
        {"Configuration", true},
        {"ClientId", true},
        {"ClientConfigurationVersion"},
        {"Region"}}},
      {"Kinesis-PutRecord",
       "kinesis",
       "PutRecord",
       {{"StreamName", true},
        {"Data", true},
        {"PartitionKey", true},
        {"SequenceNumberForOrdering"},
        {"ExplicitHashKey"},
        {"Region"}}},
      {"StepFunctions-StartExecution",
       "stepfunctions",
       "StartExecution",
       {{"StateMachineArn", true}, {"Name"}, {"Input"}, {"Region"}}},
      {"StepFunctions-StartSyncExecution",
       "stepfunctions",
       "StartSyncExecution",
       {{"StateMachineArn", true}, {"Name"}, {"Input"}, {"Region"}, {"TraceHeader"}}},
      {"StepFunctions-StopExecution",
       "stepfunctions",
       "StopExecution",
       {{"ExecutionArn", true}, {"Cause"}, {"Error"}, {"Region"}}},
  };
  return kSubtypes;
}

const Subtype* FindSubtype(std::string_view name) {
  for (const auto& s : Subtypes())
    if (s.name == name) return &s;
  return nullptr;
}

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string AsText(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

// The value at a dotted path ("a.b", "items[0].id") below `v`, or null.
const json::value* Walk(const json::value* v, std::string_view dotted) {
  size_t pos = 0;
  while (v && pos < dotted.size()) {
    size_t end = dotted.find_first_of(".[", pos);
    std::string_view part = dotted.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (!part.empty()) v = v->is_object() ? v->get_object().if_contains(part) : nullptr;
    if (end == std::string_view::npos) break;
    if (dotted[end] == '[') {
      size_t close = dotted.find(']', end);
      if (close == std::string_view::npos || !v || !v->is_array()) return nullptr;
      size_t index = 0;
      for (char c : dotted.substr(end + 1, close - end - 1)) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<size_t>(c - '0');
        if (index > 1000000) return nullptr;
      }
      v = index < v->get_array().size() ? &v->get_array()[index] : nullptr;
      pos = close + 1;
      if (pos < dotted.size() && dotted[pos] == '.') ++pos;
    } else {
      pos = end + 1;
    }
  }
  return v;
}

// What a mapping expression reads: the request, its context and the stage variables.
struct Sources {
  const execute_api::Invocation* inv = nullptr;
  json::value body;  // the request body as JSON (null when it is not JSON)
  bool body_parsed = false;
  json::value context;  // the 2.0 event's requestContext
  bool context_built = false;
};

// One selection expression ("$request.body.msg", "$context.requestId"); nullopt when it names
// nothing.
std::optional<std::string> Evaluate(std::string_view expr, Sources& s) {
  const http::Request& r = *s.inv->request;
  constexpr std::string_view kHeader = "$request.header.", kQuery = "$request.querystring.",
                             kPath = "$request.path.", kBody = "$request.body",
                             kContext = "$context.", kStageVars = "$stageVariables.";
  if (expr.rfind(kHeader, 0) == 0) {
    std::string_view name = expr.substr(kHeader.size());
    std::string joined;
    bool found = false;
    for (const auto& [k, v] : r.headers)
      if (EqualsIgnoreCase(k, name)) joined += (found ? "," : "") + v, found = true;
    if (found) return joined;
    return std::nullopt;
  }
  if (expr.rfind(kQuery, 0) == 0) {
    std::string_view name = expr.substr(kQuery.size());
    std::string joined;
    bool found = false;
    for (const auto& [k, v] : http::ParseQuery(r.query))
      if (k == name) joined += (found ? "," : "") + v, found = true;
    if (found) return joined;
    return std::nullopt;
  }
  if (expr.rfind(kPath, 0) == 0) {
    std::string_view name = expr.substr(kPath.size());
    for (const auto& [k, v] : s.inv->path_parameters)
      if (k == name) return v;
    return std::nullopt;
  }
  if (expr == kBody) return r.body;
  if (expr.rfind(kBody, 0) == 0 && expr.size() > kBody.size() && expr[kBody.size()] == '.') {
    if (!s.body_parsed) {
      boost::system::error_code ec;
      s.body = json::parse(r.body, ec);
      if (ec) s.body = nullptr;
      s.body_parsed = true;
    }
    const json::value* v = Walk(&s.body, expr.substr(kBody.size() + 1));
    if (!v || v->is_null()) return std::nullopt;
    return AsText(*v);
  }
  if (expr.rfind(kContext, 0) == 0) {
    if (!s.context_built) {
      boost::system::error_code ec;
      json::value event = json::parse(execute_api::EventV2(*s.inv), ec);
      if (!ec && event.is_object())
        if (const auto* c = event.get_object().if_contains("requestContext")) s.context = *c;
      s.context_built = true;
    }
    const json::value* v = Walk(&s.context, expr.substr(kContext.size()));
    if (!v || v->is_null()) return std::nullopt;
    return AsText(*v);
  }
  if (expr.rfind(kStageVars, 0) == 0) {
    const auto* v = s.inv->stage_variables.if_contains(expr.substr(kStageVars.size()));
    if (!v || v->is_null()) return std::nullopt;
    return AsText(*v);
  }
  return std::nullopt;
}

// A parameter's value: a literal, one selection expression, or text with ${...} expressions in
// it ("order-${request.body.id}"; one that names nothing is empty). nullopt when a whole-value
// expression names nothing.
std::optional<std::string> MapValue(std::string_view value, Sources& s) {
  if (value.size() > 1 && value[0] == '$' && value[1] != '{') return Evaluate(value, s);
  if (value.find("${") == std::string_view::npos) return std::string(value);
  std::string out;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t open = value.find("${", pos);
    size_t close = open == std::string_view::npos ? open : value.find('}', open);
    if (close == std::string_view::npos) {
      out += value.substr(pos);
      break;
    }
    out += value.substr(pos, open - pos);
    if (auto v = Evaluate("$" + std::string(value.substr(open + 2, close - open - 2)), s))
      out += *v;
    pos = close + 1;
  }
  return out;
}

// A mapped value in the type of the action's member: numbers and booleans from their text, lists
// and maps from JSON (a list also from comma-separated text). What does not convert stays text,
// for the service's own validation to refuse.
json::value Typed(const protocol::Shape* shape, const std::string& text) {
  if (!shape) return json::value(json::string(text));
  switch (shape->type) {
    case protocol::ShapeType::kInteger:
    case protocol::ShapeType::kLong: {
      try {
        size_t used = 0;
        long long n = std::stoll(text, &used);
        if (used == text.size()) return json::value(static_cast<int64_t>(n));
      } catch (...) {
      }
      break;
    }
    case protocol::ShapeType::kBoolean:
      if (text == "true") return json::value(true);
      if (text == "false") return json::value(false);
      break;
    case protocol::ShapeType::kList: {
      boost::system::error_code ec;
      json::value v = json::parse(text, ec);
      if (!ec && v.is_array()) return v;
      json::array items;
      size_t pos = 0;
      while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) items.emplace_back(json::string(item));
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
      return items;
    }
    case protocol::ShapeType::kMap:
    case protocol::ShapeType::kStructure: {
      boost::system::error_code ec;
      json::value v = json::parse(text, ec);
      if (!ec && v.is_object()) return v;
      break;
    }
    default:
      break;
  }
  return json::value(json::string(text));
}

http::Response Message(int status, std::string_view message, std::string_view request_id) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "application/json");
  r.SetHeader("apigw-requestid", request_id);
  r.body = json::serialize(json::object{{"message", message}});
  return r;
}

}  // namespace

Status CheckServiceIntegration(const Registry& registry, json::object& record) {
  std::string subtype(Str(record, "IntegrationSubtype"));
  if (Str(record, "IntegrationType") != "AWS_PROXY")
    return BadRequest("IntegrationSubtype is supported only for integrations of type AWS_PROXY.");
  const Subtype* s = FindSubtype(subtype);
  if (!s) {
    std::string names;
    for (const auto& t : Subtypes()) names += (names.empty() ? "" : ", ") + std::string(t.name);
    return BadRequest("Invalid IntegrationSubtype specified: " + subtype +
                      ". Supported subtypes: " + names + ".");
  }
  std::string_view version = Str(record, "PayloadFormatVersion");
  if (version.empty())
    record["PayloadFormatVersion"] = "1.0";
  else if (version != "1.0")
    return BadRequest("Invalid PayloadFormatVersion specified. Supported versions for " + subtype +
                      ": 1.0");
  const json::object* params = nullptr;
  if (const auto* p = record.if_contains("RequestParameters"); p && p->is_object())
    params = &p->get_object();
  if (params)
    for (const auto& [k, v] : *params) {
      bool known = false;
      for (const auto& p : s->parameters) known = known || p.name == std::string_view(k);
      if (!known)
        return BadRequest("Invalid request parameter " + std::string(k) + " for " + subtype +
                          ". Supported parameters: " +
                          [&] {
                            std::string names;
                            for (const auto& p : s->parameters)
                              names += (names.empty() ? "" : ", ") + std::string(p.name);
                            return names;
                          }() +
                          ".");
      if (!v.is_string() || v.get_string().empty())
        return BadRequest("Invalid value for request parameter " + std::string(k) +
                          ": a non-empty string is required.");
    }
  for (const auto& p : s->parameters)
    if (p.required && (!params || !params->contains(p.name)))
      return BadRequest("Missing required request parameter " + std::string(p.name) + " for " +
                        subtype + ".");
  Service* svc = registry.Find(s->service);
  if (!svc || !svc->FindHandler(s->operation))
    return ApiError("NotImplementedException", 501,
                    "IntegrationSubtype " + subtype + " calls " + std::string(s->service) + " " +
                        std::string(s->operation) + ", which nimbus does not serve yet.");
  if (!record.contains("TimeoutInMillis")) record["TimeoutInMillis"] = 30000;
  if (!record.contains("ConnectionType")) record["ConnectionType"] = "INTERNET";
  return Ok{};
}

Task<http::Response> InvokeServiceIntegration(ServiceEnv& env, const execute_api::Invocation& inv,
                                              const json::object& integration) {
  const Subtype* s = FindSubtype(Str(integration, "IntegrationSubtype"));
  Service* svc = s ? env.registry->Find(s->service) : nullptr;
  const protocol::ServiceModel* model = svc ? svc->model() : nullptr;
  const protocol::Operation* op = model ? model->FindOperation(s->operation) : nullptr;
  const protocol::Codec* codec = model ? protocol::CodecFor(model->protocol) : nullptr;
  if (!op || !codec) co_return Message(500, "Internal Server Error", inv.request_id);

  Sources sources;
  sources.inv = &inv;
  json::object input;
  std::string region = env.config->region;
  if (const auto* p = integration.if_contains("RequestParameters"); p && p->is_object())
    for (const auto& [k, v] : p->get_object()) {
      if (!v.is_string()) continue;
      auto value = MapValue(v.get_string(), sources);
      if (!value) continue;
      if (k == "Region") {
        region = *value;
        continue;
      }
      const protocol::Member* member = op->input ? op->input->FindMember(k) : nullptr;
      input[k] = Typed(member ? member->shape : nullptr, *value);
    }
  if (s->name == "EventBridge-PutEvents") {
    // PutEvents takes a list of entries; the integration sends one.
    json::object entry;
    for (auto& [k, v] : input) entry[k] = v;
    input = json::object{{"Entries", json::array{std::move(entry)}}};
  }

  RequestContext ctx;
  ctx.request_id = NewRequestId();
  // The input read as the service's JSON protocol reads a client's: a value of the wrong type
  // (text where a number or a list goes, a blob that is not base64) is its serialization error.
  json::value document(std::move(input));
  if (op->input)
    if (auto st = protocol::JsonFromWire(*op->input, document); !st) {
      ApiError err = std::move(st).error();
      const auto& code = svc->validation().serialization_error_code;
      if (err.code == "SerializationException" && !code.empty()) err.code = code;
      http::Response response;
      codec->EncodeError(*model, err, ctx.request_id, &response);
      response.SetHeader("apigw-requestid", inv.request_id);
      co_return response;
    }
  ctx.account_id = inv.account_id;
  ctx.region = region;
  std::string_view role = Str(integration, "CredentialsArn");
  ctx.caller_arn = role.rfind("arn:aws:iam::", 0) == 0 ? std::string(role)
                                                       : "arn:aws:iam::" + inv.account_id + ":root";
  ctx.caller_user_id = inv.account_id;
  ctx.env = &env;
  std::string request_id = ctx.request_id;
  int64_t timeout = 30000;
  if (const auto* t = integration.if_contains("TimeoutInMillis"); t && t->is_int64())
    timeout = t->get_int64();
  auto called = co_await execute_api::CallWithTimeout(
      env, std::move(ctx), std::string(s->service), std::string(s->operation),
      Document(std::move(document)), std::chrono::milliseconds(timeout));
  if (!called) {
    spdlog::info("apigatewayv2: api {} route {}: {} timed out", inv.api_id, inv.route_key, s->name);
    co_return Message(503, "Service Unavailable", inv.request_id);
  }
  http::Response response;
  auto& result = *called;
  if (result) {
    codec->EncodeOutput(*model, *op, *result, request_id, &response);
  } else {
    spdlog::info("apigatewayv2: api {} route {}: {} answered {}", inv.api_id, inv.route_key,
                 s->name, result.error().code);
    codec->EncodeError(*model, result.error(), request_id, &response);
  }
  response.SetHeader("apigw-requestid", inv.request_id);
  co_return response;
}

}  // namespace nimbus::apigatewayv2
