#include "core/http/server.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/common/logging.h"
#include "core/http/listener.h"
#include "core/http/response_head.h"
#include "core/http/response_writers.h"

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Request bodies of a known length over this are read straight into their string (Serve).
constexpr uint64_t kDirectBodyBytes = 256 * 1024;

// Pieces a streamed request body (Request::body_stream) is read in.
constexpr size_t kStreamPiece = 1 << 20;

// ASCII lowercase (header names are tokens; no locale lookup per character).
std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

// Request::body_stream for a body the server does not read before the handler runs: read from
// the connection as the handler asks, straight from the socket for a Content-Length body, through
// Beast's buffer_body parser for a chunked one. Lives in the connection's coroutine frame and
// refers to its stream and buffer: Detach() once the handler has returned.
class SocketBody final : public BodyStream {
 public:
  // Takes over `parser` (its header read) for a chunked body.
  SocketBody(beast::tcp_stream& stream, beast::flat_buffer& buffer,
             bhttp::request_parser<bhttp::string_body>& parser, bool expect_continue,
             int timeout_seconds)
      : stream_(stream),
        buffer_(buffer),
        expect_continue_(expect_continue),
        timeout_seconds_(timeout_seconds) {
    if (auto n = parser.content_length()) {
      length_ = remaining_ = *n;
    } else {
      header_fields_ = static_cast<size_t>(std::distance(parser.get().begin(), parser.get().end()));
      chunked_.emplace(std::move(parser));
      chunked_->body_limit(boost::none);
    }
  }

