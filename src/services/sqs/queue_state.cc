#include "services/sqs/records.h"
#include "services/sqs/sqs.h"
#include "services/sqs/waiter.h"

namespace nimbus::sqs {

namespace {

void EndInFlight(Queue& q, Message& m) {
  if (!m.in_flight) return;
  m.in_flight = false;
  --q.in_flight;
  if (q.fifo) {
    auto it = q.group_in_flight.find(m.group_id);
    if (it != q.group_in_flight.end() && --it->second <= 0) q.group_in_flight.erase(it);
  }
}

}  // namespace

void PromoteVisible(Queue& q, int64_t now) {
  while (!q.hidden.empty() && q.hidden.begin()->first <= now) {
    uint64_t seq = q.hidden.begin()->second;
    q.hidden.erase(q.hidden.begin());
    auto it = q.messages.find(seq);
    if (it == q.messages.end()) continue;
    EndInFlight(q, *it->second);
    q.ready.insert(seq);
  }
}

void RemoveMessage(Queue& q, uint64_t seq, storage::WriteBatch* batch) {
  auto it = q.messages.find(seq);
  if (it == q.messages.end()) return;
  Message& m = *it->second;
  if (q.ready.erase(seq) == 0) q.hidden.erase({m.visible_at_ms, seq});
  EndInFlight(q, m);
  batch->Delete(kKeyspace, MessageKey(q.id, seq));
  if (m.receive_count > 0) batch->Delete(kKeyspace, StateKey(q.id, seq));
  q.messages.erase(it);
}

void ExpireMessages(Queue& q, int64_t now, storage::WriteBatch* batch) {
  int64_t retention_ms = int64_t{q.config.message_retention_period} * 1000;
  std::vector<uint64_t> expired;
  for (const auto& [seq, m] : q.messages)
    if (m->sent_ms + retention_ms <= now) expired.push_back(seq);
  for (uint64_t seq : expired) RemoveMessage(q, seq, batch);
}

void WakeWaiters(Queue& q, size_t n) {
  while (n-- > 0 && !q.waiters.empty()) {
    q.waiters.front()->Wake();
    q.waiters.pop_front();
  }
}

}  // namespace nimbus::sqs
