#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/result.h"
#include "core/storage/kv_store.h"
#include "services/dynamodb/table/table.h"

namespace nimbus::dynamodb {

// The tables of every account and region: persisted records plus an in-memory cache, so the
// data plane finds a table's key schema and indexes without touching storage. Thread-safe;
// writers of table records (control-plane operations) serialize on control_mutex().
class Catalog {
 public:
  void Attach(storage::KvStore* kv) { kv_ = kv; }

  // The table, or null when it does not exist; an InternalFailure when storage fails.
  Result<std::shared_ptr<const Table>> Find(std::string_view account, std::string_view region,
                                            std::string_view name);

  // Writes the table's record with `batch` (which may hold more writes, e.g. a DeleteRange),
  // atomically, then caches it.
  Status Save(std::shared_ptr<const Table> table, storage::WriteBatch batch = {});
  // Deletes the table's record and everything in `batch`, then forgets it.
  Status Remove(const Table& table, storage::WriteBatch batch);

  // Up to `limit` table names after `start_after` (empty: from the first), in name order.
  Result<std::vector<std::string>> ListNames(std::string_view account, std::string_view region,
                                             std::string_view start_after, size_t limit);
  // Every table of every scope (startup work such as resuming backfills).
  std::vector<std::shared_ptr<const Table>> All();

  // A storage id never handed out before (persisted before it is returned).
  Result<uint64_t> AllocateStorageId();

  // Held by operations that read-modify-write table records.
  std::mutex& control_mutex() { return control_mu_; }

  // Forgets every cached table (after storage was wiped).
  void Reset();

 private:
  static std::string CacheKey(std::string_view account, std::string_view region,
                              std::string_view name);

  storage::KvStore* kv_ = nullptr;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Table>> cache_;
  std::mutex control_mu_;
  std::mutex id_mu_;
  uint64_t last_id_ = 0;
  bool id_loaded_ = false;
};

}  // namespace nimbus::dynamodb
