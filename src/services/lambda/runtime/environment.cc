#include "services/lambda/runtime/environment.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "core/auth/credentials.h"
#include "core/common/clock.h"
#include "core/common/document.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/http/listener.h"
#include "services/lambda/runtime/cgroup.h"
#include "services/lambda/runtime/environment_state.h"
#include "services/lambda/runtime/java_archive.h"
#include "services/lambda/runtime/process.h"
#include "services/lambda/runtime/runtimes.h"

namespace nimbus::lambda::runtime {

namespace fs = std::filesystem;

namespace {

std::string FormatSeconds(int seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(seconds));
  return buf;
}

// Peak resident memory of a process (no cgroup): VmHWM in kB from /proc/<pid>/status, read
// through `*fd`, opened on first use and kept (REPORT reads it after every invocation).
uint64_t ProcessPeakBytes(pid_t pid, int* fd) {
  if (*fd < 0) {
    std::string path = "/proc/" + std::to_string(pid) + "/status";
    *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return 0;
  }
  char buf[8192];
  ssize_t n = ::pread(*fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char* at = std::strstr(buf, "\nVmHWM:");
  if (!at) return 0;
  return std::strtoull(at + 7, nullptr, 10) * 1024;
}

// A blocking TCP connection to host:port (the environment's Runtime API listener, which
// accepts it once its io thread runs); -1 on failure.
int ConnectBlocking(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r;
    do {
      r = ::connect(fd, res->ai_addr, res->ai_addrlen);
    } while (r != 0 && errno == EINTR);
    if (r != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  return fd;
}

using State = ExecutionEnvironment::State;

// Waits for the runtime's exit (pidfd readable), reaps it and settles what was in flight.
Task<void> WatchExit(std::shared_ptr<State> st) {
  co_await st->pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                                 asio::as_tuple(asio::use_awaitable));
  int status = 0;
  asio::steady_timer timer(st->executor);
  for (int i = 0; i < 1000 && !TryReap(st->child.pid, &status); ++i) {
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  std::vector<LogEvent> emitted;
  std::unique_lock emit_lock(st->emit_mu);
  {
    std::lock_guard lock(st->mu);
    st->ReadOutputLocked(&emitted);
    st->dead = true;
    st->exit_status = status;
    if (st->cgroup) {
      st->oom = st->cgroup->OomKilled();
      st->peak_bytes = st->cgroup->PeakBytes();
    }
    if (st->pending && !st->pending->finished && st->pending->warm && !st->pending->delivered) {
      st->FinishLocked(st->pending, InvocationOutcome::Kind::kEnvironmentGone, "");
    } else if (st->pending && !st->pending->finished) {
      auto kind = st->init_error.empty() ? InvocationOutcome::Kind::kRuntimeExit
                                         : InvocationOutcome::Kind::kInitError;
      st->FinishLocked(st->pending, kind, st->init_error);
    }
  }
  st->Emit(std::move(emitted));
  emit_lock.unlock();
  spdlog::debug("lambda environment {} of {} exited: {}", st->id, st->spec.function_name,
                DescribeExit(status));
  st->next_signal.close();
  st->death.close();
  if (st->listener) st->listener->Close();
  if (st->cgroup) {
    st->cgroup->KillAll();
    st->cgroup.reset();
  }
  if (st->host.credentials && !st->access_key_id.empty())
    st->host.credentials->Remove(st->access_key_id);
  std::error_code ec;
  fs::remove_all(st->tmp_dir, ec);
}

// Turns the runtime's stdout and stderr into log events as they arrive.
Task<void> ReadOutput(std::shared_ptr<State> st) {
  for (;;) {
    auto [ec] = co_await st->output->async_wait(asio::posix::stream_descriptor::wait_read,
                                                asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    std::vector<LogEvent> emitted;
    bool eof;
    {
      std::lock_guard emit_lock(st->emit_mu);
      {
        std::lock_guard lock(st->mu);
        st->ReadOutputLocked(&emitted);
        eof = st->output_eof;
      }
      st->Emit(std::move(emitted));
    }
    if (eof) break;
  }
}

std::string ShortId() { return RandomHex(12); }

}  // namespace

std::string NewLogStreamName(int64_t now_ms, const std::string& version) {
  auto tp = std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms));
  std::string iso = FormatIso8601(tp);  // 2024-01-31T...
  std::string date = iso.substr(0, 4) + "/" + iso.substr(5, 2) + "/" + iso.substr(8, 2);
  return date + "/[" + version + "]" + RandomHex(32);
}

std::string ReportLine(const std::string& request_id, double duration_ms, int memory_mb,
                       uint64_t max_memory_mb, double init_ms) {
  char buf[512];
  int billed = static_cast<int>(std::ceil(duration_ms));
  if (billed < 1) billed = 1;
  std::snprintf(buf, sizeof buf,
                "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: "
                "%d MB\tMax Memory Used: %llu MB\t",
                request_id.c_str(), duration_ms, billed, memory_mb,
                static_cast<unsigned long long>(max_memory_mb));
  std::string out = buf;
  if (init_ms >= 0) {
    std::snprintf(buf, sizeof buf, "Init Duration: %.2f ms\t", init_ms);
    out += buf;
  }
  return out;
}

std::string LogTail(const std::vector<LogEvent>& log, size_t max_bytes) {
  std::string all;
  for (const auto& e : log) {
    all += e.message;
    all += '\n';
  }
  if (all.size() > max_bytes) all.erase(0, all.size() - max_bytes);
  return all;
}

ExecutionEnvironment::ExecutionEnvironment(FunctionSpec spec, LogSink sink)
    : spec_(std::move(spec)), sink_(std::move(sink)) {}

ExecutionEnvironment::~ExecutionEnvironment() { Shutdown(); }

std::shared_ptr<ExecutionEnvironment> ExecutionEnvironment::Start(
    const asio::any_io_executor& executor, FunctionSpec spec, const EnvironmentHost& host,
    LogSink sink, std::string* error) {
  auto env = std::shared_ptr<ExecutionEnvironment>(new ExecutionEnvironment(spec, sink));
  env->log_stream_ = NewLogStreamName(WallMillis(), spec.version);
  auto st = std::make_shared<State>(executor);
  env->state_ = st;
  st->spec = spec;
  st->sink = sink;
  st->stream = env->log_stream_;
  st->host = host;
  st->id = ShortId();

  std::error_code ec;
  st->tmp_dir = host.work_dir + "/tmp/" + std::to_string(::getpid()) + "-" + st->id;
  fs::create_directories(st->tmp_dir, ec);
  if (ec) {
    *error = "cannot create " + st->tmp_dir + ": " + ec.message();
    return nullptr;
  }
  fs::permissions(st->tmp_dir, fs::perms::all | fs::perms::sticky_bit, ec);

  SandboxLayout layout{spec.code_dir, host.runtime_dir, spec.opt_dir, st->tmp_dir, host.hidden};
  if (host.sized_tmp) layout.tmp_size_mb = spec.ephemeral_storage_mb;
  SandboxPaths paths = PathsFor(host.isolation, layout);
  RuntimeCommand command;
  if (!host.catalog->Command(spec.runtime, paths, spec.code_dir, spec.opt_dir, spec.memory_mb,
                             &command, error)) {
    fs::remove_all(st->tmp_dir, ec);
    return nullptr;
  }
  if (host.java_archives && FamilyOf(spec.runtime) == RuntimeFamily::kJava) {
    std::string archive = host.java_archives->ArchiveFor(command.argv[0], host, paths);
    if (!archive.empty())
      command.argv.insert(command.argv.begin() + 1, "-XX:SharedArchiveFile=" + archive);
  }

  http::ServerOptions lo;
  lo.host = host.listen_host;
  lo.port = 0;
  lo.max_body_bytes = kMaxBodyBytes;
  // Chunked bodies come as streams (a runtime streaming its answer): HandleRuntimeApi forwards
  // a streamed answer as it arrives and reads any other whole.
  lo.stream_body_bytes = kMaxBodyBytes;
  // A streaming function may pause for as long as its timeout (at most 900 s) between writes.
  lo.body_timeout_seconds = 960;
  lo.idle_timeout_seconds = 24 * 3600;
  // A runtime that posts its result and asks for the next invocation in one write gets the
  // 202 with the next invocation (the Python client does).
  lo.hold_pipelined_responses = true;
  std::weak_ptr<State> weak = st;
  st->listener = http::Listener::Start(
      executor, lo, [weak](http::Request& r) { return HandleRuntimeApi(weak, r); }, error);
  if (!st->listener) {
    fs::remove_all(st->tmp_dir, ec);
    return nullptr;
  }

  // The function's role credentials: a temporary key nimbus knows, in the function's account.
  st->access_key_id = NewAccessKeyId("ASIA");
  st->secret_access_key = NewSecretKey();
  st->session_token = "IQoJb3JpZ2luX2VjE" + Base64Encode(RandomAlnum(96));
  if (host.credentials) {
    auth::Credential cred;
    cred.access_key_id = st->access_key_id;
    cred.secret_access_key = st->secret_access_key;
    cred.session_token = st->session_token;
    cred.account_id = spec.account;
    std::string role_name = spec.role.substr(spec.role.rfind('/') + 1);
    cred.principal_arn =
        "arn:aws:sts::" + spec.account + ":assumed-role/" + role_name + "/" + spec.function_name;
    host.credentials->Add(std::move(cred));
  }

  std::vector<std::pair<std::string, std::string>> vars = {
      {"AWS_LAMBDA_FUNCTION_NAME", spec.function_name},
      {"AWS_LAMBDA_FUNCTION_VERSION", spec.version},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(spec.memory_mb)},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.function_name},
      {"AWS_LAMBDA_LOG_STREAM_NAME", env->log_stream_},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_LAMBDA_RUNTIME_API", host.listen_host + ":" + std::to_string(st->listener->port())},
      {"AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime},
      {"AWS_REGION", spec.region},
      {"AWS_DEFAULT_REGION", spec.region},
      {"AWS_ACCESS_KEY_ID", st->access_key_id},
      {"AWS_SECRET_ACCESS_KEY", st->secret_access_key},
      {"AWS_SESSION_TOKEN", st->session_token},
      {"AWS_ENDPOINT_URL", host.endpoint_url},
      {"_HANDLER", spec.handler},
      {"LAMBDA_TASK_ROOT", paths.task_root},
      {"LAMBDA_RUNTIME_DIR", paths.runtime_dir},
      {"TZ", ":UTC"},
      {"LANG", "en_US.UTF-8"},
      {"TMPDIR", paths.tmp_dir},
      {"PATH", "/usr/local/bin:/usr/bin:/bin" +
                   (paths.opt_dir.empty() ? "" : ":" + paths.opt_dir + "/bin")},
      {"LD_LIBRARY_PATH",
       paths.task_root + "/lib" + (paths.opt_dir.empty() ? "" : ":" + paths.opt_dir + "/lib")},
  };
  for (auto& kv : command.env) vars.push_back(kv);
  for (auto& kv : spec.environment) vars.push_back(kv);  // the function's own win
  // A Runtime API connection the runtime finds open on fd 3 (RuntimeCommand); without it the
  // runtime connects to AWS_LAMBDA_RUNTIME_API itself.
  int api_fd = -1;
  if (command.runtime_api_socket) {
    api_fd = ConnectBlocking(host.listen_host, st->listener->port());
    if (api_fd >= 0) vars.emplace_back("_NIMBUS_RUNTIME_API_FD", "3");
  }
  std::vector<std::string> envp;
  std::unordered_map<std::string, size_t> index;
  for (auto& [k, v] : vars) {
    auto it = index.find(k);
    if (it != index.end()) {
      envp[it->second] = k + "=" + v;
    } else {
      index[k] = envp.size();
      envp.push_back(k + "=" + v);
    }
  }