  Task<bool> Read(std::string* chunk) override {
    chunk->clear();
    if (failed_ || detached_) co_return false;
    if (done_) co_return true;
    beast::error_code ec;
    if (expect_continue_) {
      expect_continue_ = false;
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
      stream_.expires_after(std::chrono::seconds(timeout_seconds_));
      co_await bhttp::async_write(stream_, cont, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Fail();
    }
    // Each piece must arrive within the body timeout (not the whole body: gigabytes take time).
    stream_.expires_after(std::chrono::seconds(timeout_seconds_));
    if (!chunked_) {
      if (remaining_ == 0) {
        done_ = true;
        co_return true;
      }
      size_t n = static_cast<size_t>(std::min<uint64_t>(kStreamPiece, remaining_));
      chunk->resize(n);
      size_t have = std::min(n, buffer_.size());
      asio::buffer_copy(asio::buffer(chunk->data(), have), buffer_.data());
      buffer_.consume(have);
      if (have < n)
        co_await asio::async_read(stream_, asio::buffer(chunk->data() + have, n - have),
                                  asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Fail();
      remaining_ -= n;
      co_return true;
    }
    if (chunked_->is_done()) {
      Done();
      co_return true;
    }
    chunk->resize(kStreamPiece);
    auto& body = chunked_->get().body();
    body.data = chunk->data();
    body.size = chunk->size();
    body.more = true;
    // A piece is what has arrived, not a full MiB: a runtime's streamed answer goes on to the
    // client as each of its chunks comes in. Read in 64 KiB slices (not the buffer's 512-byte
    // default: 8 MiB took a second otherwise).
    buffer_.reserve(64 * 1024);
    while (body.size == chunk->size() && !chunked_->is_done()) {
      co_await bhttp::async_read_some(stream_, buffer_, *chunked_,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) co_return Fail();
    }
    chunk->resize(chunk->size() - body.size);
    if (chunk->empty() && chunked_->is_done()) Done();
    co_return true;
  }

  std::optional<uint64_t> length() const override { return length_; }
  bool done() const override { return done_; }
  const HeaderList& trailers() const override { return trailers_; }
  void Detach() { detached_ = true; }

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }

  // The end of a chunked body: Beast appended its trailer fields to the header fields.
  void Done() {
    done_ = true;
    size_t i = 0;
    for (const auto& f : chunked_->get())
      if (i++ >= header_fields_) trailers_.emplace_back(Lower(f.name_string()), f.value());
  }

  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> chunked_;
  bool expect_continue_;
  int timeout_seconds_;
  std::optional<uint64_t> length_;
  uint64_t remaining_ = 0;
  size_t header_fields_ = 0;
  HeaderList trailers_;
  bool done_ = false, failed_ = false, detached_ = false;
};

// One live connection, registered so a graceful stop can close it when it is idle.
struct ConnectionState {
  beast::tcp_stream* stream = nullptr;
  // A request is being handled. Set by the connection without the endpoint's lock (twice per
  // request), read under it by CloseConnections.
  std::atomic<bool> busy{false};
};

// The fields of `fields` as `req`'s headers (replacing them), in order, with the names as sent.
void SetHeaders(const bhttp::fields& fields, Request* req) {
  req->headers.clear();
  req->header_names_as_sent.clear();
  for (const auto& f : fields) {
    req->headers.emplace_back(Lower(f.name_string()), f.value());
    req->header_names_as_sent.append(f.name_string()).push_back('\n');
  }
}

bhttp::response<bhttp::string_body> SimpleResponse(int status, std::string_view body,
                                                   bool keep_alive, unsigned version) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::content_type, "text/plain");
  res.set(bhttp::field::date, HttpDateNow());
  res.body() = std::string(body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// What one listening socket serves: its options and handler, and its live connections so a
// stop can close them. Shared (shared_ptr) by the accept loop and every connection coroutine,
// so an extra Listener may be closed and dropped while requests are still in flight.
struct Endpoint : std::enable_shared_from_this<Endpoint> {
  ServerOptions options;
  Handler handler;
  // The executor of the next accepted connection: one io_context of the server's, in turn.
  std::function<asio::any_io_executor()> next_executor;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::mutex mu;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, ConnectionState> connections;

  Endpoint(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  // Cancels the connections that wait for a request (all of them unless `idle_only`). The
  // cancel runs on the connection's thread and only if the connection is still registered then,
  // so it never touches a stream whose coroutine has ended.
  void CloseConnections(bool idle_only) {
    std::lock_guard lock(mu);
    for (auto& [id, c] : connections) {
      if (idle_only && c.busy.load()) continue;
      asio::post(c.stream->get_executor(), [self = shared_from_this(), id = id] {
        std::lock_guard lock(self->mu);
        auto it = self->connections.find(id);
        if (it != self->connections.end()) it->second.stream->cancel();
      });
    }
  }

  bool Empty() {
    std::lock_guard lock(mu);
    return connections.empty();
  }
};

asio::awaitable<void> Serve(std::shared_ptr<Endpoint> self, tcp::socket socket);

// Accepts until the acceptor is closed or the endpoint stops. Each connection lives on one
// io_context, which one thread runs: its handlers need no strand, and what it wakes on the same
// context (a Lambda environment started by a request of the connection) runs on the same thread.
asio::awaitable<void> Accept(std::shared_ptr<Endpoint> self, tcp::acceptor& acceptor) {
  while (!self->stopping.load()) {
    auto [ec, socket] =
        co_await acceptor.async_accept(self->next_executor(), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (self->stopping.load() || ec == asio::error::operation_aborted ||
          ec == asio::error::bad_descriptor)
        break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto socket_executor = socket.get_executor();
    asio::co_spawn(socket_executor, Serve(self, std::move(socket)), asio::detached);
  }
}

// Binds and listens on options.host:options.port; false with `*error` on failure.
bool BindAcceptor(tcp::acceptor& a, const ServerOptions& options, std::string* error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    *error = "invalid host address '" + options.host + "': " + ec.message();
    return false;
  }
  tcp::endpoint ep(address, options.port);
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
             ec.message();
    return false;
  }
  return true;
}

// Appends the bytes of `res` as it goes on the wire to `*out`.
void AppendSerialized(bhttp::response<bhttp::string_body>& res, std::string* out) {
  bhttp::response_serializer<bhttp::string_body> sr{res};
  beast::error_code ec;
  do {
    sr.next(ec, [&](beast::error_code& ec, const auto& buffers) {
      ec = {};
      for (auto b : beast::buffers_range_ref(buffers))
        out->append(static_cast<const char*>(b.data()), b.size());
      sr.consume(beast::buffer_bytes(buffers));
    });
  } while (!ec && !sr.is_done());
}

asio::awaitable<void> Serve(std::shared_ptr<Endpoint> self, tcp::socket socket) {
  const ServerOptions& options = self->options;
  beast::tcp_stream stream(std::move(socket));
  std::string remote;
  {
    beast::error_code ec;
    // For the direct write of a plain answer (below); asynchronous operations are unaffected.
    stream.socket().non_blocking(true, ec);
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  uint64_t id;
  ConnectionState* state;  // a node of `connections`: stable until the erase below
  {
    std::lock_guard lock(self->mu);
    id = self->next_id++;
    state = &self->connections[id];
    state->stream = &stream;
  }
  beast::flat_buffer buffer;
  bool first = true;
  bool body_left_unread = false;
  // Answers held back while the client's next request was already buffered
  // (ServerOptions::hold_pipelined_responses); written with the next answer that is not.
  std::string held;
  // The status line and header fields of a plain answer, reused by every answer of the
  // connection (AppendResponseHead).
  std::string head_bytes;
  head_bytes.reserve(1024);
  // Writes the held answers, if any; false when the write failed.
  auto write_held = [&]() -> asio::awaitable<bool> {
    if (held.empty()) co_return true;
    beast::error_code ec;
    co_await asio::async_write(stream, asio::buffer(held),
                               asio::redirect_error(asio::use_awaitable, ec));
    held.clear();
    co_return !ec;
  };
  try {
    while (!self->stopping.load()) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(options.max_header_bytes);
      // With streaming on, a body's length decides only how it is read (below): the handler
      // enforces its limits.
      if (options.stream_body_bytes > 0)
        parser.body_limit(boost::none);
      else
        parser.body_limit(options.max_body_bytes);
      stream.expires_after(std::chrono::seconds(first ? options.header_timeout_seconds
                                                      : options.idle_timeout_seconds));
      beast::error_code ec;
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted)
          break;
        int status = ec == bhttp::error::header_limit ? 431
                     : ec == bhttp::error::body_limit ? 413
                                                      : 400;
        auto res = SimpleResponse(status,
                                  status == 431   ? "Request header fields too large\n"
                                  : status == 413 ? "Request entity too large\n"
                                                  : "Bad request\n",
                                  false, 11);
        stream.expires_after(std::chrono::seconds(5));
        co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      first = false;
      state->busy.store(true);
      self->in_flight.fetch_add(1);
      struct Done {
        Endpoint* endpoint;
        ConnectionState* state;
        ~Done() {
          endpoint->in_flight.fetch_sub(1);
          state->busy.store(false);
        }
      } done{self.get(), state};

      auto& head = parser.get();
      // Interim answers must not overtake the held ones.
      if (head.count(bhttp::field::expect) && !co_await write_held()) break;
      Request req;
      req.method = std::string(head.method_string());
      req.target = std::string(head.target());
      auto qpos = req.target.find('?');
      if (qpos == std::string::npos) {
        req.path = req.target;
      } else {
        req.path = req.target.substr(0, qpos);
        req.query = req.target.substr(qpos + 1);
      }
      req.headers.reserve(16);
      SetHeaders(head, &req);
      req.remote_address = remote;
      req.http_version = static_cast<int>(head.version());
      const unsigned version = head.version();
      const bool keep_alive = head.keep_alive();
      const bool expect_continue = beast::iequals(head[bhttp::field::expect], "100-continue");

      std::shared_ptr<SocketBody> body_stream;
      if (options.stream_body_bytes > 0 && !parser.is_done() &&
          (parser.chunked() || *parser.content_length() >
                                   std::min(options.stream_body_bytes, options.max_body_bytes))) {
        body_stream = std::make_shared<SocketBody>(stream, buffer, parser, expect_continue,
                                                   options.body_timeout_seconds);
        req.body_stream = body_stream;
      } else {
        if (expect_continue) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
          co_await bhttp::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
        if (auto length = parser.content_length(); length && *length > kDirectBodyBytes) {
          // A large body of known length (the parser has checked it against the limit) is read
          // straight into its string: what the header read already buffered, then the socket's
          // bytes with no copy through `buffer` (an S3 PUT of 64 MiB is otherwise copied once
          // more, 64 KiB at a time).
          req.body.resize(static_cast<size_t>(*length));
          size_t have = std::min(req.body.size(), buffer.size());
          asio::buffer_copy(asio::buffer(req.body.data(), have), buffer.data());
          buffer.consume(have);
          if (have < req.body.size())
            co_await asio::async_read(stream,
                                      asio::buffer(req.body.data() + have, req.body.size() - have),
                                      asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        } else {
          // A large body is read in 64 KiB slices, not the buffer's 512-byte default (an S3 PUT
          // of 1 MiB took 2,000 reads otherwise).
          if (auto length = parser.content_length(); length && *length > 16 * 1024)
            buffer.reserve(64 * 1024);
          co_await bhttp::async_read(stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            if (ec == bhttp::error::body_limit) {
              auto res = SimpleResponse(413, "Request entity too large\n", false, 11);
              stream.expires_after(std::chrono::seconds(5));
              co_await bhttp::async_write(stream, res,
                                          asio::redirect_error(asio::use_awaitable, ec));
            } else if (ec != asio::error::eof && ec != bhttp::error::end_of_stream &&
                       ec != beast::error::timeout && ec != asio::error::connection_reset &&
                       ec != bhttp::error::partial_message) {
              auto res = SimpleResponse(400, "Bad request\n", false, 11);
              stream.expires_after(std::chrono::seconds(5));
              co_await bhttp::async_write(stream, res,
                                          asio::redirect_error(asio::use_awaitable, ec));
            }
            break;
          }
          req.body = std::move(parser.get().body());
          if (parser.chunked()) {
            // The trailer fields of a chunked body (a Lambda runtime's streamed answer ends with
            // its error in them) are read with the body: they join the header fields.
            SetHeaders(parser.get(), &req);
          }
        }
      }

      Response out;
      try {
        out = co_await self->handler(req);
      } catch (const std::exception& e) {
        spdlog::error("unhandled exception in request handler: {}", e.what());
        out = Response{};
        out.status = 500;
        out.body = "Internal server error\n";
      }

      bool close = out.close || !keep_alive || self->stopping.load();
      if (body_stream) {
        // A body the handler left unread (it answered first) cannot be skipped: close.
        if (!body_stream->done()) body_left_unread = close = true;
        body_stream->Detach();
      }
      const bool may_have_body =
          req.method != "HEAD" && out.status >= 200 && out.status != 204 && out.status != 304;
      if (out.body_stream && !may_have_body) {
        out.body_stream->Abandon();
        out.body_stream.reset();
      }
      if (out.body_stream) {
        if (!co_await write_held()) {
          out.body_stream->Abandon();
          break;
        }
        bool ok =
            co_await WriteFromStream(stream, out, version, close, options.body_timeout_seconds);
        if (!ok || close) break;
        continue;
      }
      if (out.body_source && may_have_body) {
        stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
        if (!co_await write_held()) break;
        bool ok = co_await WriteFromSource(stream, out, version, close);
        if (!ok || close) break;
        continue;
      }
      const bool head_request = req.method == "HEAD";
      // The client pipelined its next request (a Lambda runtime posting a result together with
      // its next invocation/next): this answer waits and goes out with the next one, in one
      // write, instead of waking the client for it alone.
      const bool hold = options.hold_pipelined_responses && !close && buffer.size() > 0;
      // The common answer: its head serialized into the connection's buffer and written with
      // the body in one gather write, with no Beast message (whose fields allocate per header).
      head_bytes.clear();
      bool send_body = false;
      if (AppendResponseHead(out, version, close, head_request, HttpDateNow(), &head_bytes,
                             &send_body)) {
        std::string_view body_bytes = send_body ? std::string_view(out.body) : std::string_view();
        if (hold || !held.empty()) {
          held += head_bytes;
          held += body_bytes;
        }
        if (hold) continue;
        if (!held.empty()) {
          stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
          if (!co_await write_held()) break;
        } else {
          std::array<asio::const_buffer, 2> buffers{asio::buffer(head_bytes),
                                                    asio::buffer(body_bytes)};
          // The socket is non-blocking: a small answer usually goes whole into its send
          // buffer at once, with no suspension of the coroutine and no timer armed and
          // cancelled. What does not fit follows with the timed asynchronous write.
          size_t sent = stream.socket().write_some(buffers, ec);
          if (ec == asio::error::would_block || ec == asio::error::try_again) {
            sent = 0;
            ec = {};
          }
          if (ec) break;
          if (sent < head_bytes.size() + body_bytes.size()) {
            beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(buffers);
            rest.consume(sent);
            stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
            co_await asio::async_write(stream, rest, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
          }
        }
        if (close) break;
        continue;
      }
      // The rest (a status beyond 100-999, repeated or framing fields set by the handler):
      // Beast's message.
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version};
      bool has_length = false;
      for (auto& [k, v] : out.headers) {
        if (beast::iequals(k, "content-length")) has_length = true;
        res.insert(k, v);
      }
      if (res.find(bhttp::field::date) == res.end()) res.set(bhttp::field::date, HttpDateNow());
      res.keep_alive(!close);
      if (head_request) {
        // HEAD answers carry the length of the entity they describe (or of the body a GET
        // would have had), and never a body.
        if (!has_length) res.content_length(out.body.size());
      } else if (out.status == 204 || out.status == 304 || out.status < 200) {
        res.erase(bhttp::field::content_length);
      } else {
        res.body() = std::move(out.body);
        res.prepare_payload();
      }
      if (hold || !held.empty()) AppendSerialized(res, &held);
      if (hold) continue;
      stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
      if (!held.empty()) {
        if (!co_await write_held()) break;
      } else {
        co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      if (close) break;
    }
  } catch (const std::exception& e) {
    spdlog::debug("connection error: {}", e.what());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (body_left_unread) {
    // The client may still be sending the body the handler refused without reading: read and
    // drop it for a moment (up to 2 s or 64 MiB), since closing a socket with unread data resets
    // the connection and may destroy the answer before the client has read it.
    std::string scratch(64 * 1024, '\0');
    stream.expires_after(std::chrono::seconds(2));
    for (size_t drained = 0; drained < (64u << 20);) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch),
                                                     asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      drained += n;
    }
  }
  std::lock_guard lock(self->mu);
  self->connections.erase(id);
}

}  // namespace

