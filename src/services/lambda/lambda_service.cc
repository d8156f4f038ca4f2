#include "services/lambda/lambda_service.h"

#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "core/auth/credentials.h"
#include "core/common/logging.h"
#include "core/http/listener.h"
#include "core/storage/blob_store.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (...) {
    return fallback;
  }
}

using AsyncHandler = Task<Result<Document>> (*)(LambdaState&, RequestContext&, Document);

bool MayWrite(std::string_view op) {
  return !op.starts_with("Get") && !op.starts_with("List") && !op.starts_with("Invoke");
}

Task<Result<Document>> Invalidating(LambdaState* s, AsyncHandler fn, RequestContext& ctx,
                                    Document in) {
  auto out = co_await fn(*s, ctx, std::move(in));
  s->targets.Invalidate();
  co_return out;
}

class LambdaService final : public Service {
 public:
  LambdaService() : Service("lambda") {
    auto* s = &state_;
    // An operation that may write (all but Get*, List* and Invoke*) drops the cached invocation
    // targets once it has run.
    auto sync = [this, s](const char* op,
                          Result<Document> (*fn)(LambdaState&, RequestContext&, Document&)) {
      if (!MayWrite(op)) {
        HandleSync(op, [s, fn](RequestContext& ctx, Document& in) { return fn(*s, ctx, in); });
        return;
      }
      HandleSync(op, [s, fn](RequestContext& ctx, Document& in) {
        auto out = fn(*s, ctx, in);
        s->targets.Invalidate();
        return out;
      });
    };
    auto async = [this, s](const char* op, AsyncHandler fn) {
      if (!MayWrite(op)) {
        Handle(op,
               [s, fn](RequestContext& ctx, Document in) { return fn(*s, ctx, std::move(in)); });
        return;
      }
      Handle(op, [s, fn](RequestContext& ctx, Document in) {
        return Invalidating(s, fn, ctx, std::move(in));
      });
    };
    async("CreateFunction", &CreateFunction);
    sync("GetFunction", &GetFunction);
    sync("GetFunctionConfiguration", &GetFunctionConfiguration);
    sync("ListFunctions", &ListFunctions);
    async("UpdateFunctionCode", &UpdateFunctionCode);
    sync("UpdateFunctionConfiguration", &UpdateFunctionConfiguration);
    sync("DeleteFunction", &DeleteFunction);
    sync("PublishVersion", &PublishVersion);
    sync("ListVersionsByFunction", &ListVersionsByFunction);
    sync("CreateAlias", &CreateAlias);
    sync("GetAlias", &GetAlias);
    sync("UpdateAlias", &UpdateAlias);
    sync("DeleteAlias", &DeleteAlias);
    sync("ListAliases", &ListAliases);
    sync("PutFunctionConcurrency", &PutFunctionConcurrency);
    sync("GetFunctionConcurrency", &GetFunctionConcurrency);
    sync("DeleteFunctionConcurrency", &DeleteFunctionConcurrency);
    sync("AddPermission", &AddPermission);
    sync("RemovePermission", &RemovePermission);
    sync("GetPolicy", &GetPolicy);
    sync("TagResource", &TagResource);
    sync("UntagResource", &UntagResource);
    sync("ListTags", &ListTags);
    sync("GetAccountSettings", &GetAccountSettings);
    async("Invoke", &Invoke);
    async("InvokeWithResponseStream", &InvokeWithResponseStream);
    async("PublishLayerVersion", &PublishLayerVersion);
    sync("GetLayerVersion", &GetLayerVersion);
    sync("GetLayerVersionByArn", &GetLayerVersionByArn);
    sync("ListLayers", &ListLayers);
    sync("ListLayerVersions", &ListLayerVersions);
    sync("DeleteLayerVersion", &DeleteLayerVersion);
    sync("PutFunctionEventInvokeConfig", &PutFunctionEventInvokeConfig);
    sync("UpdateFunctionEventInvokeConfig", &UpdateFunctionEventInvokeConfig);
    sync("GetFunctionEventInvokeConfig", &GetFunctionEventInvokeConfig);
    sync("DeleteFunctionEventInvokeConfig", &DeleteFunctionEventInvokeConfig);
    sync("ListFunctionEventInvokeConfigs", &ListFunctionEventInvokeConfigs);
    async("CreateEventSourceMapping", &CreateEventSourceMapping);
    sync("GetEventSourceMapping", &GetEventSourceMapping);
    sync("ListEventSourceMappings", &ListEventSourceMappings);
    async("UpdateEventSourceMapping", &UpdateEventSourceMapping);
    sync("DeleteEventSourceMapping", &DeleteEventSourceMapping);
    sync("CreateFunctionUrlConfig", &CreateFunctionUrlConfig);
    sync("GetFunctionUrlConfig", &GetFunctionUrlConfig);
    sync("UpdateFunctionUrlConfig", &UpdateFunctionUrlConfig);
    sync("DeleteFunctionUrlConfig", &DeleteFunctionUrlConfig);
    sync("ListFunctionUrlConfigs", &ListFunctionUrlConfigs);
  }

