#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // names lowercase

// One HTTP request as the router sees it: no Beast types, so everything above core/http stays
// free of Beast headers.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target as sent ("/path?query")
  std::string path;    // raw (percent-encoded) path, without the query
  std::string query;   // raw query string without '?'
  HeaderList headers;  // in arrival order, names lowercased
  std::string body;
  std::string remote_address;
  int http_version = 11;  // 10 or 11

  // First value of header `name` (lowercase), or empty.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // Host header without the port.
  std::string_view HostName() const;
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
  // A body produced in pieces instead of `body` (large S3 objects, so they are never whole in
  // memory): called for the next piece until it leaves `*chunk` empty; false when the source
  // failed (the answer is cut short and the connection closed). Sent with a Content-Length of
  // `body_source_length`, which the pieces must add up to.
  std::function<bool(std::string* chunk)> body_source;
  uint64_t body_source_length = 0;
  // Close the connection after this response (fatal framing errors, shutdown).
  bool close = false;

  void SetHeader(std::string_view name, std::string_view value);
  std::string_view Header(std::string_view name) const;
};

// Splits a raw query string into decoded (name, value) pairs in order. '+' is decoded as a space
// when `plus_as_space` (HTML forms). Malformed escapes are kept literally.
// The value of parameter `name` as the query protocol reads it: from the query string and, for
// POST bodies that are form-encoded (or carry no content type), from the body; the last
// occurrence wins. Empty when absent. Decodes only the matching value (no full parse).
std::string FormParameter(const Request& request, std::string_view name);

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query,
                                                            bool plus_as_space = true);

}  // namespace nimbus::http
