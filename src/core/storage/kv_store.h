#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage/status.h"

namespace nimbus::storage {

// A set of writes applied atomically by KvStore::Write: all or none, even across keyspaces and
// across a crash (kill -9) once Write returned ok.
class WriteBatch {
 public:
  enum class OpType { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    std::string keyspace;
    std::string key;    // kDeleteRange: begin (inclusive)
    std::string value;  // kDeleteRange: end (exclusive; empty = end of the keyspace)
  };

  void Put(std::string_view keyspace, std::string_view key, std::string_view value);
  void Delete(std::string_view keyspace, std::string_view key);
  // Deletes every key in [begin, end) of the keyspace; an empty `end` means the end of the
  // keyspace (as in ScanOptions, so PrefixEnd's "no bound" composes), and a range with
  // begin >= end (end non-empty) deletes nothing.
  void DeleteRange(std::string_view keyspace, std::string_view begin, std::string_view end);

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  void Clear() { ops_.clear(); }

 private:
  std::vector<Op> ops_;
};

// A consistent, read-only view of the store at the moment GetSnapshot was called. Released by
// destroying it; it must not outlive the KvStore that made it.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

struct ScanOptions {
  std::string start;     // inclusive lower bound; empty = beginning of the keyspace
  std::string end;       // exclusive upper bound; empty = end of the keyspace
  bool reverse = false;  // true: visit keys from the largest below `end` down to `start`
  size_t limit = 0;      // stop after this many keys; 0 = no limit
  const Snapshot* snapshot = nullptr;  // read at this snapshot when set
};

// Ordered byte-string keys in named keyspaces. Keys compare as unsigned bytes (memcmp order).
// Keyspace names are short ASCII identifiers (one per service, e.g. "dynamodb", "iam");
// a keyspace exists as soon as something is written to it. All methods are thread-safe.
class KvStore {
 public:
  virtual ~KvStore() = default;

  // Ok and `*value` set, NotFound, or an error.
  virtual StorageStatus Get(std::string_view keyspace, std::string_view key, std::string* value,
                            const Snapshot* snapshot = nullptr) = 0;

  // Calls `visit(key, value)` for each key in range and order; stops early when visit returns
  // false. The views are valid only during the call.
  virtual StorageStatus Scan(
      std::string_view keyspace, const ScanOptions& options,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;

  // Applies the batch atomically. With `sync` (or a store opened with fsync) the batch is on
  // stable storage before this returns; otherwise it survives a process crash but maybe not
  // a power loss.
  virtual StorageStatus Write(const WriteBatch& batch) = 0;

  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;
  // Calls `visit(keyspace, key, value)` for every key of every keyspace, keyspaces in name order
  // and keys in order within each (state export). Reads at `snapshot` when set.
  virtual StorageStatus ScanAll(
      const Snapshot* snapshot,
      const std::function<bool(std::string_view keyspace, std::string_view key,
                               std::string_view value)>& visit) = 0;

  // Removes every key of every keyspace (POST /_nimbus/reset).
  virtual StorageStatus Clear() = 0;

  // Flushes memtables/buffers to disk (graceful shutdown). No-op in memory.
  virtual StorageStatus Flush() = 0;

  // Convenience wrappers over Write.
  StorageStatus Put(std::string_view keyspace, std::string_view key, std::string_view value);
  StorageStatus Delete(std::string_view keyspace, std::string_view key);
};

struct RocksDbOptions {
  bool fsync = false;  // sync every write to stable storage (survives power loss)
};

// Opens (creating if needed) a RocksDB store in directory `path`. Null and `*status` set on
// failure (for example a directory locked by another nimbus).
std::unique_ptr<KvStore> OpenRocksDbKvStore(const std::string& path, const RocksDbOptions& options,
                                            StorageStatus* status);

// A store that keeps everything in memory (--ephemeral, unit tests).
std::unique_ptr<KvStore> NewMemoryKvStore();

}  // namespace nimbus::storage