  if (host.cgroups && host.cgroups->available())
    st->cgroup = host.cgroups->Create(std::to_string(::getpid()) + "-" + st->id,
                                      static_cast<uint64_t>(spec.memory_mb) << 20);
  SpawnOptions so;
  so.argv = SandboxArgv(host.isolation, host.bwrap, layout, command.argv, HostRootEntries());
  so.env = std::move(envp);
  so.cwd = host.isolation == Isolation::kBubblewrap ? "" : spec.code_dir;
  if (st->cgroup) so.cgroup_procs = st->cgroup->procs_file();
  so.fd3 = api_fd;
  bool spawned = Spawn(so, &st->child, error);
  if (api_fd >= 0) ::close(api_fd);
  if (!spawned) {
    st->listener->Close();
    if (host.credentials) host.credentials->Remove(st->access_key_id);
    fs::remove_all(st->tmp_dir, ec);
    return nullptr;
  }
  st->pidfd = std::make_unique<asio::posix::stream_descriptor>(executor, st->child.pidfd);
  st->output = std::make_unique<asio::posix::stream_descriptor>(executor, st->child.output_fd);
  asio::co_spawn(executor, WatchExit(st), asio::detached);
  asio::co_spawn(executor, ReadOutput(st), asio::detached);
  spdlog::debug("lambda environment {} of {}:{} started: pid {}, runtime API port {}", st->id,
                spec.function_name, spec.version, st->child.pid, st->listener->port());
  return env;
}

