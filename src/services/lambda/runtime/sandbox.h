#pragma once

#include <string>
#include <vector>

namespace nimbus::lambda::runtime {

// What an execution environment sees of the machine. Host paths; the sandbox maps them to the
// paths AWS uses (/var/task, /var/runtime, /opt, /tmp).
struct SandboxLayout {
  std::string code_dir;             // the function's unpacked code, read-only
  std::string runtime_dir;          // nimbus's runtime clients (runtimes/), read-only
  std::string opt_dir;              // merged layers, read-only ("" = none: an empty /opt)
  std::string tmp_dir;              // the environment's private, writable /tmp
  std::vector<std::string> hidden;  // host directories replaced by an empty tmpfs
  // Bubblewrap only: > 0 makes /tmp a tmpfs of this many MiB (writes past it fail with ENOSPC)
  // instead of tmp_dir.
  int tmp_size_mb = 0;
};

// The paths the function sees for the layout's directories.
struct SandboxPaths {
  std::string task_root;
  std::string runtime_dir;
  std::string opt_dir;  // "" when layers cannot be mounted at /opt
  std::string tmp_dir;
};

enum class Isolation {
  kBubblewrap,  // own mount, PID, IPC and UTS namespaces; the host root read-only
  kProcess,     // a plain child process (no bubblewrap): own session, TMPDIR as its /tmp
};

// The bubblewrap binary ("" when not installed); looked up once on PATH.
const std::string& BubblewrapPath();

SandboxPaths PathsFor(Isolation isolation, const SandboxLayout& layout);

// The argv that runs `command` (argv[0] an absolute path) under `isolation`: for bubblewrap, the
// host's top-level directories bound read-only (except /tmp, /var, /opt, /run, /proc, /dev),
// fresh /proc and /dev, /var/task, /var/runtime, /opt and /tmp from the layout, `hidden`
// directories covered, the working directory /var/task. For kProcess, `command` unchanged.
std::vector<std::string> SandboxArgv(Isolation isolation, const std::string& bwrap,
                                     const SandboxLayout& layout,
                                     const std::vector<std::string>& command,
                                     const std::vector<std::string>& root_entries);

// The names in "/" (for SandboxArgv's `root_entries`), with "/name" or "/name -> target" for
// symbolic links, read once.
const std::vector<std::string>& HostRootEntries();

}  // namespace nimbus::lambda::runtime