// An io_context run by one thread. Shutdown() destroys the pending handlers while every
// context's services still exist: a coroutine of one context may own an I/O object of another
// (a Lambda invocation's timer on its environment's context).
struct ThreadContext : asio::io_context {
  ThreadContext() : asio::io_context(1) {}
  void Shutdown() { shutdown(); }
};

struct Server::Impl {
  // One io_context per thread; contexts[0] holds the acceptor, the signals and the background
  // work of services (Spawn).
  std::vector<std::unique_ptr<ThreadContext>> contexts;
  asio::io_context& ioc;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::atomic<size_t> next_context{0};
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::shared_ptr<Endpoint> endpoint;
  std::thread before_stop_thread;  // runs StopOnSignals' callback, then Stop()

  static int Threads(const ServerOptions& o) {
    int n = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
    return n < 1 ? 1 : n;
  }
  static std::vector<std::unique_ptr<ThreadContext>> MakeContexts(int n) {
    std::vector<std::unique_ptr<ThreadContext>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<ThreadContext>());
    return out;
  }

  Impl(ServerOptions o, Handler h)
      : contexts(MakeContexts(Threads(o))),
        ioc(*contexts[0]),
        acceptor(ioc),
        signals(ioc),
        endpoint(std::make_shared<Endpoint>(std::move(o), std::move(h))) {
    endpoint->next_executor = [this]() -> asio::any_io_executor {
      size_t i = next_context.fetch_add(1, std::memory_order_relaxed) % contexts.size();
      return contexts[i]->get_executor();
    };
  }

  ~Impl() {
    for (auto& c : contexts) c->Shutdown();
  }

  void StopContexts() {
    for (auto& c : contexts) c->stop();
  }

  asio::awaitable<void> Drain(int seconds) {
    asio::steady_timer timer(ioc);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      endpoint->CloseConnections(/*idle_only=*/true);
      if (endpoint->Empty() && endpoint->in_flight.load() == 0) break;
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::use_awaitable);
    }
    StopContexts();
  }
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  if (impl_->before_stop_thread.joinable()) impl_->before_stop_thread.join();
}

