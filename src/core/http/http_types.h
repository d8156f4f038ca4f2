#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/api_error.h"
#include "core/common/task.h"

namespace nimbus::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // names lowercase

// Request bodies are read whole into memory up to this size (ServerOptions::max_body_bytes);
// larger ones only by handlers that take a BodyStream (S3 PutObject and UploadPart).
inline constexpr uint64_t kMaxBodyBytes = 64ull << 20;

// A request body that the handler reads in pieces while it runs, instead of the server reading
// it whole first (Request::body_stream): large uploads are never whole in memory. A server sends
// `100 Continue` (when the client expects it) only on the first Read, so a handler that refuses
// the request without reading answers before the client sends the body; the connection is then
// closed. Valid only while the handler runs; one coroutine reads it at a time.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece of the body into `*chunk` (replacing its contents; at most about a MiB);
  // empty once the body has ended. False when the body cannot be read: the connection failed or
  // timed out, or the body is malformed or fails a check (error() then says what to answer).
  // After false or the end, every Read returns the same again.
  virtual Task<bool> Read(std::string* chunk) = 0;
  // The length the body will have, when known (Content-Length, x-amz-decoded-content-length).
  virtual std::optional<uint64_t> length() const = 0;
  // True once Read has returned the end.
  virtual bool done() const = 0;
  // Headers sent after the body (aws-chunked trailers, lowercase names); complete once done().
  virtual const HeaderList& trailers() const;
  // Why the last Read returned false, for the client; nullopt when the connection failed (no
  // answer can reach the client anyway) or nothing failed.
  const std::optional<ApiError>& error() const { return error_; }

 protected:
  std::optional<ApiError> error_;
};

// Reads all of `*stream` into `*out` (replacing it). false with `*too_large` when the body is
// longer than `limit` (checked against length() first, so nothing is read then); false without
// it when a Read failed.
Task<bool> ReadWholeBody(BodyStream* stream, uint64_t limit, std::string* out, bool* too_large);

// One HTTP request as the router sees it: no Beast types, so everything above core/http stays
// free of Beast headers.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target as sent ("/path?query")
  std::string path;    // raw (percent-encoded) path, without the query
  std::string query;   // raw query string without '?'
  HeaderList headers;  // in arrival order, names lowercased
  // The names of `headers` as the client wrote them, each followed by '\n' (filled by the
  // server; empty for requests built in-process). For the few answers that must echo a client's
  // header case (REST API proxy events).
  std::string header_names_as_sent;
  std::string body;
  // Set instead of `body` for bodies a server streams (ServerOptions::stream_body_bytes): the
  // handler reads them, or ReadWholeBody them into `body` first. Null for every other request.
  std::shared_ptr<BodyStream> body_stream;
  std::string remote_address;
  int http_version = 11;  // 10 or 11

  // First value of header `name` (lowercase), or empty.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The name of headers[i] as sent; the lowercase name when the case was not recorded.
  std::vector<std::string_view> HeaderNamesAsSent() const;
  // Host header without the port.
  std::string_view HostName() const;
};

// A response body the handler goes on producing after it returned the status and headers (a
// Lambda function's streamed answer): the server writes each piece as soon as Read yields it,
// with chunked transfer encoding (to an HTTP/1.0 client: until the connection closes). The
// server reads only after the previous piece is written, so a slow client slows the producer.
// Read and Abandon are called on the connection's thread; the producer may run on another.
class ResponseBodyStream {
 public:
  virtual ~ResponseBodyStream() = default;
  // The next piece into `*chunk` (replacing its contents); empty once the body has ended. False
  // when the source failed: the answer is cut short (no last chunk) and the connection closed.
  virtual Task<bool> Read(std::string* chunk) = 0;
  // The server will read no more (the client went away, a write failed or timed out, a HEAD
  // request): whoever produces the pieces must stop waiting for a reader. Called at most once,
  // never after Read returned the end or false.
  virtual void Abandon() {}
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
  // A body produced after the handler returned (see ResponseBodyStream), instead of `body`.
  std::shared_ptr<ResponseBodyStream> body_stream;
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
