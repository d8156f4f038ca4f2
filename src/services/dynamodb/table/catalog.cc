#include "services/dynamodb/table/catalog.h"

#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/table/layout.h"

namespace nimbus::dynamodb {

std::string Catalog::CacheKey(std::string_view account, std::string_view region,
                              std::string_view name) {
  std::string k;
  k.reserve(account.size() + region.size() + name.size() + 2);
  k.append(account).push_back('\0');
  k.append(region).push_back('\0');
  k.append(name);
  return k;
}

Result<std::shared_ptr<const Table>> Catalog::Find(std::string_view account,
                                                   std::string_view region, std::string_view name) {
  std::string ck = CacheKey(account, region, name);
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(ck);
    if (it != cache_.end()) return it->second;
  }
  json::value doc;
  auto st = storage::GetJson(*kv_, kKeyspace, TableRecordKey(account, region, name), &doc);
  if (st.IsNotFound()) return std::shared_ptr<const Table>();
  if (!st.ok()) return storage::StorageError(st);
  if (!doc.is_object()) return storage::StorageError(storage::StorageStatus::Corruption("table"));
  std::shared_ptr<const Table> table = TableFromRecord(std::move(doc.get_object()));
  if (!table) return storage::StorageError(storage::StorageStatus::Corruption("table record"));
  std::unique_lock lock(mu_);
  auto [it, inserted] = cache_.emplace(std::move(ck), table);
  return it->second;
}

Status Catalog::Save(std::shared_ptr<const Table> table, storage::WriteBatch batch) {
  storage::PutJson(batch, kKeyspace, TableRecordKey(table->account, table->region, table->name),
                   table->record);
  std::unique_lock lock(mu_);
  auto st = kv_->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  cache_[CacheKey(table->account, table->region, table->name)] = std::move(table);
  return Ok{};
}

Status Catalog::Remove(const Table& table, storage::WriteBatch batch) {
  batch.Delete(kKeyspace, TableRecordKey(table.account, table.region, table.name));
  std::unique_lock lock(mu_);
  auto st = kv_->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  cache_.erase(CacheKey(table.account, table.region, table.name));
  return Ok{};
}

Result<std::vector<std::string>> Catalog::ListNames(std::string_view account,
                                                    std::string_view region,
                                                    std::string_view start_after, size_t limit) {
  std::string prefix = TableRecordPrefix(account, region);
  storage::ScanOptions opts;
  opts.start = start_after.empty() ? prefix : TableRecordKey(account, region, start_after);
  opts.end = storage::PrefixEnd(prefix);
  std::vector<std::string> names;
  auto st = kv_->Scan(kKeyspace, opts, [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(prefix.size());
    std::string name;
    if (!storage::ConsumeOrderedString(&rest, &name)) return true;
    if (!start_after.empty() && name == start_after) return true;
    names.push_back(std::move(name));
    return names.size() < limit;
  });
  if (!st.ok()) return storage::StorageError(st);
  return names;
}

std::vector<std::shared_ptr<const Table>> Catalog::All() {
  std::vector<std::shared_ptr<const Table>> out;
  (void)storage::ScanJson(*kv_, kKeyspace, "t", {}, [&](std::string_view, json::value& doc) {
    if (doc.is_object()) {
      if (auto t = TableFromRecord(std::move(doc.get_object()))) out.push_back(std::move(t));
    }
    return true;
  });
  return out;
}

Result<uint64_t> Catalog::AllocateStorageId() {
  std::lock_guard lock(id_mu_);
  if (!id_loaded_) {
    std::string v;
    auto st = kv_->Get(kKeyspace, kStorageIdKey, &v);
    if (!st.ok() && !st.IsNotFound()) return storage::StorageError(st);
    last_id_ = st.ok() ? std::strtoull(v.c_str(), nullptr, 10) : 0;
    id_loaded_ = true;
  }
  uint64_t id = last_id_ + 1;
  auto st = kv_->Put(kKeyspace, kStorageIdKey, std::to_string(id));
  if (!st.ok()) return storage::StorageError(st);
  last_id_ = id;
  return id;
}

void Catalog::Reset() {
  {
    std::unique_lock lock(mu_);
    cache_.clear();
  }
  std::lock_guard lock(id_mu_);
  id_loaded_ = false;
  last_id_ = 0;
}

}  // namespace nimbus::dynamodb
