// The inside of an ExecutionEnvironment, shared by its two halves: the process lifecycle
// (environment.cc: start, invocations, output, exit and shutdown) and the Runtime API the
// runtime talks to (runtime_api.cc). Only those two files include it.
#pragma once

#include <poll.h>
#include <unistd.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/common/logging.h"
#include "core/http/http_types.h"
#include "core/http/listener.h"
#include "services/lambda/runtime/cgroup.h"
#include "services/lambda/runtime/environment.h"
#include "services/lambda/runtime/process.h"

namespace nimbus::lambda::runtime {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using Signal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

constexpr size_t kMaxResponseBytes = 6 * 1024 * 1024;
// A streamed response may reach 20 MiB (Lambda's limit for response streaming).
constexpr size_t kMaxStreamedResponseBytes = 20 * 1024 * 1024;
// What the Runtime API listener reads whole (a streamed answer is read as it arrives).
constexpr size_t kMaxBodyBytes = kMaxStreamedResponseBytes + kMaxResponseBytes;
constexpr size_t kMaxLineBytes = 256 * 1024;
constexpr size_t kMaxUnattachedLines = 1000;

inline int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double MillisSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

// True once the process behind `pidfd` has exited (its pidfd polls readable), reaped or not.
inline bool ProcessExited(int pidfd) {
  if (pidfd < 0) return false;
  pollfd pfd{pidfd, POLLIN, 0};
  int r;
  do {
    r = ::poll(&pfd, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

// One invocation in flight. Fields other than `events` are guarded by State::mu.
struct Pending {
  // kDone: finished (FinishLocked); kDeadline: Invoke's timer fired.
  enum Event { kDone = 1, kDeadline = 2 };
  Pending(const asio::any_io_executor& ex, Invocation i)
      : invocation(std::move(i)), events(ex, 4) {}

  Invocation invocation;
  asio::experimental::concurrent_channel<void(boost::system::error_code, int)> events;
  bool delivered = false;
  bool finished = false;
  // Given to an environment that had run an invocation before: until the runtime takes it,
  // the output read is the previous invocation's tail, not this one's.
  bool warm = false;
  SteadyClock::time_point delivered_at;
  InvocationOutcome::Kind kind = InvocationOutcome::Kind::kResponse;
  std::string payload;
  bool streamed = false;
  bool streaming = false;  // the runtime's streamed answer is being read
  std::string content_type, stream_error_type, stream_error_body;
  std::vector<LogEvent> lines;
};

struct ExecutionEnvironment::State {
  State(const asio::any_io_executor& ex) : executor(ex), next_signal(ex, 1), death(ex, 1) {}
  ~State() {
    if (child.output_fd >= 0 && !output) ::close(child.output_fd);
    if (child.pidfd >= 0 && !pidfd) ::close(child.pidfd);
    if (status_fd >= 0) ::close(status_fd);
  }

  asio::any_io_executor executor;
  FunctionSpec spec;
  LogSink sink;
  std::string stream;
  EnvironmentHost host;
  std::string id;

  std::mutex mu;
  // Held from reading output (under mu) until those events are emitted, so the log sink gets
  // them in the order they were read: a function's output never lands after its END line.
  // Taken before mu, never while holding it.
  std::mutex emit_mu;
  ChildProcess child;
  std::unique_ptr<asio::posix::stream_descriptor> pidfd;   // used by WatchExit only
  std::unique_ptr<asio::posix::stream_descriptor> output;  // async_wait by ReadOutput only
  std::shared_ptr<http::Listener> listener;
  std::unique_ptr<MemoryCgroup> cgroup;
  std::string tmp_dir;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;

  bool dead = false;
  bool killed = false;  // Shutdown was called
  int exit_status = 0;
  bool oom = false;
  uint64_t peak_bytes = 0;
  int status_fd = -1;      // /proc/<pid>/status of the runtime (ProcessPeakBytes)
  std::string init_error;  // the body of init/error
  bool init_done = false;
  bool first_invocation = true;
  SteadyClock::time_point started = SteadyClock::now();
  double init_ms = -1;
  SteadyClock::time_point last_used = SteadyClock::now();
  std::shared_ptr<Pending> pending;
  std::vector<LogEvent> unattached;  // output before an invocation (init), given to the next one
  // The pending invocation's START line, not shipped yet: it goes with the invocation's first
  // line of output, or with its END and REPORT lines (one log write per quiet invocation).
  std::optional<LogEvent> start_line;
  std::string partial;
  bool output_eof = false;

  Signal next_signal;  // an invocation is waiting (or the environment died: closed)
  Signal death;        // closed when the environment dies (extensions' event/next)

  // Finishes `p` (first outcome wins). Caller holds mu.
  void FinishLocked(const std::shared_ptr<Pending>& p, InvocationOutcome::Kind kind,
                    std::string payload) {
    if (!p || p->finished) return;
    p->finished = true;
    p->kind = kind;
    p->payload = std::move(payload);
    p->events.try_send(boost::system::error_code(), Pending::kDone);
  }

  void AddLineLocked(std::string line, std::vector<LogEvent>* emitted) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    LogEvent ev{WallMillis(), std::move(line)};
    if (pending && !pending->finished && pending->warm && !pending->delivered) {
      emitted->push_back(std::move(ev));  // before the pending invocation's START
      return;
    }
    if (start_line) {
      emitted->push_back(std::move(*start_line));
      start_line.reset();
    }
    if (pending && !pending->finished) {
      pending->lines.push_back(ev);
    } else if (unattached.size() < kMaxUnattachedLines) {
      unattached.push_back(ev);
    }
    emitted->push_back(std::move(ev));
  }

  // Reads what the output pipe holds and turns complete lines into log events. Caller holds mu.
  void ReadOutputLocked(std::vector<LogEvent>* emitted) {
    if (child.output_fd < 0 || output_eof) return;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(child.output_fd, buf, sizeof buf);
      if (n > 0) {
        partial.append(buf, static_cast<size_t>(n));
        size_t start = 0;
        for (;;) {
          size_t nl = partial.find('\n', start);
          if (nl == std::string::npos) break;
          AddLineLocked(partial.substr(start, nl - start), emitted);
          start = nl + 1;
        }
        partial.erase(0, start);
        while (partial.size() > kMaxLineBytes) {
          AddLineLocked(partial.substr(0, kMaxLineBytes), emitted);
          partial.erase(0, kMaxLineBytes);
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) output_eof = true;
      break;
    }
    if (output_eof && !partial.empty()) {
      AddLineLocked(std::move(partial), emitted);
      partial.clear();
    }
  }

  void Emit(std::vector<LogEvent> events) {
    if (!events.empty() && sink) sink(spec, stream, std::move(events));
  }

  void Kill() {
    std::lock_guard lock(mu);
    killed = true;
    if (dead) return;
    KillProcessGroup(child.pid);
    if (cgroup) cgroup->KillAll();
  }
};

// The Runtime API (and the parts of the Extensions and Telemetry APIs extensions need) of one
// environment: the handler of its listener (runtime_api.cc).
Task<http::Response> HandleRuntimeApi(std::weak_ptr<ExecutionEnvironment::State> weak,
                                      http::Request& request);

}  // namespace nimbus::lambda::runtime
