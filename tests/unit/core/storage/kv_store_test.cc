#include "core/storage/kv_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "temp_dir.h"

namespace nimbus::storage {
namespace {

using namespace std::string_literals;
using Entries = std::vector<std::pair<std::string, std::string>>;

struct KvStoreFactory {
  std::string name;
  std::function<std::unique_ptr<KvStore>(const std::string& dir)> open;
};

std::string PrintFactoryName(const testing::TestParamInfo<KvStoreFactory>& info) {
  return info.param.name;
}

class KvStoreConformance : public testing::TestWithParam<KvStoreFactory> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store_ = GetParam().open(dir_.path() + "/db");
    ASSERT_NE(store_, nullptr);
  }

  std::string GetOrStatus(std::string_view keyspace, std::string_view key,
                          const Snapshot* snapshot = nullptr) {
    std::string value;
    StorageStatus status = store_->Get(keyspace, key, &value, snapshot);
    if (status.IsNotFound()) return "<not found>";
    if (!status.ok()) return "<error " + status.message() + ">";
    return value;
  }

  Entries ScanAll(std::string_view keyspace, const ScanOptions& options = {}) {
    Entries entries;
    StorageStatus status = store_->Scan(keyspace, options, [&](auto key, auto value) {
      entries.emplace_back(std::string(key), std::string(value));
      return true;
    });
    EXPECT_TRUE(status.ok()) << status.message();
    return entries;
  }

  void PutAll(std::string_view keyspace, const Entries& entries) {
    WriteBatch batch;
    for (const auto& [key, value] : entries) batch.Put(keyspace, key, value);
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  TempDir dir_;
  std::unique_ptr<KvStore> store_;
};

const Entries kFive = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}};

TEST_P(KvStoreConformance, GetOfMissingKeyIsNotFound) {
  std::string value = "unchanged";
  EXPECT_TRUE(store_->Get("ks", "missing", &value).IsNotFound());
  EXPECT_EQ(value, "unchanged");
  ASSERT_TRUE(store_->Put("ks", "present", "v").ok());
  EXPECT_TRUE(store_->Get("ks", "missing", &value).IsNotFound());
  EXPECT_TRUE(store_->Get("other", "present", &value).IsNotFound());
}

TEST_P(KvStoreConformance, PutOverwritesAndDeleteRemoves) {
  ASSERT_TRUE(store_->Put("ks", "k", "v1").ok());
  EXPECT_EQ(GetOrStatus("ks", "k"), "v1");
  ASSERT_TRUE(store_->Put("ks", "k", "v2").ok());
  EXPECT_EQ(GetOrStatus("ks", "k"), "v2");
  ASSERT_TRUE(store_->Put("ks", "k", "").ok());
  EXPECT_EQ(GetOrStatus("ks", "k"), "");
  ASSERT_TRUE(store_->Delete("ks", "k").ok());
  EXPECT_EQ(GetOrStatus("ks", "k"), "<not found>");
  EXPECT_TRUE(store_->Delete("ks", "k").ok());  // deleting an absent key is fine
}

TEST_P(KvStoreConformance, KeysAndValuesAreBinaryAndCompareAsUnsignedBytes) {
  PutAll("ks", {{"\xff"s, "ff"},
                {"a"s, "a"},
                {"\0"s, "zero"},
                {"a\0b"s, "a0b"},
                {"\x80"s, "\0\xff"s},
                {""s, "empty key"}});
  EXPECT_EQ(GetOrStatus("ks", "a\0b"s), "a0b");
  EXPECT_EQ(GetOrStatus("ks", "a"), "a");
  EXPECT_EQ(GetOrStatus("ks", ""), "empty key");
  EXPECT_EQ(ScanAll("ks"), (Entries{{""s, "empty key"},
                                    {"\0"s, "zero"},
                                    {"a"s, "a"},
                                    {"a\0b"s, "a0b"},
                                    {"\x80"s, "\0\xff"s},
                                    {"\xff"s, "ff"}}));
}

