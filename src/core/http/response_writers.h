#pragma once

// The server's writers of answers whose body is not in memory (server.cc's plain answers are
// written by response_head.h's AppendResponseHead and one gather write). Internal to core/http:
// the only includer is server.cc.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <string>

#include "core/http/http_types.h"

namespace nimbus::http {

// A cached "Date:" value, recomputed at most once a second (per thread).
const std::string& HttpDateNow();

// Writes a response whose body comes from `out.body_source`, piece by piece. False when the
// source or the socket failed: the answer was cut short and the connection must close.
boost::asio::awaitable<bool> WriteFromSource(boost::beast::tcp_stream& stream, Response& out,
                                             unsigned version, bool close);

// Writes a response whose body `out.body_stream` produces after the handler returned: the header
// at once, then each piece as soon as Read yields it, as one chunk (to an HTTP/1.0 client: raw,
// the body ending with the connection). Nothing times out while the source has no piece; each
// write must finish within `timeout_seconds`. A failed write abandons the source. False when
// the connection must close.
boost::asio::awaitable<bool> WriteFromStream(boost::beast::tcp_stream& stream, Response& out,
                                             unsigned version, bool close, int timeout_seconds);

}  // namespace nimbus::http
