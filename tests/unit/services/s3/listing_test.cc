// The listing walk over an in-memory store: S3's order, common prefixes, paging, and the cost
// of a delimiter listing over 100,000 keys (it seeks past common prefixes instead of visiting
// every key under them).
#include "services/s3/listing.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/storage/kv_store.h"

namespace nimbus::s3 {
namespace {

// Counts the keys Scan visits, to measure what a listing costs.
class CountingKv : public storage::KvStore {
 public:
  CountingKv() : inner_(storage::NewMemoryKvStore()) {}
  storage::StorageStatus Get(std::string_view ks, std::string_view k, std::string* v,
                             const storage::Snapshot* s) override {
    return inner_->Get(ks, k, v, s);
  }
  storage::StorageStatus Scan(
      std::string_view ks, const storage::ScanOptions& o,
      const std::function<bool(std::string_view, std::string_view)>& visit) override {
    ++scans;
    return inner_->Scan(ks, o, [&](std::string_view k, std::string_view v) {
      ++visited;
      return visit(k, v);
    });
  }
  storage::StorageStatus Write(const storage::WriteBatch& b) override { return inner_->Write(b); }
  std::unique_ptr<storage::Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  storage::StorageStatus ScanAll(
      const storage::Snapshot* s,
      const std::function<bool(std::string_view, std::string_view, std::string_view)>& visit)
      override {
    return inner_->ScanAll(s, visit);
  }
  storage::StorageStatus Clear() override { return inner_->Clear(); }
  storage::StorageStatus Flush() override { return inner_->Flush(); }
  size_t visited = 0;
  size_t scans = 0;

 private:
  std::unique_ptr<storage::KvStore> inner_;
};

void PutObject(storage::KvStore& kv, const std::string& key, uint64_t seq,
               bool delete_marker = false) {
  ObjectRecord r;
  r.version_id = NewVersionId(seq);
  r.delete_marker = delete_marker;
  r.size = key.size();
  r.etag = "\"e\"";
  ASSERT_TRUE(
      kv.Put(kKeyspace, ObjectVersionKey("bkt", key, seq), boost::json::serialize(r.ToJson()))
          .ok());
}

std::vector<std::string> Names(const WalkResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.entries) out.push_back((e.common_prefix ? "P:" : "") + e.name);
  return out;
}

TEST(S3Listing, OrderPrefixAndDelimiter) {
  auto kv = storage::NewMemoryKvStore();
  uint64_t seq = 1;
  for (const char* k : {"b", "a/1", "a/2", "a/x/3", "B", "c/d", "a", "ab"})
    PutObject(*kv, k, seq++);
  WalkOptions w;
  EXPECT_EQ(Names(Walk(*kv, "bkt", w)),
            (std::vector<std::string>{"B", "a", "a/1", "a/2", "a/x/3", "ab", "b", "c/d"}));
  w.delimiter = "/";
  EXPECT_EQ(Names(Walk(*kv, "bkt", w)),
            (std::vector<std::string>{"B", "a", "P:a/", "ab", "b", "P:c/"}));
  w.prefix = "a/";
  EXPECT_EQ(Names(Walk(*kv, "bkt", w)), (std::vector<std::string>{"a/1", "a/2", "P:a/x/"}));
  w.prefix = "a";
  w.delimiter = "x";
  EXPECT_EQ(Names(Walk(*kv, "bkt", w)),
            (std::vector<std::string>{"a", "a/1", "a/2", "P:a/x", "ab"}));
}

TEST(S3Listing, PagingNeverRepeatsACommonPrefix) {
  auto kv = storage::NewMemoryKvStore();
  uint64_t seq = 1;
  for (const char* k : {"a/1", "a/2", "b", "c/1", "c/2", "d"}) PutObject(*kv, k, seq++);
  WalkOptions w;
  w.delimiter = "/";
  w.max = 2;
  std::vector<std::string> all;
  for (int page = 0; page < 10; ++page) {
    WalkResult r = Walk(*kv, "bkt", w);
    for (auto& n : Names(r)) all.push_back(n);
    if (!r.truncated) break;
    w.after_key = r.entries.back().name;
  }
  EXPECT_EQ(all, (std::vector<std::string>{"P:a/", "b", "P:c/", "d"}));
}

TEST(S3Listing, LatestVersionsSkipDeleteMarkersAndOlderVersions) {
  auto kv = storage::NewMemoryKvStore();
  PutObject(*kv, "k", 1);
  PutObject(*kv, "k", 2);
  PutObject(*kv, "gone", 3);
  PutObject(*kv, "gone", 4, true);
  for (uint64_t s = 10; s < 60; ++s) PutObject(*kv, "many", s);
  WalkOptions w;
  WalkResult r = Walk(*kv, "bkt", w);
  ASSERT_EQ(Names(r), (std::vector<std::string>{"k", "many"}));
  EXPECT_EQ(r.entries[0].rec.seq, 2u);
  EXPECT_EQ(r.entries[1].rec.seq, 59u);
  w.all_versions = true;
  r = Walk(*kv, "bkt", w);
  ASSERT_EQ(r.entries.size(), 54u);
  EXPECT_TRUE(r.entries[0].is_latest);  // gone: the marker
  EXPECT_TRUE(r.entries[0].rec.delete_marker);
  EXPECT_FALSE(r.entries[1].is_latest);
  // Resuming inside a key: its remaining versions are not latest.
  w.after_key = "k";
  w.after_seq = 2;
  r = Walk(*kv, "bkt", w);
  ASSERT_GE(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].name, "k");
  EXPECT_EQ(r.entries[0].rec.seq, 1u);
  EXPECT_FALSE(r.entries[0].is_latest);
  EXPECT_EQ(r.entries[1].name, "many");
  EXPECT_TRUE(r.entries[1].is_latest);
}

TEST(S3Listing, DelimiterListingOf100000KeysVisitsFewKeys) {
  CountingKv kv;
  uint64_t seq = 1;
  storage::WriteBatch batch;
  for (int dir = 0; dir < 10; ++dir) {
    for (int i = 0; i < 10000; ++i) {
      ObjectRecord r;
      r.version_id = "null";
      r.etag = "\"e\"";
      char key[64];
      std::snprintf(key, sizeof key, "dir%02d/file%06d", dir, i);
      batch.Put(kKeyspace, ObjectVersionKey("bkt", key, seq++), boost::json::serialize(r.ToJson()));
    }
  }
  ASSERT_TRUE(kv.Write(batch).ok());
  WalkOptions w;
  w.delimiter = "/";
  WalkResult r = Walk(kv, "bkt", w);
  EXPECT_EQ(r.entries.size(), 10u);
  EXPECT_FALSE(r.truncated);
  EXPECT_LE(kv.visited, 20u);  // one key per common prefix, not 100,000
  // A page deep inside one prefix starts where it should, without visiting what precedes it.
  kv.visited = 0;
  w.delimiter.clear();
  w.prefix = "dir07/";
  w.after_key = "dir07/file005000";
  w.max = 1000;
  r = Walk(kv, "bkt", w);
  ASSERT_EQ(r.entries.size(), 1000u);
  EXPECT_EQ(r.entries[0].name, "dir07/file005001");
  EXPECT_TRUE(r.truncated);
  EXPECT_LE(kv.visited, 1001u);
}

}  // namespace
}  // namespace nimbus::s3
