#pragma once

// How events are stored and read back: the value layout behind EventKey, range scans of one
// stream, and positions between events. Shared by events.cc and search.cc.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/logs/logs_common.h"

namespace nimbus::logs {

// Bytes AWS counts for each event on top of its message (PutLogEvents batch size).
inline constexpr size_t kEventOverhead = 26;
// GetLogEvents / FilterLogEvents answer at most this many events and about this many bytes.
inline constexpr size_t kMaxEvents = 10000;
inline constexpr size_t kMaxResponseBytes = 1048576;

// One stored event. The value under its EventKey is U64(ingestion time) + message bytes.
struct StoredEvent {
  uint64_t ts = 0, seq = 0, ingestion = 0;
  std::string message;
};

// Decodes the event under `key` (whose stream prefix is `prefix_len` bytes); false if malformed.
bool DecodeEvent(std::string_view key, std::string_view value, size_t prefix_len, StoredEvent* e);

// Events of the stream `prefix` with keys in [lo, hi), in key order (or reverse), up to `limit`
// events and about kMaxResponseBytes of messages, into `*out` (empty on entry).
Status ScanEvents(LogStore& store, const std::string& prefix, const std::string& lo,
                  const std::string& hi, bool reverse, size_t limit, std::vector<StoredEvent>* out);

// A position between two events of a stream: every event with key <= (ts, seq) lies before it.
struct Boundary {
  uint64_t ts = 0, seq = 0;
};

// The smallest event key after boundary `b`.
std::string KeyAfter(const std::string& prefix, Boundary b);

// `v` as 20 decimal digits (the parts of tokens and event ids).
std::string Pad20(uint64_t v);

}  // namespace nimbus::logs
