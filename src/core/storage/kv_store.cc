#include "core/storage/kv_store.h"

namespace nimbus::storage {

void WriteBatch::Put(std::string_view keyspace, std::string_view key, std::string_view value) {
  ops_.push_back(Op{OpType::kPut, std::string(keyspace), std::string(key), std::string(value)});
}

void WriteBatch::Delete(std::string_view keyspace, std::string_view key) {
  ops_.push_back(Op{OpType::kDelete, std::string(keyspace), std::string(key), std::string()});
}

void WriteBatch::DeleteRange(std::string_view keyspace, std::string_view begin,
                             std::string_view end) {
  ops_.push_back(
      Op{OpType::kDeleteRange, std::string(keyspace), std::string(begin), std::string(end)});
}

StorageStatus KvStore::Put(std::string_view keyspace, std::string_view key,
                           std::string_view value) {
  WriteBatch batch;
  batch.Put(keyspace, key, value);
  return Write(batch);
}

StorageStatus KvStore::Delete(std::string_view keyspace, std::string_view key) {
  WriteBatch batch;
  batch.Delete(keyspace, key);
  return Write(batch);
}

}  // namespace nimbus::storage
