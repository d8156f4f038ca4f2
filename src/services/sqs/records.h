#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "services/sqs/model.h"

namespace nimbus::sqs {

// Storage layout of SQS in keyspace "sqs" (compact binary records for messages, JSON for queues):
//   q <scope(account, region)> <ordered name>  → queue record (JSON)
//   m <u64 queue id> <u64 seq>                 → message (immutable part, EncodeMessage)
//   s <u64 queue id> <u64 seq>                 → receive state (EncodeState), once received
//   d <u64 queue id> <dedup key>               → FIFO deduplication entry (EncodeDedup)
inline constexpr std::string_view kKeyspace = "sqs";

std::string QueueKey(std::string_view account, std::string_view region, std::string_view name);
std::string QueuePrefix(std::string_view account, std::string_view region);
std::string QueueKeyPrefix();  // every queue record
std::string MessageKey(uint64_t queue_id, uint64_t seq);
std::string StateKey(uint64_t queue_id, uint64_t seq);
std::string DedupKey(uint64_t queue_id, std::string_view key);
// Prefixes of one queue's messages, states and dedup entries ("m"/"s"/"d" + queue id).
std::string QueueDataPrefix(char kind, uint64_t queue_id);
// Parses "m"/"s" keys; false when malformed.
bool ParseMessageKey(std::string_view key, uint64_t* queue_id, uint64_t* seq);

// The immutable part of a message (all but receive state).
std::string EncodeMessage(const Message& m);
bool DecodeMessage(std::string_view bytes, Message* m);

// Receive state: receive count, first receive, visible-at, receipt nonce.
std::string EncodeState(const Message& m);
bool DecodeState(std::string_view bytes, Message* m);

std::string EncodeDedup(const Dedup& d);
bool DecodeDedup(std::string_view bytes, Dedup* d);

}  // namespace nimbus::sqs
