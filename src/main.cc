// nimbus: the AWS serverless stack in one binary. `nimbus serve` starts the server;
// `nimbus version` prints the version.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <thread>

#include "core/auth/credentials.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/http/client.h"
#include "core/http/server.h"
#include "core/protocol/model.h"
#include "core/router/init_hooks.h"
#include "core/router/router.h"
#include "core/storage/blob_store.h"
#include "core/storage/kv_store.h"
#include "core/storage/state_archive.h"
#include "nimbus_version.h"
#include "services/registry.h"

namespace {

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// `nimbus aws ...`: the AWS CLI with nimbus's endpoint, a region and test credentials filled in
// (what awslocal does). Existing AWS_* settings win, except the endpoint.
int RunAwsCli(const std::vector<std::string>& args, const std::string& endpoint) {
  setenv("AWS_ENDPOINT_URL", endpoint.c_str(), 1);
  setenv("AWS_ACCESS_KEY_ID", "test", 0);
  setenv("AWS_SECRET_ACCESS_KEY", "test", 0);
  setenv("AWS_DEFAULT_REGION", "us-east-1", 0);
  setenv("AWS_PAGER", "", 0);
  std::vector<std::string> argv_store = {"aws", "--endpoint-url", endpoint};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp("aws", argv.data());
  std::cerr << "nimbus aws: cannot run the AWS CLI ('aws' on PATH): " << std::strerror(errno)
            << "\n";
  return 127;
}

// `nimbus status`: the services table of a running server.
int PrintStatus(const std::string& host, uint16_t port) {
  std::string error;
  auto res = nimbus::http::Fetch(host, port, "GET", "/_nimbus/health", "", 2000, &error);
  if (!res || res->status != 200) {
    std::cerr << "nimbus is not running at " << host << ":" << port
              << (error.empty() ? "" : ": " + error) << "\n";
    return 1;
  }
  boost::json::error_code ec;
  auto health = boost::json::parse(res->body, ec);
  if (ec || !health.is_object()) {
    std::cerr << "unexpected answer from " << host << ":" << port << "\n";
    return 1;
  }
  const auto& h = health.get_object();
  std::cout << "nimbus " << boost::json::value_to<std::string>(h.at("version")) << " at http://"
            << host << ":" << port << ", up "
            << static_cast<long>(h.at("uptime_seconds").to_number<double>()) << " s\n\n";
  std::printf("%-20s %-16s %s\n", "SERVICE", "STATE", "IMPLEMENTED");
  for (const auto& [name, svc] : h.at("services").get_object()) {
    const auto& s = svc.get_object();
    std::printf("%-20s %-16s %lld/%lld\n", std::string(name).c_str(),
                std::string(s.at("state").get_string()).c_str(),
                static_cast<long long>(s.at("implemented").to_number<int64_t>()),
                static_cast<long long>(s.at("operations").to_number<int64_t>()));
  }
  return 0;
}

// `nimbus state export FILE` / `nimbus state import FILE`: through a running server's
// /_nimbus/state, so the archive is one consistent snapshot taken while it serves.
int RunState(const std::string& action, const std::string& file, const std::string& host,
             uint16_t port) {
  std::string error;
  std::string body;
  if (action == "import") {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "nimbus state import: cannot read " << file << "\n";
      return 1;
    }
    body.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto res = nimbus::http::Fetch(host, port, action == "import" ? "POST" : "GET",
                                 "/_nimbus/state", body, 30 * 60 * 1000, &error);
  if (!res) {
    std::cerr << "nimbus is not running at " << host << ":" << port << ": " << error << "\n";
    return 1;
  }
  if (res->status != 200) {
    boost::json::error_code ec;
    auto answer = boost::json::parse(res->body, ec);
    const boost::json::value* message =
        !ec && answer.is_object() ? answer.get_object().if_contains("message") : nullptr;
    std::cerr << "nimbus state " << action << " failed (HTTP " << res->status << "): "
              << (message && message->is_string() ? std::string(message->get_string())
                                                  : res->body)
              << "\n";
    return 1;
  }
  if (action == "export") {
    std::string tmp = file + ".partial";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(res->body.data(), static_cast<std::streamsize>(res->body.size()));
      if (!out) {
        std::cerr << "nimbus state export: cannot write " << file << "\n";
        return 1;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
      std::cerr << "nimbus state export: cannot write " << file << ": " << ec.message() << "\n";
      return 1;
    }
    std::cout << "exported " << res->body.size() << " bytes to " << file << "\n";
  } else {
    std::cout << res->body << "\n";
  }
  return 0;
}

int PrintCoverage(bool markdown) {
  nimbus::Registry registry;
  nimbus::RegisterServices(registry);
  if (markdown) {
    std::cout << "| Service | Protocol | Implemented operations |\n|---|---|---|\n";
  }
  for (const auto& svc : registry.services()) {
    const auto* meta = nimbus::protocol::GetMetadata(svc->name());
    size_t total = meta ? meta->operation_count : 0;
    std::string protocol = meta ? meta->protocol : "?";
    if (markdown) {
      std::cout << "| " << svc->name() << " | " << protocol << " | " << svc->implemented_count()
                << " of " << total << " |\n";
    } else {
      std::cout << svc->name() << " " << svc->implemented_count() << "/" << total << "\n";
    }
  }
  return 0;
}

// The init hooks of this server: /etc/localstack/init when present, then --init-dir. Scripts get
// the endpoint, region and test credentials, and an `awslocal` (this binary's `aws`) on PATH.
std::unique_ptr<nimbus::InitHooks> MakeInitHooks(const nimbus::Config& config,
                                                 std::string* shim_dir) {
  std::vector<std::string> roots;
  std::error_code ec;
  if (std::filesystem::is_directory("/etc/localstack/init", ec))
    roots.push_back("/etc/localstack/init");
  if (!config.init_dir.empty()) {
    if (!std::filesystem::is_directory(config.init_dir, ec))
      spdlog::warn("init directory {} does not exist: no init hooks from it", config.init_dir);
    else
      roots.push_back(std::filesystem::absolute(config.init_dir, ec).string());
  }
  std::string host = IsLoopback(config.host) || config.host == "0.0.0.0" || config.host == "::"
                         ? "127.0.0.1"
                         : config.host;
  std::string port = std::to_string(config.port);
  std::map<std::string, std::string> env = {
      {"AWS_ENDPOINT_URL", "http://" + host + ":" + port},
      {"AWS_DEFAULT_REGION", config.region},
      {"AWS_REGION", config.region},
      {"AWS_ACCESS_KEY_ID", "test"},
      {"AWS_SECRET_ACCESS_KEY", "test"},
      {"AWS_PAGER", ""},
      {"NIMBUS_PORT", port},
  };
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "nimbus-init-XXXXXX").string();
  if (!roots.empty() && ::mkdtemp(pattern.data())) {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
      self[n] = '\0';
      std::ofstream shim(pattern + "/awslocal");
      shim << "#!/bin/sh\n# awslocal: the AWS CLI against this nimbus\nexec '" << self
           << "' aws --nimbus-port " << port << " \"$@\"\n";
      shim.close();
      ::chmod((pattern + "/awslocal").c_str(), 0755);
      env["PATH"] = pattern;
      *shim_dir = pattern;
    }
  }
  return std::make_unique<nimbus::InitHooks>(std::move(roots), std::move(env));
}

