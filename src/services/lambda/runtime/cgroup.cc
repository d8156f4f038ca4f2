#include "services/lambda/runtime/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace nimbus::lambda::runtime {

namespace fs = std::filesystem;

namespace {

bool WriteFile(const std::string& path, const std::string& value) {
  std::ofstream f(path);
  if (!f) return false;
  f << value;
  f.flush();
  return static_cast<bool>(f);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The value of `key` in a "key value" per line file (memory.oom_control, memory.events).
uint64_t ReadKey(const std::string& path, std::string_view key) {
  std::istringstream in(ReadFile(path));
  std::string k;
  uint64_t v;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

// The number at the start of a file read again from offset 0 through a descriptor kept open
// (cgroup and /proc files regenerate their text on a read at offset 0). 0 when unreadable.
uint64_t PreadNumber(int fd) {
  if (fd < 0) return 0;
  char buf[64];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = 0;
  return std::strtoull(buf, nullptr, 10);
}

class Group final : public MemoryCgroup {
 public:
  Group(std::string dir, bool v2) : dir_(std::move(dir)), v2_(v2), procs_(dir_ + "/cgroup.procs") {}
  ~Group() override {
    if (peak_fd_ >= 0) ::close(peak_fd_);
    // rmdir fails while processes remain: kill them and give the kernel a moment.
    for (int i = 0; i < 50; ++i) {
      if (::rmdir(dir_.c_str()) == 0 || errno == ENOENT) return;
      KillAll();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  const std::string& procs_file() const override { return procs_; }
  // REPORT reads the peak after every invocation: one pread on a descriptor opened once, not
  // an open, fstat, read and close.
  uint64_t PeakBytes() const override {
    std::lock_guard lock(peak_mu_);
    if (peak_fd_ < 0) {
      std::string path = dir_ + (v2_ ? "/memory.peak" : "/memory.max_usage_in_bytes");
      peak_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (peak_fd_ < 0) return 0;
    }
    return PreadNumber(peak_fd_);
  }
  bool OomKilled() const override {
    if (v2_) return ReadKey(dir_ + "/memory.events", "oom_kill") > 0;
    return ReadKey(dir_ + "/memory.oom_control", "oom_kill") > 0;
  }
  void KillAll() const override {
    std::istringstream in(ReadFile(procs_));
    pid_t pid;
    while (in >> pid)
      if (pid > 0) ::kill(pid, SIGKILL);
  }

 private:
  std::string dir_;
  bool v2_;
  std::string procs_;
  mutable std::mutex peak_mu_;
  mutable int peak_fd_ = -1;
};

class Cgroups final : public MemoryCgroups {
 public:
  Cgroups(std::string root, bool v2, bool ok) : root_(std::move(root)), v2_(v2), ok_(ok) {}
  std::string Describe() const override {
    if (!ok_) return "none";
    return std::string(v2_ ? "cgroup v2" : "cgroup v1") + " memory controller at " + root_;
  }
  bool available() const override { return ok_; }
  std::unique_ptr<MemoryCgroup> Create(const std::string& name,
                                       uint64_t limit_bytes) const override {
    if (!ok_) return nullptr;
    std::string dir = root_ + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return nullptr;
    auto group = std::make_unique<Group>(dir, v2_);
    std::string limit = std::to_string(limit_bytes);
    if (v2_) {
      if (!WriteFile(dir + "/memory.max", limit)) return nullptr;
      WriteFile(dir + "/memory.swap.max", "0");
    } else {
      if (!WriteFile(dir + "/memory.limit_in_bytes", limit)) return nullptr;
      WriteFile(dir + "/memory.memsw.limit_in_bytes", limit);  // absent without swap accounting
    }
    return group;
  }

 private:
  std::string root_;
  bool v2_;
  bool ok_;
};

// The mount point of a cgroup hierarchy from /proc/self/mounts: v1 with the memory controller
// or the v2 unified hierarchy.
std::string FindMount(bool v2) {
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, opts, rest;
  while (mounts >> dev >> dir >> type >> opts) {
    std::getline(mounts, rest);
    if (v2 && type == "cgroup2") return dir;
    if (!v2 && type == "cgroup") {
      std::istringstream o(opts);
      std::string opt;
      while (std::getline(o, opt, ','))
        if (opt == "memory") return dir;
    }
  }
  return {};
}

// Removes groups a previous nimbus left behind ("<pid>-<id>" of a process that is gone).
void RemoveStaleGroups(const std::string& root) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    std::string name = e.path().filename().string();
    auto dash = name.find('-');
    if (dash == std::string::npos || dash == 0) continue;
    pid_t pid = 0;
    try {
      pid = static_cast<pid_t>(std::stol(name.substr(0, dash)));
    } catch (...) {
      continue;
    }
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) ::rmdir(e.path().c_str());
  }
}

}  // namespace

std::unique_ptr<MemoryCgroups> MemoryCgroups::Detect() {
  std::string probe_name = std::to_string(::getpid()) + "-probe";
  if (std::string v1 = FindMount(false); !v1.empty()) {
    std::string root = v1 + "/nimbus";
    ::mkdir(root.c_str(), 0755);
    RemoveStaleGroups(root);
    Cgroups c(root, false, true);
    if (c.Create(probe_name, 64ull << 20)) return std::make_unique<Cgroups>(root, false, true);
  }
  if (std::string v2 = FindMount(true); !v2.empty()) {
    std::string controllers = ReadFile(v2 + "/cgroup.controllers");
    if (controllers.find("memory") != std::string::npos) {
      std::string root = v2 + "/nimbus";
      ::mkdir(root.c_str(), 0755);
      WriteFile(v2 + "/cgroup.subtree_control", "+memory");
      WriteFile(root + "/cgroup.subtree_control", "+memory");
      RemoveStaleGroups(root);
      Cgroups c(root, true, true);
      if (c.Create(probe_name, 64ull << 20)) return std::make_unique<Cgroups>(root, true, true);
    }
  }
  return std::make_unique<Cgroups>("", false, false);
}

}  // namespace nimbus::lambda::runtime
