#include "services/sns/message_log.h"

#include <boost/json.hpp>

namespace nimbus::sns {

namespace {

bool FieldIs(const json::object& o, std::string_view key, std::string_view want) {
  if (want.empty()) return true;
  const json::value* v = o.if_contains(key);
  return v && v->is_string() && v->get_string() == want;
}

}  // namespace

size_t MessageLog::SizeOf(const json::object& entry) {
  size_t n = 256;  // the fixed members, roughly
  for (const auto& kv : entry)
    if (kv.value().is_string()) n += kv.value().get_string().size();
  return n;
}

void MessageLog::Add(json::object entry) {
  std::lock_guard lock(mu_);
  bytes_ += SizeOf(entry);
  entries_.push_back(std::move(entry));
  while (entries_.size() > 1 && (entries_.size() > capacity_ || bytes_ > max_bytes_)) {
    bytes_ -= SizeOf(entries_.front());
    entries_.pop_front();
  }
}

json::array MessageLog::List(std::string_view topic_arn, std::string_view protocol,
                             std::string_view endpoint) const {
  std::lock_guard lock(mu_);
  json::array out;
  for (const auto& e : entries_) {
    if (FieldIs(e, "TopicArn", topic_arn) && FieldIs(e, "Protocol", protocol) &&
        FieldIs(e, "Endpoint", endpoint))
      out.push_back(e);
  }
  return out;
}

void MessageLog::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  bytes_ = 0;
}

}  // namespace nimbus::sns
