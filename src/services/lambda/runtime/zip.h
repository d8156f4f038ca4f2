#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nimbus::lambda::runtime {

enum class UnzipStatus {
  kOk,
  kTooLarge,  // the entries add up to more than `max_bytes` (nothing is left behind)
  kCorrupt,   // not a zip archive, or an entry that cannot be read
  kIoError,   // the destination cannot be written
};

struct UnzipResult {
  UnzipStatus status = UnzipStatus::kOk;
  uint64_t unzipped_bytes = 0;  // sum of the regular files' sizes
  std::string message;          // what failed, for logs
};

// Unpacks the zip archive `zip` into directory `dir` (created, with parents; must not exist or
// be empty). Entry paths are kept inside `dir`: absolute paths and ".." components are dropped,
// symbolic links are kept only when they point inside. Unix permission bits of entries are kept
// (executable `bootstrap` files), others get 0644/0755. On any failure `dir` is removed.
// Thread-safe (no shared state); blocking (file I/O).
UnzipResult UnzipTo(std::string_view zip, const std::string& dir, uint64_t max_bytes);

}  // namespace nimbus::lambda::runtime