TEST_P(KvStoreConformance, ScanForwardHonoursStartEndAndLimit) {
  PutAll("ks", kFive);
  EXPECT_EQ(ScanAll("ks"), kFive);
  EXPECT_EQ(ScanAll("ks", {.start = "b"}),
            (Entries{{"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}}));
  EXPECT_EQ(ScanAll("ks", {.start = "bb", .end = "d"}), (Entries{{"c", "3"}}));
  EXPECT_EQ(ScanAll("ks", {.end = "c"}), (Entries{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(ScanAll("ks", {.start = "b", .limit = 2}), (Entries{{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(ScanAll("ks", {.start = "f"}), Entries{});
  EXPECT_EQ(ScanAll("ks", {.start = "c", .end = "c"}), Entries{});
  EXPECT_EQ(ScanAll("ks", {.start = "d", .end = "b"}), Entries{});
}

TEST_P(KvStoreConformance, ScanBackwardHonoursStartEndAndLimit) {
  PutAll("ks", kFive);
  EXPECT_EQ(ScanAll("ks", {.reverse = true}),
            (Entries{{"e", "5"}, {"d", "4"}, {"c", "3"}, {"b", "2"}, {"a", "1"}}));
  EXPECT_EQ(ScanAll("ks", {.end = "d", .reverse = true}),
            (Entries{{"c", "3"}, {"b", "2"}, {"a", "1"}}));
  EXPECT_EQ(ScanAll("ks", {.start = "b", .end = "dd", .reverse = true}),
            (Entries{{"d", "4"}, {"c", "3"}, {"b", "2"}}));
  EXPECT_EQ(ScanAll("ks", {.start = "b", .reverse = true, .limit = 2}),
            (Entries{{"e", "5"}, {"d", "4"}}));
  EXPECT_EQ(ScanAll("ks", {.end = "a", .reverse = true}), Entries{});
  EXPECT_EQ(ScanAll("ks", {.start = "d", .end = "b", .reverse = true}), Entries{});
}

TEST_P(KvStoreConformance, ScanStopsWhenVisitReturnsFalse) {
  PutAll("ks", kFive);
  for (bool reverse : {false, true}) {
    std::vector<std::string> seen;
    ASSERT_TRUE(store_
                    ->Scan("ks", {.reverse = reverse},
                           [&](std::string_view key, std::string_view) {
                             seen.emplace_back(key);
                             return seen.size() < 2;
                           })
                    .ok());
    const std::vector<std::string> expected =
        reverse ? std::vector<std::string>{"e", "d"} : std::vector<std::string>{"a", "b"};
    EXPECT_EQ(seen, expected);
  }
}

TEST_P(KvStoreConformance, VisitMayCallBackIntoTheStore) {
  PutAll("ks", kFive);
  size_t visited = 0;
  ASSERT_TRUE(store_
                  ->Scan("ks", {},
                         [&](std::string_view key, std::string_view value) {
                           ++visited;
                           std::string again;
                           EXPECT_TRUE(store_->Get("ks", key, &again).ok());
                           EXPECT_EQ(again, value);
                           EXPECT_TRUE(store_->Put("ks", std::string(key) + "-copy", value).ok());
                           return true;
                         })
                  .ok());
  EXPECT_GE(visited, kFive.size());
  EXPECT_EQ(GetOrStatus("ks", "c-copy"), "3");
}

TEST_P(KvStoreConformance, KeyspacesAreIsolated) {
  // "a" + "b..." must not collide with "ab" + "...": keyspace names are length-delimited.
  PutAll("a", {{"b", "in a"}, {"bc", "in a"}});
  PutAll("ab", {{"c", "in ab"}});
  PutAll("", {{"x", "in empty"}});
  EXPECT_EQ(ScanAll("a"), (Entries{{"b", "in a"}, {"bc", "in a"}}));
  EXPECT_EQ(ScanAll("ab"), (Entries{{"c", "in ab"}}));
  EXPECT_EQ(ScanAll("a", {.reverse = true}), (Entries{{"bc", "in a"}, {"b", "in a"}}));
  EXPECT_EQ(ScanAll("ab", {.reverse = true}), (Entries{{"c", "in ab"}}));
  EXPECT_EQ(ScanAll(""), (Entries{{"x", "in empty"}}));
  EXPECT_EQ(ScanAll("b"), Entries{});
  EXPECT_EQ(GetOrStatus("ab", "b"), "<not found>");
  EXPECT_EQ(GetOrStatus("a", "c"), "<not found>");

  WriteBatch batch;
  batch.DeleteRange("a", "", "");
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(ScanAll("a"), Entries{});
  EXPECT_EQ(ScanAll("ab"), (Entries{{"c", "in ab"}}));
  EXPECT_EQ(ScanAll(""), (Entries{{"x", "in empty"}}));
}

TEST_P(KvStoreConformance, ScanAllVisitsEveryKeyspaceInOrderAtASnapshot) {
  PutAll("b", {{"2", "b2"}, {std::string("\0x", 2), "b0"}});
  PutAll("a", {{"1", "a1"}});
  PutAll("ab", {{"", "empty key"}});
  std::unique_ptr<Snapshot> snapshot = store_->GetSnapshot();
  PutAll("c", {{"late", "after the snapshot"}});
  ASSERT_TRUE(store_->Delete("a", "1").ok());

  using Triples = std::vector<std::tuple<std::string, std::string, std::string>>;
  auto all = [&](const Snapshot* at) {
    Triples out;
    StorageStatus status = store_->ScanAll(at, [&](auto ks, auto k, auto v) {
      out.emplace_back(std::string(ks), std::string(k), std::string(v));
      return true;
    });
    EXPECT_TRUE(status.ok()) << status.message();
    return out;
  };
  EXPECT_EQ(all(snapshot.get()), (Triples{{"a", "1", "a1"},
                                          {"ab", "", "empty key"},
                                          {"b", std::string("\0x", 2), "b0"},
                                          {"b", "2", "b2"}}));
  EXPECT_EQ(all(nullptr), (Triples{{"ab", "", "empty key"},
                                   {"b", std::string("\0x", 2), "b0"},
                                   {"b", "2", "b2"},
                                   {"c", "late", "after the snapshot"}}));
  int visited = 0;
  ASSERT_TRUE(store_->ScanAll(nullptr, [&](auto, auto, auto) { return ++visited < 2; }).ok());
  EXPECT_EQ(visited, 2);
}

TEST_P(KvStoreConformance, BatchAppliesOpsInOrderAcrossKeyspaces) {
  PutAll("items", kFive);
  PutAll("index", {{"old", "x"}});
  WriteBatch batch;
  batch.DeleteRange("items", "b", "d");  // removes b, c
  batch.Put("items", "c", "new c");      // later ops win over earlier ones
  batch.Delete("items", "e");
  batch.Put("items", "e", "new e");
  batch.Delete("items", "a");
  batch.Put("index", "new", "y");
  batch.Delete("index", "old");
  EXPECT_EQ(batch.size(), 7u);
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(ScanAll("items"), (Entries{{"c", "new c"}, {"d", "4"}, {"e", "new e"}}));
  EXPECT_EQ(ScanAll("index"), (Entries{{"new", "y"}}));
  EXPECT_TRUE(store_->Write(WriteBatch()).ok());
}

TEST_P(KvStoreConformance, DeleteRangeBounds) {
  PutAll("ks", kFive);
  PutAll("ks2", kFive);
  WriteBatch batch;
  batch.DeleteRange("ks", "d", "b");  // empty range: nothing
  batch.DeleteRange("ks", "c", "c");  // empty range: nothing
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(ScanAll("ks"), kFive);

  batch.Clear();
  EXPECT_TRUE(batch.empty());
  batch.DeleteRange("ks", "", "b");  // from the beginning
  batch.DeleteRange("ks", "d", "");  // to the end
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(ScanAll("ks"), (Entries{{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(ScanAll("ks2"), kFive);
}

TEST_P(KvStoreConformance, BatchesAreAtomicToConcurrentReaders) {
  // Writers keep "left" and "right" (in two keyspaces) equal; readers must never see them differ.
  constexpr int kRounds = 300;
  ASSERT_TRUE(store_->Put("left", "k", "0").ok());
  ASSERT_TRUE(store_->Put("right", "k", "0").ok());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::unique_ptr<Snapshot> snapshot = store_->GetSnapshot();
      std::string left;
      std::string right;
      if (!store_->Get("left", "k", &left, snapshot.get()).ok() ||
          !store_->Get("right", "k", &right, snapshot.get()).ok() || left != right) {
        ++torn;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kRounds; ++i) {
        WriteBatch batch;
        std::string value = std::to_string(w) + ":" + std::to_string(i);
        batch.Put("left", "k", value);
        batch.Put("right", "k", value);
        EXPECT_TRUE(store_->Write(batch).ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(GetOrStatus("left", "k"), GetOrStatus("right", "k"));
}

TEST_P(KvStoreConformance, SnapshotSeesDataAsOfItsCreation) {
  PutAll("ks", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
  PutAll("other", {{"x", "1"}});
  std::unique_ptr<Snapshot> snapshot = store_->GetSnapshot();

  WriteBatch batch;
  batch.Put("ks", "a", "changed");
  batch.Delete("ks", "b");
  batch.DeleteRange("ks", "c", "");
  batch.Put("ks", "d", "added");
  batch.Put("new", "y", "1");
  ASSERT_TRUE(store_->Write(batch).ok());

  EXPECT_EQ(GetOrStatus("ks", "a", snapshot.get()), "1");
  EXPECT_EQ(GetOrStatus("ks", "b", snapshot.get()), "2");
  EXPECT_EQ(GetOrStatus("ks", "d", snapshot.get()), "<not found>");
  EXPECT_EQ(GetOrStatus("new", "y", snapshot.get()), "<not found>");
  EXPECT_EQ(ScanAll("ks", {.snapshot = snapshot.get()}),
            (Entries{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(ScanAll("ks", {.start = "b", .reverse = true, .snapshot = snapshot.get()}),
            (Entries{{"c", "3"}, {"b", "2"}}));
  EXPECT_EQ(ScanAll("ks"), (Entries{{"a", "changed"}, {"d", "added"}}));

  ASSERT_TRUE(store_->Clear().ok());
  EXPECT_EQ(ScanAll("other", {.snapshot = snapshot.get()}), (Entries{{"x", "1"}}));
  EXPECT_EQ(ScanAll("other"), Entries{});
  snapshot.reset();
  EXPECT_EQ(ScanAll("ks"), Entries{});
}

TEST_P(KvStoreConformance, ClearRemovesEveryKeyspaceAndStoreStaysUsable) {
  EXPECT_TRUE(store_->Clear().ok());  // clearing an empty store is fine
  PutAll("a", kFive);
  PutAll("b", {{"\xff\xff"s, "last"}, {""s, "first"}});
  ASSERT_TRUE(store_->Clear().ok());
  EXPECT_EQ(ScanAll("a"), Entries{});
  EXPECT_EQ(ScanAll("b"), Entries{});
  EXPECT_EQ(GetOrStatus("b", "\xff\xff"s), "<not found>");
  ASSERT_TRUE(store_->Put("a", "again", "1").ok());
  EXPECT_EQ(ScanAll("a"), (Entries{{"again", "1"}}));
}

TEST_P(KvStoreConformance, FlushKeepsData) {
  PutAll("ks", kFive);
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(ScanAll("ks"), kFive);
  ASSERT_TRUE(store_->Delete("ks", "a").ok());
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(ScanAll("ks").size(), 4u);
}

std::unique_ptr<KvStore> OpenRocksDb(const std::string& dir) {
  StorageStatus status;
  std::unique_ptr<KvStore> store = OpenRocksDbKvStore(dir, {}, &status);
  EXPECT_TRUE(status.ok()) << status.message();
  return store;
}

INSTANTIATE_TEST_SUITE_P(Stores, KvStoreConformance,
                         testing::Values(KvStoreFactory{"RocksDb", OpenRocksDb},
                                         KvStoreFactory{"Memory",
                                                        [](const std::string&) {
                                                          return NewMemoryKvStore();
                                                        }}),
                         PrintFactoryName);

}  // namespace
}  // namespace nimbus::storage
