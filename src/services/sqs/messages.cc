// Message operations: SendMessage(Batch), ReceiveMessage (with long polling), DeleteMessage(Batch),
// ChangeMessageVisibility(Batch), and the move of over-received messages to a dead-letter queue.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>
#include <set>

#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "services/sqs/errors.h"
#include "services/sqs/md5.h"
#include "services/sqs/message_input.h"
#include "services/sqs/receipt_handle.h"
#include "services/sqs/records.h"
#include "services/sqs/sqs.h"
#include "services/sqs/waiter.h"

namespace nimbus::sqs {

namespace asio = boost::asio;

namespace {

constexpr uint64_t kSequenceBase = 18000000000000000000ULL;
// How far one receive looks past messages of blocked FIFO groups, bounding its cost when one
// group has a deep backlog (SQS too may answer fewer messages then).
constexpr size_t kMaxReceiveScan = 20000;

uint64_t NewNonce() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t n = 0;
  while (n == 0) n = rng();
  return n;
}

// One message on its way into a queue.
struct Outgoing {
  std::unique_ptr<Message> msg;
  int delay = 0;
  bool duplicate = false;  // FIFO: seen within the deduplication interval, not enqueued
  bool purged = false;     // written, but a PurgeQueue came first: not enqueued
  std::string id;
  std::string sequence_number;
};

SendParams ReadSendParams(Queue& q) {
  std::lock_guard lock(q.mu);
  SendParams p;
  p.delay_seconds = q.config.delay_seconds;
  p.maximum_message_size = q.config.maximum_message_size;
  p.fifo = q.fifo;
  p.content_based_deduplication = q.config.content_based_deduplication;
  p.deduplicate_per_group = q.config.deduplication_scope == "messageGroup";
  return p;
}

// Makes committed messages visible to receivers (caller holds q.mu).
void Publish(Queue& q, std::vector<Outgoing>& items, int64_t now) {
  size_t visible = 0;
  for (auto& item : items) {
    if (item.duplicate || item.purged) continue;
    uint64_t seq = item.msg->seq;
    if (item.msg->visible_at_ms > now) {
      q.hidden.emplace(item.msg->visible_at_ms, seq);
    } else {
      q.ready.insert(seq);
      ++visible;
    }
    q.messages.emplace(seq, std::move(item.msg));
  }
  WakeWaiters(q, visible);
}

// FIFO queues: assigns order, applies deduplication, writes `items` to storage (one atomic
// batch) and makes them visible, all under q.mu, so that order, deduplication and storage agree
// without further bookkeeping. All or none.
Status CommitFifo(storage::KvStore& kv, Queue& q, std::vector<Outgoing>& items, int64_t now) {
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  storage::WriteBatch batch;
  std::unordered_map<std::string, Dedup> fresh;
  while (!q.dedup_expiry.empty() && q.dedup_expiry.front().first <= now) {
    const std::string& key = q.dedup_expiry.front().second;
    auto it = q.dedup.find(key);
    if (it != q.dedup.end() && it->second.expires_ms <= now) {
      batch.Delete(kKeyspace, DedupKey(q.id, key));
      q.dedup.erase(it);
    }
    q.dedup_expiry.pop_front();
  }
  if (q.next_sequence_number < kSequenceBase) q.next_sequence_number = kSequenceBase;
  uint64_t next_seq = q.next_seq;
  uint64_t next_sequence = q.next_sequence_number;
  bool per_group = q.config.deduplication_scope == "messageGroup";
  for (auto& item : items) {
    Message& m = *item.msg;
    std::string key = DedupScopeKey(m, per_group);
    const Dedup* seen = nullptr;
    if (auto it = q.dedup.find(key); it != q.dedup.end()) seen = &it->second;
    if (auto it = fresh.find(key); it != fresh.end()) seen = &it->second;
    if (seen) {
      // A duplicate within the deduplication interval: acknowledged, not enqueued again.
      item.duplicate = true;
      item.id = seen->message_id;
      item.sequence_number = seen->sequence_number;
      continue;
    }
    m.sequence_number = std::to_string(++next_sequence);
    Dedup d{now + kDeduplicationWindowMs, m.id, m.sequence_number};
    batch.Put(kKeyspace, DedupKey(q.id, key), EncodeDedup(d));
    fresh.emplace(std::move(key), std::move(d));
    m.seq = next_seq++;
    m.visible_at_ms = now + int64_t{item.delay} * 1000;
    item.id = m.id;
    item.sequence_number = m.sequence_number;
    batch.Put(kKeyspace, MessageKey(q.id, m.seq), EncodeMessage(m));
  }
  if (!batch.empty()) {
    auto st = kv.Write(batch);
    if (!st.ok()) return storage::StorageError(st);
  }
  q.next_seq = next_seq;
  q.next_sequence_number = next_sequence;
  for (auto& [key, d] : fresh) {
    q.dedup_expiry.emplace_back(d.expires_ms, key);
    q.dedup[key] = std::move(d);
  }
  Publish(q, items, now);
  return Ok{};
}

// Writes `items` to storage (one atomic batch) and then makes them visible to receivers. All or
// none. Standard queues reserve their order under q.mu but write outside it, so that concurrent
// sends to one queue join one storage write (one log append for all of them) instead of queueing
// on the queue's mutex; a message is visible, and acknowledged, only once its write returned.
// A queue deleted or purged while the write was under way drops the messages again.
Status Commit(storage::KvStore& kv, Queue& q, std::vector<Outgoing>& items, int64_t now) {
  if (q.fifo) return CommitFifo(kv, q, items, now);
  uint64_t first_seq = 0;
  {
    std::lock_guard lock(q.mu);
    if (q.deleted) return QueueDoesNotExist();
    first_seq = q.next_seq;
    q.next_seq += items.size();
  }
  storage::WriteBatch batch;
  uint64_t seq = first_seq;
  for (auto& item : items) {
    Message& m = *item.msg;
    m.seq = seq++;
    m.visible_at_ms = now + int64_t{item.delay} * 1000;
    item.id = m.id;
    batch.Put(kKeyspace, MessageKey(q.id, m.seq), EncodeMessage(m));
  }
  auto st = kv.Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  storage::WriteBatch purged;
  {
    std::lock_guard lock(q.mu);
    if (q.deleted) return Ok{};  // DeleteQueue's range delete, or the next start, drops them
    if (first_seq < q.purged_below) {
      // PurgeQueue ran meanwhile: its range delete may have come before this write.
      for (auto& item : items) {
        if (item.msg->seq < q.purged_below) {
          purged.Delete(kKeyspace, MessageKey(q.id, item.msg->seq));
          item.purged = true;
        }
      }
    }
    Publish(q, items, now);
  }
  if (!purged.empty()) {
    auto pst = kv.Write(purged);
    if (!pst.ok()) return storage::StorageError(pst);
  }
  return Ok{};
}

json::object SendResult(const Message& m, const Outgoing& item) {
  json::object out;
  out["MessageId"] = item.id;
  out["MD5OfMessageBody"] = m.md5_body;
  if (!m.md5_attributes.empty()) out["MD5OfMessageAttributes"] = m.md5_attributes;
  if (!m.trace_header.empty()) {
    MessageAttributes sys{{"AWSTraceHeader", "String", m.trace_header, false}};
    out["MD5OfMessageSystemAttributes"] = Md5OfAttributes(sys);
  }
  if (!item.sequence_number.empty()) out["SequenceNumber"] = item.sequence_number;
  return out;
}

bool ValidBatchId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

// The checks every *Batch operation makes before looking at entries.
Status CheckBatch(const json::array* entries, std::string_view entry_name) {
  if (!entries || entries->empty())
    return Error("EmptyBatchRequest",
                 "There should be at least one " + std::string(entry_name) + " in the request.");
  if (entries->size() > kMaxBatchEntries)
    return Error("TooManyEntriesInBatchRequest",
                 "Maximum number of entries per request are 10. You have sent " +
                     std::to_string(entries->size()) + ".");
  std::set<std::string_view> ids;
  for (const auto& e : *entries) {
    std::string_view id = StringMember(e, "Id");
    if (!ValidBatchId(id))
      return Error("InvalidBatchEntryId",
                   "A batch entry id can only contain alphanumeric characters, hyphens and "
                   "underscores. It can be at most 80 letters long.");
    if (!ids.insert(id).second)
      return Error("BatchEntryIdsNotDistinct", "Id " + std::string(id) + " repeated.");
  }
  return Ok{};
}

json::object BatchFailure(std::string_view id, const ApiError& e) {
  return json::object{
      {"Id", id}, {"SenderFault", e.sender_fault}, {"Code", LegacyCode(e)}, {"Message", e.message}};
}

// Which message attributes a receiver asked for: "All", ".*", "prefix.*" or exact names.
bool AttributeWanted(const std::vector<std::string>& names, std::string_view name) {
  for (const auto& n : names) {
    if (n == "All" || n == ".*" || n == name) return true;
    if (n.size() > 2 && n.ends_with(".*") &&
        name.substr(0, n.size() - 1) == std::string_view(n).substr(0, n.size() - 1))
      return true;
  }
  return false;
}

struct ReceiveOptions {
  int max_messages = 1;
  int64_t visibility_ms = 0;
  std::set<std::string> system_names;  // "All" or names
  std::vector<std::string> attribute_names;
};

json::object MessageOutput(const Queue& q, const Message& m, const ReceiveOptions& o,
                           const std::string& handle) {
  json::object out;
  out["MessageId"] = m.id;
  out["ReceiptHandle"] = handle;
  out["MD5OfBody"] = m.md5_body;
  out["Body"] = m.body;
  bool all = o.system_names.count("All") > 0;
  auto want = [&](const char* n) { return all || o.system_names.count(n) > 0; };
  json::object attrs;
  if (want("SenderId")) attrs["SenderId"] = m.sender_id;
  if (want("SentTimestamp")) attrs["SentTimestamp"] = std::to_string(m.sent_ms);
  if (want("ApproximateReceiveCount"))
    attrs["ApproximateReceiveCount"] = std::to_string(m.receive_count);
  if (want("ApproximateFirstReceiveTimestamp"))
    attrs["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_receive_ms);
  if (q.fifo && want("SequenceNumber")) attrs["SequenceNumber"] = m.sequence_number;
  if (q.fifo && want("MessageDeduplicationId")) attrs["MessageDeduplicationId"] = m.dedup_id;
  if (!m.group_id.empty() && want("MessageGroupId")) attrs["MessageGroupId"] = m.group_id;
  if (!m.trace_header.empty() && want("AWSTraceHeader")) attrs["AWSTraceHeader"] = m.trace_header;
  if (!m.dead_letter_source_arn.empty() && want("DeadLetterQueueSourceArn"))
    attrs["DeadLetterQueueSourceArn"] = m.dead_letter_source_arn;
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  if (!m.attributes.empty() && !o.attribute_names.empty()) {
    MessageAttributes chosen;
    json::object mattrs;
    for (const auto& a : m.attributes) {
      if (!AttributeWanted(o.attribute_names, a.name)) continue;
      chosen.push_back(a);
      json::object v{{"DataType", a.data_type}};
      v[a.binary ? "BinaryValue" : "StringValue"] = a.value;
      mattrs[a.name] = std::move(v);
    }
    if (!chosen.empty()) {
      // The digest covers the attributes returned (the SDKs check it against them).
      out["MD5OfMessageAttributes"] =
          chosen.size() == m.attributes.size() ? m.md5_attributes : Md5OfAttributes(chosen);
      out["MessageAttributes"] = std::move(mattrs);
    }
  }
  return out;
}

// Receipt-handle lookup shared by DeleteMessage and ChangeMessageVisibility: the message, or
// null when it is gone. Caller holds q.mu.
Message* FindReceived(Queue& q, const ReceiptHandle& h) {
  auto it = q.messages.find(h.seq);
  return it == q.messages.end() ? nullptr : it->second.get();
}

}  // namespace

Result<Document> SqsService::SendMessage(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  SendParams params = ReadSendParams(q);
  int64_t now = env_->clock->NowMillis();
  std::vector<Outgoing> items(1);
  auto built = BuildMessage(in, params, ctx.caller_user_id, now, &items[0].delay);
  if (!built) return std::move(built).error();
  items[0].msg = std::move(*built);
  json::object out = SendResult(*items[0].msg, items[0]);
  auto st = Commit(*env_->kv, q, items, now);
  if (!st) return std::move(st).error();
  out["MessageId"] = items[0].id;
  if (!items[0].sequence_number.empty()) out["SequenceNumber"] = items[0].sequence_number;
  return json::value(std::move(out));
}

Result<Document> SqsService::SendMessageBatch(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  const json::array* entries = ArrayMember(in, "Entries");
  auto checked = CheckBatch(entries, "SendMessageBatchRequestEntry");
  if (!checked) return std::move(checked).error();
  size_t total = 0;
  for (const auto& e : *entries) {
    total += StringMember(e, "MessageBody").size();
    if (const json::object* attrs = ObjectMember(e, "MessageAttributes")) {
      for (const auto& [k, v] : *attrs) {
        total += k.size() + StringMember(v, "DataType").size() +
                 StringMember(v, "StringValue").size() + StringMember(v, "BinaryValue").size();
      }
    }
  }
  if (total > kMaxMessageSize)
    return Error("BatchRequestTooLong",
                 "Batch requests cannot be longer than 262144 bytes. You "
                 "have sent " +
                     std::to_string(total) + " bytes.");
  SendParams params = ReadSendParams(q);
  int64_t now = env_->clock->NowMillis();
  std::vector<Outgoing> items;
  std::vector<std::string_view> ids;
  json::array failed;
  for (const auto& e : *entries) {
    Outgoing item;
    auto built = BuildMessage(e, params, ctx.caller_user_id, now, &item.delay);
    if (!built) {
      failed.push_back(BatchFailure(StringMember(e, "Id"), built.error()));
      continue;
    }
    item.msg = std::move(*built);
    items.push_back(std::move(item));
    ids.push_back(StringMember(e, "Id"));
  }
  std::vector<json::object> results;
  for (auto& item : items) results.push_back(SendResult(*item.msg, item));
  auto st = Commit(*env_->kv, q, items, now);
  if (!st) return std::move(st).error();
  json::array successful;
  for (size_t i = 0; i < items.size(); ++i) {
    results[i]["MessageId"] = items[i].id;
    if (!items[i].sequence_number.empty()) results[i]["SequenceNumber"] = items[i].sequence_number;
    results[i]["Id"] = ids[i];
    successful.push_back(std::move(results[i]));
  }
  return json::value{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}};
}

