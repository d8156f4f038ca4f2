#include "services/s3/listing.h"

#include "core/storage/key_encoding.h"

namespace nimbus::s3 {

namespace {

// Versions of one key visited in a row before a latest-only walk seeks to the next key.
constexpr int kSeekAfterVersions = 16;

}  // namespace

WalkResult Walk(storage::KvStore& kv, std::string_view bucket, const WalkOptions& w) {
  WalkResult out;
  if (w.max == 0) return out;
  out.entries.reserve(std::min<size_t>(w.max, 1001));
  const std::string base = ObjectsPrefix(bucket);
  const std::string range_start = ObjectTextPrefix(bucket, w.prefix);
  const std::string range_end = storage::PrefixEnd(range_start);
  std::string start = range_start;
  if (!w.after_key.empty()) {
    std::string from =
        w.after_seq ? ObjectVersionKey(bucket, w.after_key, *w.after_seq) + std::string(1, '\0')
                    : storage::PrefixEnd(ObjectKeyPrefix(bucket, w.after_key));
    if (from > start) start = from;
  }
  std::string last_key;
  bool have_last = false;
  // When a versions walk starts inside a key, that key's first visited version is not its latest.
  bool mid_key = w.after_seq.has_value();
  bool done = false;
  while (!done) {
    if (!range_end.empty() && start >= range_end) break;
    std::optional<std::string> restart;
    int same_key_run = 0;
    storage::ScanOptions opts;
    opts.start = start;
    opts.end = range_end;
    auto st = kv.Scan(kKeyspace, opts, [&](std::string_view k, std::string_view v) {
      std::string key;
      uint64_t seq = 0;
      if (!ParseObjectVersionKey(k, base.size(), &key, &seq)) return true;
      bool first_of_key = !have_last || key != last_key;
      if (first_of_key) {
        last_key = key;
        have_last = true;
        same_key_run = 0;
      } else {
        if (!w.all_versions) {
          if (++same_key_run >= kSeekAfterVersions) {
            restart = storage::PrefixEnd(ObjectKeyPrefix(bucket, key));
            return false;
          }
          return true;
        }
      }
      if (!w.delimiter.empty()) {
        auto pos = key.find(w.delimiter, w.prefix.size());
        if (pos != std::string::npos) {
          std::string cp = key.substr(0, pos + w.delimiter.size());
          if (w.after_key.empty() || cp > w.after_key) {
            if (out.entries.size() >= w.max) {
              out.truncated = true;
              done = true;
              return false;
            }
            ListEntry e;
            e.common_prefix = true;
            e.name = cp;
            out.entries.push_back(std::move(e));
          }
          restart = storage::PrefixEnd(ObjectTextPrefix(bucket, cp));
          return false;
        }
      }
      auto rec = ObjectRecord::FromJson(v, key, seq);
      if (!rec) return true;
      bool is_latest = first_of_key && !(mid_key && key == w.after_key);
      if (!w.all_versions && rec->delete_marker) return true;
      if (out.entries.size() >= w.max) {
        out.truncated = true;
        done = true;
        return false;
      }
      ListEntry e;
      e.name = key;
      e.rec = std::move(*rec);
      e.is_latest = is_latest;
      out.entries.push_back(std::move(e));
      return true;
    });
    if (!st.ok()) {
      out.status = st;
      return out;
    }
    if (!restart || done) break;
    start = *restart;
    if (restart->empty()) break;  // PrefixEnd had no bound: nothing after
  }
  return out;
}

}  // namespace nimbus::s3
