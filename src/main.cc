// nimbus: the AWS serverless stack in one binary. `nimbus serve` starts the server;
// `nimbus version` prints the version.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "core/auth/credentials.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/http/server.h"
#include "core/protocol/model.h"
#include "core/router/router.h"
#include "core/storage/blob_store.h"
#include "core/storage/kv_store.h"
#include "nimbus_version.h"
#include "services/registry.h"

namespace {

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" ||
         host.rfind("127.", 0) == 0;
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
  serve->add_option("--host", config.host, "Address to bind")->envname("NIMBUS_HOST")
      ->capture_default_str();
  serve->add_option("--port", config.port, "Port to listen on")->envname("NIMBUS_PORT")
      ->capture_default_str();
  serve->add_option("--data-dir", config.data_dir, "Directory holding all state")
      ->envname("NIMBUS_DATA_DIR")->capture_default_str();
  serve->add_flag("--ephemeral", config.ephemeral, "Keep everything in memory")
      ->envname("NIMBUS_EPHEMERAL");
  serve->add_option("--region", config.region, "Default region")->envname("NIMBUS_REGION")
      ->capture_default_str();
  serve->add_option("--account", config.account, "Default account id")
      ->envname("NIMBUS_ACCOUNT")->capture_default_str();
  serve->add_option("--auth", auth_mode, "permissive (any key, unsigned ok) or strict")
      ->envname("NIMBUS_AUTH")->check(CLI::IsMember({"permissive", "strict"}))
      ->capture_default_str();
  serve->add_option("--credentials", config.credentials_file,
                    "JSON list of {access_key_id, secret_access_key, account_id}")
      ->envname("NIMBUS_CREDENTIALS");
  serve->add_flag("--fsync", config.fsync, "Sync every write to stable storage")
      ->envname("NIMBUS_FSYNC");
  serve->add_option("--log-level", config.log_level, "trace|debug|info|warn|error|off")
      ->envname("NIMBUS_LOG_LEVEL")->capture_default_str();

  app.add_subcommand("version", "Print the version");
  bool markdown = false;
  auto* coverage = app.add_subcommand(
      "coverage", "Print, per service, how many of the model's operations are implemented");
  coverage->add_flag("--markdown", markdown, "As the Markdown table of the README");

  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("version")) {
    std::cout << "nimbus " << NIMBUS_VERSION << "\n";
    return 0;
  }
  if (app.got_subcommand("coverage")) return PrintCoverage(markdown);
  config.strict_auth = auth_mode == "strict";
  return Serve(std::move(config));
}