Task<Result<Document>> SqsService::ReceiveMessage(RequestContext& ctx, Document in) {
  auto found = FindQueue(ctx, in);
  if (!found) co_return std::move(found).error();
  std::shared_ptr<Queue> qp = *found;
  Queue& q = *qp;
  ReceiveOptions opts;
  if (int64_t n; IntMember(in, "MaxNumberOfMessages", &n)) {
    if (n < 1 || n > 10)
      co_return InvalidParameterValue("Value " + std::to_string(n) +
                                      " for parameter MaxNumberOfMessages is invalid. Reason: "
                                      "Must be between 1 and 10, if provided.");
    opts.max_messages = static_cast<int>(n);
  }
  int64_t visibility = -1, wait = -1;
  if (IntMember(in, "VisibilityTimeout", &visibility) && (visibility < 0 || visibility > 43200))
    co_return InvalidParameterValue("Value " + std::to_string(visibility) +
                                    " for parameter VisibilityTimeout is invalid. Reason: Must "
                                    "be between 0 and 43200, if provided.");
  if (IntMember(in, "WaitTimeSeconds", &wait) && (wait < 0 || wait > 20))
    co_return InvalidParameterValue("Value " + std::to_string(wait) +
                                    " for parameter WaitTimeSeconds is invalid. Reason: Must be "
                                    ">= 0 and <= 20, if provided.");
  for (const char* key : {"AttributeNames", "MessageSystemAttributeNames"})
    if (const json::array* names = ArrayMember(in, key))
      for (const auto& v : *names)
        if (v.is_string()) opts.system_names.emplace(v.get_string());
  if (const json::array* names = ArrayMember(in, "MessageAttributeNames"))
    for (const auto& v : *names)
      if (v.is_string()) opts.attribute_names.emplace_back(v.get_string());
  {
    std::lock_guard lock(q.mu);
    if (visibility < 0) visibility = q.config.visibility_timeout;
    if (wait < 0) wait = q.config.receive_message_wait_time_seconds;
  }
  opts.visibility_ms = visibility * 1000;
  auto executor = co_await asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
  for (;;) {
    json::array messages;
    storage::WriteBatch batch;
    std::vector<std::unique_ptr<Message>> moved;
    std::string dead_letter_arn;
    std::shared_ptr<Waiter> waiter;
    int64_t next_visible_ms = 0;
    // The dead-letter queue is looked up before taking q.mu: no queue-map lock under a queue's.
    bool dead_letter_exists = false;
    {
      std::lock_guard lock(q.mu);
      dead_letter_arn = q.config.dead_letter_target_arn;
    }
    if (!dead_letter_arn.empty()) dead_letter_exists = FindByArn(dead_letter_arn) != nullptr;
    int64_t now = env_->clock->NowMillis();
    {
      std::lock_guard lock(q.mu);
      if (q.deleted) co_return QueueDoesNotExist();
      PromoteVisible(q, now);
      int64_t retention_ms = int64_t{q.config.message_retention_period} * 1000;
      int max_receive = q.config.max_receive_count;
      if (!dead_letter_exists || q.config.dead_letter_target_arn != dead_letter_arn)
        max_receive = 0;
      std::set<std::string> blocked;
      if (q.fifo)
        for (const auto& [g, n] : q.group_in_flight) blocked.insert(g);
      std::vector<uint64_t> expired, to_move, chosen;
      size_t scanned = 0;
      for (auto it = q.ready.begin();
           it != q.ready.end() && static_cast<int>(chosen.size()) < opts.max_messages &&
           scanned < kMaxReceiveScan;
           ++it, ++scanned) {
        Message& m = *q.messages.at(*it);
        if (m.sent_ms + retention_ms <= now) {
          expired.push_back(m.seq);
          continue;
        }
        if (q.fifo && blocked.count(m.group_id)) continue;
        if (max_receive > 0 && m.receive_count >= max_receive) {
          to_move.push_back(m.seq);
          continue;
        }
        chosen.push_back(m.seq);
      }
      for (uint64_t seq : expired) RemoveMessage(q, seq, &batch);
      for (uint64_t seq : to_move) {
        auto node = q.messages.find(seq);
        std::unique_ptr<Message> m = std::move(node->second);
        q.messages.erase(node);
        q.ready.erase(seq);
        batch.Delete(kKeyspace, MessageKey(q.id, seq));
        batch.Delete(kKeyspace, StateKey(q.id, seq));
        moved.push_back(std::move(m));
      }
      for (uint64_t seq : chosen) {
        Message& m = *q.messages.at(seq);
        q.ready.erase(seq);
        ++m.receive_count;
        if (m.first_receive_ms == 0) m.first_receive_ms = now;
        m.receipt = NewNonce();
        m.visible_at_ms = now + opts.visibility_ms;
        m.in_flight = true;
        ++q.in_flight;
        if (q.fifo) ++q.group_in_flight[m.group_id];
        q.hidden.emplace(m.visible_at_ms, seq);
        batch.Put(kKeyspace, StateKey(q.id, seq), EncodeState(m));
        messages.push_back(MessageOutput(q, m, opts, EncodeReceiptHandle({q.id, seq, m.receipt})));
      }
      if (messages.empty() && moved.empty() && std::chrono::steady_clock::now() < deadline) {
        waiter = std::make_shared<Waiter>(executor);
        q.waiters.push_back(waiter);
        if (!q.hidden.empty()) next_visible_ms = q.hidden.begin()->first;
      }
    }
    if (!moved.empty()) {
      MoveToDeadLetterQueue(q, std::move(moved), dead_letter_arn, &batch);
      continue;
    }
    if (!batch.empty()) {
      auto st = env_->kv->Write(batch);
      if (!st.ok()) co_return storage::StorageError(st);
    }
    if (!messages.empty() || !waiter) {
      json::object out;
      if (!messages.empty()) out["Messages"] = std::move(messages);
      co_return json::value(std::move(out));
    }
    auto wait_for = deadline - std::chrono::steady_clock::now();
    if (next_visible_ms > 0) {
      auto until_visible = std::chrono::milliseconds(std::max<int64_t>(1, next_visible_ms - now));
      if (until_visible < wait_for) wait_for = until_visible;
    }
    asio::steady_timer timer(executor, wait_for);
    timer.async_wait([waiter](boost::system::error_code ec) {
      if (!ec) waiter->Wake();
    });
    co_await waiter->channel.async_receive(asio::as_tuple(asio::use_awaitable));
    timer.cancel();
    {
      std::lock_guard lock(q.mu);
      q.waiters.remove(waiter);
    }
  }
}

