#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <string>

#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"

// Layout: one RocksDB database, default column family only. A keyspace is a key prefix,
// OrderedString(keyspace), so a stored key is OrderedString(keyspace) + key. The escaping keeps
// keyspaces disjoint and each one contiguous, and it keeps one WAL and one memtable for the
// whole store: column families would each bring a memtable and SST files of their own, costing
// memory and open time for the dozen small keyspaces the services use.
//
// Durability: the WAL stays on, so a Write that returned ok is in the OS page cache and survives
// kill -9; RocksDbOptions::fsync adds WriteOptions::sync for power loss. A store closed without
// Flush replays its WAL (up to one memtable) on the next open.

namespace nimbus::storage {
namespace {

StorageStatus FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return StorageStatus::Ok();
  if (s.IsNotFound()) return StorageStatus::NotFound();
  if (s.IsCorruption()) return StorageStatus::Corruption(s.ToString());
  if (s.IsInvalidArgument()) return StorageStatus::InvalidArgument(s.ToString());
  return StorageStatus::IoError(s.ToString());
}

std::string KeyspacePrefix(std::string_view keyspace) {
  std::string prefix;
  AppendOrderedString(&prefix, keyspace);
  return prefix;
}

// Small footprint and quick open are measured (start-to-ready, idle RSS), so the defaults that
// suit a large server are scaled down: small memtables, a small block cache holding index and
// filter blocks too, few open files, no periodic stats, a short info log.
rocksdb::Options MakeOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 8 << 20;
  options.max_write_buffer_number = 2;
  options.target_file_size_base = 8 << 20;
  options.max_bytes_for_level_base = 64 << 20;
  options.level_compaction_dynamic_level_bytes = true;
  options.max_background_jobs = 2;
  options.max_open_files = 64;
  options.max_file_opening_threads = 1;
  options.table_cache_numshardbits = 4;
  options.skip_stats_update_on_db_open = true;
  options.skip_checking_sst_file_sizes_on_db_open = true;
  options.stats_dump_period_sec = 0;
  options.stats_persist_period_sec = 0;
  // INFO level writes the full options dump on every open; warnings and errors are enough.
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.max_log_file_size = 1 << 20;
  options.keep_log_file_num = 2;
  options.max_manifest_file_size = 8 << 20;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(8 << 20, /*num_shard_bits=*/2);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.optimize_filters_for_memory = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

class RocksDbSnapshot : public Snapshot {
 public:
  RocksDbSnapshot(rocksdb::DB* db, const rocksdb::Snapshot* snapshot)
      : db_(db), snapshot_(snapshot) {}
  ~RocksDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  rocksdb::DB* db() const { return db_; }
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

class RocksDbKvStore : public KvStore {
 public:
  RocksDbKvStore(std::unique_ptr<rocksdb::DB> db, const RocksDbOptions& options)
      : db_(std::move(db)) {
    write_options_.sync = options.fsync;
  }

  ~RocksDbKvStore() override { db_->Close(); }

  StorageStatus Get(std::string_view keyspace, std::string_view key, std::string* value,
                    const Snapshot* snapshot) override {
    rocksdb::ReadOptions read_options;
    StorageStatus status = SetSnapshot(snapshot, &read_options);
    if (!status.ok()) return status;
    std::string stored_key = KeyspacePrefix(keyspace);
    stored_key.append(key);
    rocksdb::PinnableSlice pinned;
    rocksdb::Status s = db_->Get(read_options, db_->DefaultColumnFamily(), stored_key, &pinned);
    if (!s.ok()) return FromRocks(s);
    value->assign(pinned.data(), pinned.size());
    return StorageStatus::Ok();
  }

  StorageStatus Scan(
      std::string_view keyspace, const ScanOptions& options,
      const std::function<bool(std::string_view, std::string_view)>& visit) override {
    if (!options.end.empty() && options.start >= options.end) return StorageStatus::Ok();
    rocksdb::ReadOptions read_options;
    StorageStatus status = SetSnapshot(options.snapshot, &read_options);
    if (!status.ok()) return status;
    const std::string prefix = KeyspacePrefix(keyspace);
    const std::string lower = prefix + options.start;
    const std::string upper = options.end.empty() ? PrefixEnd(prefix) : prefix + options.end;
    rocksdb::Slice lower_slice(lower);
    rocksdb::Slice upper_slice(upper);
    read_options.iterate_lower_bound = &lower_slice;
    read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    if (options.reverse) {
      it->SeekToLast();
    } else {
      it->SeekToFirst();
    }
    size_t visited = 0;
    for (; it->Valid(); options.reverse ? it->Prev() : it->Next()) {
      rocksdb::Slice key = it->key();
      key.remove_prefix(prefix.size());
      rocksdb::Slice value = it->value();
      if (!visit(std::string_view(key.data(), key.size()),
                 std::string_view(value.data(), value.size()))) {
        break;
      }
      if (++visited == options.limit) break;
    }
    return FromRocks(it->status());
  }

