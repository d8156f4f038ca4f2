#include "core/storage/blob_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace nimbus::storage {
namespace {

struct BlobStoreFactory {
  std::string name;
  std::function<std::unique_ptr<BlobStore>(const std::string& dir)> open;
};

std::string PrintFactoryName(const testing::TestParamInfo<BlobStoreFactory>& info) {
  return info.param.name;
}

std::unique_ptr<BlobStore> OpenFileStore(const std::string& dir, const FileBlobOptions& options) {
  StorageStatus status;
  std::unique_ptr<BlobStore> store = NewFileBlobStore(dir, options, &status);
  EXPECT_TRUE(status.ok()) << status.message();
  return store;
}

std::string Pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131 + i / 251) & 0xff);
  return data;
}

const std::vector<std::string> kInvalidIds = {"",
                                              "/abs",
                                              "a//b",
                                              "a/",
                                              "..",
                                              ".",
                                              "../x",
                                              "a/../b",
                                              "a/./b",
                                              "a/..",
                                              ".tmp",
                                              ".tmp/x",
                                              "a b",
                                              "a\\b",
                                              "a\nb",
                                              std::string("a\0b", 3),
                                              "caf\xc3\xa9",
                                              "a:b",
                                              "*"};

class BlobStoreConformance : public testing::TestWithParam<BlobStoreFactory> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store_ = GetParam().open(dir_.path() + "/blobs");
    ASSERT_NE(store_, nullptr);
  }

  StorageStatus Put(std::string_view id, std::string_view data) {
    std::unique_ptr<BlobWriter> writer = store_->NewWriter();
    StorageStatus status = writer->Append(data);
    return status.ok() ? writer->Commit(id) : status;
  }

  // The whole blob, or "<not found>" / "<error ...>".
  std::string ReadAll(std::string_view id) {
    std::string out;
    StorageStatus status = store_->Read(id, 0, UINT64_MAX, &out);
    if (status.IsNotFound()) return "<not found>";
    if (!status.ok()) return "<error " + status.message() + ">";
    return out;
  }

  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobStoreConformance, CommitMakesTheBlobVisible) {
  std::unique_ptr<BlobWriter> writer = store_->NewWriter();
  ASSERT_TRUE(writer->Append("hello, ").ok());
  ASSERT_TRUE(writer->Append("").ok());
  ASSERT_TRUE(writer->Append("world").ok());
  EXPECT_EQ(writer->size(), 12u);
  EXPECT_EQ(ReadAll("greeting"), "<not found>");
  uint64_t size = 0;
  EXPECT_TRUE(store_->Size("greeting", &size).IsNotFound());

  ASSERT_TRUE(writer->Commit("greeting").ok());
  EXPECT_EQ(ReadAll("greeting"), "hello, world");
  ASSERT_TRUE(store_->Size("greeting", &size).ok());
  EXPECT_EQ(size, 12u);
}

TEST_P(BlobStoreConformance, FinishedWriterRefusesMore) {
  std::unique_ptr<BlobWriter> writer = store_->NewWriter();
  ASSERT_TRUE(writer->Append("x").ok());
  ASSERT_TRUE(writer->Commit("one").ok());
  EXPECT_EQ(writer->Append("y").code(), StorageStatus::Code::kInvalidArgument);
  EXPECT_EQ(writer->Commit("two").code(), StorageStatus::Code::kInvalidArgument);
  EXPECT_EQ(ReadAll("one"), "x");
  EXPECT_EQ(ReadAll("two"), "<not found>");

  writer = store_->NewWriter();
  writer->Abort();
  EXPECT_EQ(writer->Append("y").code(), StorageStatus::Code::kInvalidArgument);
  EXPECT_EQ(writer->Commit("three").code(), StorageStatus::Code::kInvalidArgument);
  EXPECT_EQ(ReadAll("three"), "<not found>");
}

TEST_P(BlobStoreConformance, CommitReplacesAnExistingBlob) {
  ASSERT_TRUE(Put("id", "first version, longer").ok());
  ASSERT_TRUE(Put("id", "second").ok());
  EXPECT_EQ(ReadAll("id"), "second");
  ASSERT_TRUE(Put("id", "").ok());
  EXPECT_EQ(ReadAll("id"), "");
  uint64_t size = 99;
  ASSERT_TRUE(store_->Size("id", &size).ok());
  EXPECT_EQ(size, 0u);
}

