// The "query" protocol: form-encoded Action=<Operation>&Version=..., XML responses wrapped in
// <OperationResponse><OperationResult>, errors as <ErrorResponse>.
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "core/common/encoding.h"
#include "core/protocol/codec.h"
#include "core/protocol/json_shape.h"
#include "core/protocol/xml_writer.h"

namespace nimbus::protocol {

namespace {

using Params = std::map<std::string, std::string, std::less<>>;

constexpr size_t kMaxParams = 20000;

ApiError BadValue(const std::string& name, std::string_view why) {
  return ApiError("InvalidParameterValue", 400,
                  "Value for parameter " + name + " is invalid. " + std::string(why));
}

bool HasPrefix(const Params& params, const std::string& prefix) {
  auto it = params.lower_bound(prefix);
  if (it == params.end()) return false;
  const std::string& k = it->first;
  return k == prefix || (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0 &&
                         k[prefix.size()] == '.');
}

Result<json::value> Decode(const Shape& shape, const Params& params, const std::string& name,
                           bool flattened, int depth);

Result<json::value> DecodeStructure(const Shape& shape, const Params& params,
                                    const std::string& prefix, int depth) {
  json::object out;
  for (const auto& m : shape.members) {
    if (!m.shape) continue;
    std::string key = prefix.empty() ? m.WireName() : prefix + "." + m.WireName();
    if (!HasPrefix(params, key)) continue;
    auto v = Decode(*m.shape, params, key, m.flattened, depth + 1);
    if (!v) return std::move(v).error();
    if (!v->is_null()) out[m.name] = std::move(*v);
  }
  return json::value(std::move(out));
}

Result<json::value> Decode(const Shape& shape, const Params& params, const std::string& name,
                           bool flattened, int depth) {
  if (depth > 32) return BadValue(name, "Nesting too deep.");
  switch (shape.type) {
    case ShapeType::kStructure:
      return DecodeStructure(shape, params, name, depth);
    case ShapeType::kList: {
      json::array out;
      if (auto it = params.find(name); it != params.end() && it->second.empty())
        return json::value(std::move(out));  // "Name=" is an explicitly empty list
      std::string base;
      if (flattened || shape.flattened) {
        base = name;
        if (!shape.member.location_name.empty()) {
          auto dot = name.rfind('.');
          base = (dot == std::string::npos ? std::string() : name.substr(0, dot + 1)) +
                 shape.member.location_name;
        }
      } else {
        base = name + "." +
               (shape.member.location_name.empty() ? std::string("member")
                                                   : shape.member.location_name);
      }
      for (int i = 1;; ++i) {
        std::string key = base + "." + std::to_string(i);
        if (!HasPrefix(params, key)) break;
        if (!shape.member.shape) break;
        auto v = Decode(*shape.member.shape, params, key, false, depth + 1);
        if (!v) return std::move(v).error();
        out.push_back(std::move(*v));
      }
      return json::value(std::move(out));
    }
    case ShapeType::kMap: {
      json::object out;
      std::string base = (flattened || shape.flattened) ? name : name + ".entry";
      std::string kn = shape.key.location_name.empty() ? "key" : shape.key.location_name;
      std::string vn = shape.value.location_name.empty() ? "value" : shape.value.location_name;
      for (int i = 1;; ++i) {
        std::string entry = base + "." + std::to_string(i);
        if (!HasPrefix(params, entry)) break;
        auto k = params.find(entry + "." + kn);
        if (k == params.end()) return BadValue(entry, "Map entry without a key.");
        json::value v;
        if (shape.value.shape && HasPrefix(params, entry + "." + vn)) {
          auto dv = Decode(*shape.value.shape, params, entry + "." + vn, false, depth + 1);
          if (!dv) return std::move(dv).error();
          v = std::move(*dv);
        }
        out[k->second] = std::move(v);
      }
      return json::value(std::move(out));
    }
    default:
      break;
  }
  auto it = params.find(name);
  if (it == params.end()) return json::value(nullptr);
  const std::string& s = it->second;
  switch (shape.type) {
    case ShapeType::kBoolean:
      if (s == "true") return json::value(true);
      if (s == "false") return json::value(false);
      return BadValue(name, "Expected true or false.");
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty())
        return BadValue(name, "Expected an integer.");
      return json::value(n);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      double d = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty())
        return BadValue(name, "Expected a number.");
      return json::value(d);
    }
    case ShapeType::kTimestamp: {
      double secs;
      if (!ParseTimestamp(s, &secs)) return BadValue(name, "Expected a timestamp.");
      return json::value(secs);
    }
    case ShapeType::kBlob: {
      auto bytes = Base64Decode(s);
      if (!bytes) return BadValue(name, "Expected base64.");
      return json::value(json::string(*bytes));
    }
    default:
      return json::value(json::string(s));
  }
}

