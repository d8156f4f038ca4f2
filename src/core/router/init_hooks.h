#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace nimbus {

// LocalStack-style init hooks: executable shell scripts and Python programs in
// <init-dir>/{boot,start,ready,shutdown}.d/ (subdirectories allowed) run in name order at each
// stage of the server's life — BOOT before storage opens, START before it listens, READY once it
// serves, SHUTDOWN on a graceful stop while it still serves. A failing script is ERROR and the
// next one still runs. Scripts see AWS_ENDPOINT_URL, a region, test credentials and an
// `awslocal` on PATH, so a LocalStack ready.d script works unchanged. Thread-safe.
class InitHooks {
 public:
  enum class Stage { kBoot = 0, kStart, kReady, kShutdown };
  enum class State { kUnknown, kRunning, kSuccessful, kError };

  // `roots`: init directories (each holding boot.d/ ... shutdown.d/); missing ones are skipped.
  // `env`: variables added to the scripts' environment (existing ones are kept).
  InitHooks(std::vector<std::string> roots, std::map<std::string, std::string> env);

  // Runs the stage's scripts one after another, blocking until the last one ends, then marks
  // the stage completed. Each stage runs once.
  void Run(Stage stage);

  // GET /_localstack/init: {"completed": {"BOOT": true, ...}, "scripts": [{stage, name, state}]}.
  boost::json::object Describe() const;
  // GET /_localstack/init/<stage>: {"completed": bool, "scripts": [...]}; nullopt: no such stage.
  std::optional<boost::json::object> DescribeStage(std::string_view stage) const;

  size_t script_count() const;

 private:
  struct Script {
    Stage stage;
    std::string path;
    State state = State::kUnknown;
  };
  static std::vector<std::string> Discover(const std::string& dir);
  int Execute(const std::string& path) const;

  mutable std::mutex mu_;
  std::vector<Script> scripts_;
  std::array<bool, 4> completed_{};
  std::map<std::string, std::string> env_;
};

}  // namespace nimbus