  // Function URLs: `<urlId>.lambda-url.<region>.<host>`.
  Task<std::optional<http::Response>> HandleDataPlane(const http::Request& request,
                                                      const DataPlaneTarget& target,
                                                      std::string_view request_id) override {
    if (!state_.env) co_return std::nullopt;
    co_return co_await ServeFunctionUrl(state_, request, target, request_id);
  }

  ~LambdaService() override { Stop(); }

  void Start(ServiceEnv& env) override {
    state_.env = &env;
    const Config& config = *env.config;
    std::error_code ec;
    if (config.ephemeral) {
      std::string pattern = (fs::temp_directory_path(ec) / "nimbus-lambda-XXXXXX").string();
      if (::mkdtemp(pattern.data())) {
        state_.work_dir = pattern;
        state_.own_work_dir = true;
      }
    } else {
      state_.work_dir = fs::absolute(fs::path(config.data_dir) / "lambda", ec).string();
    }
    fs::create_directories(state_.work_dir + "/code", ec);
    std::string runtime_dir = state_.work_dir + "/runtimes";
    std::string error;
    if (!runtime::WriteEmbeddedRuntimes(runtime_dir, &error))
      spdlog::error("lambda: cannot write the runtime clients: {}", error);
    // Temporary code directories of a crashed unpack are left over: drop them.
    for (const char* sub : {"/code", "/opt"})
      for (const auto& e : fs::directory_iterator(state_.work_dir + sub, ec))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
          fs::remove_all(e.path(), ec);
    fs::remove_all(state_.work_dir + "/tmp", ec);

    runtime::EnvironmentHost host;
    std::string mode =
        std::getenv("NIMBUS_LAMBDA_ISOLATION") ? std::getenv("NIMBUS_LAMBDA_ISOLATION") : "";
    host.bwrap = runtime::BubblewrapPath();
    host.isolation = !host.bwrap.empty() && mode != "process" ? runtime::Isolation::kBubblewrap
                                                              : runtime::Isolation::kProcess;
    state_.cgroups = runtime::MemoryCgroups::Detect();
    host.cgroups = state_.cgroups.get();
    host.catalog = &state_.catalog;
    host.java_archives = &state_.java_archives;
    host.credentials = env.credentials;
    host.runtime_dir = runtime_dir;
    host.work_dir = state_.work_dir;
    // /tmp sized to EphemeralStorage (a tmpfs, which counts against the memory limit), or
    // NIMBUS_LAMBDA_TMP=directory: a directory on disk without a size limit.
    const char* tmp_mode = std::getenv("NIMBUS_LAMBDA_TMP");
    host.sized_tmp = host.isolation == runtime::Isolation::kBubblewrap &&
                     !(tmp_mode && std::string_view(tmp_mode) == "directory");
    if (!config.ephemeral) host.hidden.push_back(fs::absolute(config.data_dir, ec).string());
    if (const char* home = std::getenv("HOME")) {
      host.hidden.push_back(std::string(home) + "/.aws");
      host.hidden.push_back(std::string(home) + "/.ssh");
    }
    std::string endpoint_host =
        config.host == "0.0.0.0" || config.host == "::" ? "127.0.0.1" : config.host;
    host.endpoint_url = "http://" + endpoint_host + ":" + std::to_string(config.port);
    state_.async_retry_base_seconds = EnvInt("NIMBUS_LAMBDA_ASYNC_RETRY_SECONDS", 60);
    idle_seconds_ = EnvInt("NIMBUS_LAMBDA_IDLE_SECONDS", 300);
    LambdaState* s = &state_;
    state_.pool = std::make_unique<runtime::EnvironmentPool>(
        host, [s](const runtime::FunctionSpec& spec, const std::string& stream,
                  std::vector<runtime::LogEvent> events) {
          ShipLogs(*s, spec, stream, std::move(events));
        });
    if (host.isolation == runtime::Isolation::kBubblewrap) {
      state_.isolation_summary =
          "bubblewrap (" + host.bwrap +
          "): own mount, PID, IPC and UTS namespaces, read-only code at /var/task, private /tmp " +
          (host.sized_tmp ? std::string("(a tmpfs of the function's EphemeralStorage size)")
                          : std::string("(a directory, no size limit: NIMBUS_LAMBDA_TMP=directory)")) +
          ", data directory hidden";
    } else {
      state_.isolation_summary =
          std::string("plain processes (") +
          (host.bwrap.empty() ? "bubblewrap not installed" : "NIMBUS_LAMBDA_ISOLATION=process") +
          "): own session, private TMPDIR (no size limit), no filesystem isolation";
    }
    spdlog::info("lambda: functions run as {}; memory limits: {}", state_.isolation_summary,
                 state_.cgroups->available() ? state_.cgroups->Describe()
                                             : "none (no writable cgroup memory controller)");

    env.spawn(Background());
    ResumeEventSourcePollers(state_);
  }