void SqsService::Transfer(std::vector<std::unique_ptr<Message>> moved, Queue& target,
                          const std::string& dead_letter_source_arn, storage::WriteBatch* batch) {
  int64_t now = env_->clock->NowMillis();
  std::lock_guard lock(target.mu);
  for (auto& m : moved) {
    m->seq = target.next_seq++;
    m->receive_count = 0;
    m->first_receive_ms = 0;
    m->receipt = 0;
    m->in_flight = false;
    m->visible_at_ms = now;
    m->dead_letter_source_arn = dead_letter_source_arn;
    batch->Put(kKeyspace, MessageKey(target.id, m->seq), EncodeMessage(*m));
  }
  auto st = env_->kv->Write(*batch);
  if (!st.ok()) {
    spdlog::error("sqs: moving {} messages to {} failed: {}", moved.size(), target.name,
                  st.message());
    return;
  }
  if (target.deleted) return;
  for (auto& m : moved) {
    uint64_t seq = m->seq;
    target.ready.insert(seq);
    target.messages.emplace(seq, std::move(m));
  }
  WakeWaiters(target, moved.size());
}

void SqsService::MoveToDeadLetterQueue(Queue& source, std::vector<std::unique_ptr<Message>> moved,
                                       const std::string& target_arn, storage::WriteBatch* batch) {
  std::shared_ptr<Queue> dlq = FindByArn(target_arn);
  // The dead-letter queue went away meanwhile: the messages stay in their queue.
  if (!dlq)
    Transfer(std::move(moved), source, {}, batch);
  else
    Transfer(std::move(moved), *dlq, source.arn, batch);
}

