// Function logs to CloudWatch Logs through the registry: per stream, in order, batched.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "core/common/logging.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

// PutLogEvents takes at most 10,000 events and 1 MB (each event counting 26 bytes more).
constexpr size_t kMaxBatchEvents = 10000;
constexpr size_t kMaxBatchBytes = 1000000;
// A stream's first new line waits this long for more before the queue is written: a warm
// invocation's START, output, END and REPORT lines (and those of the invocations that follow
// within the window) go in one PutLogEvents, one storage write, instead of two or more per
// invocation. Short enough that GetLogEvents and `aws logs tail` see lines promptly.
constexpr auto kFlushDelay = std::chrono::milliseconds(5);
// A busy stream (its previous write started less than kBusySpan ago) waits longer, so that the
// invocations of that window share one write: under load an environment runs an invocation
// every few milliseconds, and a write per invocation costs more than the rest of its logging.
constexpr auto kBusyFlushDelay = std::chrono::milliseconds(100);
constexpr auto kBusySpan = std::chrono::seconds(1);

json::value GroupInput(const LambdaState::LogQueue& q) {
  json::object o;
  o["logGroupName"] = q.group;
  return o;
}

json::value StreamInput(const LambdaState::LogQueue& q) {
  json::object o;
  o["logGroupName"] = q.group;
  o["logStreamName"] = q.stream;
  return o;
}

// Drains one stream's queue after `delay` (parameters by value: a coroutine).
Task<void> Flush(LambdaState* s, std::string key, std::chrono::milliseconds delay) {
  if (delay.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  RequestContext ctx;
  ctx.request_id = NewRequestId();
  ctx.service = "lambda";
  ctx.env = s->env;
  for (;;) {
    LambdaState::LogQueue q;
    std::vector<runtime::LogEvent> batch;
    {
      std::lock_guard lock(s->logs_mu);
      auto& live = s->log_queues[key];
      if (live.events.empty()) {
        live.flushing = false;
        co_return;
      }
      size_t bytes = 0, n = 0;
      while (n < live.events.size() && n < kMaxBatchEvents &&
             bytes + live.events[n].message.size() + 26 <= kMaxBatchBytes) {
        bytes += live.events[n].message.size() + 26;
        ++n;
      }
      if (n == 0) n = 1;
      batch.assign(std::make_move_iterator(live.events.begin()),
                   std::make_move_iterator(live.events.begin() + static_cast<long>(n)));
      live.events.erase(live.events.begin(), live.events.begin() + static_cast<long>(n));
      q.account = live.account;
      q.region = live.region;
      q.group = live.group;
      q.stream = live.stream;
      q.created = live.created;
    }
    ctx.account_id = q.account;
    ctx.region = q.region;
    ctx.caller_arn = "arn:aws:iam::" + q.account + ":root";
    ctx.caller_user_id = q.account;
    json::array list;
    for (const auto& e : batch) {
      json::object ev;
      ev["timestamp"] = e.timestamp_ms;
      ev["message"] = e.message;
      list.push_back(std::move(ev));
    }
    json::object put = StreamInput(q).get_object();
    put["logEvents"] = std::move(list);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!q.created || attempt > 0) {
        // Creating what exists answers ResourceAlreadyExistsException: fine.
        (void)co_await s->env->registry->Call(ctx, "logs", "CreateLogGroup", GroupInput(q));
        (void)co_await s->env->registry->Call(ctx, "logs", "CreateLogStream", StreamInput(q));
        q.created = true;
        std::lock_guard lock(s->logs_mu);
        s->log_queues[key].created = true;
      }
      auto r = co_await s->env->registry->Call(ctx, "logs", "PutLogEvents", json::value(put));
      if (r) break;
      // The group or stream was deleted (DeleteLogGroup, a reset): make them again, once.
      if (r.error().code != "ResourceNotFoundException" || attempt > 0) {
        spdlog::debug("lambda: PutLogEvents to {} failed: {}", q.group, r.error().message);
        break;
      }
    }
  }
}

}  // namespace

void ShipLogs(LambdaState& s, const runtime::FunctionSpec& spec, const std::string& stream,
              std::vector<runtime::LogEvent> events) {
  if (events.empty()) return;
  Service* logs = s.env->registry->Find("logs");
  if (!logs || !logs->FindHandler("PutLogEvents")) return;
  std::string group = "/aws/lambda/" + spec.function_name;
  std::string key = group + "\n" + stream;
  bool start = false;
  std::chrono::milliseconds delay = kFlushDelay;
  {
    std::lock_guard lock(s.logs_mu);
    auto& q = s.log_queues[key];
    if (q.group.empty()) {
      q.account = spec.account;
      q.region = spec.region;
      q.group = group;
      q.stream = stream;
    }
    for (auto& e : events) q.events.push_back(std::move(e));
    if (!q.flushing) {
      q.flushing = true;
      start = true;
      auto now = std::chrono::steady_clock::now();
      if (now - q.last_flush < kBusySpan) delay = kBusyFlushDelay;
      q.last_flush = now;
    }
  }
  if (start) s.env->spawn(Flush(&s, key, delay));
}

void FlushLogsNow(LambdaState& s) {
  if (!s.env) return;
  std::vector<std::string> keys;
  {
    std::lock_guard lock(s.logs_mu);
    for (auto& [key, q] : s.log_queues) {
      if (q.events.empty()) continue;
      // A flush waiting on the stopped server's executor never resumes: this one takes over.
      q.flushing = true;
      keys.push_back(key);
    }
  }
  if (keys.empty()) return;
  boost::asio::io_context ioc;
  for (auto& key : keys)
    boost::asio::co_spawn(ioc, Flush(&s, key, std::chrono::milliseconds(0)), boost::asio::detached);
  ioc.run();
}

}  // namespace nimbus::lambda