asio::io_context& Server::io_context() { return impl_->ioc; }

void Server::Spawn(Task<void> task) {
  asio::co_spawn(impl_->ioc, std::move(task), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("background task failed: {}", ex.what());
    }
  });
}

bool Server::Listen(std::string* error) {
  if (!BindAcceptor(impl_->acceptor, impl_->endpoint->options, error)) return false;
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, Accept(impl_->endpoint, impl_->acceptor), asio::detached);
  return true;
}

void Server::Run() {
  // Contexts other than the first may have nothing to do for a while (no connection yet).
  for (size_t i = 1; i < impl_->contexts.size(); ++i)
    impl_->guards.push_back(asio::make_work_guard(*impl_->contexts[i]));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->contexts.size(); ++i)
    threads.emplace_back([this, i] { impl_->contexts[i]->run(); });
  impl_->ioc.run();
  // The first context ran out of work or was stopped: the server is done.
  impl_->StopContexts();
  for (auto& t : threads) t.join();
  impl_->guards.clear();
}

void Server::Stop() {
  asio::post(impl_->ioc, [this] {
    if (impl_->endpoint->stopping.exchange(true)) return;
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    asio::co_spawn(impl_->ioc, impl_->Drain(drain_seconds), asio::detached);
  });
}

void Server::StopOnSignals(std::function<void()> before_stop) {
  impl_->signals.add(SIGTERM);
  impl_->signals.add(SIGINT);
  impl_->signals.async_wait(
      [this, before_stop = std::move(before_stop)](const beast::error_code& ec, int sig) {
        if (ec) return;
        if (!before_stop) {
          spdlog::info("received signal {}, stopping: finishing in-flight requests", sig);
          Stop();
          return;
        }
        spdlog::info("received signal {}, running shutdown hooks before stopping", sig);
        impl_->before_stop_thread = std::thread([this, before_stop] {
          before_stop();
          spdlog::info("stopping: finishing in-flight requests");
          Stop();
        });
      });
}

