#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nimbus::protocol {

// An AWS service model (botocore's service-2.json, trimmed; see tools/trim_models.py), loaded
// from the copy embedded in the binary. Immutable after loading; safe to share across threads.

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
};

enum class Location { kBody, kHeader, kHeaders, kQuery, kUri, kStatusCode };

struct Shape;

struct Member {
  std::string name;                 // member name in the model (the document key)
  const Shape* shape = nullptr;
  Location location = Location::kBody;
  std::string location_name;        // wire name (header, query key, URI label, JSON/XML/query name)
  bool flattened = false;           // XML/query: list or map without a wrapper element
  bool xml_attribute = false;
  std::string xml_namespace;        // xmlNamespace.uri on the member
  std::string xml_namespace_prefix; // xmlNamespace.prefix (e.g. "xsi")
  bool required = false;
  bool idempotency_token = false;
  bool json_value = false;          // header carrying base64 JSON
  bool host_label = false;
  bool streaming = false;           // blob payload streamed as the raw HTTP body
  std::string timestamp_format;     // "iso8601", "unixTimestamp", "rfc822" when set

  // Name used on the wire: location_name when set, else name.
  const std::string& WireName() const { return location_name.empty() ? name : location_name; }
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  std::vector<Member> members;                     // structure members, model order
  std::unordered_map<std::string, size_t> member_index;
  std::vector<std::string> required;               // structure: required member names
  Member member;                                   // list element
  Member key, value;                               // map key / value
  bool flattened = false;
  std::vector<std::string> enum_values;
  std::optional<double> min, max;
  std::string timestamp_format;
  std::string payload;                             // structure: member bound to the HTTP body
  std::string location_name;                       // XML root element name (structures)
  std::string xml_namespace;
  std::string xml_namespace_prefix;                // xmlNamespace.prefix (S3 Grantee: "xsi")
  bool streaming = false;
  bool event_stream = false;
  bool is_union = false;
  bool document = false;                           // free-form JSON document
  // Exceptions: error code (from `error.code` or the shape name), status, fault.
  bool exception = false;
  std::string error_code;
  int http_status = 400;
  bool sender_fault = true;
  // True when a blob, a timestamp or a renamed member (locationName) appears anywhere below:
  // JSON codecs must transform between wire and document form.
  bool has_special = false;

  const Member* FindMember(std::string_view n) const;
};

struct UriSegment {
  bool label = false;     // "{Key}" or "{Key+}"
  bool greedy = false;    // "{Key+}"
  std::string text;       // literal text or label name
};

struct Operation {
  std::string name;
  std::string method = "POST";
  std::string request_uri = "/";
  int response_code = 200;
  const Shape* input = nullptr;
  const Shape* output = nullptr;
  std::string result_wrapper;        // query protocol: <OperationResult> element
  std::string input_location_name;   // rest-xml: root element of the request body
  std::string input_xml_namespace;
  std::vector<const Shape*> errors;
  // Parsed request_uri: path segments (split on '/') and literal query parameters ("?uploads",
  // "?x-id=GetObject", "?list-type=2").
  std::vector<UriSegment> path_segments;
  std::vector<std::pair<std::string, std::string>> uri_query;
  bool path_has_trailing_slash = false;
};

struct ServiceModel {
  std::string name;  // file name: "dynamodb", "cognito-idp"
  std::string protocol;
  std::string json_version;
  std::string target_prefix;
  std::string signing_name;
  std::string endpoint_prefix;
  std::string xml_namespace;
  std::string api_version;
  std::string service_id;
  bool aws_query_compatible = false;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes;
  std::map<std::string, Operation> operations;

  const Operation* FindOperation(std::string_view name) const;
  const Shape* FindShape(std::string_view name) const;
};

// The model for `name` (embedded file name without .json), parsed on first use and cached for
// the life of the process. Null when no such model is embedded. Thread-safe.
const ServiceModel* GetModel(std::string_view name);

// What routing and health need from a model, read from the small embedded index (no model is
// parsed). Null when `name` is not embedded. Thread-safe.
struct ServiceMetadata {
  std::string protocol;
  std::string json_version;
  std::string target_prefix;
  std::string signing_name;
  std::string endpoint_prefix;
  std::string api_version;
  bool aws_query_compatible = false;
  size_t operation_count = 0;
};
const ServiceMetadata* GetMetadata(std::string_view name);

// Names of all embedded models.
std::vector<std::string> ModelNames();

}  // namespace nimbus::protocol
