#include "services/dynamodb/table/item_store.h"

#include <functional>

#include "core/storage/json_store.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

namespace {

const json::object* KeyValue(const json::object& item, const KeyAttribute& attr) {
  const json::value* v = item.if_contains(attr.name);
  if (!v || !v->is_object() || v->get_object().empty()) return nullptr;
  if (TypeOf(v->get_object()) != attr.type) return nullptr;
  return &v->get_object();
}

// prefix + hash(pk) + pk [+ sk]
void AppendPrimaryKey(std::string* out, uint64_t storage_id, const json::object& hash,
                      const json::object* range) {
  *out = DataPrefix(storage_id);
  std::string pk;
  AppendKeyValue(&pk, hash);
  AppendPartitionHash(out, pk);
  out->append(pk);
  if (range) AppendKeyValue(out, *range);
}

}  // namespace

std::string ItemStorageKey(const Table& table, const json::object& item) {
  std::string key;
  const json::object* range = table.key.range ? KeyValue(item, *table.key.range) : nullptr;
  AppendPrimaryKey(&key, table.storage_id, *KeyValue(item, table.key.hash), range);
  return key;
}

std::string PartitionPrefix(uint64_t storage_id, const json::object& hash_value) {
  std::string key;
  AppendPrimaryKey(&key, storage_id, hash_value, nullptr);
  return key;
}

std::optional<std::string> IndexEntryKey(const Table& table, const Index& index,
                                         const json::object& item) {
  const json::object* hash = KeyValue(item, index.key.hash);
  if (!hash) return std::nullopt;
  const json::object* range = nullptr;
  if (index.key.range) {
    range = KeyValue(item, *index.key.range);
    if (!range) return std::nullopt;
  }
  // Empty strings and binaries cannot be index keys (writes carrying them are rejected); a
  // backfill meeting one leaves the item out, as DynamoDB does.
  if (PayloadOf(*hash).get_string().empty()) return std::nullopt;
  if (range && PayloadOf(*range).get_string().empty()) return std::nullopt;
  std::string key;
  AppendPrimaryKey(&key, index.storage_id, *hash, range);
  AppendKeyValue(&key, *KeyValue(item, table.key.hash));
  if (table.key.range) AppendKeyValue(&key, *KeyValue(item, *table.key.range));
  return key;
}

json::object ProjectForIndex(const Table& table, const Index& index, const json::object& item) {
  if (index.projection == ProjectionType::kAll) return item;
  json::object out;
  auto copy = [&](const std::string& name) {
    if (const json::value* v = item.if_contains(name)) out[name] = *v;
  };
  copy(table.key.hash.name);
  if (table.key.range) copy(table.key.range->name);
  copy(index.key.hash.name);
  if (index.key.range) copy(index.key.range->name);
  if (index.projection == ProjectionType::kInclude)
    for (const auto& a : index.non_key_attributes) copy(a);
  return out;
}

Result<std::optional<json::object>> ReadItem(storage::KvStore& kv, std::string_view key,
                                             size_t* size) {
  std::string bytes;
  auto st = kv.Get(kKeyspace, key, &bytes);
  if (st.IsNotFound()) return std::optional<json::object>();
  if (!st.ok()) return storage::StorageError(st);
  json::object item;
  if (!DecodeItem(bytes, &item))
    return storage::StorageError(storage::StorageStatus::Corruption("item"));
  if (size) DecodeItemSize(bytes, size);
  return std::optional<json::object>(std::move(item));
}

void StageItemWrite(const Table& table, std::string_view item_key, const json::object* old_item,
                    const json::object* new_item, size_t new_item_size,
                    storage::WriteBatch* batch) {
  if (new_item) {
    std::string bytes;
    EncodeItem(*new_item, new_item_size, &bytes);
    batch->Put(kKeyspace, item_key, bytes);
  } else {
    batch->Delete(kKeyspace, item_key);
  }
  for (const auto& index : table.indexes) {
    std::optional<std::string> old_key, new_key;
    if (old_item) old_key = IndexEntryKey(table, index, *old_item);
    if (new_item) new_key = IndexEntryKey(table, index, *new_item);
    if (old_key && (!new_key || *old_key != *new_key)) batch->Delete(kKeyspace, *old_key);
    if (new_key) {
      json::object projected = ProjectForIndex(table, index, *new_item);
      size_t size = index.projection == ProjectionType::kAll ? new_item_size : ItemSize(projected);
      std::string bytes;
      EncodeItem(projected, size, &bytes);
      batch->Put(kKeyspace, *new_key, bytes);
    }
  }
}

size_t ItemLocks::StripeOf(std::string_view item_key) const {
  return std::hash<std::string_view>{}(item_key) % kStripes;
}

}  // namespace nimbus::dynamodb
