#include "services/sqs/query_wire.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "core/common/encoding.h"
#include "services/sqs/errors.h"

namespace nimbus::sqs {

namespace {

using protocol::Member;
using protocol::Shape;
using protocol::ShapeType;
using Params = std::map<std::string, std::string, std::less<>>;

constexpr size_t kMaxParams = 5000;
constexpr std::string_view kNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

// The query wire name of a structure member (the 2012-11-05 API's locationName).
std::string WireName(const Member& m) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"Attributes", "Attribute"},
      {"tags", "Tag"},
      {"Tags", "Tag"},
      {"TagKeys", "TagKey"},
      {"AttributeNames", "AttributeName"},
      {"MessageSystemAttributeNames", "MessageSystemAttributeName"},
      {"MessageAttributeNames", "MessageAttributeName"},
      {"MessageAttributes", "MessageAttribute"},
      {"MessageSystemAttributes", "MessageSystemAttribute"},
      {"StringListValues", "StringListValue"},
      {"BinaryListValues", "BinaryListValue"},
      {"AWSAccountIds", "AWSAccountId"},
      {"Actions", "ActionName"},
      {"QueueUrls", "QueueUrl"},
      {"queueUrls", "QueueUrl"},
      {"Messages", "Message"},
      {"Failed", "BatchResultErrorEntry"},
      {"Results", "ListMessageMoveTasksResultEntry"},
  };
  auto it = kNames.find(m.name);
  if (it != kNames.end()) return it->second;
  // Batch entries are named after their structure: SendMessageBatchRequestEntry.1.Id.
  if ((m.name == "Entries" || m.name == "Successful") && m.shape &&
      m.shape->type == ShapeType::kList && m.shape->member.shape)
    return m.shape->member.shape->name;
  return m.name;
}

std::string_view MapKeyName(const Shape& map) {
  return map.name == "TagMap" ? std::string_view("Key") : std::string_view("Name");
}

bool HasPrefix(const Params& params, const std::string& prefix) {
  auto it = params.lower_bound(prefix);
  if (it == params.end()) return false;
  const std::string& k = it->first;
  return k == prefix || (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0 &&
                         k[prefix.size()] == '.');
}

ApiError BadValue(const std::string& name, const std::string& value) {
  return InvalidParameterValue("Value " + value + " for parameter " + name + " is invalid.");
}

Result<json::value> Decode(const Shape& shape, const Params& params, const std::string& name,
                           int depth);

Result<json::value> DecodeStructure(const Shape& shape, const Params& params,
                                    const std::string& prefix, int depth) {
  json::object out;
  for (const auto& m : shape.members) {
    if (!m.shape) continue;
    std::string key = prefix.empty() ? WireName(m) : prefix + "." + WireName(m);
    if (!HasPrefix(params, key)) continue;
    auto v = Decode(*m.shape, params, key, depth + 1);
    if (!v) return std::move(v).error();
    if (!v->is_null()) out[m.name] = std::move(*v);
  }
  return json::value(std::move(out));
}

