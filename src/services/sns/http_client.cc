// The HTTP client for HTTP subscriptions: core's asynchronous client, one connection per POST.
#include "services/sns/http_client.h"

#include "core/http/client.h"

namespace nimbus::sns {

Task<HttpPostResult> HttpPost(std::string url, http::HeaderList headers, std::string body,
                              std::chrono::seconds timeout) {
  http::OutgoingRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.timeout = timeout;
  request.max_response_bytes = 1 << 20;  // an endpoint's answer is only read for its status
  http::SendResult sent = co_await http::Send(std::move(request));
  HttpPostResult result;
  result.status = sent.status;
  result.error = std::move(sent.error);
  if (result.status == 0 && result.error.empty())
    result.error = sent.timed_out ? "timed out" : "no response";
  co_return result;
}

}  // namespace nimbus::sns
