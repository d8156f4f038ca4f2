#include "core/router/init_hooks.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <filesystem>

#include "core/common/logging.h"

extern char** environ;

namespace nimbus {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::array<const char*, 4> kStageNames = {"BOOT", "START", "READY", "SHUTDOWN"};
constexpr std::array<const char*, 4> kStageDirs = {"boot.d", "start.d", "ready.d", "shutdown.d"};

const char* StateName(InitHooks::State s) {
  switch (s) {
    case InitHooks::State::kUnknown:
      return "UNKNOWN";
    case InitHooks::State::kRunning:
      return "RUNNING";
    case InitHooks::State::kSuccessful:
      return "SUCCESSFUL";
    case InitHooks::State::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The first executable named `name` on PATH, or empty.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace

InitHooks::InitHooks(std::vector<std::string> roots, std::map<std::string, std::string> env)
    : env_(std::move(env)) {
  for (size_t s = 0; s < kStageDirs.size(); ++s)
    for (const auto& root : roots)
      for (auto& path : Discover(root + "/" + kStageDirs[s]))
        scripts_.push_back(Script{static_cast<Stage>(s), std::move(path)});
  if (!scripts_.empty()) spdlog::info("init hooks: {} script(s) found", scripts_.size());
}

// Scripts of one stage directory in LocalStack's order: the directory's own scripts by name,
// then its subdirectories by name, depth first.
std::vector<std::string> InitHooks::Discover(const std::string& dir) {
  std::vector<std::string> files, dirs, out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      dirs.push_back(it->path().string());
    } else {
      std::string name = it->path().filename().string();
      if (EndsWith(name, ".sh") || EndsWith(name, ".py")) files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::sort(dirs.begin(), dirs.end());
  out = std::move(files);
  for (const auto& d : dirs) {
    auto nested = Discover(d);
    out.insert(out.end(), nested.begin(), nested.end());
  }
  return out;
}

size_t InitHooks::script_count() const {
  std::lock_guard lock(mu_);
  return scripts_.size();
}

// Runs one script to completion: shell scripts directly when executable (their shebang decides)
// and with bash otherwise; Python programs with python3. Returns the exit status (-1: could not
// start, 128+N: killed by signal N).
int InitHooks::Execute(const std::string& path) const {
  std::vector<std::string> argv;
  if (EndsWith(path, ".py")) {
    std::string python = FindOnPath("python3");
    if (python.empty()) {
      spdlog::error("init hook {}: python3 is not on PATH", path);
      return -1;
    }
    argv = {python, path};
  } else if (::access(path.c_str(), X_OK) == 0) {
    argv = {path};
  } else {
    std::string bash = FindOnPath("bash");
    argv = {bash.empty() ? "/bin/sh" : bash, path};
  }
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    std::string key(kv.substr(0, kv.find('=')));
    if (!env_.count(key) || key == "PATH") env_store.emplace_back(kv);
  }
  for (const auto& [k, v] : env_) {
    if (k == "PATH") {
      auto it = std::find_if(env_store.begin(), env_store.end(),
                             [](const std::string& s) { return s.rfind("PATH=", 0) == 0; });
      if (it != env_store.end()) {
        *it = "PATH=" + v + ":" + it->substr(5);
        continue;
      }
    }
    env_store.push_back(k + "=" + v);
  }
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env_store) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  std::string cwd = fs::path(path).parent_path().string();

  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) _exit(126);
    ::execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void InitHooks::Run(Stage stage) {
  const auto s = static_cast<size_t>(stage);
  {
    std::lock_guard lock(mu_);
    if (completed_[s]) return;
  }
  for (size_t i = 0;; ++i) {
    std::string path;
    {
      std::lock_guard lock(mu_);
      if (i >= scripts_.size()) break;
      if (scripts_[i].stage != stage) continue;
      scripts_[i].state = State::kRunning;
      path = scripts_[i].path;
    }
    spdlog::info("init hook {}: running {}", kStageNames[s], path);
    int rc = Execute(path);
    if (rc == 0) {
      spdlog::info("init hook {}: {} succeeded", kStageNames[s], path);
    } else {
      spdlog::error("init hook {}: {} failed (exit status {})", kStageNames[s], path, rc);
    }
    std::lock_guard lock(mu_);
    scripts_[i].state = rc == 0 ? State::kSuccessful : State::kError;
  }
  std::lock_guard lock(mu_);
  completed_[s] = true;
}

json::object InitHooks::Describe() const {
  std::lock_guard lock(mu_);
  json::object completed;
  for (size_t s = 0; s < kStageNames.size(); ++s) completed[kStageNames[s]] = completed_[s];
  json::array scripts;
  for (const auto& script : scripts_)
    scripts.push_back(json::object{{"stage", kStageNames[static_cast<size_t>(script.stage)]},
                                   {"name", fs::path(script.path).filename().string()},
                                   {"state", StateName(script.state)}});
  return json::object{{"completed", std::move(completed)}, {"scripts", std::move(scripts)}};
}

std::optional<json::object> InitHooks::DescribeStage(std::string_view stage) const {
  std::string upper(stage);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto it = std::find(kStageNames.begin(), kStageNames.end(), upper);
  if (it == kStageNames.end()) return std::nullopt;
  const auto s = static_cast<size_t>(it - kStageNames.begin());
  std::lock_guard lock(mu_);
  json::array scripts;
  for (const auto& script : scripts_)
    if (static_cast<size_t>(script.stage) == s)
      scripts.push_back(json::object{{"stage", kStageNames[s]},
                                     {"name", fs::path(script.path).filename().string()},
                                     {"state", StateName(script.state)}});
  return json::object{{"completed", completed_[s]}, {"scripts", std::move(scripts)}};
}

}  // namespace nimbus
