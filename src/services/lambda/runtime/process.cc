#include "services/lambda/runtime/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nimbus::lambda::runtime {

namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Only async-signal-safe calls between fork and exec: the parent has other threads.
[[noreturn]] void ExecChild(char* const* argv, char* const* envp, const char* cwd,
                            const char* cgroup_procs, int out_fd, int fd3, int err_pipe) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  setsid();
  // Dies with nimbus, even on kill -9 (the forking thread lives as long as the server).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (cgroup_procs[0]) {
    int fd = open(cgroup_procs, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      (void)!write(fd, "0", 1);  // "0" means the writing process
      close(fd);
    }
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  int keep = 3;  // the first descriptor that goes
  if (fd3 >= 0) {
    if (err_pipe == 3) err_pipe = fcntl(err_pipe, F_DUPFD_CLOEXEC, 4);
    if (fd3 == 3) {
      fcntl(3, F_SETFD, 0);
    } else {
      dup2(fd3, 3);  // not close-on-exec
    }
    keep = 4;
  }
  // Everything but 0-2 (3), and the exec-error pipe (close-on-exec), goes.
  if (err_pipe > keep) close_range(static_cast<unsigned>(keep), static_cast<unsigned>(err_pipe) - 1, 0);
  close_range(static_cast<unsigned>(err_pipe) + 1, ~0u, 0);
  if (cwd[0] && chdir(cwd) != 0) {
    int e = errno;
    (void)!write(err_pipe, &e, sizeof e);
    _exit(127);
  }
  execve(argv[0], argv, envp);
  int e = errno;
  (void)!write(err_pipe, &e, sizeof e);
  _exit(127);
}

}  // namespace

bool Spawn(const SpawnOptions& options, ChildProcess* child, std::string* error) {
  if (options.argv.empty()) {
    *error = "no command";
    return false;
  }
  std::vector<char*> argv, envp;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  int exec_err[2];
  if (pipe2(exec_err, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {out[0], out[1], exec_err[0], exec_err[1]}) close(fd);
    return false;
  }
  if (pid == 0)
    ExecChild(argv.data(), envp.data(), options.cwd.c_str(), options.cgroup_procs.c_str(), out[1],
              options.fd3, exec_err[1]);
  close(out[1]);
  close(exec_err[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(exec_err[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(exec_err[0]);
  if (n == sizeof child_errno) {
    int status;
    waitpid(pid, &status, 0);
    close(out[0]);
    *error = "cannot start " + options.argv[0] + ": " + std::strerror(child_errno);
    return false;
  }
  child->pid = pid;
  child->pidfd = PidfdOpen(pid);
  if (child->pidfd < 0) {
    *error = std::string("pidfd_open: ") + std::strerror(errno);
    KillProcessGroup(pid);
    int status;
    waitpid(pid, &status, 0);
    close(out[0]);
    return false;
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  child->output_fd = out[0];
  return true;
}

void KillProcessGroup(pid_t pid) {
  if (pid <= 0) return;
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

bool TryReap(pid_t pid, int* status) {
  pid_t r;
  do {
    r = waitpid(pid, status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid) return true;
  if (r < 0 && errno == ECHILD) {  // reaped elsewhere: report a plain exit
    *status = 0;
    return true;
  }
  return false;
}

std::string DescribeExit(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    switch (sig) {
      case SIGKILL:
        return "signal: killed";
      case SIGSEGV:
        return "signal: segmentation fault";
      case SIGABRT:
        return "signal: aborted";
      case SIGTERM:
        return "signal: terminated";
      default:
        return "signal: " + std::string(strsignal(sig));
    }
  }
  return "exit status " + std::to_string(WEXITSTATUS(wait_status));
}

}  // namespace nimbus::lambda::runtime
