#include "core/http/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;

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
  auto has_scheme = [&](std::string_view scheme) {
    if (url.size() < scheme.size()) return false;
    for (size_t i = 0; i < scheme.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
    return true;
  };
  if (has_scheme("https://")) {
    out->tls = true;
    url.remove_prefix(8);
  } else if (has_scheme("http://")) {
    out->tls = false;
    url.remove_prefix(7);
  } else {
    return false;
  }
  const char* default_port = out->tls ? "443" : "80";
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
    out->port = rest.size() > 1 && rest[0] == ':' ? std::string(rest.substr(1)) : default_port;
  } else {
    auto colon = authority.rfind(':');
    out->host = std::string(authority.substr(0, colon));
    out->port =
        colon == std::string_view::npos ? default_port : std::string(authority.substr(colon + 1));
  }
  return !out->host.empty() && !out->port.empty();
}

namespace {

// One client context for the process, built on first use: the system trust store
// (set_default_verify_paths, so SSL_CERT_FILE and SSL_CERT_DIR apply), peer verification,
// TLS 1.2 or newer. Null with `error` set when OpenSSL cannot build it.
struct TlsClientContext {
  std::unique_ptr<ssl::context> context;
  std::string error;
};

const TlsClientContext& ClientContext() {
  static const TlsClientContext instance = [] {
    TlsClientContext out;
    try {
      auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
      beast::error_code ec;
      ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression, ec);
      if (!ec && SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
        ec = beast::error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
      if (!ec) ctx->set_default_verify_paths(ec);
      if (!ec) ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
      if (ec) {
        out.error = "TLS client setup failed: " + ec.message();
        return out;
      }
      out.context = std::move(ctx);
    } catch (const std::exception& e) {
      out.error = std::string("TLS client setup failed: ") + e.what();
    }
    return out;
  }();
  return instance;
}

// Connects `stream` (its expiry already set) to one of `endpoints`; false with `result` filled
// when none answers.
Task<bool> Connect(beast::tcp_stream& stream,
                   const asio::ip::tcp::resolver::results_type& endpoints, const HttpUrl& target,
                   SendResult& result) {
  auto [ec, endpoint] =
      co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (!ec) co_return true;
  result.timed_out = ec == beast::error::timeout;
  result.error = "cannot connect to " + target.host_header + ": " + ec.message();
  co_return false;
}

// Writes `req` and reads the answer into `result` over a connected (and for https, handshaken)
// stream.
template <class Stream>
Task<void> Exchange(Stream& stream, bhttp::request<bhttp::string_body>& req, const HttpUrl& target,
                    uint64_t max_response_bytes, SendResult& result) {
  auto [write_ec, written] =
      co_await bhttp::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
  if (write_ec) {
    result.timed_out = write_ec == beast::error::timeout;
    result.error = "request to " + target.host_header + " failed: " + write_ec.message();
    co_return;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_bytes);
  if (req.method() == bhttp::verb::head) parser.skip(true);
  auto [read_ec, read] =
      co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  // Many servers close a TLS connection without close_notify; where the body runs to the end
  // of the connection that close ends it (a body with a length or chunks is still checked).
  if (read_ec == ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
    read_ec = {};
    parser.put_eof(read_ec);
  }
  if (read_ec) {
    result.timed_out = read_ec == beast::error::timeout;
    result.error = "response from " + target.host_header + " failed: " + read_ec.message();
    co_return;
  }
  auto& res = parser.get();
  result.status = res.result_int();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  result.body = std::move(res.body());
}

// "certificate verify failed (hostname mismatch)": OpenSSL's reason for rejecting the
// server's certificate when that failed the handshake, else the handshake's error.
std::string HandshakeError(const beast::error_code& ec, SSL* ssl) {
  long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_OK) return ec.message();
  return std::string("certificate verify failed (") + X509_verify_cert_error_string(verify) + ")";
}

}  // namespace

Task<SendResult> Send(OutgoingRequest request) {
  SendResult result;
  HttpUrl target;
  if (!ParseHttpUrl(request.url, &target)) {
    result.error = "not an http:// or https:// URL: " + request.url;
    co_return result;
  }
  auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    result.error = "unknown method " + request.method;
    co_return result;
  }
  const TlsClientContext* tls = nullptr;
  if (target.tls) {
    tls = &ClientContext();
    if (!tls->context) {
      result.error = tls->error;
      co_return result;
    }
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

  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
      target.host, target.port, asio::as_tuple(asio::use_awaitable));
  if (resolve_ec) {
    result.error = "cannot resolve " + target.host + ": " + resolve_ec.message();
    co_return result;
  }
  beast::error_code ignored;
  if (!tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(request.timeout);
    if (!co_await Connect(stream, endpoints, target, result)) co_return result;
    co_await Exchange(stream, req, target, request.max_response_bytes, result);
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    co_return result;
  }

  beast::ssl_stream<beast::tcp_stream> stream(executor, *tls->context);
  SSL* native = stream.native_handle();
  // SNI and the name the certificate must carry: a DNS name, or an IP address (which RFC 6066
  // keeps out of SNI and X.509 carries as an iPAddress entry).
  beast::error_code not_an_address;
  asio::ip::make_address(target.host, not_an_address);
  bool named = static_cast<bool>(not_an_address);
  bool set = named
                 ? SSL_set_tlsext_host_name(native, target.host.c_str()) == 1 &&
                       SSL_set1_host(native, target.host.c_str()) == 1
                 : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), target.host.c_str()) == 1;
  if (!set) {
    result.error = "cannot verify TLS host name " + target.host;
    co_return result;
  }
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(request.timeout);
  if (!co_await Connect(tcp, endpoints, target, result)) co_return result;
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client,
                                                        asio::as_tuple(asio::use_awaitable));
  if (handshake_ec) {
    result.timed_out = handshake_ec == beast::error::timeout;
    result.error = "TLS handshake with " + target.host_header +
                   " failed: " + HandshakeError(handshake_ec, native);
    co_return result;
  }
  co_await Exchange(stream, req, target, request.max_response_bytes, result);
  // One request per connection: close without waiting for the server's close_notify.
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace nimbus::http
