#include <gtest/gtest.h>

#include "services/sqs/sqs.h"

namespace nimbus::sqs {
namespace {

void Add(Queue& q, uint64_t seq, int64_t sent_ms, int64_t visible_at_ms) {
  auto m = std::make_unique<Message>();
  m->seq = seq;
  m->sent_ms = sent_ms;
  m->visible_at_ms = visible_at_ms;
  if (visible_at_ms > sent_ms)
    q.hidden.emplace(visible_at_ms, seq);
  else
    q.ready.insert(seq);
  q.messages[seq] = std::move(m);
}

// MessageRetentionPeriod: a message older than the period is gone, delayed or not.
TEST(SqsQueueState, RetentionExpiresOldMessages) {
  Queue q;
  q.id = 7;
  q.config.message_retention_period = 60;
  Add(q, 1, 1000, 1000);
  Add(q, 2, 1000, 5000);
  Add(q, 3, 50000, 50000);
  storage::WriteBatch batch;
  ExpireMessages(q, 61000, &batch);
  EXPECT_EQ(q.messages.size(), 1u);
  EXPECT_TRUE(q.messages.count(3));
  EXPECT_EQ(q.ready.size(), 1u);
  EXPECT_TRUE(q.hidden.empty());
  EXPECT_EQ(batch.size(), 2u);  // two message records (never received: no state records)
}

TEST(SqsQueueState, PromoteEndsDelayAndVisibility) {
  Queue q;
  q.fifo = true;
  Add(q, 1, 0, 100);
  Message& m = *q.messages[1];
  m.in_flight = true;
  m.group_id = "g";
  q.in_flight = 1;
  q.group_in_flight["g"] = 1;
  Add(q, 2, 0, 500);
  PromoteVisible(q, 100);
  EXPECT_EQ(q.ready.count(1), 1u);
  EXPECT_FALSE(m.in_flight);
  EXPECT_EQ(q.in_flight, 0u);
  EXPECT_TRUE(q.group_in_flight.empty());
  EXPECT_EQ(q.hidden.size(), 1u);
}

}  // namespace
}  // namespace nimbus::sqs
