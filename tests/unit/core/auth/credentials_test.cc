#include "core/auth/credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace nimbus::auth {
namespace {

class CredentialFileTest : public ::testing::Test {
 protected:
  void TearDown() override { std::remove(path_.c_str()); }

  const std::string& Write(const std::string& text) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
    return path_;
  }

  std::string path_ = ::testing::TempDir() + "nimbus_credentials_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
};

TEST_F(CredentialFileTest, LoadsAList) {
  CredentialStore store;
  std::string error;
  ASSERT_TRUE(store.LoadFile(Write(R"([
    {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "secret-1", "account_id": "123456789012"},
    {"access_key_id": "ASIAEXAMPLE", "secret_access_key": "secret-2", "account_id": "210987654321",
     "session_token": "token", "principal_arn": "arn:aws:iam::210987654321:user/alice"}
  ])"),
                             &error))
      << error;

  std::optional<Credential> first = store.Find("AKIDEXAMPLE");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->secret_access_key, "secret-1");
  EXPECT_EQ(first->account_id, "123456789012");
  EXPECT_EQ(first->principal_arn, "arn:aws:iam::123456789012:root");
  EXPECT_TRUE(first->session_token.empty());

  std::optional<Credential> second = store.Find("ASIAEXAMPLE");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->session_token, "token");
  EXPECT_EQ(second->principal_arn, "arn:aws:iam::210987654321:user/alice");

  EXPECT_FALSE(store.Find("AKIDOTHER").has_value());
  EXPECT_FALSE(store.Find("").has_value());
}

TEST_F(CredentialFileTest, EmptyListIsFine) {
  CredentialStore store;
  std::string error;
  EXPECT_TRUE(store.LoadFile(Write("[]"), &error)) << error;
}

TEST_F(CredentialFileTest, RejectsBadFilesAndKeepsTheStore) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "invalid JSON"},
      {"{", "invalid JSON"},
      {R"({"access_key_id": "A"})", "expected a JSON list"},
      {R"(["A"])", "entry 0: expected an object"},
      {R"([{"secret_access_key": "s", "account_id": "123456789012"}])",
       "entry 0: missing \"access_key_id\""},
      {R"([{"access_key_id": "A", "account_id": "123456789012"}])",
       "entry 0: missing \"secret_access_key\""},
      {R"([{"access_key_id": "A", "secret_access_key": "s"}])", "entry 0: missing \"account_id\""},
      {R"([{"access_key_id": 7, "secret_access_key": "s", "account_id": "123456789012"}])",
       "\"access_key_id\" must be a non-empty string"},
      {R"([{"access_key_id": "", "secret_access_key": "s", "account_id": "123456789012"}])",
       "\"access_key_id\" must be a non-empty string"},
      {R"([{"access_key_id": "A", "secret_access_key": "s", "account_id": "12345"}])",
       "\"account_id\" must be 12 digits"},
      {R"([{"access_key_id": "A", "secret_access_key": "s", "account_id": "123456789012",
            "session_token": 5}])",
       "\"session_token\" must be a string"},
      {R"([{"access_key_id": "A", "secret_access_key": "s", "account_id": "123456789012"},
           {"access_key_id": "A", "secret_access_key": "t", "account_id": "123456789012"}])",
       "entry 1: duplicate access_key_id A"},
  };
  for (const auto& [text, expected] : cases) {
    CredentialStore store;
    store.Add({"KEEP", "secret", "000000000000", "", ""});
    std::string error;
    EXPECT_FALSE(store.LoadFile(Write(text), &error)) << text;
    EXPECT_NE(error.find(expected), std::string::npos) << error;
    EXPECT_TRUE(store.Find("KEEP").has_value());
    EXPECT_FALSE(store.Find("A").has_value()) << text;
  }
}

TEST(CredentialStore, MissingFile) {
  CredentialStore store;
  std::string error;
  EXPECT_FALSE(store.LoadFile(::testing::TempDir() + "does/not/exist.json", &error));
  EXPECT_NE(error.find("cannot open credentials file"), std::string::npos) << error;
}

TEST(CredentialStore, AddFindRemove) {
  CredentialStore store;
  store.Add({"AKID1", "s1", "111111111111", "", ""});
  store.Add({"ASIA2", "s2", "222222222222", "tok", "arn:aws:sts::222222222222:assumed-role/r/s"});
  EXPECT_EQ(store.Find("AKID1")->principal_arn, "arn:aws:iam::111111111111:root");
  EXPECT_EQ(store.Find("ASIA2")->principal_arn, "arn:aws:sts::222222222222:assumed-role/r/s");

  store.Add({"AKID1", "rotated", "111111111111", "", ""});
  EXPECT_EQ(store.Find("AKID1")->secret_access_key, "rotated");

  store.Remove("AKID1");
  EXPECT_FALSE(store.Find("AKID1").has_value());
  store.Remove("AKID1");
  EXPECT_TRUE(store.Find("ASIA2").has_value());
}

TEST(CredentialStore, ConcurrentReadersAndWriters) {
  CredentialStore store;
  store.Add({"STABLE", "s", "111111111111", "", ""});
  std::atomic<int> misses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, &misses, t] {
      for (int i = 0; i < 500; ++i) {
        std::string key = "K" + std::to_string(t) + "_" + std::to_string(i);
        store.Add({key, "s", "111111111111", "", ""});
        if (!store.Find("STABLE")) ++misses;
        store.Remove(key);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(misses.load(), 0);
  EXPECT_TRUE(store.Find("STABLE").has_value());
  EXPECT_FALSE(store.Find("K0_0").has_value());
}

}  // namespace
}  // namespace nimbus::auth
