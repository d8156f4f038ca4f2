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

enum class RuntimeFamily { kPython, kNode, kRuby, kProvided, kUnknown };

// "python3.12" → kPython, "nodejs20.x" → kNode, "ruby3.3" → kRuby, "provided.al2023" →
// kProvided.
RuntimeFamily FamilyOf(std::string_view runtime);

// How to start a runtime: the command inside the environment and the variables it adds.
struct RuntimeCommand {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
};

// Maps Lambda runtime names to the interpreters of this machine, resolved once each: python3.X
// to that version's real binary when one is installed (a pyenv version or /usr/bin/python3.X;
// never a version-manager shim), else to the binary `python3 -c 'import sys;
// print(sys.executable)'` names; nodejsNN.x to node's process.execPath; ruby3.X to the `ruby` on
// PATH (its real binary), whatever its version. Thread-safe.
class RuntimeCatalog {
 public:
  // The command for `runtime` with the environment's paths; false with `*error` (for
  // Runtime.InvalidEntrypoint / an unavailable interpreter) otherwise. `host_code_dir` and
  // `host_opt_dir` are checked for a custom runtime's `bootstrap`.
  bool Command(std::string_view runtime, const SandboxPaths& paths,
               const std::string& host_code_dir, const std::string& host_opt_dir,
               RuntimeCommand* out, std::string* error);

  // The interpreter that runs `runtime` ("" when none), resolving it on first use.
  std::string Interpreter(std::string_view runtime);

 private:
  std::string Resolve(std::string_view runtime);

  std::mutex mu_;
  std::unordered_map<std::string, std::string> interpreters_;
};

}  // namespace nimbus::lambda::runtime