namespace {

// Deletes the message `text` names from `q` (memory now, storage through `batch`). Ok also when
// the message is gone already. Caller holds q.mu and has promoted visible messages (FIFO).
Status DeleteReceived(Queue& q, std::string_view text, storage::WriteBatch* batch) {
  auto handle = DecodeReceiptHandle(text);
  if (!handle || handle->queue_id != q.id) return ReceiptHandleIsInvalid(text);
  Message* m = FindReceived(q, *handle);
  if (!m) return Ok{};  // already deleted
  if (m->receipt != handle->nonce || (q.fifo && !m->in_flight)) {
    // Standard queues: a handle from an earlier receive succeeds but deletes nothing
    // (SQS API Reference, DeleteMessage). FIFO queues reject it.
    if (q.fifo) return Error("ReceiptHandleIsInvalid", "The receipt handle has expired.");
    return Ok{};
  }
  RemoveMessage(q, handle->seq, batch);
  return Ok{};
}

}  // namespace

Result<Document> SqsService::DeleteMessage(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  std::string_view text = StringMember(in, "ReceiptHandle");
  // A malformed handle is reported before the queue's state is looked at.
  auto handle = DecodeReceiptHandle(text);
  if (!handle || handle->queue_id != q.id) return ReceiptHandleIsInvalid(text);
  storage::WriteBatch batch;
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  if (q.fifo) PromoteVisible(q, env_->clock->NowMillis());
  auto st = DeleteReceived(q, text, &batch);
  if (!st) return std::move(st).error();
  if (!batch.empty()) {
    auto wst = env_->kv->Write(batch);
    if (!wst.ok()) return storage::StorageError(wst);
  }
  return json::value(json::object());
}

