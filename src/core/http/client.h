#pragma once

#include <optional>
#include <string>

namespace nimbus::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// A blocking HTTP/1.1 request to host:port (for the CLI's `nimbus status` and `nimbus state`;
// never used on a server thread). The response body has no size limit. Nullopt with `*error` set when the server cannot be reached in `timeout_ms`.
std::optional<ClientResponse> Fetch(const std::string& host, uint16_t port,
                                    const std::string& method, const std::string& target,
                                    const std::string& body, int timeout_ms, std::string* error);

}  // namespace nimbus::http
