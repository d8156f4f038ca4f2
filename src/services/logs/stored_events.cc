#include "services/logs/stored_events.h"

#include <cstdio>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"

namespace nimbus::logs {

bool DecodeEvent(std::string_view key, std::string_view value, size_t prefix_len, StoredEvent* e) {
  if (key.size() < prefix_len) return false;
  key.remove_prefix(prefix_len);
  if (!storage::ConsumeUint64(&key, &e->ts) || !storage::ConsumeUint64(&key, &e->seq) ||
      !key.empty() || !storage::ConsumeUint64(&value, &e->ingestion))
    return false;
  e->message.assign(value.data(), value.size());
  return true;
}

Status ScanEvents(LogStore& store, const std::string& prefix, const std::string& lo,
                  const std::string& hi, bool reverse, size_t limit,
                  std::vector<StoredEvent>* out) {
  if (lo >= hi) return Ok{};
  storage::ScanOptions opts;
  opts.start = lo;
  opts.end = hi;
  opts.reverse = reverse;
  opts.limit = limit;
  size_t bytes = 0;
  auto st = store.kv().Scan(kKeyspace, opts, [&](std::string_view k, std::string_view v) {
    StoredEvent e;
    if (!DecodeEvent(k, v, prefix.size(), &e)) return true;
    if (!out->empty() && bytes + e.message.size() + kEventOverhead > kMaxResponseBytes)
      return false;
    bytes += e.message.size() + kEventOverhead;
    out->push_back(std::move(e));
    return out->size() < limit;
  });
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

std::string Pad20(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(v));
  return buf;
}

std::string KeyAfter(const std::string& prefix, Boundary b) {
  if (b.seq < UINT64_MAX) return EventKey(prefix, b.ts, b.seq + 1);
  if (b.ts < UINT64_MAX) return EventKey(prefix, b.ts + 1, 0);
  return storage::PrefixEnd(prefix);
}

}  // namespace nimbus::logs
