#include "core/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

}  // namespace nimbus::http
