#include "services/lambda/runtime/java_archive.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "services/lambda/runtime/environment.h"
#include "services/lambda/runtime/process.h"
#include "services/lambda/runtime/runtimes.h"

namespace nimbus::lambda::runtime {

namespace fs = std::filesystem;

namespace {

// "java/cds/<hash>.jsa" for `java` and the runtime jar as it is now; "" without the jar.
std::string ArchiveName(const std::string& java, const std::string& jar) {
  std::error_code ec;
  auto size = fs::file_size(jar, ec);
  if (ec) return {};
  auto time = fs::last_write_time(jar, ec);
  if (ec) return {};
  std::string key =
      java + "|" + std::to_string(size) + "|" + std::to_string(time.time_since_epoch().count());
  return "java/cds/" + HexEncode(Sha256(key)).substr(0, 24) + ".jsa";
}

// Runs the training JVM and moves its archive to `target`; false with `*error`.
bool Train(const std::string& java, const EnvironmentHost& host, const std::string& target,
           std::string* error) {
  std::error_code ec;
  std::string dir = host.work_dir + "/tmp/cds-" + RandomHex(12);
  fs::create_directories(dir + "/code", ec);
  fs::create_directories(dir + "/tmp", ec);
  SandboxLayout layout{dir + "/code", host.runtime_dir, "", dir + "/tmp", host.hidden};
  SandboxPaths paths = PathsFor(host.isolation, layout);
  std::vector<std::string> command = {java};
  for (const auto& flag : JavaStartFlags()) command.push_back(flag);
  command.insert(command.end(), {"-Xmx128m", "-XX:ArchiveClassesAtExit=" + paths.tmp_dir + "/a.jsa",
                                 "-Djava.io.tmpdir=" + paths.tmp_dir, "-cp",
                                 paths.runtime_dir + "/" + std::string(kJavaRuntimeJar),
                                 "nimbus.lambda.Bootstrap", "--train"});
  SpawnOptions so;
  so.argv = SandboxArgv(host.isolation, host.bwrap, layout, command, HostRootEntries());
  so.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=en_US.UTF-8", "TZ=:UTC"};
  so.cwd = host.isolation == Isolation::kBubblewrap ? "" : layout.code_dir;
  ChildProcess child;
  if (!Spawn(so, &child, error)) {
    fs::remove_all(dir, ec);
    return false;
  }
  // Drain its output until it exits, at most 60 seconds.
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::array<char, 4096> buf{};
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      KillProcessGroup(child.pid);
      break;
    }
    pollfd p{child.output_fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) < 0) continue;
    ssize_t n = ::read(child.output_fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n > 0 && output.size() < 4096) output.append(buf.data(), static_cast<size_t>(n));
  }
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  ::close(child.output_fd);
  ::close(child.pidfd);
  std::string made = layout.tmp_dir + "/a.jsa";
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(made, ec);
  if (ok) {
    fs::create_directories(fs::path(target).parent_path(), ec);
    fs::rename(made, target, ec);
    ok = !ec;
  }
  if (!ok) *error = DescribeExit(status) + ": " + output;
  fs::remove_all(dir, ec);
  return ok;
}

}  // namespace

const std::vector<std::string>& JavaStartFlags() {
  static const std::vector<std::string> flags = {
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",         "-XX:-UsePerfData",
      "-Xlog:cds=off",    "-Xlog:cds+dynamic=off",   "-Dfile.encoding=UTF-8"};
  return flags;
}

JavaClassArchives::~JavaClassArchives() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::string JavaClassArchives::ArchiveFor(const std::string& java, const EnvironmentHost& host,
                                          const SandboxPaths& paths) {
  std::string name = ArchiveName(java, host.runtime_dir + "/" + std::string(kJavaRuntimeJar));
  if (name.empty()) return {};
  std::string target = host.runtime_dir + "/" + name;
  std::error_code ec;
  if (fs::exists(target, ec)) return paths.runtime_dir + "/" + name;
  std::lock_guard lock(mu_);
  if (!started_.insert(name).second) return {};
  threads_.emplace_back([java, host, target] {
    std::string error;
    auto t0 = std::chrono::steady_clock::now();
    if (Train(java, host, target, &error)) {
      spdlog::info("lambda: class-data archive for {} made in {} ms", java,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    } else {
      spdlog::warn("lambda: no class-data archive for {} (Java cold starts stay slower): {}", java,
                   error);
    }
  });
  return {};
}

}  // namespace nimbus::lambda::runtime
