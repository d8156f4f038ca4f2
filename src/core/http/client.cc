#include "core/http/client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::optional<ClientResponse> Fetch(const std::string& host, uint16_t port,
                                    const std::string& method, const std::string& target,
                                    const std::string& body, int timeout_ms, std::string* error) {
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) {
    *error = "cannot resolve " + host + ": " + ec.message();
    return std::nullopt;
  }
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  stream.connect(endpoints, ec);
  if (ec) {
    *error = "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message();
    return std::nullopt;
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, host + ":" + std::to_string(port));
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // state archives can be large
  if (!ec) bhttp::read(stream, buffer, parser, ec);
  if (ec) {
    *error = "request to " + host + ":" + std::to_string(port) + " failed: " + ec.message();
    return std::nullopt;
  }
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  auto res = parser.release();
  return ClientResponse{static_cast<int>(res.result_int()), std::move(res.body())};
}

bool ParseHttpUrl(std::string_view url, HttpUrl* out) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(url[i])) != kScheme[i]) return false;
  url.remove_prefix(kScheme.size());
  auto slash = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (auto hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  if (target.empty() || target[0] != '/') target = "/" + target;
  out->target = std::move(target);
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

Task<SendResult> Send(OutgoingRequest request) {
  SendResult result;
  HttpUrl target;
  if (!ParseHttpUrl(request.url, &target)) {
    result.error = "not an http:// URL: " + request.url;
    co_return result;
  }
  auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    result.error = "unknown method " + request.method;
    co_return result;
  }
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
      target.host, target.port, asio::as_tuple(asio::use_awaitable));
  if (resolve_ec) {
    result.error = "cannot resolve " + target.host + ": " + resolve_ec.message();
    co_return result;
  }
  beast::tcp_stream stream(executor);
  stream.expires_after(request.timeout);
  auto [connect_ec, endpoint] =
      co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) {
    result.timed_out = connect_ec == beast::error::timeout;
    result.error = "cannot connect to " + target.host_header + ": " + connect_ec.message();
    co_return result;
  }
  bhttp::request<bhttp::string_body> req{verb, target.target, 11};
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    if (name == "host") has_host = true;
    req.insert(name, value);
  }
  if (!has_host) req.set(bhttp::field::host, target.host_header);
  req.body() = std::move(request.body);
  req.prepare_payload();
  auto [write_ec, written] =
      co_await bhttp::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
  if (write_ec) {
    result.timed_out = write_ec == beast::error::timeout;
    result.error = "request to " + target.host_header + " failed: " + write_ec.message();
    co_return result;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(request.max_response_bytes);
  if (verb == bhttp::verb::head) parser.skip(true);
  auto [read_ec, read] =
      co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (read_ec) {
    result.timed_out = read_ec == beast::error::timeout;
    result.error = "response from " + target.host_header + " failed: " + read_ec.message();
    co_return result;
  }
  auto& res = parser.get();
  result.status = res.result_int();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  result.body = std::move(res.body());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace nimbus::http
