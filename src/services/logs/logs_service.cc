#include "services/logs/logs_service.h"

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/common/logging.h"
#include "core/storage/key_encoding.h"
#include "services/logs/logs_common.h"

namespace nimbus::logs {

namespace {

namespace asio = boost::asio;

// How often expired events are deleted from storage. Reads never show expired events in the
// meantime: they start at the group's retention cutoff.
constexpr auto kSweepInterval = std::chrono::minutes(10);

class LogsService final : public Service {
 public:
  LogsService() : Service("logs") {
    validation_.error_code = "InvalidParameterException";
    HandlerTable table;
    AddGroupHandlers(&table);
    AddTagHandlers(&table);
    AddStreamHandlers(&table);
    AddEventHandlers(&table);
    AddSearchHandlers(&table);
    AddFilterHandlers(&table);
    for (auto& [name, handler] : table) {
      HandleSync(
          name,
          [this, h = std::move(handler)](RequestContext& ctx, Document& in) -> Result<Document> {
            static const json::object kEmpty;
            Call call{ctx, store_, storage::ScopePrefix(ctx.account_id, ctx.region),
                      ctx.env->clock->NowMillis()};
            return h(call, in.is_object() ? in.get_object() : kEmpty);
          });
    }
  }

  void Start(ServiceEnv& env) override {
    store_.Bind(&env);
    auto st = store_.Load();
    if (!st.ok()) spdlog::error("logs: cannot load log groups: {}", st.message());
    if (env.spawn) env.spawn(SweepLoop());
  }

  void Reset() override { store_.Clear(); }
  void Reload() override {
    store_.Clear();
    auto st = store_.Load();
    if (!st.ok()) spdlog::error("logs: cannot load log groups: {}", st.message());
  }

  void Stop() override { stopping_ = true; }

 private:
  Task<void> SweepLoop() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!stopping_) {
      timer.expires_after(kSweepInterval);
      co_await timer.async_wait(asio::use_awaitable);
      if (!stopping_) DeleteExpiredEvents(store_, store_.env().clock->NowMillis());
    }
  }

  LogStore store_;
  std::atomic<bool> stopping_{false};
};

}  // namespace

std::unique_ptr<Service> NewLogsService() { return std::make_unique<LogsService>(); }

}  // namespace nimbus::logs
