// Behaviour only the on-disk store has: reopening, the directory lock, durability across kill -9.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "core/storage/kv_store.h"
#include "temp_dir.h"

extern char** environ;

namespace nimbus::storage {
namespace {

constexpr char kCrashChildEnv[] = "NIMBUS_STORAGE_CRASH_CHILD_DIR";
constexpr int kCrashChildKeys = 200;

std::unique_ptr<KvStore> Open(const std::string& dir, const RocksDbOptions& options = {}) {
  StorageStatus status;
  std::unique_ptr<KvStore> store = OpenRocksDbKvStore(dir, options, &status);
  EXPECT_TRUE(status.ok()) << status.message();
  return store;
}

std::string Key(int i) { return "key" + std::to_string(1000 + i); }

// When this test binary is started again as the child of AcknowledgedWritesSurviveKillOfTheProcess,
// it writes to the store, reports "ready" on stderr (its stdout carries gtest's chatter) and
// waits on stdin (which never delivers) to
// be killed. It runs as a test environment, after static initialization (RocksDB is linked
// statically) and before any test.
class CrashChildEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    const char* dir = getenv(kCrashChildEnv);
    if (dir == nullptr) return;
    StorageStatus status;
    std::unique_ptr<KvStore> store = OpenRocksDbKvStore(dir, {}, &status);
    bool ok = status.ok();
    for (int i = 0; ok && i < kCrashChildKeys; ++i) ok = store->Put("crash", Key(i), "v").ok();
    WriteBatch batch;
    batch.Put("left", "k", "both");
    batch.Put("right", "k", "both");
    ok = ok && store->Write(batch).ok();
    const char* message = ok ? "ready\n" : "error\n";
    if (write(STDERR_FILENO, message, 6) != 6) _exit(2);
    char byte;
    while (read(STDIN_FILENO, &byte, 1) > 0) {
    }
    _exit(0);
  }
};

[[maybe_unused]] testing::Environment* const kCrashChildEnvironment =
    testing::AddGlobalTestEnvironment(new CrashChildEnvironment);

TEST(RocksDbKvStore, ReopenKeepsDataWithAndWithoutFlush) {
  TempDir dir;
  {
    std::unique_ptr<KvStore> store = Open(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("ks", "flushed", "1").ok());
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->Put("ks", "in-wal", "2").ok());
    WriteBatch batch;
    batch.DeleteRange("gone", "", "");
    batch.Put("other", "k", "3");
    ASSERT_TRUE(store->Write(batch).ok());
  }
  std::unique_ptr<KvStore> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  std::string value;
  ASSERT_TRUE(store->Get("ks", "flushed", &value).ok());
  EXPECT_EQ(value, "1");
  ASSERT_TRUE(store->Get("ks", "in-wal", &value).ok());
  EXPECT_EQ(value, "2");
  ASSERT_TRUE(store->Get("other", "k", &value).ok());
  EXPECT_EQ(value, "3");

  ASSERT_TRUE(store->Clear().ok());
  store.reset();
  store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Get("ks", "flushed", &value).IsNotFound());
  EXPECT_TRUE(store->Get("other", "k", &value).IsNotFound());
}

TEST(RocksDbKvStore, SecondOpenOfTheSameDirectoryFails) {
  TempDir dir;
  std::unique_ptr<KvStore> first = Open(dir.path());
  ASSERT_NE(first, nullptr);
  StorageStatus status;
  std::unique_ptr<KvStore> second = OpenRocksDbKvStore(dir.path(), {}, &status);
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(status.code(), StorageStatus::Code::kIoError);
  EXPECT_FALSE(status.message().empty());
}

TEST(RocksDbKvStore, OpenOfAnUnusablePathFails) {
  TempDir dir;
  ASSERT_TRUE(Open(dir.path() + "/a")->Put("ks", "k", "v").ok());
  StorageStatus status;
  // A path below a regular file cannot be a directory.
  EXPECT_EQ(OpenRocksDbKvStore(dir.path() + "/a/CURRENT/db", {}, &status), nullptr);
  EXPECT_FALSE(status.ok());
}

TEST(RocksDbKvStore, FsyncStoreWritesAndReopens) {
  TempDir dir;
  {
    std::unique_ptr<KvStore> store = Open(dir.path(), {.fsync = true});
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("ks", "k", "synced").ok());
  }
  std::string value;
  ASSERT_TRUE(Open(dir.path())->Get("ks", "k", &value).ok());
  EXPECT_EQ(value, "synced");
}

TEST(RocksDbKvStore, AcknowledgedWritesSurviveKillOfTheProcess) {
  TempDir dir;
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(pipe2(to_parent, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(to_child, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, to_parent[1], STDERR_FILENO);
  std::string env_entry = std::string(kCrashChildEnv) + "=" + dir.path();
  std::vector<char*> env = {env_entry.data()};
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(nullptr);
  char arg0[] = "unit_storage";
  char arg1[] = "--gtest_filter=RocksDbKvStore.AcknowledgedWritesSurviveKillOfTheProcess";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(to_parent[1]);
  ASSERT_EQ(rc, 0);

  std::string said;
  char buffer[16];
  for (ssize_t n; said.find('\n') == std::string::npos &&
                  (n = read(to_parent[0], buffer, sizeof(buffer))) > 0;) {
    said.append(buffer, static_cast<size_t>(n));
  }
  kill(pid, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
  close(to_parent[0]);
  close(to_child[1]);
  ASSERT_EQ(said, "ready\n");
  ASSERT_TRUE(WIFSIGNALED(wait_status));
  EXPECT_EQ(WTERMSIG(wait_status), SIGKILL);

  std::unique_ptr<KvStore> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  int found = 0;
  ASSERT_TRUE(store
                  ->Scan("crash", {},
                         [&](std::string_view, std::string_view) {
                           ++found;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(found, kCrashChildKeys);
  std::string left;
  std::string right;
  ASSERT_TRUE(store->Get("left", "k", &left).ok());
  ASSERT_TRUE(store->Get("right", "k", &right).ok());
  EXPECT_EQ(left, "both");
  EXPECT_EQ(right, "both");
}

}  // namespace
}  // namespace nimbus::storage