Result<Params> CollectParams(const http::Request& request) {
  Params params;
  auto add = [&](std::string_view text) -> bool {
    for (auto& [k, v] : http::ParseQuery(text, true)) {
      if (params.size() >= kMaxParams) return false;
      params[std::move(k)] = std::move(v);
    }
    return true;
  };
  if (!add(request.query)) return ApiError("MalformedQueryString", 400, "Too many parameters");
  std::string_view ct = request.Header("content-type");
  if (request.method == "POST" &&
      (ct.empty() || ct.find("application/x-www-form-urlencoded") != std::string_view::npos)) {
    if (!add(request.body)) return ApiError("MalformedQueryString", 400, "Too many parameters");
  }
  return params;
}

// SQS's model is JSON (awsQueryCompatible) and names no XML namespace; its query responses use
// the namespace of the 2012-11-05 query API.
std::string_view Namespace(const ServiceModel& model) {
  if (!model.xml_namespace.empty()) return model.xml_namespace;
  if (model.name == "sqs") return "http://queue.amazonaws.com/doc/2012-11-05/";
  return {};
}

class QueryCodec final : public Codec {
 public:
  Result<const Operation*> ResolveOperation(const ServiceModel& model,
                                            const http::Request& request) const override {
    // Only Action is needed here; DecodeInput parses every parameter once.
    std::string action = http::FormParameter(request, "Action");
    if (action.empty()) return ApiError("MissingAction", 400, "Missing Action");
    const Operation* op = model.FindOperation(action);
    if (!op)
      return ApiError("InvalidAction", 400,
                      "The action " + action + " is not valid for this web service.");
    return op;
  }

  Result<Document> DecodeInput(const ServiceModel&, const Operation& op,
                               const http::Request& request) const override {
    auto params = CollectParams(request);
    if (!params) return std::move(params).error();
    if (!op.input) return json::value(json::object());
    return DecodeStructure(*op.input, *params, "", 0);
  }

  void EncodeOutput(const ServiceModel& model, const Operation& op, Document& output,
                    std::string_view request_id, http::Response* response) const override {
    response->status = 200;
    response->SetHeader("content-type", "text/xml");
    response->SetHeader("x-amzn-RequestId", request_id);
    std::string& out = response->body;
    out.reserve(512);
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
    out += op.name;
    out += "Response xmlns=\"";
    out += Namespace(model);
    out += "\">";
    if (op.output) {
      std::string wrapper = op.result_wrapper.empty() ? op.name + "Result" : op.result_wrapper;
      out += '<' + wrapper + '>';
      AppendXmlMembers(&out, *op.output, output);
      out += "</" + wrapper + '>';
    }
    out += "<ResponseMetadata><RequestId>";
    out += request_id;
    out += "</RequestId></ResponseMetadata></";
    out += op.name;
    out += "Response>";
  }

  void EncodeError(const ServiceModel& model, const ApiError& error, std::string_view request_id,
                   http::Response* response) const override {
    response->status = error.http_status;
    response->SetHeader("content-type", "text/xml");
    response->SetHeader("x-amzn-RequestId", request_id);
    for (const auto& [k, v] : error.headers) response->SetHeader(k, v);
    std::string& out = response->body;
    out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"";
    out += Namespace(model);
    out += "\"><Error><Type>";
    out += error.sender_fault ? "Sender" : "Receiver";
    out += "</Type><Code>";
    out += XmlEscape(error.code);
    out += "</Code><Message>";
    out += XmlEscape(error.message);
    out += "</Message>";
    for (const auto& [k, v] : error.extra) {
      if (!v.is_string()) continue;
      out += "<" + std::string(k) + ">" + XmlEscape(v.get_string()) + "</" + std::string(k) + ">";
    }
    out += "</Error><RequestId>";
    out += request_id;
    out += "</RequestId></ErrorResponse>";
  }
};

}  // namespace

const Codec* QueryCodecInstance() {
  static const QueryCodec codec;
  return &codec;
}

}  // namespace nimbus::protocol