struct Listener::Impl {
  std::shared_ptr<Endpoint> endpoint;
  tcp::acceptor acceptor;
  uint16_t port = 0;

  Impl(const asio::any_io_executor& executor, ServerOptions options, Handler handler)
      : endpoint(std::make_shared<Endpoint>(std::move(options), std::move(handler))),
        acceptor(executor) {
    endpoint->next_executor = [executor] { return executor; };
  }
};

std::shared_ptr<Listener> Listener::Start(const asio::any_io_executor& executor,
                                          ServerOptions options, Handler handler,
                                          std::string* error) {
  auto listener = std::shared_ptr<Listener>(new Listener());
  listener->impl_ = std::make_shared<Impl>(executor, std::move(options), std::move(handler));
  auto impl = listener->impl_;
  if (!BindAcceptor(impl->acceptor, impl->endpoint->options, error)) return nullptr;
  impl->port = impl->acceptor.local_endpoint().port();
  // The accept loop holds the Impl (and so the acceptor) until it ends after Close.
  asio::co_spawn(
      impl->acceptor.get_executor(),
      [impl]() -> asio::awaitable<void> { co_await Accept(impl->endpoint, impl->acceptor); },
      asio::detached);
  return listener;
}

// No Close here: a listener may be dropped while its io_context is being destroyed, when nothing
// may be posted to it any more; the acceptor goes with the last reference (the accept loop's).
Listener::~Listener() {
  if (impl_) impl_->endpoint->stopping.store(true);
}

uint16_t Listener::port() const { return impl_->port; }

void Listener::Close() {
  if (!impl_ || impl_->endpoint->stopping.exchange(true)) return;
  auto impl = impl_;
  asio::post(impl->acceptor.get_executor(), [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  impl->endpoint->CloseConnections(/*idle_only=*/false);
}

}  // namespace nimbus::http
