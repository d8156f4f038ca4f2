#include "core/http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/common/logging.h"

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// One live connection, registered so a graceful stop can close it when it is idle.
struct ConnectionState {
  beast::tcp_stream* stream = nullptr;
  bool busy = false;  // a request is being handled
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A cached "Date:" value, recomputed at most once a second.
std::string HttpDateNow() {
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

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::mutex mu;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, ConnectionState> connections;
  asio::signal_set signals{ioc};

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  asio::awaitable<void> Accept() {
    while (!stopping.load()) {
      auto [ec, socket] = co_await acceptor.async_accept(
          asio::make_strand(ioc), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopping.load() || ec == asio::error::operation_aborted) break;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Serve(std::move(socket)), asio::detached);
    }
  }

  void SetBusy(uint64_t id, bool busy) {
    std::lock_guard lock(mu);
    auto it = connections.find(id);
    if (it != connections.end()) it->second.busy = busy;
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    std::string remote;
    {
      beast::error_code ec;
      auto ep = stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    uint64_t id;
    {
      std::lock_guard lock(mu);
      id = next_id++;
      connections[id] = ConnectionState{&stream, false};
    }
    beast::flat_buffer buffer;
    bool first = true;
    try {
      while (!stopping.load()) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(options.max_header_bytes);
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
        SetBusy(id, true);
        in_flight.fetch_add(1);
        struct Done {
          Impl* self;
          uint64_t id;
          ~Done() {
            self->in_flight.fetch_sub(1);
            self->SetBusy(id, false);
          }
        } done{this, id};

        auto& req_header = parser.get();
        if (beast::iequals(req_header[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
          co_await bhttp::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
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
        auto breq = parser.release();
        Request req;
        req.method = std::string(breq.method_string());
        req.target = std::string(breq.target());
        auto qpos = req.target.find('?');
        if (qpos == std::string::npos) {
          req.path = req.target;
        } else {
          req.path = req.target.substr(0, qpos);
          req.query = req.target.substr(qpos + 1);
        }
        req.headers.reserve(16);
        for (const auto& f : breq) req.headers.emplace_back(Lower(f.name_string()), f.value());
        req.body = std::move(breq.body());
        req.remote_address = remote;
        req.http_version = static_cast<int>(breq.version());
        bool keep_alive = breq.keep_alive();

        Response out;
        try {
          out = co_await handler(req);
        } catch (const std::exception& e) {
          spdlog::error("unhandled exception in request handler: {}", e.what());
          out = Response{};
          out.status = 500;
          out.body = "Internal server error\n";
        }

        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status),
                                                breq.version()};
        bool has_length = false;
        for (auto& [k, v] : out.headers) {
          if (beast::iequals(k, "content-length")) has_length = true;
          res.insert(k, v);
        }
        if (res.find(bhttp::field::date) == res.end()) res.set(bhttp::field::date, HttpDateNow());
        bool close = out.close || !keep_alive || stopping.load();
        res.keep_alive(!close);
        if (req.method == "HEAD" && has_length) {
          // HEAD answers carry the length of the entity they describe, and no body.
        } else if (out.status == 204 || out.status == 304 || out.status < 200) {
          res.erase(bhttp::field::content_length);
        } else {
          res.body() = std::move(out.body);
          res.prepare_payload();
        }
        stream.expires_after(std::chrono::seconds(options.body_timeout_seconds));
        co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || close) break;
      }
    } catch (const std::exception& e) {
      spdlog::debug("connection error: {}", e.what());
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::lock_guard lock(mu);
    connections.erase(id);
  }

  void CloseIdle() {
    std::lock_guard lock(mu);
    for (auto& [id, c] : connections) {
      if (!c.busy) {
        auto* s = c.stream;
        asio::post(s->get_executor(), [s] { s->cancel(); });
      }
    }
  }

  asio::awaitable<void> Drain(int seconds) {
    asio::steady_timer timer(ioc);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      CloseIdle();
      bool empty;
      {
        std::lock_guard lock(mu);
        empty = connections.empty();
      }
      if (empty && in_flight.load() == 0) break;
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::use_awaitable);
    }
    ioc.stop();
  }
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

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
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) {
    *error = "invalid host address '" + impl_->options.host + "': " + ec.message();
    return false;
  }
  tcp::endpoint ep(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + impl_->options.host + ":" +
             std::to_string(impl_->options.port) + ": " + ec.message();
    return false;
  }
  port_ = a.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
  return true;
}

void Server::Run() {
  int n = impl_->options.threads > 0 ? impl_->options.threads
                                     : static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::Stop() {
  asio::post(impl_->ioc, [this] {
    if (impl_->stopping.exchange(true)) return;
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    asio::co_spawn(impl_->ioc, impl_->Drain(drain_seconds), asio::detached);
  });
}

void Server::StopOnSignals() {
  impl_->signals.add(SIGTERM);
  impl_->signals.add(SIGINT);
  impl_->signals.async_wait([this](const beast::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}, stopping: finishing in-flight requests", sig);
    Stop();
  });
}

}  // namespace nimbus::http