TEST_P(BlobStoreConformance, AbortedOrDroppedWritersLeaveNothing) {
  std::unique_ptr<BlobWriter> writer = store_->NewWriter();
  ASSERT_TRUE(writer->Append("partial").ok());
  writer->Abort();
  writer->Abort();  // twice is harmless
  writer.reset();
  writer = store_->NewWriter();
  ASSERT_TRUE(writer->Append("dropped").ok());
  writer.reset();
  EXPECT_EQ(ReadAll("partial"), "<not found>");
  EXPECT_EQ(ReadAll("dropped"), "<not found>");
  ASSERT_TRUE(Put("kept", "v").ok());
  EXPECT_EQ(ReadAll("kept"), "v");
}

TEST_P(BlobStoreConformance, ReadsByteRanges) {
  const std::string data = Pattern(1000);
  ASSERT_TRUE(Put("r", data).ok());
  std::string out = "stale";
  ASSERT_TRUE(store_->Read("r", 0, 10, &out).ok());
  EXPECT_EQ(out, data.substr(0, 10));
  ASSERT_TRUE(store_->Read("r", 990, 100, &out).ok());
  EXPECT_EQ(out, data.substr(990));
  ASSERT_TRUE(store_->Read("r", 500, 0, &out).ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(store_->Read("r", 1000, 10, &out).ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(store_->Read("r", 5000, 10, &out).ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(store_->Read("r", 123, UINT64_MAX, &out).ok());
  EXPECT_EQ(out, data.substr(123));
  EXPECT_TRUE(store_->Read("missing", 0, 10, &out).IsNotFound());
}

TEST_P(BlobStoreConformance, LargeBlobsRoundTrip) {
  const std::string data = Pattern(300 * 1024 + 7);
  std::unique_ptr<BlobWriter> writer = store_->NewWriter();
  for (size_t offset = 0; offset < data.size(); offset += 10000) {
    ASSERT_TRUE(writer->Append(std::string_view(data).substr(offset, 10000)).ok());
  }
  EXPECT_EQ(writer->size(), data.size());
  ASSERT_TRUE(writer->Commit("big/object").ok());
  EXPECT_EQ(ReadAll("big/object"), data);
  std::string out;
  ASSERT_TRUE(store_->Read("big/object", 65530, 20, &out).ok());
  EXPECT_EQ(out, data.substr(65530, 20));
}

TEST_P(BlobStoreConformance, NestedIdsAndDelete) {
  ASSERT_TRUE(Put("bucket/a/b/c.txt", "abc").ok());
  ASSERT_TRUE(Put("bucket/a/d", "d").ok());
  ASSERT_TRUE(Put("-_.x/Y.9", "chars").ok());
  EXPECT_EQ(ReadAll("bucket/a/b/c.txt"), "abc");
  EXPECT_EQ(ReadAll("-_.x/Y.9"), "chars");
  EXPECT_EQ(ReadAll("bucket/a"), "<not found>");  // a directory is not a blob

  ASSERT_TRUE(store_->Delete("bucket/a/b/c.txt").ok());
  EXPECT_EQ(ReadAll("bucket/a/b/c.txt"), "<not found>");
  uint64_t size = 0;
  EXPECT_TRUE(store_->Size("bucket/a/b/c.txt", &size).IsNotFound());
  EXPECT_EQ(ReadAll("bucket/a/d"), "d");
  EXPECT_TRUE(store_->Delete("bucket/a/b/c.txt").ok());  // already absent
  EXPECT_TRUE(store_->Delete("never/there").ok());
  ASSERT_TRUE(Put("bucket/a/b/c.txt", "again").ok());
  EXPECT_EQ(ReadAll("bucket/a/b/c.txt"), "again");
}

TEST_P(BlobStoreConformance, InvalidIdsAreRejected) {
  ASSERT_TRUE(Put("valid", "v").ok());
  for (const std::string& id : kInvalidIds) {
    SCOPED_TRACE(testing::PrintToString(id));
    EXPECT_FALSE(IsValidBlobId(id));
    std::unique_ptr<BlobWriter> writer = store_->NewWriter();
    ASSERT_TRUE(writer->Append("x").ok());
    EXPECT_EQ(writer->Commit(id).code(), StorageStatus::Code::kInvalidArgument);
    std::string out;
    uint64_t size = 0;
    EXPECT_EQ(store_->Read(id, 0, 1, &out).code(), StorageStatus::Code::kInvalidArgument);
    EXPECT_EQ(store_->Size(id, &size).code(), StorageStatus::Code::kInvalidArgument);
    EXPECT_EQ(store_->Delete(id).code(), StorageStatus::Code::kInvalidArgument);
    EXPECT_EQ(store_->PathOf(id), "");
    // A refused Commit leaves the writer usable.
    ASSERT_TRUE(writer->Commit("after-invalid").ok());
  }
  EXPECT_EQ(ReadAll("valid"), "v");
  EXPECT_TRUE(IsValidBlobId("a/.tmp/b"));
  EXPECT_TRUE(IsValidBlobId("..a/b.."));
}

TEST_P(BlobStoreConformance, ClearRemovesEveryBlob) {
  EXPECT_TRUE(store_->Clear().ok());
  ASSERT_TRUE(Put("one", "1").ok());
  ASSERT_TRUE(Put("dir/two", "2").ok());
  std::unique_ptr<BlobWriter> in_flight = store_->NewWriter();
  ASSERT_TRUE(in_flight->Append("in flight").ok());
  ASSERT_TRUE(store_->Clear().ok());
  EXPECT_EQ(ReadAll("one"), "<not found>");
  EXPECT_EQ(ReadAll("dir/two"), "<not found>");
  // A writer open across Clear still commits; the store stays usable.
  ASSERT_TRUE(in_flight->Commit("dir/after").ok());
  EXPECT_EQ(ReadAll("dir/after"), "in flight");
  ASSERT_TRUE(Put("one", "again").ok());
  EXPECT_EQ(ReadAll("one"), "again");
}

TEST_P(BlobStoreConformance, ListNamesEveryCommittedBlob) {
  ASSERT_TRUE(Put("one", "1").ok());
  ASSERT_TRUE(Put("dir/sub/two", "2").ok());
  ASSERT_TRUE(Put("dir/three", "").ok());
  std::unique_ptr<BlobWriter> in_flight = store_->NewWriter();
  ASSERT_TRUE(in_flight->Append("not yet").ok());
  ASSERT_TRUE(store_->Delete("one").ok());
  std::vector<std::string> ids;
  ASSERT_TRUE(store_->List([&](std::string_view id) {
                      ids.emplace_back(id);
                      return true;
                    })
                  .ok());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"dir/sub/two", "dir/three"}));
  size_t visited = 0;
  ASSERT_TRUE(store_->List([&](std::string_view) { return ++visited < 1; }).ok());
  EXPECT_EQ(visited, 1u);
}

