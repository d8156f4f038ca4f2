// Answers whose body is not in memory: a pull source (S3's large GETs) and a stream filled after
// the handler returned (Lambda's response streaming).
#include "core/http/response_writers.h"

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/common/logging.h"

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// A cached "Date:" value, recomputed at most once a second (per thread).
const std::string& HttpDateNow() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
  }
  return cached;
}

// Writes a response whose body comes from `out.body_source`, piece by piece (Beast's
// buffer_body: the serializer asks for the next buffer with need_buffer). False when the source
// or the socket failed: the answer was cut short and the connection must close.
asio::awaitable<bool> WriteFromSource(beast::tcp_stream& stream, Response& out, unsigned version,
                                      bool close) {
  bhttp::response<bhttp::buffer_body> res{static_cast<bhttp::status>(out.status), version};
  for (auto& [k, v] : out.headers)
    if (!beast::iequals(k, "content-length")) res.insert(k, v);
  if (res.find(bhttp::field::date) == res.end()) res.set(bhttp::field::date, HttpDateNow());
  res.keep_alive(!close);
  res.content_length(out.body_source_length);
  res.body().data = nullptr;
  res.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> sr{res};
  beast::error_code ec;
  co_await bhttp::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  uint64_t sent = 0;
  std::string chunk;
  for (;;) {
    // The source replaces the previous piece in `chunk` (one buffer for the whole answer; S3's
    // source reads each piece over the last one without clearing it first).
    if (!out.body_source(&chunk)) {
      spdlog::warn("response body source failed after {} of {} bytes", sent,
                   out.body_source_length);
      co_return false;
    }
    if (chunk.empty() || sent + chunk.size() > out.body_source_length) break;
    sent += chunk.size();
    res.body().data = chunk.data();
    res.body().size = chunk.size();
    res.body().more = true;
    co_await bhttp::async_write(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
    if (ec && ec != bhttp::error::need_buffer) co_return false;
  }
  if (sent != out.body_source_length) {
    spdlog::warn("response body source ended after {} of {} bytes", sent, out.body_source_length);
    co_return false;
  }
  res.body().data = nullptr;
  res.body().more = false;
  co_await bhttp::async_write(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

// Writes a response whose body `out.body_stream` produces after the handler returned: the header
// at once, then each piece as soon as Read yields it, as one chunk (to an HTTP/1.0 client: raw,
// the body ending with the connection). Nothing times out while the source has no piece (a
// Lambda function may stream slowly); each write must finish within `timeout_seconds`. A failed
// write abandons the source. False when the connection must close.
asio::awaitable<bool> WriteFromStream(beast::tcp_stream& stream, Response& out, unsigned version,
                                      bool close, int timeout_seconds) {
  ResponseBodyStream& body = *out.body_stream;
  const bool chunked = version >= 11;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(out.status), version};
  for (auto& [k, v] : out.headers)
    if (!beast::iequals(k, "content-length") && !beast::iequals(k, "transfer-encoding"))
      res.insert(k, v);
  if (res.find(bhttp::field::date) == res.end()) res.set(bhttp::field::date, HttpDateNow());
  res.keep_alive(!close && chunked);
  if (chunked) res.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> sr{res};
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(timeout_seconds));
  co_await bhttp::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    body.Abandon();
    co_return false;
  }
  std::string piece;
  for (;;) {
    stream.expires_never();
    if (!co_await body.Read(&piece)) {
      spdlog::warn("streamed response body source failed");
      co_return false;
    }
    if (piece.empty()) break;
    char size_line[24];
    int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
    std::array<asio::const_buffer, 3> buffers{asio::buffer(size_line, static_cast<size_t>(n)),
                                              asio::buffer(piece), asio::buffer("\r\n", 2)};
    stream.expires_after(std::chrono::seconds(timeout_seconds));
    if (chunked) {
      co_await asio::async_write(stream, buffers, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(stream, asio::buffer(piece),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      body.Abandon();
      co_return false;
    }
  }
  if (!chunked) co_return false;
  stream.expires_after(std::chrono::seconds(timeout_seconds));
  co_await asio::async_write(stream, asio::buffer("0\r\n\r\n", 5),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

}  // namespace nimbus::http
