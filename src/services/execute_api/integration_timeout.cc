// Racing a registry call against the integration timeout: the call runs as a coroutine of its
// own, so giving up on it never cancels it half-way (a Lambda invocation owns an execution
// environment until the function answers or its own timeout ends it).
#include "services/execute_api/integration_timeout.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>

#include "core/common/logging.h"

namespace nimbus::execute_api {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;  // NOLINT(build/namespaces)

namespace {

struct Pending {
  explicit Pending(asio::any_io_executor ex) : done(ex, 1) {}
  std::mutex mu;
  std::optional<Result<Document>> result;
  asio::experimental::concurrent_channel<void(boost::system::error_code)> done;
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
        pending->done.try_send(boost::system::error_code());
      },
      asio::detached);
  asio::steady_timer timer(executor, timeout);
  auto which = co_await (pending->done.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                         timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  std::lock_guard lock(pending->mu);
  if (pending->result) co_return std::move(pending->result);
  (void)which;
  co_return std::nullopt;
}

}  // namespace nimbus::execute_api
