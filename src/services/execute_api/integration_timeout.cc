// Racing a registry call against the integration timeout: the call runs as a coroutine of its
// own, so giving up on it never cancels it half-way (a Lambda invocation owns an execution
// environment until the function answers or its own timeout ends it).
#include "services/execute_api/integration_timeout.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>

#include "core/common/logging.h"

namespace nimbus::execute_api {

namespace asio = boost::asio;

namespace {

struct Pending {
  explicit Pending(asio::any_io_executor ex) : events(ex, 2) {}
  std::mutex mu;
  std::optional<Result<Document>> result;
  // The call's end and the timer's both post here (room for both, so neither sender waits);
  // the caller wakes once, at the first.
  asio::experimental::concurrent_channel<void(boost::system::error_code)> events;
};

}  // namespace

Task<std::optional<Result<Document>>> CallWithTimeout(ServiceEnv& env, RequestContext ctx,
                                                      std::string service, std::string operation,
                                                      Document input,
                                                      std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  auto pending = std::make_shared<Pending>(executor);
  asio::co_spawn(
      executor,
      [&env, pending, ctx = std::move(ctx), service = std::move(service),
       operation = std::move(operation), input = std::move(input)]() mutable -> Task<void> {
        Result<Document> r = ApiError("InternalFailure", 500, "integration call failed");
        try {
          r = co_await env.registry->Call(ctx, service, operation, std::move(input));
        } catch (const std::exception& e) {
          spdlog::error("execute-api: {} {} threw: {}", service, operation, e.what());
        }
        {
          std::lock_guard lock(pending->mu);
          pending->result = std::move(r);
        }
        pending->events.try_send(boost::system::error_code());
      },
      asio::detached);
  asio::steady_timer timer(executor, timeout);
  timer.async_wait([pending](boost::system::error_code ec) {
    if (!ec) pending->events.try_send(boost::system::error_code());
  });
  co_await pending->events.async_receive(asio::as_tuple(asio::use_awaitable));
  timer.cancel();
  std::lock_guard lock(pending->mu);
  if (pending->result) co_return std::move(pending->result);
  co_return std::nullopt;
}

}  // namespace nimbus::execute_api
