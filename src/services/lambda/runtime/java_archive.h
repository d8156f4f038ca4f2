#pragma once

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "services/lambda/runtime/sandbox.h"

namespace nimbus::lambda::runtime {

struct EnvironmentHost;

// Class-data (AppCDS) archives of the Java runtime client, one per JDK: the classes a cold start
// loads (the runtime's and the JDK's), mapped at JVM start instead of parsed, which takes about
// half of a Java cold start away. An archive is made once per JDK and runtime jar by a training
// JVM (`nimbus.lambda.Bootstrap --train` with -XX:ArchiveClassesAtExit) started like a function's
// JVM — in the same sandbox, so the jar's path inside matches — on a thread of its own; until it
// is there, environments start without one. Archives live under <runtimes>/java/cds/, named by
// the JDK's path and the jar's size and time, so a changed jar or JDK gets a new one.
// Thread-safe.
class JavaClassArchives {
 public:
  JavaClassArchives() = default;
  JavaClassArchives(const JavaClassArchives&) = delete;
  JavaClassArchives& operator=(const JavaClassArchives&) = delete;
  ~JavaClassArchives();  // waits for training JVMs (bounded by their 60-second limit)

  // The archive for `java` as the environment sees it (under `paths.runtime_dir`), or "" while
  // it is not made; the first call for a `java` starts making it.
  std::string ArchiveFor(const std::string& java, const EnvironmentHost& host,
                         const SandboxPaths& paths);

 private:
  std::mutex mu_;
  std::set<std::string> started_;
  std::vector<std::thread> threads_;
};

// The JVM flags nimbus starts Java runtimes with (a quick start: the serial collector, C1 only,
// the JDK's class-data archive, no hsperfdata file, no class-data warnings in the function's log).
const std::vector<std::string>& JavaStartFlags();

}  // namespace nimbus::lambda::runtime