Result<json::value> Decode(const Shape& shape, const Params& params, const std::string& name,
                           int depth) {
  if (depth > 8) return InvalidParameterValue("Nesting too deep.");
  switch (shape.type) {
    case ShapeType::kStructure:
      return DecodeStructure(shape, params, name, depth);
    case ShapeType::kList: {
      json::array out;
      if (!shape.member.shape) return json::value(std::move(out));
      for (int i = 1; i <= 1000; ++i) {
        std::string key = name + "." + std::to_string(i);
        if (!HasPrefix(params, key)) break;
        auto v = Decode(*shape.member.shape, params, key, depth + 1);
        if (!v) return std::move(v).error();
        out.push_back(std::move(*v));
      }
      return json::value(std::move(out));
    }
    case ShapeType::kMap: {
      json::object out;
      std::string_view kn = MapKeyName(shape);
      for (int i = 1; i <= 1000; ++i) {
        std::string entry = name + "." + std::to_string(i);
        if (!HasPrefix(params, entry)) break;
        auto k = params.find(entry + "." + std::string(kn));
        if (k == params.end()) return MissingParameter(entry + "." + std::string(kn));
        json::value v;
        std::string vk = entry + ".Value";
        if (shape.value.shape && HasPrefix(params, vk)) {
          auto dv = Decode(*shape.value.shape, params, vk, depth + 1);
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
      return BadValue(name, s);
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return BadValue(name, s);
      return json::value(n);
    }
    case ShapeType::kBlob: {
      auto bytes = Base64Decode(s);
      if (!bytes) return BadValue(name, s);
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
  bool ok = add(request.query);
  std::string_view ct = request.Header("content-type");
  if (ok && request.method == "POST" &&
      (ct.empty() || ct.find("application/x-www-form-urlencoded") != std::string_view::npos))
    ok = add(request.body);
  if (!ok) return ApiError("MalformedQueryString", 400, "Too many parameters");
  return params;
}

// "/<12 digits>/<name>": a request addressed to a queue by its URL path.
bool IsQueuePath(std::string_view path) {
  if (path.size() < 15 || path[0] != '/' || path[13] != '/') return false;
  for (size_t i = 1; i < 13; ++i)
    if (path[i] < '0' || path[i] > '9') return false;
  return path.find('/', 14) == std::string_view::npos;
}

void AppendValue(std::string* out, const Shape& shape, const json::value& v);

void AppendElement(std::string* out, std::string_view name, const Shape& shape,
                   const json::value& v) {
  *out += '<';
  *out += name;
  *out += '>';
  AppendValue(out, shape, v);
  *out += "</";
  *out += name;
  *out += '>';
}

void AppendMembers(std::string* out, const Shape& shape, const json::value& v) {
  if (!v.is_object()) return;
  const auto& o = v.get_object();
  for (const auto& m : shape.members) {
    auto* mv = o.if_contains(m.name);
    if (!mv || mv->is_null() || !m.shape) continue;
    std::string wire = WireName(m);
    const Shape& s = *m.shape;
    if (s.type == ShapeType::kList) {
      if (!mv->is_array() || !s.member.shape) continue;
      for (const auto& e : mv->get_array()) AppendElement(out, wire, *s.member.shape, e);
    } else if (s.type == ShapeType::kMap) {
      if (!mv->is_object() || !s.value.shape) continue;
      std::string_view kn = MapKeyName(s);
      for (const auto& [k, e] : mv->get_object()) {
        *out += '<' + wire + "><";
        *out += kn;
        *out += '>';
        *out += XmlEscape(k);
        *out += "</";
        *out += kn;
        *out += '>';
        AppendElement(out, "Value", *s.value.shape, e);
        *out += "</" + wire + '>';
      }
    } else {
      AppendElement(out, wire, s, *mv);
    }
  }
}

void AppendValue(std::string* out, const Shape& shape, const json::value& v) {
  switch (shape.type) {
    case ShapeType::kStructure:
      AppendMembers(out, shape, v);
      return;
    case ShapeType::kBoolean:
      *out += v.is_bool() && v.get_bool() ? "true" : "false";
      return;
    case ShapeType::kBlob:
      if (v.is_string()) *out += Base64Encode(v.get_string());
      return;
    default:
      if (v.is_string())
        *out += XmlEscape(v.get_string());
      else if (v.is_int64())
        *out += std::to_string(v.get_int64());
      else if (v.is_uint64())
        *out += std::to_string(v.get_uint64());
      else if (v.is_double())
        *out += std::to_string(static_cast<int64_t>(v.get_double()));
  }
}

class QueryCodec final : public protocol::Codec {
 public:
  Result<const protocol::Operation*> ResolveOperation(const protocol::ServiceModel& model,
                                                      const http::Request& request) const override {
    auto params = CollectParams(request);
    if (!params) return std::move(params).error();
    auto it = params->find("Action");
    if (it == params->end() || it->second.empty())
      return ApiError("MissingAction", 400, "Missing Action");
    const protocol::Operation* op = model.FindOperation(it->second);
    if (!op)
      return ApiError("InvalidAction", 400,
                      "The action " + it->second + " is not valid for this web service.");
    return op;
  }

  Result<Document> DecodeInput(const protocol::ServiceModel&, const protocol::Operation& op,
                               const http::Request& request) const override {
    auto params = CollectParams(request);
    if (!params) return std::move(params).error();
    if (!op.input) return json::value(json::object());
    auto doc = DecodeStructure(*op.input, *params, "", 0);
    if (!doc) return doc;
    auto& o = doc->as_object();
    if (op.input->FindMember("QueueUrl") && !o.contains("QueueUrl") && IsQueuePath(request.path)) {
      std::string_view host = request.Header("host");
      o["QueueUrl"] = "http://" + std::string(host.empty() ? "localhost" : host) + request.path;
    }
    return doc;
  }

  void EncodeOutput(const protocol::ServiceModel&, const protocol::Operation& op, Document& output,
                    std::string_view request_id, http::Response* response) const override {
    response->status = 200;
    response->SetHeader("content-type", "text/xml");
    response->SetHeader("x-amzn-RequestId", request_id);
    std::string& out = response->body;
    out.reserve(512);
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
    out += op.name;
    out += "Response xmlns=\"";
    out += kNamespace;
    out += "\">";
    if (op.output) {
      out += '<' + op.name + "Result>";
      AppendMembers(&out, *op.output, output);
      out += "</" + op.name + "Result>";
    }
    out += "<ResponseMetadata><RequestId>";
    out += request_id;
    out += "</RequestId></ResponseMetadata></";
    out += op.name;
    out += "Response>";
  }

  void EncodeError(const protocol::ServiceModel&, const ApiError& error,
                   std::string_view request_id, http::Response* response) const override {
    response->status = error.http_status;
    response->SetHeader("content-type", "text/xml");
    response->SetHeader("x-amzn-RequestId", request_id);
    for (const auto& [k, v] : error.headers)
      if (k != kQueryErrorHeader) response->SetHeader(k, v);
    std::string& out = response->body;
    out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"";
    out += kNamespace;
    out += "\"><Error><Type>";
    out += error.sender_fault ? "Sender" : "Receiver";
    out += "</Type><Code>";
    out += XmlEscape(LegacyCode(error));
    out += "</Code><Message>";
    out += XmlEscape(error.message);
    out += "</Message><Detail/></Error><RequestId>";
    out += request_id;
    out += "</RequestId></ErrorResponse>";
  }
};

}  // namespace

const protocol::Codec* SqsQueryCodec() {
  static const QueryCodec codec;
  return &codec;
}

}  // namespace nimbus::sqs
