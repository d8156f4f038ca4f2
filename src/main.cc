// nimbus: the AWS serverless stack in one binary. `nimbus serve` starts the server;
// `nimbus version` prints the version.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/auth/credentials.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/http/client.h"
#include "core/http/server.h"
#include "core/protocol/model.h"
#include "core/router/router.h"
#include "core/storage/blob_store.h"
#include "core/storage/kv_store.h"
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
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  http::Server server(options, [&router](http::Request& r) { return router.Handle(r); });
  env.spawn = [&server](Task<void> t) { server.Spawn(std::move(t)); };

  for (const auto& svc : registry.services()) svc->Start(env);
  std::string error;
  if (!server.Listen(&error)) {
    spdlog::critical("{}", error);
    return 1;
  }
  server.StopOnSignals();
  spdlog::info("nimbus {} ready on http://{}:{} (region {}, account {}, auth {}, storage {})",
               NIMBUS_VERSION, config.host, server.port(), config.region, config.account,
               config.strict_auth ? "strict" : "permissive",
               config.ephemeral ? "memory" : config.data_dir);
  server.Run();
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

  CLI11_PARSE(app, argc, argv);
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