int Serve(nimbus::Config config) {
  using namespace nimbus;
  if (!InitLogging(config.log_level)) {
    std::cerr << "unknown log level '" << config.log_level << "'\n";
    return 2;
  }
  if (config.host == "localhost") config.host = "127.0.0.1";
  if (!IsLoopback(config.host) && !config.strict_auth) {
    spdlog::warn("**************************************************************************");
    spdlog::warn("WARNING: listening on {} with --auth permissive: anyone who can reach this",
                 config.host);
    spdlog::warn("address can read and change all state without credentials. Use");
    spdlog::warn("--auth strict --credentials FILE, or bind 127.0.0.1.");
    spdlog::warn("**************************************************************************");
  }

  std::string shim_dir;
  std::unique_ptr<InitHooks> hooks = MakeInitHooks(config, &shim_dir);
  struct RemoveShim {
    std::string dir;
    ~RemoveShim() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } remove_shim{shim_dir};
  hooks->Run(InitHooks::Stage::kBoot);

  std::unique_ptr<storage::KvStore> kv;
  std::unique_ptr<storage::BlobStore> blobs;
  if (config.ephemeral) {
    kv = storage::NewMemoryKvStore();
    blobs = storage::NewMemoryBlobStore();
  } else {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec) {
      spdlog::critical("cannot create data directory {}: {}", config.data_dir, ec.message());
      return 1;
    }
    storage::StorageStatus st;
    kv = storage::OpenRocksDbKvStore(config.data_dir + "/kv", {config.fsync}, &st);
    if (!kv) {
      spdlog::critical("cannot open storage in {}: {}", config.data_dir, st.message());
      return 1;
    }
    blobs = storage::NewFileBlobStore(config.data_dir + "/blobs", {config.fsync}, &st);
    if (!blobs) {
      spdlog::critical("cannot open blob storage in {}: {}", config.data_dir, st.message());
      return 1;
    }
  }
  // State exports hold blob deletes back while they copy (see state_archive.h).
  blobs = std::make_unique<storage::HoldingBlobStore>(std::move(blobs));

  auth::CredentialStore credentials;
  if (!config.credentials_file.empty()) {
    std::string error;
    if (!credentials.LoadFile(config.credentials_file, &error)) {
      spdlog::critical("cannot load credentials from {}: {}", config.credentials_file, error);
      return 1;
    }
  }
  if (config.strict_auth && config.credentials_file.empty())
    spdlog::warn("--auth strict without --credentials: only keys made at run time will work");

  Clock clock;
  Registry registry;
  RegisterServices(registry);

  ServiceEnv env;
  env.kv = kv.get();
  env.blobs = blobs.get();
  env.clock = &clock;
  env.registry = &registry;
  env.credentials = &credentials;
  env.config = &config;

  Router router(&env, &registry);
  router.set_init_hooks(hooks.get());
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  // Bodies over 8 MiB reach the router as streams: S3 writes PutObject and UploadPart bodies
  // (up to 5 GiB) to disk as they arrive; every other request reads them whole, up to 64 MiB.
  options.stream_body_bytes = Router::kStreamBodyBytes;
  http::Server server(options, [&router](http::Request& r) { return router.Handle(r); });
  env.spawn = [&server](Task<void> t) { server.Spawn(std::move(t)); };

  for (const auto& svc : registry.services()) svc->Start(env);
  hooks->Run(InitHooks::Stage::kStart);
  std::string error;
  if (!server.Listen(&error)) {
    spdlog::critical("{}", error);
    return 1;
  }
  InitHooks* hooks_ptr = hooks.get();
  server.StopOnSignals([hooks_ptr] { hooks_ptr->Run(InitHooks::Stage::kShutdown); });
  // READY scripts create resources through the API, so they run while the server serves.
  std::thread ready([hooks_ptr] { hooks_ptr->Run(InitHooks::Stage::kReady); });
  spdlog::info("nimbus {} ready on http://{}:{} (region {}, account {}, auth {}, storage {})",
               NIMBUS_VERSION, config.host, server.port(), config.region, config.account,
               config.strict_auth ? "strict" : "permissive",
               config.ephemeral ? "memory" : config.data_dir);
  server.Run();
  ready.join();
  for (const auto& svc : registry.services()) svc->Stop();
  auto st = kv->Flush();
  if (!st.ok()) {
    spdlog::error("flush on shutdown failed: {}", st.message());
    return 1;
  }
  spdlog::info("nimbus stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nimbus: the AWS serverless stack in one binary"};
  app.require_subcommand(1);
  nimbus::Config config;
  std::string auth_mode = "permissive";

  auto* serve = app.add_subcommand("serve", "Serve the AWS APIs on one port");
  serve->add_option("--host", config.host, "Address to bind")
      ->envname("NIMBUS_HOST")
      ->capture_default_str();
  serve->add_option("--port", config.port, "Port to listen on")
      ->envname("NIMBUS_PORT")
      ->capture_default_str();
  serve->add_option("--data-dir", config.data_dir, "Directory holding all state")
      ->envname("NIMBUS_DATA_DIR")
      ->capture_default_str();
  serve->add_flag("--ephemeral", config.ephemeral, "Keep everything in memory")
      ->envname("NIMBUS_EPHEMERAL");
  serve->add_option("--region", config.region, "Default region")
      ->envname("NIMBUS_REGION")
      ->capture_default_str();
  serve->add_option("--account", config.account, "Default account id")
      ->envname("NIMBUS_ACCOUNT")
      ->capture_default_str();
  serve->add_option("--auth", auth_mode, "permissive (any key, unsigned ok) or strict")
      ->envname("NIMBUS_AUTH")
      ->check(CLI::IsMember({"permissive", "strict"}))
      ->capture_default_str();
  serve
      ->add_option("--credentials", config.credentials_file,
                   "JSON list of {access_key_id, secret_access_key, account_id}")
      ->envname("NIMBUS_CREDENTIALS");
  serve->add_flag("--fsync", config.fsync, "Sync every write to stable storage")
      ->envname("NIMBUS_FSYNC");
  serve->add_option("--log-level", config.log_level, "trace|debug|info|warn|error|off")
      ->envname("NIMBUS_LOG_LEVEL")
      ->capture_default_str();

  serve->add_option("--init-dir", config.init_dir,
                    "LocalStack-style init hooks: DIR/{boot,start,ready,shutdown}.d/*.{sh,py} "
                    "(/etc/localstack/init is also run when present)")
      ->envname("NIMBUS_INIT_DIR");
  serve->add_flag("--enable-clock-control", config.clock_control,
                  "Let POST /_nimbus/clock move nimbus's clock forward (for tests)")
      ->envname("NIMBUS_CLOCK_CONTROL");

  app.add_subcommand("version", "Print the version");
  bool markdown = false;
  auto* coverage = app.add_subcommand(
      "coverage", "Print, per service, how many of the model's operations are implemented");
  coverage->add_flag("--markdown", markdown, "As the Markdown table of the README");

  std::string client_host = "127.0.0.1";
  uint16_t client_port = 4566;
  auto* status = app.add_subcommand("status", "Print the services table of a running nimbus");
  status->add_option("--host", client_host)->envname("NIMBUS_HOST")->capture_default_str();
  status->add_option("--port", client_port)->envname("NIMBUS_PORT")->capture_default_str();
  std::vector<std::string> aws_args;
  auto* aws = app.add_subcommand("aws",
                                 "Run the AWS CLI against nimbus (endpoint, region and "
                                 "test credentials filled in)");
  aws->prefix_command();
  aws->add_option("--nimbus-port", client_port, "Port of the nimbus to talk to")
      ->envname("NIMBUS_PORT");

  std::string state_action;
  std::string state_file;
  auto* state = app.add_subcommand(
      "state", "Export all state of a running nimbus to FILE, or replace it with FILE");
  state->add_option("action", state_action, "export or import")
      ->required()
      ->check(CLI::IsMember({"export", "import"}));
  state->add_option("file", state_file, "The archive (.tar.gz)")->required();
  state->add_option("--host", client_host)->envname("NIMBUS_HOST")->capture_default_str();
  state->add_option("--port", client_port)->envname("NIMBUS_PORT")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("state"))
    return RunState(state_action, state_file,
                    client_host == "0.0.0.0" ? "127.0.0.1" : client_host, client_port);
  if (app.got_subcommand("status")) return PrintStatus(client_host, client_port);
  if (app.got_subcommand("aws")) {
    std::string host = client_host == "0.0.0.0" ? "127.0.0.1" : client_host;
    return RunAwsCli(aws->remaining(), "http://" + host + ":" + std::to_string(client_port));
  }
  if (app.got_subcommand("version")) {
    std::cout << "nimbus " << NIMBUS_VERSION << "\n";
    return 0;
  }
  if (app.got_subcommand("coverage")) return PrintCoverage(markdown);
  config.strict_auth = auth_mode == "strict";
  return Serve(std::move(config));
}
