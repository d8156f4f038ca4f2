#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/common/task.h"
#include "core/http/http_types.h"

namespace boost::asio {
class io_context;
}

namespace nimbus::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;                     // 0 = pick a free port (tests)
  int threads = 0;                          // 0 = hardware concurrency
  uint64_t max_body_bytes = kMaxBodyBytes;  // bodies read whole before the handler runs
  // Bodies longer than this (by Content-Length), and chunked bodies, are not read first but
  // handed to the handler as Request::body_stream, whatever their length: the handler enforces
  // its own limits. 0: never (every body is read whole, up to max_body_bytes).
  uint64_t stream_body_bytes = 0;
  uint32_t max_header_bytes = 64 << 10;
  int header_timeout_seconds = 30;  // slowloris guard: whole header must arrive in this time
  int idle_timeout_seconds = 120;   // keep-alive connections idle longer are closed
  int body_timeout_seconds = 300;   // whole body must arrive in this time (for a streamed body:
                                    // each piece a handler reads)
  // When the client's next request is already buffered as an answer is ready, hold the answer
  // and write it with the next one (one write, one wake of the client). Only for clients that
  // wait for nothing but their last answer, such as a Lambda runtime pipelining a result and
  // invocation/next: a held answer waits as long as the next request's handler does.
  bool hold_pipelined_responses = false;
};

// The request handler: runs as a coroutine on the server's executor; may suspend (long polls).
// It must not throw for client errors; an escaping exception is logged and answered 500.
using Handler = std::function<Task<Response>(Request&)>;

// HTTP/1.1 server on one port: one coroutine per connection, keep-alive, limits and timeouts.
// Thread model: `threads` io_contexts, each run by one thread of Run(); accepted connections go
// to them in turn and stay there (a connection's handlers, and what they wake on the same
// context, run on one thread with no cross-thread hand-off). io_context() is the first one: the
// listening socket, signals and Spawn'ed background work. Stop() may be called from any thread
// (signal handling included via StopOnSignals).
class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; false with `*error` on failure (port in use...).
  bool Listen(std::string* error);
  uint16_t port() const { return port_; }

  // Serves until a graceful stop completes: stops accepting, lets in-flight requests finish
  // (up to `drain_seconds`), closes idle connections, then returns.
  void Run();
  // Starts a graceful stop (thread-safe).
  void Stop();
  // Stops on SIGTERM/SIGINT (installed before Run). `before_stop`, when set, runs first on its
  // own thread while the server still serves (shutdown hooks that call the APIs), then the
  // graceful stop begins.
  void StopOnSignals(std::function<void()> before_stop = {});

  // Starts a detached coroutine on the first io_context (background work of services).
  void Spawn(Task<void> task);

  boost::asio::io_context& io_context();
  int drain_seconds = 10;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace nimbus::http