Task<InvocationOutcome> ExecutionEnvironment::Invoke(Invocation invocation) {
  auto st = state_;
  auto p = std::make_shared<Pending>(st->executor, std::move(invocation));
  const std::string request_id = p->invocation.request_id;
  auto t0 = SteadyClock::now();
  InvocationOutcome out;
  std::vector<LogEvent> emitted;
  std::unique_lock emit_lock(st->emit_mu);
  {
    std::lock_guard lock(st->mu);
    out.cold = st->first_invocation;
    p->warm = !st->first_invocation;
    st->first_invocation = false;
    p->lines = std::move(st->unattached);
    st->unattached.clear();
    LogEvent start{WallMillis(), "START RequestId: " + request_id + " Version: " + spec_.version};
    p->lines.push_back(start);
    st->start_line = std::move(start);
    if (p->warm && (st->dead || st->killed || ProcessExited(st->child.pidfd))) {
      p->finished = true;
      p->kind = InvocationOutcome::Kind::kEnvironmentGone;
    } else if (st->dead) {
      p->finished = true;
      p->kind = st->init_error.empty() ? InvocationOutcome::Kind::kRuntimeExit
                                       : InvocationOutcome::Kind::kInitError;
      p->payload = st->init_error;
    } else {
      st->pending = p;
    }
  }
  emit_lock.unlock();
  st->next_signal.try_send(boost::system::error_code());

  // Until the runtime takes the event: the init window; then the function's timeout, from the
  // delivery. The timer posts into the invocation's channel, so a warm invocation waits on one
  // channel and wakes once, when it is done (no parallel group re-armed at delivery). It is set
  // for the earliest moment either limit can end and checks which applies when it fires.
  const auto timeout = std::chrono::seconds(spec_.timeout_seconds);
  const auto init_deadline =
      t0 + std::chrono::seconds(std::max(st->host.init_timeout_seconds, spec_.timeout_seconds));
  asio::steady_timer timer(st->executor);
  auto wake = t0 + timeout;
  bool timed_out = false;
  for (;;) {
    {
      std::lock_guard lock(st->mu);
      if (p->finished) break;
    }
    timer.expires_at(wake);
    timer.async_wait([p](boost::system::error_code ec) {
      if (!ec) p->events.try_send(boost::system::error_code(), Pending::kDeadline);
    });
    auto [ec, event] = co_await p->events.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec || event == Pending::kDone) break;
    auto now = SteadyClock::now();
    std::lock_guard lock(st->mu);
    if (p->finished) break;
    auto deadline = p->delivered ? p->delivered_at + timeout : init_deadline;
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    // Not delivered yet: a delivery from now on cannot end sooner than now + timeout.
    wake = p->delivered ? deadline : std::min(deadline, now + timeout);
  }
  timer.cancel();

  std::string timeout_text =
      "Task timed out after " + FormatSeconds(spec_.timeout_seconds) + " seconds";
  if (timed_out) {
    std::lock_guard lock(st->mu);
    st->FinishLocked(p, InvocationOutcome::Kind::kTimeout, "");
  }
  bool kill = false;
  double duration_ms = 0;
  uint64_t peak = 0;
  double init_ms = -1;
  bool gone = false;
  emit_lock.lock();
  {
    std::lock_guard lock(st->mu);
    st->ReadOutputLocked(&emitted);
    if (st->start_line && p->kind != InvocationOutcome::Kind::kEnvironmentGone) {
      emitted.insert(emitted.begin(), std::move(*st->start_line));
      st->start_line.reset();
    }
    if (st->pending == p) st->pending.reset();
    out.kind = p->kind;
    gone = out.kind == InvocationOutcome::Kind::kEnvironmentGone;
    if (gone) {
      // The invocation did not run here: no START, END or REPORT in this environment's log.
      st->start_line.reset();
      out.undelivered = std::move(p->invocation);
    }
  }
  if (gone) {
    st->Emit(std::move(emitted));
    emit_lock.unlock();
    Shutdown();
    co_return out;
  }
  {
    std::lock_guard lock(st->mu);
    duration_ms = p->delivered ? MillisSince(p->delivered_at) : MillisSince(t0);
    if (out.cold && st->init_ms >= 0) init_ms = st->init_ms;
    switch (p->kind) {
      case InvocationOutcome::Kind::kResponse:
      case InvocationOutcome::Kind::kFunctionError:
        out.payload = std::move(p->payload);
        out.streamed = p->streamed;
        out.content_type = std::move(p->content_type);
        out.stream_error_type = std::move(p->stream_error_type);
        out.stream_error_body = std::move(p->stream_error_body);
        break;
      case InvocationOutcome::Kind::kTimeout: {
        kill = true;
        LogEvent ev{WallMillis(), FormatIso8601(std::chrono::system_clock::now(), true) + " " +
                                      request_id + " " + timeout_text};
        p->lines.push_back(ev);
        emitted.push_back(ev);
        out.payload = json::serialize(
            json::object{{"errorType", "Sandbox.Timedout"},
                         {"errorMessage", "RequestId: " + request_id + " Error: " + timeout_text}});
        break;
      }
      case InvocationOutcome::Kind::kEnvironmentGone:  // answered above
        break;
      case InvocationOutcome::Kind::kInitError:
        kill = true;
        out.payload = p->payload;
        break;
      case InvocationOutcome::Kind::kRuntimeExit: {
        std::string why = "Runtime exited with error: " + DescribeExit(st->exit_status);
        if (st->oom) why = "Runtime exited with error: signal: killed";
        out.payload = json::serialize(
            json::object{{"errorType", st->oom ? "Runtime.OutOfMemory" : "Runtime.ExitError"},
                         {"errorMessage", "RequestId: " + request_id + " Error: " + why}});
        LogEvent ev{WallMillis(), "RequestId: " + request_id + " Error: " + why};
        p->lines.push_back(ev);
        emitted.push_back(ev);
        break;
      }
    }
    if (st->cgroup) {
      peak = st->cgroup->PeakBytes();
    } else if (st->peak_bytes) {
      peak = st->peak_bytes;
    } else if (!st->dead) {
      peak = ProcessPeakBytes(st->child.pid, &st->status_fd);
    }
    if (st->peak_bytes > peak) peak = st->peak_bytes;
    LogEvent end{WallMillis(), "END RequestId: " + request_id};
    LogEvent report{WallMillis(), ReportLine(request_id, duration_ms, spec_.memory_mb,
                                             (peak + (1 << 20) - 1) >> 20, init_ms)};
    p->lines.push_back(end);
    p->lines.push_back(report);
    emitted.push_back(end);
    emitted.push_back(report);
    out.log = std::move(p->lines);
    st->last_used = SteadyClock::now();
  }
  out.duration_ms = duration_ms;
  st->Emit(std::move(emitted));
  emit_lock.unlock();
  if (kill) Shutdown();
  co_return out;
}

void ExecutionEnvironment::Shutdown() {
  if (state_) state_->Kill();
}

bool ExecutionEnvironment::dead() const {
  std::lock_guard lock(state_->mu);
  return state_->dead || state_->killed;
}

const asio::any_io_executor& ExecutionEnvironment::executor() const { return state_->executor; }

uint16_t ExecutionEnvironment::runtime_api_port() const { return state_->listener->port(); }

std::chrono::steady_clock::time_point ExecutionEnvironment::last_used() const {
  std::lock_guard lock(state_->mu);
  return state_->last_used;
}

}  // namespace nimbus::lambda::runtime
