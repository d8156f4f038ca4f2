#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/task.h"
#include "services/lambda/runtime/sandbox.h"

namespace nimbus::auth {
class CredentialStore;
}  // namespace nimbus::auth

namespace nimbus::lambda::runtime {

class JavaClassArchives;
class MemoryCgroups;
class ResponseStream;
class RuntimeCatalog;

// Everything an environment needs to run one version of one function.
struct FunctionSpec {
  std::string function_name;
  std::string function_arn;  // unqualified
  std::string version;       // "$LATEST" or "3"
  std::string runtime;       // "python3.12"
  std::string handler;
  std::string role;
  int memory_mb = 128;
  int timeout_seconds = 3;
  int ephemeral_storage_mb = 512;  // EphemeralStorage.Size: the size of /tmp
  std::vector<std::pair<std::string, std::string>> environment;  // the function's variables
  std::string code_dir;                                          // host path of the unpacked code
  std::string opt_dir;  // host path of the merged layers ("" = none)
  std::string region;
  std::string account;
  // Changes whenever code or configuration change; warm environments of another revision are
  // never reused.
  std::string revision;
};

// What environments share: set up once by the Lambda service.
struct EnvironmentHost {
  Isolation isolation = Isolation::kProcess;
  std::string bwrap;
  RuntimeCatalog* catalog = nullptr;
  JavaClassArchives* java_archives = nullptr;  // class-data archives for Java runtimes, or none
  const MemoryCgroups* cgroups = nullptr;
  auth::CredentialStore* credentials = nullptr;  // role credentials for the function
  std::string runtime_dir;                       // host path of the runtime clients
  std::string work_dir;             // host directory for the environments' private /tmp
  std::vector<std::string> hidden;  // host directories the sandbox covers
  // Under bubblewrap, /tmp is a tmpfs of the function's EphemeralStorage size (false: the
  // directory under work_dir, without a size limit).
  bool sized_tmp = true;
  std::string endpoint_url;  // AWS_ENDPOINT_URL: nimbus itself
  std::string listen_host = "127.0.0.1";
  int init_timeout_seconds = 10;
};

struct LogEvent {
  int64_t timestamp_ms;
  std::string message;
};

// One invocation as the runtime receives it.
struct Invocation {
  std::string request_id;
  std::string payload;
  std::string invoked_function_arn;
  std::string client_context;  // JSON text ("" = none)
  std::string trace_id;
  // Where a streamed answer goes as the runtime sends it (InvokeWithResponseStream, function
  // URLs in RESPONSE_STREAM mode); null: it is gathered into the outcome's payload.
  std::shared_ptr<ResponseStream> response_stream;
};

struct InvocationOutcome {
  enum class Kind {
    kResponse,       // the runtime posted a response
    kFunctionError,  // the runtime posted an error (or the response was too large)
    kTimeout,        // "Task timed out after N.NN seconds"; the environment is gone
    kRuntimeExit,    // the runtime died (Runtime.ExitError / Runtime.OutOfMemory)
    kInitError,      // init/error, or no runtime could be started
    // The process of a warm environment had exited before the runtime took the invocation: it
    // did not run (no log lines); `undelivered` holds it for a fresh environment.
    kEnvironmentGone,
  };
  Kind kind = Kind::kResponse;
  std::string payload;  // the response, or the error document the caller sees
  // A response the runtime streamed ("Lambda-Runtime-Function-Response-Mode: streaming"): its
  // content type, and the error it reported in the trailers after the bytes it had streamed
  // (payload keeps those bytes, unless they went to the invocation's response_stream).
  bool streamed = false;
  std::string content_type;
  std::string stream_error_type;
  std::string stream_error_body;
  std::vector<LogEvent> log;              // this invocation's log: START, output, END, REPORT
  std::optional<Invocation> undelivered;  // kEnvironmentGone: the invocation, handed back
  bool cold = false;
  double duration_ms = 0;
};

// Called with lines an environment wrote (and its START/END/REPORT lines), in order, for the
// log stream `stream`. Must not block; may be called from any thread.
using LogSink = std::function<void(const FunctionSpec& spec, const std::string& stream,
                                   std::vector<LogEvent> events)>;

// One execution environment: a runtime process tree started from a FunctionSpec, its own
// Runtime API endpoint (an http::Listener on 127.0.0.1:<free port>, named in
// AWS_LAMBDA_RUNTIME_API: custom runtimes build URLs from that "host:port", so the endpoint
// itself identifies the environment), its memory cgroup, private /tmp and captured output.
// It runs one invocation at a time. Thread-safe; all waiting is done by coroutines.
class ExecutionEnvironment : public std::enable_shared_from_this<ExecutionEnvironment> {
 public:
  // Starts the process. Null with `*error` (the message for Runtime.InitError-like answers)
  // when it cannot start (no interpreter, no bootstrap, spawn failure).
  static std::shared_ptr<ExecutionEnvironment> Start(const boost::asio::any_io_executor& executor,
                                                     FunctionSpec spec, const EnvironmentHost& host,
                                                     LogSink sink, std::string* error);
  ~ExecutionEnvironment();

  // Runs `invocation` to its end: response, function error, timeout, runtime exit or init
  // error. The caller runs one invocation at a time per environment. After a timeout, exit or
  // init error the environment is dead. A warm environment whose process exits before the
  // runtime takes the invocation answers kEnvironmentGone and hands the invocation back.
  Task<InvocationOutcome> Invoke(Invocation invocation);

  // Kills the process tree (idempotent). The environment is dead once the exit is observed.
  void Shutdown();

  // Shut down, or its process has exited (also when the exit is not reaped yet: the pidfd is
  // polled), so it must not be given another invocation.
  bool dead() const;
  const FunctionSpec& spec() const { return spec_; }
  // Where the environment's Runtime API connections and watchers run.
  const boost::asio::any_io_executor& executor() const;
  const std::string& log_stream() const { return log_stream_; }
  uint16_t runtime_api_port() const;
  std::chrono::steady_clock::time_point last_used() const;

  struct State;

 private:
  ExecutionEnvironment(FunctionSpec spec, LogSink sink);

  FunctionSpec spec_;
  LogSink sink_;
  std::string log_stream_;
  std::shared_ptr<State> state_;
};

// The AWS log stream name of a new environment: "2024/01/31/[$LATEST]<32 hex>".
std::string NewLogStreamName(int64_t now_ms, const std::string& version);

// "REPORT RequestId: ...\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t
// Max Memory Used: 40 MB\t" plus "Init Duration: 12.34 ms\t" when `init_ms` >= 0.
std::string ReportLine(const std::string& request_id, double duration_ms, int memory_mb,
                       uint64_t max_memory_mb, double init_ms);

// The last `max_bytes` bytes of the log lines, each ended by '\n', for LogType=Tail (AWS cuts
// at a byte count, not at a line).
std::string LogTail(const std::vector<LogEvent>& log, size_t max_bytes);

}  // namespace nimbus::lambda::runtime
