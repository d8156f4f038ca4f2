#include "core/storage/state_archive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "temp_dir.h"

namespace nimbus::storage {
namespace {

using Triples = std::vector<std::tuple<std::string, std::string, std::string>>;

Triples Everything(KvStore& kv) {
  Triples out;
  EXPECT_TRUE(kv.ScanAll(nullptr, [&](auto ks, auto k, auto v) {
                  out.emplace_back(std::string(ks), std::string(k), std::string(v));
                  return true;
                }).ok());
  return out;
}

std::vector<std::pair<std::string, std::string>> Blobs(BlobStore& blobs) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> ids;
  EXPECT_TRUE(blobs.List([&](std::string_view id) {
                     ids.emplace_back(id);
                     return true;
                   }).ok());
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    std::string data;
    EXPECT_TRUE(blobs.Read(id, 0, UINT64_MAX, &data).ok());
    out.emplace_back(id, data);
  }
  return out;
}

void PutBlob(BlobStore& blobs, std::string_view id, std::string_view data) {
  auto w = blobs.NewWriter();
  ASSERT_TRUE(w->Append(data).ok());
  ASSERT_TRUE(w->Commit(id).ok());
}

std::string Binary(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7919) >> 3);
  return s;
}

class StateArchiveTest : public testing::Test {
 protected:
  void SetUp() override {
    kv_ = NewMemoryKvStore();
    blobs_ = std::make_unique<HoldingBlobStore>(NewMemoryBlobStore());
    ASSERT_TRUE(kv_->Put("dynamodb", std::string("k\0\xff", 3), Binary(300)).ok());
    ASSERT_TRUE(kv_->Put("sqs", "", "empty key").ok());
    ASSERT_TRUE(kv_->Put("s3", "b/obj", "").ok());
    PutBlob(*blobs_, "s3/1", Binary(3 << 20));  // spans several read chunks
    PutBlob(*blobs_, "lambda/a/b.zip", "zip");
    PutBlob(*blobs_, "empty", "");
    path_ = dir_.path() + "/state.tar.gz";
  }

  TempDir dir_;
  std::unique_ptr<KvStore> kv_;
  std::unique_ptr<HoldingBlobStore> blobs_;
  std::string path_;
};

TEST_F(StateArchiveTest, ExportThenImportRoundTripsEveryByte) {
  StateArchiveInfo out;
  ASSERT_TRUE(ExportState(*kv_, *blobs_, path_, "1.2.3", &out).ok());
  EXPECT_EQ(out.kv_records, 3u);
  EXPECT_EQ(out.blobs, 3u);
  EXPECT_EQ(out.blob_bytes, (3u << 20) + 3u);

  auto kv2 = NewMemoryKvStore();
  auto blobs2 = NewMemoryBlobStore();
  ASSERT_TRUE(kv2->Put("stale", "x", "y").ok());
  PutBlob(*blobs2, "stale", "gone after import");
  StateArchiveInfo in;
  StorageStatus st = ImportState(*kv2, *blobs2, path_, &in);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(in.format, kStateFormat);
  EXPECT_EQ(in.nimbus_version, "1.2.3");
  EXPECT_EQ(in.kv_records, 3u);
  EXPECT_EQ(Everything(*kv2), Everything(*kv_));
  EXPECT_EQ(Blobs(*blobs2), Blobs(*blobs_));
}

TEST_F(StateArchiveTest, DamagedOrForeignArchivesLeaveTheStoresUntouched) {
  StateArchiveInfo info;
  ASSERT_TRUE(ExportState(*kv_, *blobs_, path_, "1", &info).ok());
  std::string whole;
  {
    std::ifstream f(path_, std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(f), {});
  }
  auto kv2 = NewMemoryKvStore();
  auto blobs2 = NewMemoryBlobStore();
  ASSERT_TRUE(kv2->Put("keep", "me", "1").ok());
  for (std::string bad : {whole.substr(0, whole.size() / 2), std::string("hello"), std::string()}) {
    std::string p = dir_.path() + "/bad";
    std::ofstream(p, std::ios::binary) << bad;
    StorageStatus st = ImportState(*kv2, *blobs2, p, &info);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(Everything(*kv2), (Triples{{"keep", "me", "1"}}));
  }
  EXPECT_FALSE(ImportState(*kv2, *blobs2, dir_.path() + "/missing", &info).ok());
  EXPECT_EQ(Everything(*kv2), (Triples{{"keep", "me", "1"}}));
}

TEST_F(StateArchiveTest, HeldDeletesWaitForTheLastHoldAndYieldToARecommit) {
  auto hold = blobs_->HoldDeletes();
  ASSERT_TRUE(blobs_->Delete("lambda/a/b.zip").ok());
  ASSERT_TRUE(blobs_->Delete("empty").ok());
  PutBlob(*blobs_, "empty", "recreated");
  uint64_t size = 0;
  EXPECT_TRUE(blobs_->Size("lambda/a/b.zip", &size).ok());  // still there while held
  hold.reset();
  EXPECT_TRUE(blobs_->Size("lambda/a/b.zip", &size).IsNotFound());
  std::string data;
  ASSERT_TRUE(blobs_->Read("empty", 0, 100, &data).ok());
  EXPECT_EQ(data, "recreated");
}

}  // namespace
}  // namespace nimbus::storage
