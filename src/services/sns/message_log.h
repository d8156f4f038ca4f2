#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string_view>

#include "core/common/document.h"

namespace nimbus::sns {

// Messages for subscribers nimbus cannot reach (email, email-json, sms, mobile push),
// kept in memory for GET /_nimbus/sns/messages: the newest `capacity` entries within
// `max_bytes` of message text (256 KB messages must not let it grow without bound), oldest
// first. Thread-safe.
class MessageLog {
 public:
  explicit MessageLog(size_t capacity = 10000, size_t max_bytes = 64 << 20)
      : capacity_(capacity), max_bytes_(max_bytes) {}

  // `entry` carries at least "TopicArn", "Protocol" and "Endpoint" (strings).
  void Add(json::object entry);
  // Entries whose fields equal every non-empty filter, oldest first.
  json::array List(std::string_view topic_arn, std::string_view protocol,
                   std::string_view endpoint) const;
  void Clear();

 private:
  static size_t SizeOf(const json::object& entry);

  const size_t capacity_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::deque<json::object> entries_;
  size_t bytes_ = 0;
};

}  // namespace nimbus::sns
