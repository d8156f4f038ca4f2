#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "core/storage/kv_store.h"

namespace nimbus::storage {
namespace {

using Table = std::map<std::string, std::string, std::less<>>;
using Tables = std::map<std::string, std::shared_ptr<Table>, std::less<>>;

// Copy-on-write per keyspace. A snapshot or a running Scan holds (pins) a table; a writer changes
// a table in place only when the store's map is its sole holder, and copies it otherwise. Pins
// are taken and dropped under the shared lock, so a writer holding the exclusive lock that sees
// use_count() == 1 knows every earlier reader is done with the table.

class MemorySnapshot : public Snapshot {
 public:
  MemorySnapshot(std::shared_mutex* mu, Tables tables) : mu_(mu), tables_(std::move(tables)) {}
  ~MemorySnapshot() override {
    std::shared_lock lock(*mu_);
    tables_.clear();
  }
  // Tables held here never change, so they are read without the lock.
  const Table* Find(std::string_view keyspace) const {
    auto it = tables_.find(keyspace);
    return it == tables_.end() ? nullptr : it->second.get();
  }
  const Tables& tables() const { return tables_; }

 private:
  std::shared_mutex* mu_;
  Tables tables_;
};

// One keyspace's table held for the length of a Scan, so `visit` runs without the lock and may
// call back into the store.
class PinnedTable {
 public:
  PinnedTable(std::shared_mutex* mu, std::shared_ptr<const Table> table)
      : mu_(mu), table_(std::move(table)) {}
  ~PinnedTable() {
    std::shared_lock lock(*mu_);
    table_.reset();
  }
  PinnedTable(const PinnedTable&) = delete;
  PinnedTable& operator=(const PinnedTable&) = delete;

 private:
  std::shared_mutex* mu_;
  std::shared_ptr<const Table> table_;
};

void ScanTable(const Table& table, const ScanOptions& options,
               const std::function<bool(std::string_view, std::string_view)>& visit) {
  auto begin = table.lower_bound(options.start);
  auto end = options.end.empty() ? table.end() : table.lower_bound(options.end);
  size_t visited = 0;
  if (!options.reverse) {
    for (auto it = begin; it != end; ++it) {
      if (!visit(it->first, it->second) || ++visited == options.limit) return;
    }
  } else {
    for (auto it = end; it != begin;) {
      --it;
      if (!visit(it->first, it->second) || ++visited == options.limit) return;
    }
  }
}

class MemoryKvStore : public KvStore {
 public:
  StorageStatus Get(std::string_view keyspace, std::string_view key, std::string* value,
                    const Snapshot* snapshot) override {
    const Table* table = nullptr;
    std::shared_lock lock(mu_, std::defer_lock);
    if (snapshot != nullptr) {
      auto* memory_snapshot = dynamic_cast<const MemorySnapshot*>(snapshot);
      if (memory_snapshot == nullptr) return ForeignSnapshot();
      table = memory_snapshot->Find(keyspace);
    } else {
      lock.lock();
      auto it = tables_.find(keyspace);
      if (it != tables_.end()) table = it->second.get();
    }
    if (table == nullptr) return StorageStatus::NotFound();
    auto it = table->find(key);
    if (it == table->end()) return StorageStatus::NotFound();
    value->assign(it->second);
    return StorageStatus::Ok();
  }

  StorageStatus Scan(
      std::string_view keyspace, const ScanOptions& options,
      const std::function<bool(std::string_view, std::string_view)>& visit) override {
    if (!options.end.empty() && options.start >= options.end) return StorageStatus::Ok();
    if (options.snapshot != nullptr) {
      auto* memory_snapshot = dynamic_cast<const MemorySnapshot*>(options.snapshot);
      if (memory_snapshot == nullptr) return ForeignSnapshot();
      const Table* table = memory_snapshot->Find(keyspace);
      if (table != nullptr) ScanTable(*table, options, visit);
      return StorageStatus::Ok();
    }
    std::shared_ptr<const Table> table;
    {
      std::shared_lock lock(mu_);
      auto it = tables_.find(keyspace);
      if (it == tables_.end()) return StorageStatus::Ok();
      table = it->second;
    }
    const Table& rows = *table;
    PinnedTable pin(&mu_, std::move(table));
    ScanTable(rows, options, visit);
    return StorageStatus::Ok();
  }

  StorageStatus Write(const WriteBatch& batch) override {
    std::unique_lock lock(mu_);
    for (const WriteBatch::Op& op : batch.ops()) {
      Table& table = MutableTable(op.keyspace);
      switch (op.type) {
        case WriteBatch::OpType::kPut:
          table.insert_or_assign(op.key, op.value);
          break;
        case WriteBatch::OpType::kDelete:
          table.erase(op.key);
          break;
        case WriteBatch::OpType::kDeleteRange:
          if (op.value.empty()) {
            table.erase(table.lower_bound(op.key), table.end());
          } else if (op.key < op.value) {
            table.erase(table.lower_bound(op.key), table.lower_bound(op.value));
          }
          break;
      }
    }
    return StorageStatus::Ok();
  }

  std::unique_ptr<Snapshot> GetSnapshot() override {
    std::shared_lock lock(mu_);
    return std::make_unique<MemorySnapshot>(&mu_, tables_);
  }

  StorageStatus ScanAll(const Snapshot* snapshot,
                        const std::function<bool(std::string_view, std::string_view,
                                                 std::string_view)>& visit) override {
    std::unique_ptr<Snapshot> own;
    if (snapshot == nullptr) {
      own = GetSnapshot();
      snapshot = own.get();
    }
    auto* memory_snapshot = dynamic_cast<const MemorySnapshot*>(snapshot);
    if (memory_snapshot == nullptr) return ForeignSnapshot();
    for (const auto& [keyspace, table] : memory_snapshot->tables())
      for (const auto& [key, value] : *table)
        if (!visit(keyspace, key, value)) return StorageStatus::Ok();
    return StorageStatus::Ok();
  }

  StorageStatus Clear() override {
    std::unique_lock lock(mu_);
    tables_.clear();
    return StorageStatus::Ok();
  }

  StorageStatus Flush() override { return StorageStatus::Ok(); }

 private:
  static StorageStatus ForeignSnapshot() {
    return StorageStatus::InvalidArgument("snapshot belongs to another store");
  }

  // The table of `keyspace`, safe to change in place; requires the exclusive lock.
  Table& MutableTable(std::string_view keyspace) {
    auto it = tables_.find(keyspace);
    if (it == tables_.end()) {
      it = tables_.emplace(std::string(keyspace), std::make_shared<Table>()).first;
    } else if (it->second.use_count() > 1) {
      it->second = std::make_shared<Table>(*it->second);
    }
    return *it->second;
  }

  std::shared_mutex mu_;
  Tables tables_;
};

}  // namespace

std::unique_ptr<KvStore> NewMemoryKvStore() { return std::make_unique<MemoryKvStore>(); }

}  // namespace nimbus::storage
