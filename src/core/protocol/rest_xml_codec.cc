// The "rest-xml" protocol (S3, CloudFront): the operation is named by method + URI, members
// travel in the URI, query string, headers and an XML body (or a raw payload). Errors: S3's bare
// <Error> with x-amz-request-id / x-amz-id-2, and <ErrorResponse><Error> for other services, the
// two forms botocore's RestXMLParser._parse_error_from_body accepts.
#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/protocol/codec.h"
#include "core/protocol/rest_binding.h"
#include "core/protocol/rest_xml_reader.h"
#include "core/protocol/xml_writer.h"

namespace nimbus::protocol {

namespace {

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr std::string_view kXmlType = "application/xml";

// S3's output shapes name no root element; these are the ones S3 answers with (S3 API
// reference, "Response Syntax" of each operation). botocore ignores the root name; the JS SDK
// v3 takes the root's children whatever it is called.
constexpr std::pair<std::string_view, std::string_view> kS3Roots[] = {
    {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
    {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
    {"CreateSession", "CreateSessionResult"},
    {"DeleteObjects", "DeleteResult"},
    {"GetBucketAccelerateConfiguration", "AccelerateConfiguration"},
    {"GetBucketAcl", "AccessControlPolicy"},
    {"GetBucketCors", "CORSConfiguration"},
    {"GetBucketLifecycle", "LifecycleConfiguration"},
    {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
    {"GetBucketLocation", "LocationConstraint"},
    {"GetBucketLogging", "BucketLoggingStatus"},
    {"GetBucketNotification", "NotificationConfiguration"},
    {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
    {"GetBucketRequestPayment", "RequestPaymentConfiguration"},
    {"GetBucketTagging", "Tagging"},
    {"GetBucketVersioning", "VersioningConfiguration"},
    {"GetBucketWebsite", "WebsiteConfiguration"},
    {"GetObjectAcl", "AccessControlPolicy"},
    {"GetObjectAttributes", "GetObjectAttributesResponse"},
    {"GetObjectTagging", "Tagging"},
    {"ListBucketAnalyticsConfigurations", "ListBucketAnalyticsConfigurationResult"},
    {"ListBucketIntelligentTieringConfigurations",
     "ListBucketIntelligentTieringConfigurationsOutput"},
    {"ListBucketInventoryConfigurations", "ListInventoryConfigurationsResult"},
    {"ListBucketMetricsConfigurations", "ListMetricsConfigurationsResult"},
    {"ListBuckets", "ListAllMyBucketsResult"},
    {"ListDirectoryBuckets", "ListAllMyDirectoryBucketsResult"},
    {"ListMultipartUploads", "ListMultipartUploadsResult"},
    {"ListObjectVersions", "ListVersionsResult"},
    {"ListObjects", "ListBucketResult"},
    {"ListObjectsV2", "ListBucketResult"},
    {"ListParts", "ListPartsResult"},
};

std::string_view RootName(const ServiceModel& model, const Operation& op) {
  if (model.name == "s3")
    for (const auto& [name, root] : kS3Roots)
      if (op.name == name) return root;
  return op.output->location_name.empty() ? std::string_view(op.output->name)
                                          : std::string_view(op.output->location_name);
}

// The default namespace of response roots: "http://s3.amazonaws.com/doc/2006-03-01/",
// "http://cloudfront.amazonaws.com/doc/2020-05-31/".
std::string Namespace(const ServiceModel& model) {
  if (!model.xml_namespace.empty()) return model.xml_namespace;
  return "http://" + model.endpoint_prefix + ".amazonaws.com/doc/" + model.api_version + "/";
}

bool IsS3(const ServiceModel& model) { return model.name == "s3"; }

void SetRequestIdHeaders(const ServiceModel& model, std::string_view request_id,
                         http::Response* response) {
  if (IsS3(model)) {
    response->SetHeader("x-amz-request-id", request_id);
    response->SetHeader("x-amz-id-2", Base64Encode(Sha256(request_id)));
  } else {
    response->SetHeader("x-amzn-RequestId", request_id);
  }
}

// A root element: attributes from xmlAttribute members, then the body members.
void AppendRoot(std::string* out, std::string_view name, const Shape& shape, const json::value& v,
                std::string_view xmlns) {
  if (shape.type != ShapeType::kStructure) {
    AppendXmlElement(out, name, shape, v, xmlns);
    return;
  }
  *out += '<';
  *out += name;
  if (!xmlns.empty()) {
    *out += " xmlns=\"";
    *out += XmlEscape(xmlns);
    *out += '"';
  }
  if (v.is_object()) {
    for (const auto& m : shape.members) {
      if (!m.xml_attribute) continue;
      auto* av = v.get_object().if_contains(m.name);
      if (!av || !av->is_string()) continue;
      *out += ' ';
      *out += m.WireName();
      *out += "=\"";
      *out += XmlEscape(av->get_string());
      *out += '"';
    }
  }
  *out += '>';
  AppendXmlMembers(out, shape, v);
  *out += "</";
  *out += name;
  *out += '>';
}

bool IsXmlName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

// ApiError.extra scalars as child elements of <Error> (S3 <Key>, <BucketName>, <Condition>...).
void AppendExtra(std::string* out, const json::object& extra) {
  for (const auto& [k, v] : extra) {
    if (!IsXmlName(k)) continue;
    std::string text;
    if (v.is_string())
      text = XmlEscape(v.get_string());
    else if (v.is_int64())
      text = std::to_string(v.get_int64());
    else if (v.is_uint64())
      text = std::to_string(v.get_uint64());
    else if (v.is_bool())
      text = v.get_bool() ? "true" : "false";
    else if (v.is_double())
      text = json::serialize(v);
    else
      continue;
    *out += '<';
    *out += k;
    *out += '>';
    *out += text;
    *out += "</";
    *out += k;
    *out += '>';
  }
}

// What S3 names in MethodNotAllowed: the service, a bucket or an object.
std::string_view ResourceType(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return "SERVICE";
  auto slash = path.find('/');
  return slash == std::string_view::npos || slash + 1 == path.size() ? "BUCKET" : "OBJECT";
}

class RestXmlCodec final : public Codec {
 public:
  Result<const Operation*> ResolveOperation(const ServiceModel& model,
                                            const http::Request& request) const override {
    std::string path = rest::EffectivePath(model, request);
    auto query = http::ParseQuery(request.query, true);
    auto match = rest::RestIndex::For(model).Resolve(request.method, path, query, request.headers);
    if (match.op) return match.op;
    if (match.other_method) {
      ApiError err("MethodNotAllowed", 405,
                   "The specified method is not allowed against this resource.");
      err.extra["Method"] = request.method;
      err.extra["ResourceType"] = ResourceType(path);
      return err;
    }
    return ApiError("NotImplemented", 501,
                    "A header you provided implies functionality that is not implemented.", false);
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
          return ApiError("MalformedXML", 400, "The request body is not valid UTF-8");
        if (!request.body.empty() || b.payload->streaming || ps.streaming)
          doc[b.payload->name] = json::string(request.body);
      } else if (!rest::IsBlank(request.body)) {
        auto v = ReadXmlBody(request.body, ps);
        if (!v) return std::move(v).error();
        doc[b.payload->name] = std::move(*v);
      }
    } else if (!b.body.empty() && !rest::IsBlank(request.body)) {
      // No payload member: the body is an element (the input's locationName) holding the body
      // members; the reader looks only at those.
      auto v = ReadXmlBody(request.body, *op.input);
      if (!v) return std::move(v).error();
      if (v->is_object())
        for (auto& [k, mv] : v->get_object()) doc[k] = std::move(mv);
    }
    auto query = http::ParseQuery(request.query, true);
    auto st = rest::DecodeHttpBindings(model, op, b, request, rest::EffectivePath(model, request),
                                       query, &doc);
    if (!st) return std::move(st).error();
    return json::value(std::move(doc));
  }

  void EncodeOutput(const ServiceModel& model, const Operation& op, Document& output,
                    std::string_view request_id, http::Response* response) const override {
    SetRequestIdHeaders(model, request_id, response);
    if (!output.is_object()) output = json::object();
    const rest::Bindings& b = rest::RestIndex::For(model).BindingsFor(op.output);
    json::object body = rest::EncodeHttpBindings(op, b, output.get_object(), response);
    if (!op.output) return;
    std::string& out = response->body;
    if (b.payload) {
      const Shape& ps = *b.payload->shape;
      json::value* v = body.if_contains(b.payload->name);
      if (!v) return;
      if (ps.type == ShapeType::kBlob || ps.type == ShapeType::kString) {
        if (v->is_string()) out = std::string(v->get_string());
        if (!rest::HasHeader(*response, "content-type"))
          response->SetHeader("content-type", ps.type == ShapeType::kBlob
                                                  ? "application/octet-stream"
                                                  : "text/plain; charset=utf-8");
        return;
      }
      const std::string& root =
          b.payload->location_name.empty() ? ps.name : b.payload->location_name;
      std::string xmlns =
          b.payload->xml_namespace.empty() ? Namespace(model) : b.payload->xml_namespace;
      out = kXmlDeclaration;
      AppendRoot(&out, root, ps, *v, xmlns);
      response->SetHeader("content-type", kXmlType);
      return;
    }
    if (b.body.empty()) return;
    std::string_view root = RootName(model, op);
    out = kXmlDeclaration;
    if (IsS3(model) && op.name == "GetBucketLocation") {
      // The one S3 answer whose root is the value itself:
      // <LocationConstraint xmlns="...">eu-west-1</LocationConstraint> (empty for us-east-1).
      out += "<LocationConstraint xmlns=\"" + Namespace(model) + "\">";
      if (auto* v = body.if_contains("LocationConstraint"); v && v->is_string())
        out += XmlEscape(v->get_string());
      out += "</LocationConstraint>";
    } else {
      AppendRoot(&out, root, *op.output, json::value(std::move(body)), Namespace(model));
    }
    response->SetHeader("content-type", kXmlType);
  }

  void EncodeError(const ServiceModel& model, const ApiError& error, std::string_view request_id,
                   http::Response* response) const override {
    response->status = error.http_status;
    response->SetHeader("content-type", kXmlType);
    SetRequestIdHeaders(model, request_id, response);
    for (const auto& [k, v] : error.headers) response->SetHeader(k, v);
    std::string& out = response->body;
    out = kXmlDeclaration;
    if (IsS3(model)) {
      out += "<Error><Code>";
      out += XmlEscape(error.code);
      out += "</Code><Message>";
      out += XmlEscape(error.message);
      out += "</Message>";
      AppendExtra(&out, error.extra);
      out += "<RequestId>";
      out += XmlEscape(request_id);
      out += "</RequestId><HostId>";
      out += Base64Encode(Sha256(request_id));
      out += "</HostId></Error>";
      return;
    }
    out += "<ErrorResponse xmlns=\"" + Namespace(model) + "\"><Error><Type>";
    out += error.sender_fault ? "Sender" : "Receiver";
    out += "</Type><Code>";
    out += XmlEscape(error.code);
    out += "</Code><Message>";
    out += XmlEscape(error.message);
    out += "</Message>";
    AppendExtra(&out, error.extra);
    out += "</Error><RequestId>";
    out += XmlEscape(request_id);
    out += "</RequestId></ErrorResponse>";
  }
};

}  // namespace

const Codec* RestXmlCodecInstance() {
  static const RestXmlCodec codec;
  return &codec;
}

}  // namespace nimbus::protocol