// One lock of the queue and one storage write for the whole batch (not one per entry).
Result<Document> SqsService::DeleteMessageBatch(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  const json::array* entries = ArrayMember(in, "Entries");
  auto checked = CheckBatch(entries, "DeleteMessageBatchRequestEntry");
  if (!checked) return std::move(checked).error();
  json::array successful, failed;
  storage::WriteBatch batch;
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  if (q.fifo) PromoteVisible(q, env_->clock->NowMillis());
  for (const auto& e : *entries) {
    std::string_view id = StringMember(e, "Id");
    auto st = DeleteReceived(q, StringMember(e, "ReceiptHandle"), &batch);
    if (st)
      successful.push_back(json::object{{"Id", id}});
    else
      failed.push_back(BatchFailure(id, st.error()));
  }
  if (!batch.empty()) {
    auto wst = env_->kv->Write(batch);
    if (!wst.ok()) return storage::StorageError(wst);
  }
  return json::value{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}};
}

Result<Document> SqsService::ChangeMessageVisibility(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  std::string_view text = StringMember(in, "ReceiptHandle");
  int64_t timeout = 0;
  if (!IntMember(in, "VisibilityTimeout", &timeout)) return MissingParameter("VisibilityTimeout");
  if (timeout < 0 || timeout > 43200)
    return InvalidParameterValue("Value " + std::to_string(timeout) +
                                 " for parameter VisibilityTimeout is invalid. Reason: Must be "
                                 "between 0 and 43200, if provided.");
  auto handle = DecodeReceiptHandle(text);
  if (!handle || handle->queue_id != q.id) return ReceiptHandleIsInvalid(text);
  int64_t now = env_->clock->NowMillis();
  storage::WriteBatch batch;
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  PromoteVisible(q, now);
  Message* m = FindReceived(q, *handle);
  if (!m || m->receipt != handle->nonce)
    return InvalidParameterValue("Value " + std::string(text) +
                                 " for parameter ReceiptHandle is invalid. Reason: Message does "
                                 "not exist or is not available for visibility timeout change.");
  if (!m->in_flight) return Error("MessageNotInflight", "The message referred to isn't in flight.");
  q.hidden.erase({m->visible_at_ms, m->seq});
  m->visible_at_ms = now + timeout * 1000;
  if (timeout == 0) {
    m->in_flight = false;
    --q.in_flight;
    if (q.fifo) {
      auto it = q.group_in_flight.find(m->group_id);
      if (it != q.group_in_flight.end() && --it->second <= 0) q.group_in_flight.erase(it);
    }
    q.ready.insert(m->seq);
    WakeWaiters(q, 1);
  } else {
    q.hidden.emplace(m->visible_at_ms, m->seq);
  }
  batch.Put(kKeyspace, StateKey(q.id, m->seq), EncodeState(*m));
  auto st = env_->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return json::value(json::object());
}

Result<Document> SqsService::ChangeMessageVisibilityBatch(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  const json::array* entries = ArrayMember(in, "Entries");
  auto checked = CheckBatch(entries, "ChangeMessageVisibilityBatchRequestEntry");
  if (!checked) return std::move(checked).error();
  json::array successful, failed;
  for (const auto& e : *entries) {
    json::object one{{"QueueUrl", StringMember(in, "QueueUrl")},
                     {"ReceiptHandle", StringMember(e, "ReceiptHandle")}};
    if (int64_t t; IntMember(e, "VisibilityTimeout", &t)) one["VisibilityTimeout"] = t;
    json::value doc(std::move(one));
    auto r = ChangeMessageVisibility(ctx, doc);
    std::string_view id = StringMember(e, "Id");
    if (r)
      successful.push_back(json::object{{"Id", id}});
    else
      failed.push_back(BatchFailure(id, r.error()));
  }
  return json::value{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}};
}

}  // namespace nimbus::sqs