  StorageStatus Write(const WriteBatch& batch) override {
    if (batch.empty()) return StorageStatus::Ok();
    // Sized up front (header, then per op a tag, two varint lengths, the prefixed key and the
    // value): growing the batch's buffer op by op was a few percent of an SQS send's CPU.
    size_t reserve = 12;
    for (const WriteBatch::Op& op : batch.ops())
      reserve += 11 + 2 * op.keyspace.size() + op.key.size() + op.value.size();
    rocksdb::WriteBatch rocks_batch(reserve);
    std::string prefix;
    for (const WriteBatch::Op& op : batch.ops()) {
      prefix.clear();
      AppendOrderedString(&prefix, op.keyspace);
      rocksdb::Status s;
      switch (op.type) {
        case WriteBatch::OpType::kPut: {
          rocksdb::Slice key_parts[2] = {prefix, op.key};
          rocksdb::Slice value(op.value);
          s = rocks_batch.Put(rocksdb::SliceParts(key_parts, 2), rocksdb::SliceParts(&value, 1));
          break;
        }
        case WriteBatch::OpType::kDelete: {
          rocksdb::Slice key_parts[2] = {prefix, op.key};
          s = rocks_batch.Delete(rocksdb::SliceParts(key_parts, 2));
          break;
        }
        case WriteBatch::OpType::kDeleteRange:
          if (op.value.empty()) {
            s = rocks_batch.DeleteRange(prefix + op.key, PrefixEnd(prefix));
          } else if (op.key < op.value) {
            s = rocks_batch.DeleteRange(prefix + op.key, prefix + op.value);
          }
          break;
      }
      if (!s.ok()) return FromRocks(s);
    }
    return FromRocks(db_->Write(write_options_, &rocks_batch));
  }

  std::unique_ptr<Snapshot> GetSnapshot() override {
    return std::make_unique<RocksDbSnapshot>(db_.get(), db_->GetSnapshot());
  }

  StorageStatus ScanAll(const Snapshot* snapshot,
                        const std::function<bool(std::string_view, std::string_view,
                                                 std::string_view)>& visit) override {
    rocksdb::ReadOptions read_options;
    StorageStatus status = SetSnapshot(snapshot, &read_options);
    if (!status.ok()) return status;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    std::string keyspace;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view rest(it->key().data(), it->key().size());
      if (!ConsumeOrderedString(&rest, &keyspace))
        return StorageStatus::Corruption("stored key without a keyspace prefix");
      rocksdb::Slice value = it->value();
      if (!visit(keyspace, rest, std::string_view(value.data(), value.size()))) break;
    }
    return FromRocks(it->status());
  }

  StorageStatus Clear() override {
    // One range tombstone over everything stored; compaction reclaims the space later. Writes
    // racing with Clear may survive it, as they would if they had come just after.
    std::string first;
    std::string last;
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
      it->SeekToFirst();
      if (!it->Valid()) return FromRocks(it->status());
      first = it->key().ToString();
      it->SeekToLast();
      if (!it->Valid()) return FromRocks(it->status());
      last = it->key().ToString();
    }
    last.push_back('\0');  // the smallest key after `last`
    rocksdb::WriteBatch batch;
    rocksdb::Status s = batch.DeleteRange(first, last);
    if (!s.ok()) return FromRocks(s);
    return FromRocks(db_->Write(write_options_, &batch));
  }

  StorageStatus Flush() override {
    rocksdb::FlushOptions flush_options;
    flush_options.wait = true;
    return FromRocks(db_->Flush(flush_options));
  }

 private:
  StorageStatus SetSnapshot(const Snapshot* snapshot, rocksdb::ReadOptions* read_options) {
    if (snapshot == nullptr) return StorageStatus::Ok();
    auto* rocks_snapshot = dynamic_cast<const RocksDbSnapshot*>(snapshot);
    if (rocks_snapshot == nullptr || rocks_snapshot->db() != db_.get()) {
      return StorageStatus::InvalidArgument("snapshot belongs to another store");
    }
    read_options->snapshot = rocks_snapshot->get();
    return StorageStatus::Ok();
  }

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
};

}  // namespace

std::unique_ptr<KvStore> OpenRocksDbKvStore(const std::string& path, const RocksDbOptions& options,
                                            StorageStatus* status) {
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(MakeOptions(), path, &db);
  *status = s.IsNotFound() ? StorageStatus::IoError(s.ToString()) : FromRocks(s);
  if (!s.ok()) {
    delete db;
    return nullptr;
  }
  return std::make_unique<RocksDbKvStore>(std::unique_ptr<rocksdb::DB>(db), options);
}

}  // namespace nimbus::storage
