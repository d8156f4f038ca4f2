// The CloudWatch Logs state over an in-memory store with a movable clock: retention sweeps,
// reloading metadata after a restart, and the order events are kept in.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/logs/logs_common.h"

namespace nimbus::logs {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

class LogStoreTest : public ::testing::Test {
 protected:
  LogStoreTest() : kv_(storage::NewMemoryKvStore()) {
    env_.kv = kv_.get();
    env_.clock = &clock_;
    env_.config = &config_;
    AddGroupHandlers(&table_);
    AddStreamHandlers(&table_);
    AddEventHandlers(&table_);
    Restart();
  }

  // A fresh cache over the same storage, as after a process restart.
  void Restart() {
    store_ = std::make_unique<LogStore>();
    store_->Bind(&env_);
    ASSERT_TRUE(store_->Load().ok());
  }

  Result<Document> Call(std::string_view op, json::value input) {
    RequestContext ctx;
    ctx.account_id = "000000000000";
    ctx.region = "us-east-1";
    ctx.env = &env_;
    logs::Call call{ctx, *store_, storage::ScopePrefix(ctx.account_id, ctx.region),
                    clock_.NowMillis()};
    for (auto& [name, handler] : table_)
      if (name == op) return handler(call, input.as_object());
    ADD_FAILURE() << "no handler " << op;
    return InvalidParameter("no handler");
  }

  json::value Ok(std::string_view op, json::value input) {
    auto r = Call(op, std::move(input));
    EXPECT_TRUE(r.ok()) << op << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : json::value();
  }

  void Put(std::initializer_list<std::pair<int64_t, const char*>> events) {
    json::array list;
    for (auto& [ts, msg] : events)
      list.push_back(json::object{{"timestamp", ts}, {"message", msg}});
    Ok("PutLogEvents",
       json::object{{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", list}});
  }

  std::vector<std::string> Messages() {
    auto r =
        Ok("GetLogEvents",
           json::object{{"logGroupName", "g"}, {"logStreamName", "s"}, {"startFromHead", true}});
    std::vector<std::string> out;
    for (const auto& e : r.at("events").as_array()) out.emplace_back(e.at("message").as_string());
    return out;
  }

  size_t StoredEventCount() {
    size_t n = 0;
    storage::ScanOptions opts;
    opts.start = "E";
    opts.end = "F";
    EXPECT_TRUE(kv_->Scan(kKeyspace, opts,
                          [&](std::string_view, std::string_view) {
                            ++n;
                            return true;
                          })
                    .ok());
    return n;
  }

  int64_t Now() { return clock_.NowMillis(); }

  std::unique_ptr<storage::KvStore> kv_;
  Clock clock_;
  Config config_;
  ServiceEnv env_;
  HandlerTable table_;
  std::unique_ptr<LogStore> store_;
};

TEST_F(LogStoreTest, RetentionSweepDeletesOnlyExpiredEvents) {
  Ok("CreateLogGroup", json::object{{"logGroupName", "g"}});
  Ok("CreateLogStream", json::object{{"logGroupName", "g"}, {"logStreamName", "s"}});
  int64_t t = Now();
  Put({{t - 3 * kDay, "old"}, {t - 3 * kDay + 1, "old too"}});
  Put({{t - 1000, "recent"}});
  Ok("PutRetentionPolicy", json::object{{"logGroupName", "g"}, {"retentionInDays", 1}});
  EXPECT_EQ(Messages(), std::vector<std::string>{"recent"});  // hidden before the sweep
  EXPECT_EQ(StoredEventCount(), 3u);
  DeleteExpiredEvents(*store_, Now());
  EXPECT_EQ(StoredEventCount(), 1u);
  clock_.Advance(std::chrono::hours(48));
  EXPECT_TRUE(Messages().empty());
  DeleteExpiredEvents(*store_, Now());
  EXPECT_EQ(StoredEventCount(), 0u);
}

TEST_F(LogStoreTest, GroupsWithoutRetentionKeepEverything) {
  Ok("CreateLogGroup", json::object{{"logGroupName", "g"}});
  Ok("CreateLogStream", json::object{{"logGroupName", "g"}, {"logStreamName", "s"}});
  Put({{Now() - 10 * kDay, "ten days old"}});
  DeleteExpiredEvents(*store_, Now());
  EXPECT_EQ(StoredEventCount(), 1u);
}

TEST_F(LogStoreTest, RestartReloadsMetadataAndContinuesSequences) {
  Ok("CreateLogGroup", json::object{{"logGroupName", "g"}});
  Ok("CreateLogStream", json::object{{"logGroupName", "g"}, {"logStreamName", "s"}});
  int64_t t = Now() - 5000;
  Put({{t, "a"}, {t, "b"}});
  Restart();
  Put({{t, "c"}});  // same timestamp: the sequence keeps the three events apart and in order
  EXPECT_EQ(Messages(), (std::vector<std::string>{"a", "b", "c"}));
  auto streams = Ok("DescribeLogStreams", json::object{{"logGroupName", "g"}});
  const auto& s = streams.at("logStreams").as_array().at(0).as_object();
  EXPECT_EQ(s.at("firstEventTimestamp").as_int64(), t);
  EXPECT_EQ(s.at("uploadSequenceToken").as_string(), std::string(55, '0') + "2");
}

TEST_F(LogStoreTest, EventsAreKeptInTimestampOrderAcrossBatches) {
  Ok("CreateLogGroup", json::object{{"logGroupName", "g"}});
  Ok("CreateLogStream", json::object{{"logGroupName", "g"}, {"logStreamName", "s"}});
  int64_t t = Now() - 60000;
  Put({{t + 30, "third"}});
  Put({{t + 10, "first"}, {t + 20, "second"}});
  EXPECT_EQ(Messages(), (std::vector<std::string>{"first", "second", "third"}));
}

TEST_F(LogStoreTest, InternalCallersWithWrongTypesGetErrorsNotCrashes) {
  Ok("CreateLogGroup", json::object{{"logGroupName", "g"}});
  Ok("CreateLogStream", json::object{{"logGroupName", "g"}, {"logStreamName", "s"}});
  for (json::value events : {json::value("x"), json::value(json::array{1, 2}),
                             json::value(json::array{json::object{{"timestamp", "t"}}}),
                             json::value(json::array{json::object{{"message", 5}}})}) {
    auto r =
        Call("PutLogEvents",
             json::object{{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", events}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "InvalidParameterException");
  }
  auto r = Call("GetLogEvents", json::object{{"logGroupName", 5}, {"logStreamName", "s"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParameterException");
}

}  // namespace
}  // namespace nimbus::logs