  void Stop() override {
    StopAllEventSourcePollers(state_);
    if (state_.pool) state_.pool->ShutdownAll();
    // Lines still queued (the flush delay) reach CloudWatch Logs before storage closes.
    FlushLogsNow(state_);
    if (state_.code_listener) {
      state_.code_listener->Close();
      state_.code_listener.reset();  // before the server's io_context goes
    }
    if (state_.own_work_dir && !state_.work_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(state_.work_dir, ec);
      state_.own_work_dir = false;
    }
  }

  // After a state import: the imported mappings' pollers start.
  void Reload() override {
    Reset();
    ResumeEventSourcePollers(state_);
  }

  void Reset() override {
    state_.targets.Invalidate();
    StopAllEventSourcePollers(state_);
    if (state_.pool) state_.pool->ShutdownAll();
    std::error_code ec;
    std::filesystem::remove_all(state_.work_dir + "/code", ec);
    std::filesystem::remove_all(state_.work_dir + "/opt", ec);
    std::filesystem::create_directories(state_.work_dir + "/code", ec);
    {
      std::lock_guard lock(state_.code_mu);
      state_.code_tokens.clear();
    }
    std::lock_guard lock(state_.logs_mu);
    for (auto it = state_.log_queues.begin(); it != state_.log_queues.end();) {
      if (it->second.flushing) {
        it->second.created = false;
        ++it;
      } else {
        it = state_.log_queues.erase(it);
      }
    }
  }

 private:
  // Serves Code.Location downloads, then reaps idle environments for the life of the server.
  Task<void> Background() {
    auto executor = co_await asio::this_coro::executor;
    http::ServerOptions options;
    options.host = state_.env->config->host;
    options.port = 0;
    std::string error;
    LambdaState* s = &state_;
    state_.code_listener = http::Listener::Start(
        executor, options,
        [s](http::Request& r) -> Task<http::Response> { co_return ServeCode(*s, r); }, &error);
    if (!state_.code_listener) spdlog::warn("lambda: no code download endpoint: {}", error);
    asio::steady_timer timer(executor);
    for (;;) {
      timer.expires_after(std::chrono::seconds(std::max(1, std::min(idle_seconds_, 15))));
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      state_.pool->ReapIdle(std::chrono::seconds(idle_seconds_));
    }
  }

  static http::Response ServeCode(LambdaState& s, const http::Request& r) {
    http::Response out;
    std::string_view path = r.path;
    std::string blob;
    if (r.method == "GET" && path.substr(0, 6) == "/code/") {
      std::string token(path.substr(6, path.find('/', 6) - 6));
      std::lock_guard lock(s.code_mu);
      auto it = s.code_tokens.find(token);
      if (it != s.code_tokens.end()) blob = it->second.first;
    }
    if (blob.empty() || !s.env->blobs->Read(blob, 0, UINT64_MAX, &out.body).ok()) {
      out.status = 403;
      out.SetHeader("content-type", "application/xml");
      out.body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
          "<Message>Request has expired</Message></Error>";
      return out;
    }
    out.SetHeader("content-type", "application/zip");
    return out;
  }

  LambdaState state_;
  int idle_seconds_ = 300;
};

}  // namespace

std::unique_ptr<Service> NewLambdaService() { return std::make_unique<LambdaService>(); }

}  // namespace nimbus::lambda
