// SnsStore: write-through persistence of topics and subscriptions, reloading, paging and the
// cascade of DeleteTopic.
#include "services/sns/store.h"

#include <gtest/gtest.h>

#include "core/storage/kv_store.h"

namespace nimbus::sns {
namespace {

std::shared_ptr<const Topic> MakeTopic(const std::string& name,
                                       const std::string& account = "000000000000") {
  auto t = std::make_shared<Topic>();
  t->name = name;
  t->account = account;
  t->region = "us-east-1";
  t->arn = "arn:aws:sns:us-east-1:" + account + ":" + name;
  t->attributes["DisplayName"] = "D-" + name;
  t->tags = {{"k", "v"}};
  return t;
}

std::shared_ptr<const Subscription> MakeSubscription(const Topic& topic, const std::string& id) {
  auto s = std::make_shared<Subscription>();
  s->arn = topic.arn + ":" + id;
  s->topic_arn = topic.arn;
  s->account = topic.account;
  s->region = topic.region;
  s->protocol = "sqs";
  s->endpoint = "arn:aws:sqs:us-east-1:000000000000:q";
  s->token = "tok" + id;
  s->attributes["FilterPolicy"] = R"({"a":["b"]})";
  return s;
}

TEST(SnsStore, ReloadsWhatItWrote) {
  auto kv = storage::NewMemoryKvStore();
  {
    SnsStore store;
    store.Open(kv.get());
    auto t = MakeTopic("orders");
    ASSERT_TRUE(store.PutTopic(t).ok());
    ASSERT_TRUE(store.PutSubscription(MakeSubscription(*t, "s1")).ok());
  }
  SnsStore reopened;
  reopened.Open(kv.get());
  auto t = reopened.FindTopic("arn:aws:sns:us-east-1:000000000000:orders");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->Attribute("DisplayName"), "D-orders");
  EXPECT_EQ(t->tags.size(), 1u);
  auto s = reopened.FindSubscriptionByToken("toks1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->topic_arn, t->arn);
  ASSERT_TRUE(s->filter) << "the filter policy is parsed again on load";
}

TEST(SnsStore, DeleteTopicTakesItsSubscriptions) {
  auto kv = storage::NewMemoryKvStore();
  SnsStore store;
  store.Open(kv.get());
  auto a = MakeTopic("a"), ab = MakeTopic("ab");
  ASSERT_TRUE(store.PutTopic(a).ok());
  ASSERT_TRUE(store.PutTopic(ab).ok());
  ASSERT_TRUE(store.PutSubscription(MakeSubscription(*a, "1")).ok());
  ASSERT_TRUE(store.PutSubscription(MakeSubscription(*ab, "2")).ok());
  ASSERT_TRUE(store.DeleteTopic(a->arn).ok());
  EXPECT_FALSE(store.FindTopic(a->arn));
  EXPECT_FALSE(store.FindSubscription(a->arn + ":1"));
  EXPECT_EQ(store.SubscriptionsOf(ab->arn).size(), 1u);
  SnsStore reopened;
  reopened.Open(kv.get());
  EXPECT_FALSE(reopened.FindSubscription(a->arn + ":1"));
  EXPECT_TRUE(reopened.FindSubscription(ab->arn + ":2"));
}

TEST(SnsStore, DeleteSubscriptionCountsOnTheTopic) {
  auto kv = storage::NewMemoryKvStore();
  SnsStore store;
  store.Open(kv.get());
  auto t = MakeTopic("t");
  ASSERT_TRUE(store.PutTopic(t).ok());
  ASSERT_TRUE(store.PutSubscription(MakeSubscription(*t, "1")).ok());
  ASSERT_TRUE(store.DeleteSubscription(t->arn + ":1").ok());
  EXPECT_EQ(store.FindTopic(t->arn)->subscriptions_deleted, 1);
  EXPECT_FALSE(store.FindSubscriptionByToken("tok1"));
}

TEST(SnsStore, ListsByPrefixInPages) {
  auto kv = storage::NewMemoryKvStore();
  SnsStore store;
  store.Open(kv.get());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store.PutTopic(MakeTopic("t" + std::to_string(i))).ok());
  ASSERT_TRUE(store.PutTopic(MakeTopic("other", "111122223333")).ok());
  std::string prefix = "arn:aws:sns:us-east-1:000000000000:";
  bool more = false;
  auto page = store.ListTopics(prefix, "", 3, &more);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_TRUE(more);
  auto rest = store.ListTopics(prefix, page.back()->arn, 3, &more);
  EXPECT_EQ(rest.size(), 2u);
  EXPECT_FALSE(more);
}

}  // namespace
}  // namespace nimbus::sns