TEST_P(BlobStoreConformance, WriterMayOutliveTheStore) {
  std::unique_ptr<BlobWriter> writer = store_->NewWriter();
  ASSERT_TRUE(writer->Append("late").ok());
  store_.reset();
  EXPECT_TRUE(writer->Commit("late").ok());
  writer.reset();
}

INSTANTIATE_TEST_SUITE_P(
    Stores, BlobStoreConformance,
    testing::Values(
        BlobStoreFactory{"File", [](const std::string& dir) { return OpenFileStore(dir, {}); }},
        BlobStoreFactory{
            "FileFsync",
            [](const std::string& dir) { return OpenFileStore(dir, {.fsync = true}); }},
        BlobStoreFactory{"Memory", [](const std::string&) { return NewMemoryBlobStore(); }}),
    PrintFactoryName);

// Behaviour only the file store has.

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    files.push_back(std::filesystem::relative(entry.path(), dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(FileBlobStore, PathOfHoldsTheBytes) {
  TempDir dir;
  std::unique_ptr<BlobStore> store = OpenFileStore(dir.path(), {});
  ASSERT_NE(store, nullptr);
  std::unique_ptr<BlobWriter> writer = store->NewWriter();
  ASSERT_TRUE(writer->Append("code bytes").ok());
  ASSERT_TRUE(writer->Commit("lambda/fn/code.zip").ok());
  const std::string path = store->PathOf("lambda/fn/code.zip");
  EXPECT_EQ(path, dir.path() + "/lambda/fn/code.zip");
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  EXPECT_EQ(contents.str(), "code bytes");
  EXPECT_EQ(NewMemoryBlobStore()->PathOf("lambda/fn/code.zip"), "");
}

TEST(FileBlobStore, TempFilesLiveInTmpUntilCommitOrDrop) {
  TempDir dir;
  std::unique_ptr<BlobStore> store = OpenFileStore(dir.path(), {});
  ASSERT_NE(store, nullptr);
  std::unique_ptr<BlobWriter> writer = store->NewWriter();
  ASSERT_TRUE(writer->Append("x").ok());
  std::vector<std::string> files = FilesUnder(dir.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], ".tmp");
  EXPECT_EQ(files[1].rfind(".tmp/", 0), 0u);
  writer.reset();
  EXPECT_EQ(FilesUnder(dir.path()), std::vector<std::string>{".tmp"});

  writer = store->NewWriter();
  ASSERT_TRUE(writer->Commit("a/b").ok());
  EXPECT_EQ(FilesUnder(dir.path()), (std::vector<std::string>{".tmp", "a", "a/b"}));
}

TEST(FileBlobStore, DeletePrunesEmptiedDirectories) {
  TempDir dir;
  std::unique_ptr<BlobStore> store = OpenFileStore(dir.path(), {});
  ASSERT_NE(store, nullptr);
  for (const char* id : {"b/x/y/z", "b/keep"}) {
    std::unique_ptr<BlobWriter> writer = store->NewWriter();
    ASSERT_TRUE(writer->Commit(id).ok());
  }
  ASSERT_TRUE(store->Delete("b/x/y/z").ok());
  EXPECT_EQ(FilesUnder(dir.path()), (std::vector<std::string>{".tmp", "b", "b/keep"}));
  ASSERT_TRUE(store->Delete("b/keep").ok());
  EXPECT_EQ(FilesUnder(dir.path()), std::vector<std::string>{".tmp"});
}

TEST(FileBlobStore, ReopenKeepsBlobsAndDropsStaleTempFiles) {
  TempDir dir;
  {
    std::unique_ptr<BlobStore> store = OpenFileStore(dir.path(), {});
    ASSERT_NE(store, nullptr);
    std::unique_ptr<BlobWriter> writer = store->NewWriter();
    ASSERT_TRUE(writer->Append("kept").ok());
    ASSERT_TRUE(writer->Commit("k/v").ok());
  }
  // What a crash mid-write leaves behind.
  std::ofstream(dir.path() + "/.tmp/999-0") << "stale";
  std::unique_ptr<BlobStore> store = OpenFileStore(dir.path(), {});
  ASSERT_NE(store, nullptr);
  std::string out;
  ASSERT_TRUE(store->Read("k/v", 0, 100, &out).ok());
  EXPECT_EQ(out, "kept");
  EXPECT_EQ(FilesUnder(dir.path()), (std::vector<std::string>{".tmp", "k", "k/v"}));
}

TEST(FileBlobStore, CommitUnderAnExistingBlobFailsCleanly) {
  TempDir dir;
  std::unique_ptr<BlobStore> store = OpenFileStore(dir.path(), {});
  ASSERT_NE(store, nullptr);
  std::unique_ptr<BlobWriter> writer = store->NewWriter();
  ASSERT_TRUE(writer->Commit("a").ok());
  writer = store->NewWriter();
  ASSERT_TRUE(writer->Append("x").ok());
  EXPECT_EQ(writer->Commit("a/b").code(), StorageStatus::Code::kIoError);
  EXPECT_TRUE(writer->Commit("c").ok());  // the writer survives the failed Commit
}

TEST(FileBlobStore, OpenFailsWhenRootIsAFile) {
  TempDir dir;
  std::ofstream(dir.path() + "/file") << "x";
  StorageStatus status;
  EXPECT_EQ(NewFileBlobStore(dir.path() + "/file", {}, &status), nullptr);
  EXPECT_EQ(status.code(), StorageStatus::Code::kIoError);
}

}  // namespace
}  // namespace nimbus::storage
