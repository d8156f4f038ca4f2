#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/task.h"
#include "services/lambda/runtime/environment.h"

namespace nimbus::lambda::runtime {

// All execution environments of the server: warm reuse, concurrency accounting and idle
// reaping. An invocation takes a warm environment of the same function version and revision,
// or starts one (a cold start); environments of an older revision are never reused.
// Thread-safe.
class EnvironmentPool {
 public:
  EnvironmentPool(EnvironmentHost host, LogSink sink);
  ~EnvironmentPool();

  enum class Admission {
    kAdmitted,
    kFunctionThrottled,  // the function's reserved concurrency is in use
    kAccountThrottled,   // the account's concurrency limit is in use
  };

  // Runs `invocation` on an environment for `spec` and sets `*out`; or answers a throttle
  // without running anything. `reserved` is the function's reserved concurrency (-1: none);
  // `account_limit` caps the account's concurrent invocations.
  Task<Admission> Invoke(const boost::asio::any_io_executor& executor, const FunctionSpec& spec,
                         Invocation invocation, int reserved, int account_limit,
                         InvocationOutcome* out);

  // Invoke in two steps, for callers that answer before the invocation ends (response
  // streaming): Admit takes a place for one invocation of `spec` (or answers the throttle), and
  // Run, which must follow every kAdmitted, runs it and gives the place back.
  Admission Admit(const FunctionSpec& spec, int reserved, int account_limit);
  Task<void> Run(const boost::asio::any_io_executor& executor, const FunctionSpec& spec,
                 Invocation invocation, InvocationOutcome* out);

  // Invocations now running for a function (all versions) / an account.
  int Running(const std::string& function_arn) const;

  // Shuts down the idle environments of a function (code or configuration changed, deleted).
  void Retire(const std::string& function_arn);
  // Shuts down environments idle for longer than `idle`.
  void ReapIdle(std::chrono::steady_clock::duration idle);
  void ShutdownAll();

  const EnvironmentHost& host() const { return host_; }

 private:
  EnvironmentHost host_;
  LogSink sink_;
  mutable std::mutex mu_;
  // "function-arn:version" → warm environments (most recently used last).
  std::unordered_map<std::string, std::vector<std::shared_ptr<ExecutionEnvironment>>> idle_;
  std::unordered_map<std::string, int> running_by_function_;
  std::unordered_map<std::string, int> running_by_account_;
};

}  // namespace nimbus::lambda::runtime
