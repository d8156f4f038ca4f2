#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/storage/kv_store.h"
#include "services/dynamodb/table/table.h"

namespace nimbus::dynamodb {

// Storage of items and their index entries (layout in layout.h). Callers validate items
// against the table first: these functions assume key attributes are present and typed.

// The storage key of the item whose key attributes are in `item` (an item or a key map).
std::string ItemStorageKey(const Table& table, const json::object& item);
// Prefix of every item (or index entry) with partition key `hash_value` under `storage_id`.
std::string PartitionPrefix(uint64_t storage_id, const json::object& hash_value);
// The entry key of `item` in `index`, or nullopt when the item lacks the index's key
// attributes (or has them with other types): sparse indexes leave such items out.
std::optional<std::string> IndexEntryKey(const Table& table, const Index& index,
                                         const json::object& item);
// The attributes of `item` that `index` projects.
json::object ProjectForIndex(const Table& table, const Index& index, const json::object& item);

// Reads the item stored under `key`; nullopt when absent. `size` (optional) gets its
// DynamoDB size.
Result<std::optional<json::object>> ReadItem(storage::KvStore& kv, std::string_view key,
                                             size_t* size = nullptr);

// Adds to `batch` the writes that turn `old_item` into `new_item` (either may be null: insert
// or delete) for the table and every index, so that indexes change in the same atomic batch
// as their table.
void StageItemWrite(const Table& table, std::string_view item_key, const json::object* old_item,
                    const json::object* new_item, size_t new_item_size, storage::WriteBatch* batch);

// Striped mutexes that make read-modify-write of one item atomic (conditional writes,
// UpdateItem, index maintenance). Lock order when several are needed: ascending stripe.
class ItemLocks {
 public:
  static constexpr size_t kStripes = 1024;
  size_t StripeOf(std::string_view item_key) const;
  std::mutex& Stripe(size_t stripe) { return stripes_[stripe]; }
  std::mutex& For(std::string_view item_key) { return stripes_[StripeOf(item_key)]; }

 private:
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace nimbus::dynamodb
