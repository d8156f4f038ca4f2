#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "core/http/server.h"

namespace nimbus::http {

// A further HTTP/1.1 listener served on the executor of a running Server, with the same
// connection handling and limits, but its own address and handler. Lambda gives each execution
// environment a Runtime API endpoint of its own this way. Thread-safe: Close may be called from
// any thread. The executor's context must be run by one thread (each of a Server's io_contexts
// is): the accept loop and every connection's coroutine run there, with no strand.
class Listener {
 public:
  // Binds options.host:options.port (port 0: a free port) and starts accepting. Null with
  // `*error` set when the address cannot be bound. Only `host`, `port` and the limits of
  // `options` are used (`threads` is the server's).
  static std::shared_ptr<Listener> Start(const boost::asio::any_io_executor& executor,
                                         ServerOptions options, Handler handler,
                                         std::string* error);
  // Stops accepting new requests on open connections; does not close the socket (call Close
  // while the executor runs: the accept loop ends then).
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint16_t port() const;
  // Stops accepting and cancels every connection, busy ones included. A handler still running
  // finishes (it holds what it captured); its response is dropped. Idempotent.
  void Close();

 private:
  Listener() = default;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nimbus::http
