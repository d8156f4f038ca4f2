#include "services/lambda/runtime/environment_pool.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/json.hpp>
#include <iterator>

#include "core/common/document.h"
#include "core/common/logging.h"

namespace nimbus::lambda::runtime {

namespace {

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

EnvironmentPool::EnvironmentPool(EnvironmentHost host, LogSink sink)
    : host_(std::move(host)), sink_(std::move(sink)) {}

EnvironmentPool::~EnvironmentPool() { ShutdownAll(); }

Task<EnvironmentPool::Admission> EnvironmentPool::Invoke(
    const boost::asio::any_io_executor& executor, const FunctionSpec& spec, Invocation invocation,
    int reserved, int account_limit, InvocationOutcome* out) {
  Admission admission = Admit(spec, reserved, account_limit);
  if (admission != Admission::kAdmitted) co_return admission;
  co_await Run(executor, spec, std::move(invocation), out);
  co_return Admission::kAdmitted;
}

EnvironmentPool::Admission EnvironmentPool::Admit(const FunctionSpec& spec, int reserved,
                                                  int account_limit) {
  std::lock_guard lock(mu_);
  int& fn = running_by_function_[spec.function_arn];
  int& acct = running_by_account_[spec.account];
  if (reserved >= 0 && fn >= reserved) return Admission::kFunctionThrottled;
  if (acct >= account_limit) return Admission::kAccountThrottled;
  ++fn;
  ++acct;
  return Admission::kAdmitted;
}

Task<void> EnvironmentPool::Run(const boost::asio::any_io_executor& executor,
                                const FunctionSpec& spec, Invocation invocation,
                                InvocationOutcome* out) {
  std::string key = spec.function_arn + ":" + spec.version;
  std::shared_ptr<ExecutionEnvironment> env;
  std::vector<std::shared_ptr<ExecutionEnvironment>> stale;
  {
    std::lock_guard lock(mu_);
    auto& warm = idle_[key];
    for (auto it = warm.begin(); it != warm.end();) {
      if ((*it)->dead() || (*it)->spec().revision != spec.revision) {
        stale.push_back(std::move(*it));
        it = warm.erase(it);
      } else {
        ++it;
      }
    }
    // The most recently used environment on the caller's io_context (its thread), so handing
    // the invocation over and back wakes no other thread; else the most recently used one.
    if (!warm.empty()) {
      auto& context = boost::asio::query(executor, boost::asio::execution::context);
      auto pick = std::prev(warm.end());
      for (auto it = warm.rbegin(); it != warm.rend(); ++it) {
        if (&boost::asio::query((*it)->executor(), boost::asio::execution::context) == &context) {
          pick = std::prev(it.base());
          break;
        }
      }
      env = std::move(*pick);
      warm.erase(pick);
    }
  }
  for (auto& e : stale) e->Shutdown();
  stale.clear();

  std::string error;
  if (!env) env = ExecutionEnvironment::Start(executor, spec, host_, sink_, &error);
  if (env) {
    *out = co_await env->Invoke(std::move(invocation));
    if (out->kind == InvocationOutcome::Kind::kEnvironmentGone) {
      // The warm environment's process had exited (the runtime crashed after answering, or
      // died while idle): the invocation did not run there and gets a fresh environment.
      spdlog::debug("lambda: an environment of {} had exited; starting a new one",
                    spec.function_name);
      invocation = std::move(*out->undelivered);
      *out = InvocationOutcome();
      env = ExecutionEnvironment::Start(executor, spec, host_, sink_, &error);
      if (env) *out = co_await env->Invoke(std::move(invocation));
    }
  }
  if (!env) {
    // The runtime could not even start: answered as AWS answers a missing bootstrap.
    spdlog::warn("lambda: cannot start an environment for {}: {}", spec.function_name, error);
    bool entrypoint = error.find("bootstrap") != std::string::npos;
    std::string message = "RequestId: " + invocation.request_id + " Error: " + error;
    out->kind = InvocationOutcome::Kind::kInitError;
    out->cold = true;
    out->payload = json::serialize(
        json::object{{"errorType", entrypoint ? "Runtime.InvalidEntrypoint" : "Runtime.Unknown"},
                     {"errorMessage", message}});
    int64_t now = WallMillis();
    out->log = {{now, "START RequestId: " + invocation.request_id + " Version: " + spec.version},
                {now, message},
                {now, "END RequestId: " + invocation.request_id},
                {now, ReportLine(invocation.request_id, 0, spec.memory_mb, 0, 0)}};
    if (sink_) sink_(spec, NewLogStreamName(now, spec.version), out->log);
  }
  {
    std::lock_guard lock(mu_);
    --running_by_function_[spec.function_arn];
    --running_by_account_[spec.account];
    if (env && !env->dead()) idle_[key].push_back(std::move(env));
  }
}

int EnvironmentPool::Running(const std::string& function_arn) const {
  std::lock_guard lock(mu_);
  auto it = running_by_function_.find(function_arn);
  return it == running_by_function_.end() ? 0 : it->second;
}

void EnvironmentPool::Retire(const std::string& function_arn) {
  std::vector<std::shared_ptr<ExecutionEnvironment>> gone;
  {
    std::lock_guard lock(mu_);
    std::string prefix = function_arn + ":";
    for (auto it = idle_.begin(); it != idle_.end();) {
      if (it->first.rfind(prefix, 0) == 0) {
        for (auto& e : it->second) gone.push_back(std::move(e));
        it = idle_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& e : gone) e->Shutdown();
}

void EnvironmentPool::ReapIdle(std::chrono::steady_clock::duration idle) {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<ExecutionEnvironment>> gone;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, list] : idle_) {
      std::vector<std::shared_ptr<ExecutionEnvironment>> keep;
      for (auto& e : list) {
        if (e->dead() || now - e->last_used() > idle) {
          gone.push_back(std::move(e));
        } else {
          keep.push_back(std::move(e));
        }
      }
      list = std::move(keep);
    }
  }
  for (auto& e : gone) e->Shutdown();
}

void EnvironmentPool::ShutdownAll() {
  std::vector<std::shared_ptr<ExecutionEnvironment>> gone;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, list] : idle_)
      for (auto& e : list) gone.push_back(std::move(e));
    idle_.clear();
  }
  for (auto& e : gone) e->Shutdown();
}

}  // namespace nimbus::lambda::runtime
