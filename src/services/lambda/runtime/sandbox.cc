#include "services/lambda/runtime/sandbox.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

namespace nimbus::lambda::runtime {

namespace fs = std::filesystem;

const std::string& BubblewrapPath() {
  static const std::string path = [] {
    const char* env_path = std::getenv("PATH");
    std::istringstream dirs(env_path ? env_path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      std::string candidate = (dir.empty() ? "." : dir) + "/bwrap";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::string();
  }();
  return path;
}

SandboxPaths PathsFor(Isolation isolation, const SandboxLayout& layout) {
  if (isolation == Isolation::kBubblewrap)
    return {"/var/task", "/var/runtime", layout.opt_dir.empty() ? "" : "/opt", "/tmp"};
  return {layout.code_dir, layout.runtime_dir, layout.opt_dir, layout.tmp_dir};
}

const std::vector<std::string>& HostRootEntries() {
  static const std::vector<std::string> entries = [] {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/", ec)) {
      std::string name = e.path().string();
      if (e.is_symlink(ec)) {
        out.push_back(name + " -> " + fs::read_symlink(e.path(), ec).string());
      } else if (e.is_directory(ec)) {
        out.push_back(name);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return entries;
}

std::vector<std::string> SandboxArgv(Isolation isolation, const std::string& bwrap,
                                     const SandboxLayout& layout,
                                     const std::vector<std::string>& command,
                                     const std::vector<std::string>& root_entries) {
  if (isolation != Isolation::kBubblewrap) return command;
  static const std::set<std::string> kNotBound = {"/proc", "/dev", "/tmp",        "/var",
                                                  "/opt",  "/run", "/lost+found", "/sys"};
  std::vector<std::string> a = {bwrap,           "--die-with-parent", "--unshare-pid",
                                "--unshare-ipc", "--unshare-uts",     "--unshare-cgroup-try",
                                "--hostname",    "localhost"};
  for (const auto& entry : root_entries) {
    auto arrow = entry.find(" -> ");
    std::string path = entry.substr(0, arrow);
    if (kNotBound.count(path)) continue;
    if (arrow != std::string::npos) {
      a.insert(a.end(), {"--symlink", entry.substr(arrow + 4), path});
    } else {
      a.insert(a.end(), {"--ro-bind", path, path});
    }
  }
  // /sys read-only: runtimes size their heaps from the cgroup limits found there.
  a.insert(a.end(), {"--ro-bind", "/sys", "/sys", "--dev", "/dev", "--proc", "/proc", "--dir",
                     "/var", "--dir", "/var/tmp", "--tmpfs", "/run"});
  if (layout.tmp_size_mb > 0) {
    a.insert(a.end(), {"--perms", "01777", "--size",
                       std::to_string(static_cast<uint64_t>(layout.tmp_size_mb) << 20), "--tmpfs",
                       "/tmp"});
  } else {
    a.insert(a.end(), {"--bind", layout.tmp_dir, "/tmp"});
  }
  a.insert(a.end(), {"--ro-bind", layout.code_dir, "/var/task", "--ro-bind", layout.runtime_dir,
                     "/var/runtime"});
  if (layout.opt_dir.empty()) {
    a.insert(a.end(), {"--dir", "/opt"});
  } else {
    a.insert(a.end(), {"--ro-bind", layout.opt_dir, "/opt"});
  }
  for (const auto& h : layout.hidden) {
    // Directories under /tmp, /var... are not bound at all; others must exist to be covered.
    if (h.size() < 2 || h[0] != '/') continue;
    std::string top = "/" + fs::path(h).relative_path().begin()->string();
    std::error_code ec;
    if (kNotBound.count(top) || !fs::is_directory(h, ec)) continue;
    a.insert(a.end(), {"--tmpfs", h});
  }
  a.insert(a.end(), {"--chdir", "/var/task", "--"});
  a.insert(a.end(), command.begin(), command.end());
  return a;
}

}  // namespace nimbus::lambda::runtime
