// The HTTP client for HTTP subscriptions: Beast, asynchronous, one connection per POST.
#include "services/sns/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace nimbus::sns {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Target {
  std::string host, port, host_header, path;
};

// "http://host[:port][/path[?query]]"; IPv6 hosts in brackets.
bool ParseHttpUrl(std::string_view url, Target* out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  url.remove_prefix(kScheme.size());
  auto slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  out->path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (!out->path.empty() && out->path[0] == '?') out->path = "/" + out->path;
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  out->host_header = std::string(authority);
  if (authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    out->host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    out->port = rest.size() > 1 && rest[0] == ':' ? std::string(rest.substr(1)) : "80";
  } else {
    auto colon = authority.rfind(':');
    out->host = std::string(authority.substr(0, colon));
    out->port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  return !out->host.empty() && !out->port.empty();
}

}  // namespace

Task<HttpPostResult> HttpPost(std::string url, http::HeaderList headers, std::string body,
                              std::chrono::seconds timeout) {
  HttpPostResult result;
  Target target;
  if (!ParseHttpUrl(url, &target)) {
    result.error = "not an http:// URL";
    co_return result;
  }
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
      target.host, target.port, asio::as_tuple(asio::use_awaitable));
  if (resolve_ec) {
    result.error = resolve_ec.message();
    co_return result;
  }
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  auto [connect_ec, endpoint] =
      co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) {
    result.error = connect_ec.message();
    co_return result;
  }
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, target.path, 11};
  request.set(bhttp::field::host, target.host_header);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  auto [write_ec, written] =
      co_await bhttp::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  if (write_ec) {
    result.error = write_ec.message();
    co_return result;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1 << 20);
  auto [read_ec, read] =
      co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (read_ec) {
    result.error = read_ec.message();
    co_return result;
  }
  result.status = parser.get().result_int();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace nimbus::sns
