// The "json" protocol (1.0 and 1.1): POST /, X-Amz-Target: <targetPrefix>.<Operation>, JSON
// bodies, errors as {"__type": ..., "message": ...}.
#include <boost/json.hpp>

#include "core/protocol/codec.h"
#include "core/protocol/json_shape.h"

namespace nimbus::protocol {

namespace {

// The namespace AWS puts before '#' in __type for a few services; SDKs keep only what follows.
std::string TypeFor(const ServiceModel& model, const std::string& code) {
  if (code == "SerializationException") return "com.amazon.coral.service#" + code;
  if (code == "ValidationException" && model.name == "dynamodb")
    return "com.amazon.coral.validate#" + code;
  if (model.name == "dynamodb") return "com.amazonaws.dynamodb.v20120810#" + code;
  if (model.name == "dynamodbstreams") return "com.amazonaws.dynamodb.v20120810#" + code;
  return code;
}

class JsonCodec final : public Codec {
 public:
  Result<const Operation*> ResolveOperation(const ServiceModel& model,
                                            const http::Request& request) const override {
    std::string_view target = request.Header("x-amz-target");
    auto dot = target.rfind('.');
    if (target.empty() || dot == std::string_view::npos)
      return ApiError("UnknownOperationException", 400, "Missing or malformed X-Amz-Target header");
    std::string_view name = target.substr(dot + 1);
    if (target.substr(0, dot) != model.target_prefix)
      return ApiError("UnknownOperationException", 400,
                      "Unknown target prefix " + std::string(target.substr(0, dot)));
    const Operation* op = model.FindOperation(name);
    if (!op)
      return ApiError("UnknownOperationException", 400, "Unknown operation " + std::string(name));
    return op;
  }

  Result<Document> DecodeInput(const ServiceModel&, const Operation& op,
                               const http::Request& request) const override {
    json::value input;
    std::string_view body = request.body;
    size_t i = 0;
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
      ++i;
    if (i == body.size()) {
      input = json::object();
    } else {
      json::error_code ec;
      json::parse_options opts;
      opts.max_depth = 128;
      input = json::parse(body, ec, {}, opts);
      if (ec)
        return ApiError("SerializationException", 400,
                        "Start of structure or map found where not expected." == ec.message()
                            ? ec.message()
                            : "Malformed JSON in request body: " + ec.message());
    }
    if (!input.is_object())
      return ApiError("SerializationException", 400,
                      "Start of structure or map expected in request body");
    if (op.input) {
      auto st = JsonFromWire(*op.input, input);
      if (!st) return std::move(st).error();
    }
    return input;
  }

  void EncodeOutput(const ServiceModel& model, const Operation& op, Document& output,
                    std::string_view request_id, http::Response* response) const override {
    response->status = 200;
    response->SetHeader("content-type", ContentType(model));
    response->SetHeader("x-amzn-RequestId", request_id);
    if (op.output && output.is_object()) {
      JsonToWire(*op.output, output);
      response->body = json::serialize(output);
    } else {
      response->body = "{}";
    }
  }

  void EncodeError(const ServiceModel& model, const ApiError& error, std::string_view request_id,
                   http::Response* response) const override {
    response->status = error.http_status;
    response->SetHeader("content-type", ContentType(model));
    response->SetHeader("x-amzn-RequestId", request_id);
    response->SetHeader("x-amzn-ErrorType", error.code);
    for (const auto& [k, v] : error.headers) response->SetHeader(k, v);
    json::object body;
    body["__type"] = TypeFor(model, error.code);
    body["message"] = error.message;
    for (const auto& [k, v] : error.extra) body[k] = v;
    response->body = json::serialize(body);
  }

 private:
  static std::string ContentType(const ServiceModel& model) {
    return "application/x-amz-json-" +
           (model.json_version.empty() ? std::string("1.0") : model.json_version);
  }
};

}  // namespace

const Codec* JsonCodecInstance() {
  static const JsonCodec codec;
  return &codec;
}

}  // namespace nimbus::protocol
