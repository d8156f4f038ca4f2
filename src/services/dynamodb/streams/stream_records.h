#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/storage/kv_store.h"
#include "services/dynamodb/table/table.h"

namespace nimbus::dynamodb {

// DynamoDB Streams records, written in the same WriteBatch as the item change they describe.
//
// Layout (keyspace "dynamodb"): "s" u64 stream storage id, u64 sequence number -> the record
// (the item encoding of a small map: event name, time, keys, images, size, origin). A table's
// stream has one shard; sequence numbers grow with commit order per item (writes to one item
// are serialized by its lock) and embed the server time, so 24-hour retention is a DeleteRange.

inline constexpr int64_t kStreamRetentionMs = 24LL * 60 * 60 * 1000;

// Hands out increasing sequence numbers: milliseconds since the epoch x 1000, bumped past the
// last one handed out. Thread-safe.
class StreamSequencer {
 public:
  uint64_t Next(int64_t now_ms);

 private:
  std::atomic<uint64_t> last_{0};
};

std::string StreamPrefix(uint64_t stream_id);
std::string StreamRecordKey(uint64_t stream_id, uint64_t sequence);
// 21 digits, zero-padded: DynamoDB's sequence number form (lexical order = numeric order).
std::string FormatSequenceNumber(uint64_t sequence);
bool ParseSequenceNumber(std::string_view text, uint64_t* sequence);
// The lowest sequence number handed out at or after `ms`.
inline uint64_t SequenceAt(int64_t ms) { return static_cast<uint64_t>(ms) * 1000; }

// Adds the stream record for `old_item` -> `new_item` (either null) of `table` to `batch`,
// when the table has a stream and the item changed. `service_deletion` marks TTL deletions.
void StageStreamRecord(const Table& table, StreamSequencer& sequencer, int64_t now_ms,
                       const json::object* old_item, const json::object* new_item,
                       bool service_deletion, storage::WriteBatch* batch);

// The record stored under a stream key, in the dynamodbstreams Record shape (document form).
std::optional<json::object> DecodeStreamRecord(std::string_view bytes, const Table& table,
                                               uint64_t sequence);

}  // namespace nimbus::dynamodb
