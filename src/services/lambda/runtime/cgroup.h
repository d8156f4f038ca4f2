#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace nimbus::lambda::runtime {

// One environment's memory cgroup: its limit, its peak, whether the OOM killer fired in it.
class MemoryCgroup {
 public:
  virtual ~MemoryCgroup() = default;
  // The "cgroup.procs" file a child writes to join (see SpawnOptions::cgroup_procs).
  virtual const std::string& procs_file() const = 0;
  // Highest memory use seen, in bytes (0 when unknown).
  virtual uint64_t PeakBytes() const = 0;
  // True once the kernel's OOM killer killed a process of the group.
  virtual bool OomKilled() const = 0;
  // SIGKILL to every process still in the group.
  virtual void KillAll() const = 0;
};

// Memory limits through cgroups: v1 (`<mount>/memory/nimbus/<name>/memory.limit_in_bytes`) or
// v2 (`memory.max`, when the unified hierarchy has the memory controller and it can be
// enabled for nimbus's subtree). RLIMIT_AS is never used: V8 and the JVM reserve far more
// address space than they touch. Thread-safe after Detect.
class MemoryCgroups {
 public:
  // Probes the machine once: which hierarchy is writable, if any.
  static std::unique_ptr<MemoryCgroups> Detect();
  virtual ~MemoryCgroups() = default;

  // "cgroup v1 memory controller", "cgroup v2 memory controller" or "none".
  virtual std::string Describe() const = 0;
  virtual bool available() const = 0;
  // A new group `name` limited to `limit_bytes` (swap included where the kernel can limit it);
  // null when it cannot be made. The group is removed when the returned object is destroyed
  // (after its processes are gone).
  virtual std::unique_ptr<MemoryCgroup> Create(const std::string& name,
                                               uint64_t limit_bytes) const = 0;
};

}  // namespace nimbus::lambda::runtime
