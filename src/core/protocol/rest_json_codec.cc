// The "rest-json" protocol (Lambda, API Gateway, RDS Data): the operation is named by method +
// URI, members travel in the URI, query string, headers and a JSON body (or a raw payload);
// errors are {"message": ...} with the code in the x-amzn-ErrorType header, which is where
// botocore's RestJSONParser and the JS SDK v3 look first.
#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/protocol/codec.h"
#include "core/protocol/json_shape.h"
#include "core/protocol/rest_binding.h"

namespace nimbus::protocol {

namespace {

constexpr std::string_view kJsonType = "application/json";

Result<json::value> ParseJson(std::string_view body) {
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 128;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec)
    return ApiError("SerializationException", 400,
                    "Malformed JSON in request body: " + ec.message());
  return v;
}

// The request line for messages: short, and only when it is printable text.
std::string Describe(std::string_view method, std::string_view path) {
  std::string p(path.substr(0, 256));
  for (char c : p)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return "";
  return std::string(method) + " " + p;
}

class RestJsonCodec final : public Codec {
 public:
  Result<const Operation*> ResolveOperation(const ServiceModel& model,
                                            const http::Request& request) const override {
    std::string path = rest::EffectivePath(model, request);
    auto query = http::ParseQuery(request.query, true);
    auto match = rest::RestIndex::For(model).Resolve(request.method, path, query, request.headers);
    if (match.op) return match.op;
    return ApiError("UnknownOperationException", 404,
                    "No operation of " + model.service_id + " matches the request " +
                        Describe(request.method, path));
  }

  Result<Document> DecodeInput(const ServiceModel& model, const Operation& op,
                               const http::Request& request) const override {
    json::object doc;
    if (!op.input) return json::value(std::move(doc));
    const rest::Bindings& b = rest::RestIndex::For(model).BindingsFor(op.input);
    if (b.payload) {
      const Shape& ps = *b.payload->shape;
      if (ps.type == ShapeType::kBlob || ps.type == ShapeType::kString) {
        if (ps.type == ShapeType::kString && !IsValidUtf8(request.body))
          return ApiError("SerializationException", 400, "The request body is not valid UTF-8");
        if (!request.body.empty() || b.payload->streaming || ps.streaming)
          doc[b.payload->name] = json::string(request.body);
      } else if (!rest::IsBlank(request.body)) {
        auto v = ParseJson(request.body);
        if (!v) return std::move(v).error();
        auto st = JsonFromWire(ps, *v);
        if (!st) return std::move(st).error();
        doc[b.payload->name] = std::move(*v);
      }
    } else if (!b.body.empty() && !rest::IsBlank(request.body)) {
      auto v = ParseJson(request.body);
      if (!v) return std::move(v).error();
      if (!v->is_object())
        return ApiError("SerializationException", 400,
                        "Start of structure or map expected in request body");
      auto st = JsonFromWire(*op.input, *v);
      if (!st) return std::move(st).error();
      // Only body members come from the body; URI, query and header members cannot be smuggled.
      for (auto& [k, mv] : v->get_object()) {
        const Member* m = op.input->FindMember(k);
        if (m && m->location == Location::kBody) doc[k] = std::move(mv);
      }
    }
    auto query = http::ParseQuery(request.query, true);
    auto st = rest::DecodeHttpBindings(model, op, b, request, rest::EffectivePath(model, request),
                                       query, &doc);
    if (!st) return std::move(st).error();
    return json::value(std::move(doc));
  }

  void EncodeOutput(const ServiceModel& model, const Operation& op, Document& output,
                    std::string_view request_id, http::Response* response) const override {
    response->SetHeader("x-amzn-RequestId", request_id);
    if (!output.is_object()) output = json::object();
    const rest::Bindings& b = rest::RestIndex::For(model).BindingsFor(op.output);
    json::object body = rest::EncodeHttpBindings(op, b, output.get_object(), response);
    if (!op.output) return;
    if (b.payload) {
      const Shape& ps = *b.payload->shape;
      json::value* v = body.if_contains(b.payload->name);
      if (!v) return;
      if (ps.event_stream) {
        // The handler encoded the event stream messages (core/protocol/event_stream.h).
        if (v->is_string()) response->body = std::string(v->get_string());
        response->SetHeader("content-type", "application/vnd.amazon.eventstream");
        return;
      }
      if (ps.type == ShapeType::kBlob || ps.type == ShapeType::kString) {
        if (v->is_string()) response->body = std::string(v->get_string());
      } else {
        JsonToWire(ps, *v);
        response->body = json::serialize(*v);
      }
      if (!rest::HasHeader(*response, "content-type"))
        response->SetHeader("content-type", kJsonType);
      return;
    }
    // botocore sends "{}" whenever a shape has body members; answer the same way.
    if (b.body.empty()) return;
    json::value wire(std::move(body));
    JsonToWire(*op.output, wire);
    response->body = json::serialize(wire);
    response->SetHeader("content-type", kJsonType);
  }

  void EncodeError(const ServiceModel& model, const ApiError& error, std::string_view request_id,
                   http::Response* response) const override {
    response->status = error.http_status;
    response->SetHeader("content-type", kJsonType);
    response->SetHeader("x-amzn-RequestId", request_id);
    response->SetHeader("x-amzn-ErrorType", error.code);
    for (const auto& [k, v] : error.headers) response->SetHeader(k, v);
    json::object body;
    // Lambda's errors carry Type ("User" or "Service") beside the message.
    if (model.name == "lambda" && !error.extra.contains("Type"))
      body["Type"] = error.sender_fault ? "User" : "Service";
    body["message"] = error.message;
    for (const auto& [k, v] : error.extra) body[k] = v;
    response->body = json::serialize(body);
  }
};

}  // namespace

const Codec* RestJsonCodecInstance() {
  static const RestJsonCodec codec;
  return &codec;
}

}  // namespace nimbus::protocol
