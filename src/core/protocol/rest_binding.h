#pragma once

// HTTP bindings shared by the rest-json and rest-xml codecs: which operation a method and URI
// name, and the members a request or response carries in the URI, the query string, headers and
// the status code (botocore serialize.py BaseRestSerializer / parsers.py BaseRestParser).

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/http/http_types.h"
#include "core/protocol/model.h"

namespace nimbus::protocol::rest {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// How a structure shape is spread over an HTTP message.
struct Bindings {
  const Member* payload = nullptr;      // the member named by the shape's `payload`
  const Member* status_code = nullptr;  // location "statusCode"
  const Member* query_map = nullptr;    // querystring map: takes the unbound parameters
  std::vector<const Member*> uri, query, header, header_prefix, body;  // body: no location
  std::unordered_map<std::string, const Member*> query_by_name;        // wire name
  std::unordered_map<std::string, const Member*> header_by_name;       // lowercase header name
};

// The operations of one model indexed by method and path, with the bindings of every operation
// input and output shape. Built once per model on first use and kept for the life of the process
// (keyed by the model's address: models are never freed). Thread-safe.
class RestIndex {
 public:
  static const RestIndex& For(const ServiceModel& model);

  struct Match {
    const Operation* op = nullptr;
    bool other_method = false;  // no match, but the path names an operation of another method
  };
  // The most specific operation for `method` and raw `path` whose literal query keys are all in
  // `query`: an `x-id` naming the operation first, then more literal query keys, all required
  // query/header members present, more literal path segments, more required query/header members
  // present, fewer greedy labels, more request parameters the operation declares.
  Match Resolve(std::string_view method, std::string_view path, const QueryParams& query,
                const http::HeaderList& headers) const;

  // Bindings of an operation input or output shape; empty bindings for any other shape.
  const Bindings& BindingsFor(const Shape* shape) const;

  struct Route;
  struct MethodRoutes;
  explicit RestIndex(const ServiceModel& model);
  ~RestIndex();

 private:
  std::vector<Route> routes_;
  std::unordered_map<std::string, std::unique_ptr<MethodRoutes>> by_method_;
  std::unordered_map<const Shape*, Bindings> bindings_;
};

// The request path as the model's URI templates see it: for model "s3", a virtual-hosted request
// (Host "<bucket>.s3.<anything>") gets "/<bucket>" put in front. Percent-encoding is kept.
std::string EffectivePath(const ServiceModel& model, const http::Request& request);

// Matches raw `path` against the segments of a request URI template. On success `labels` (if
// given) holds the raw text of each label segment, in template order. A greedy label takes the
// rest of the path, slashes included, and must not be empty; one trailing slash is tolerated.
bool MatchPath(const std::vector<UriSegment>& segments, std::string_view path,
               std::vector<std::string_view>* labels);

// The error for a URI, query or header value that does not parse as its member's type (or is not
// UTF-8): the model's own parameter error when it declares one (InvalidArgument,
// InvalidParameterValueException, BadRequestException, ValidationException), else
// SerializationException; always 400.
ApiError BadParameter(const ServiceModel& model, std::string message);

// Adds to `out` the members of `op.input` carried by the URI labels of `path` (percent-decoded),
// the query string, headers and prefixed headers (`x-amz-meta-*`). Values are converted to the
// document form of their shape; a value that does not parse answers BadParameter.
Status DecodeHttpBindings(const ServiceModel& model, const Operation& op, const Bindings& bindings,
                          const http::Request& request, std::string_view path,
                          const QueryParams& query, json::object* out);

// Writes the header, prefixed-header and statusCode members of `output` to `response` (status is
// `op.response_code` unless a statusCode member holds a valid status) and moves the body members
// (location-less, payload included) into the returned object, dropping anything else.
json::object EncodeHttpBindings(const Operation& op, const Bindings& bindings, json::object& output,
                                http::Response* response);

// Converts header/query/URI text to the document form of `shape` (numbers, booleans, timestamps,
// base64 blobs, lists split on commas for headers); false when it does not parse.
bool TextToValue(const Shape& shape, std::string_view text, bool json_value, json::value* out);

// True when `body` holds nothing but whitespace.
bool IsBlank(std::string_view body);

// True when the response already has header `name` (case-insensitive).
bool HasHeader(const http::Response& response, std::string_view name);

}  // namespace nimbus::protocol::rest
