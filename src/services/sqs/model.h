#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nimbus::sqs {

// Limits and defaults of Amazon SQS (Developer Guide, "Amazon SQS quotas").
inline constexpr int kMaxMessageSize = 262144;
inline constexpr int kMaxBatchEntries = 10;
inline constexpr int kMaxAttributes = 10;
inline constexpr int64_t kDeduplicationWindowMs = 5 * 60 * 1000;
inline constexpr int64_t kPurgeWindowMs = 60 * 1000;

// One user message attribute. String and Number keep their text in `value`, Binary its bytes.
struct MessageAttribute {
  std::string name;
  std::string data_type;  // "String", "Number", "Binary", optionally with ".label"
  std::string value;
  bool binary = false;
};
using MessageAttributes = std::vector<MessageAttribute>;  // sorted by name

struct Message {
  uint64_t seq = 0;  // order of arrival in its queue; the storage key
  std::string id;
  std::string body;
  std::string md5_body;        // hex
  std::string md5_attributes;  // hex; empty without attributes
  MessageAttributes attributes;
  std::string sender_id;
  int64_t sent_ms = 0;
  // Delayed or in flight until then; visible once the clock passes it.
  int64_t visible_at_ms = 0;
  int64_t first_receive_ms = 0;
  int32_t receive_count = 0;
  uint64_t receipt = 0;  // nonce of the latest receive (0: never received)
  bool in_flight = false;
  std::string group_id;
  std::string dedup_id;
  std::string sequence_number;  // FIFO: 20 digits
  std::string trace_header;     // AWSTraceHeader system attribute
  std::string dead_letter_source_arn;
};

// A queue's settable attributes, parsed once (never re-read from JSON per message).
struct QueueConfig {
  int delay_seconds = 0;
  int maximum_message_size = kMaxMessageSize;
  int message_retention_period = 345600;
  int receive_message_wait_time_seconds = 0;
  int visibility_timeout = 30;
  bool fifo = false;
  bool content_based_deduplication = false;
  std::string deduplication_scope = "queue";       // or "messageGroup"
  std::string fifo_throughput_limit = "perQueue";  // or "perMessageGroupId"
  std::string policy;
  std::string redrive_policy;        // as given (JSON text)
  std::string redrive_allow_policy;  // as given (JSON text)
  std::string kms_master_key_id;
  int kms_data_key_reuse_period_seconds = 300;
  bool sqs_managed_sse_enabled = true;
  // From redrive_policy.
  std::string dead_letter_target_arn;
  int max_receive_count = 0;
  // Attribute names set explicitly (what CreateQueue compares for idempotency).
  std::map<std::string, std::string> explicit_values;
};

struct Waiter;  // a long-polling ReceiveMessage (messages.cc)

struct Dedup {
  int64_t expires_ms = 0;
  std::string message_id;
  std::string sequence_number;
};

// One queue: identity, configuration and its messages. Everything below `mu` is guarded by it.
struct Queue {
  std::string account;
  std::string region;
  std::string name;
  std::string arn;
  uint64_t id = 0;  // storage identity: a queue deleted and created again gets a new one
  bool fifo = false;

  std::mutex mu;
  QueueConfig config;
  std::map<std::string, std::string> tags;
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  int64_t last_purge_ms = 0;
  bool deleted = false;

  std::unordered_map<uint64_t, std::unique_ptr<Message>> messages;
  std::set<uint64_t> ready;                       // visible now, by arrival
  std::set<std::pair<int64_t, uint64_t>> hidden;  // delayed or in flight, by visible_at
  size_t in_flight = 0;
  std::unordered_map<std::string, int> group_in_flight;  // FIFO: in-flight count per group
  uint64_t next_seq = 1;
  // Set by PurgeQueue to next_seq: a send that reserved a smaller seq before the purge but
  // finished its storage write after it is purged too (a message sent during a purge).
  uint64_t purged_below = 0;
  uint64_t next_sequence_number = 0;             // FIFO SequenceNumber counter
  std::unordered_map<std::string, Dedup> dedup;  // FIFO: key = scope + dedup id
  std::deque<std::pair<int64_t, std::string>> dedup_expiry;
  std::list<std::shared_ptr<Waiter>> waiters;
};

}  // namespace nimbus::sqs
