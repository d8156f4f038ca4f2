#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "services/lambda/runtime/sandbox.h"

namespace nimbus::lambda::runtime {

// The files of runtimes/ (nimbus's runtime clients), embedded in the binary by CMake.
struct EmbeddedRuntimeFile {
  const char* path;  // relative to runtimes/, e.g. "python/bootstrap.py"; null ends the table
  const char* data;
  size_t size;
};
extern const EmbeddedRuntimeFile kEmbeddedRuntimeFiles[];

// Writes the embedded runtime files under `dir` (rewriting only files that differ). False with
// `*error` on an I/O failure.
bool WriteEmbeddedRuntimes(const std::string& dir, std::string* error);

// True when the embedded runtime files include `path` (e.g. "java/nimbus-lambda-runtime.jar",
// there only when nimbus was built with a JDK).
bool HasEmbeddedRuntimeFile(std::string_view path);

// Where the Java runtime client is, relative to runtimes/.
inline constexpr std::string_view kJavaRuntimeJar = "java/nimbus-lambda-runtime.jar";

enum class RuntimeFamily { kPython, kNode, kRuby, kJava, kProvided, kUnknown };

// "python3.12" → kPython, "nodejs20.x" → kNode, "ruby3.3" → kRuby, "java17"/"java21"/"java25"
// → kJava,
// "provided.al2023" → kProvided. java8.al2 and java11 are kUnknown: the runtime client needs
// Java 17.
RuntimeFamily FamilyOf(std::string_view runtime);

// A JDK (or JRE) installed on this machine.
struct JavaInstallation {
  std::string java;  // the real path of its bin/java (symbolic links resolved)
  int major = 0;     // its feature version: 17, 21, 25...
};

// The JDKs of this machine: JAVA_HOME, the directories under /usr/lib/jvm, and the one the
// `java` on PATH (/usr/bin/java through /etc/alternatives) belongs to; each once, by real path.
std::vector<JavaInstallation> FindJavaInstallations();

// The installation that runs `runtime` ("java21" → 21): the one of that version, else the
// newest newer one; "" when none is.
std::string ChooseJava(std::string_view runtime, const std::vector<JavaInstallation>& found);

// The JVM heap for a function of `memory_mb`: what is left after the JVM's own metaspace, code
// cache and thread stacks (at least 64 MB of `memory_mb`, an eighth past 512 MB).
int JavaHeapMb(int memory_mb);

// How to start a runtime: the command inside the environment and the variables it adds.
struct RuntimeCommand {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  // The runtime takes a connection to its Runtime API already open, as a blocking socket on
  // descriptor 3 (named in _NIMBUS_RUNTIME_API_FD): the Node.js client then waits for the
  // next invocation in a plain read(2) instead of its event loop.
  bool runtime_api_socket = false;
};

// Maps Lambda runtime names to the interpreters of this machine, resolved once each: python3.X
// to that version's real binary when one is installed (a pyenv version or /usr/bin/python3.X;
// never a version-manager shim), else to the binary `python3 -c 'import sys;
// print(sys.executable)'` names; nodejsNN.x to node's process.execPath; javaNN to the real
// `java` binary of the JDK ChooseJava picks. Thread-safe.
class RuntimeCatalog {
 public:
  // The command for `runtime` with the environment's paths; false with `*error` (for
  // Runtime.InvalidEntrypoint / an unavailable interpreter) otherwise. `host_code_dir` and
  // `host_opt_dir` are checked for a custom runtime's `bootstrap`; `memory_mb` sizes a JVM heap.
  bool Command(std::string_view runtime, const SandboxPaths& paths,
               const std::string& host_code_dir, const std::string& host_opt_dir, int memory_mb,
               RuntimeCommand* out, std::string* error);

  // The interpreter that runs `runtime` ("" when none), resolving it on first use.
  std::string Interpreter(std::string_view runtime);

 private:
  std::string Resolve(std::string_view runtime);

  std::mutex mu_;
  std::unordered_map<std::string, std::string> interpreters_;
};

}  // namespace nimbus::lambda::runtime
