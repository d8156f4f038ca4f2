#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/common/task.h"
#include "core/http/http_types.h"

namespace nimbus::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// A blocking HTTP/1.1 request to host:port (for the CLI's `nimbus status` and `nimbus state`;
// never used on a server thread). The response body has no size limit. Nullopt with `*error`
// set when the server cannot be reached in `timeout_ms`.
std::optional<ClientResponse> Fetch(const std::string& host, uint16_t port,
                                    const std::string& method, const std::string& target,
                                    const std::string& body, int timeout_ms, std::string* error);

// One outgoing request for Send: an absolute http:// or https:// URL
// ("https://host[:port][/path][?query]").
struct OutgoingRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;  // sent as given; Host is set from the URL unless present
  std::string body;
  std::chrono::milliseconds timeout{30000};  // for the whole exchange
  uint64_t max_response_bytes = 10ull << 20;
};

struct SendResult {
  int status = 0;      // 0 when no response arrived (then `error` says why)
  HeaderList headers;  // names lowercased
  std::string body;
  bool timed_out = false;
  std::string error;
};

// Sends `request` on the calling coroutine's executor, one connection per request, never
// blocking a thread and never throwing. https:// speaks TLS 1.2 or newer with SNI and checks
// the server's certificate chain against the system trust store (OpenSSL's default paths, so
// SSL_CERT_FILE / SSL_CERT_DIR apply) and its name against the URL's host; a certificate that
// fails is an error result (status 0, `error` says why) like an unreachable server. The
// timeout covers connect, handshake and exchange.
Task<SendResult> Send(OutgoingRequest request);

// Splits "http[s]://host[:port][/path[?query]]" (IPv6 hosts in brackets; the port defaults to
// 80 or 443). False when it is not one. `host_header` is the authority as written.
struct HttpUrl {
  std::string host, port, host_header, target;
  bool tls = false;  // https
};
bool ParseHttpUrl(std::string_view url, HttpUrl* out);

}  // namespace nimbus::http
