#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace nimbus::lambda::runtime {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the executable's path (no PATH search)
  std::vector<std::string> env;   // "NAME=value", the whole environment
  std::string cwd;                // working directory ("" = inherit)
  // A cgroup's "cgroup.procs" file the child joins before exec ("" = none), so every byte the
  // runtime allocates is charged to the environment's cgroup.
  std::string cgroup_procs;
  // A descriptor the child gets as fd 3 (-1 = none); the caller keeps (and closes) its own.
  int fd3 = -1;
};

// A started child: its own session and process group (pgid == pid), stdout and stderr on one
// pipe, and a pidfd that becomes readable when it exits.
struct ChildProcess {
  pid_t pid = -1;
  int pidfd = -1;      // owned by the caller (close it)
  int output_fd = -1;  // read end of the stdout+stderr pipe, non-blocking; owned by the caller
};

// Forks and execs `options.argv` with nothing but the pipe on fds 1 and 2 (stdin: /dev/null),
// `options.fd3` on fd 3 if given, and no other inherited descriptors. False with `*error` when the process cannot be started
// (exec failures are reported through a close-on-exec pipe, so a bad path fails here).
bool Spawn(const SpawnOptions& options, ChildProcess* child, std::string* error);

// SIGKILL to the child's whole process group (the runtime and anything it started).
void KillProcessGroup(pid_t pid);

// Reaps an exited child (non-blocking); true and `*status` (waitpid form) once it is reaped.
bool TryReap(pid_t pid, int* status);

// "exit status 1" / "signal: killed", as AWS words a runtime's exit in Runtime.ExitError.
std::string DescribeExit(int wait_status);

}  // namespace nimbus::lambda::runtime
