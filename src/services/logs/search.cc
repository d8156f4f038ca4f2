// Searching events across the streams of a group: FilterLogEvents, GetLogGroupFields.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <map>
#include <queue>
#include <set>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/filter_pattern.h"
#include "services/logs/logs_common.h"
#include "services/logs/stored_events.h"

namespace nimbus::logs {

namespace {

// FilterLogEvents examines at most this many events per call, then answers with a nextToken
// (AWS also returns partial, even empty, pages with a nextToken).
constexpr size_t kFilterScanBudget = 200000;
constexpr size_t kScanChunk = 256;

// ---- FilterLogEvents ----------------------------------------------------------------------------

// One stream's events in [next, end), read in chunks.
struct Cursor {
  std::string name;
  std::string prefix;
  std::string next, end;
  std::vector<StoredEvent> buffer;
  size_t pos = 0;
  bool exhausted = false;
  uint32_t id_salt = 0;

  const StoredEvent& head() const { return buffer[pos]; }

  // Makes head() valid unless the stream has no more events.
  Status Fill(LogStore& store) {
    while (pos >= buffer.size() && !exhausted) {
      buffer.clear();
      pos = 0;
      if (next >= end) {
        exhausted = true;
        break;
      }
      storage::ScanOptions opts;
      opts.start = next;
      opts.end = end;
      opts.limit = kScanChunk;
      size_t seen = 0;
      std::string last_key;
      auto st = store.kv().Scan(kKeyspace, opts, [&](std::string_view k, std::string_view v) {
        ++seen;
        last_key.assign(k.data(), k.size());
        StoredEvent e;
        if (DecodeEvent(k, v, prefix.size(), &e)) buffer.push_back(std::move(e));
        return true;
      });
      if (!st.ok()) return storage::StorageError(st);
      if (seen < kScanChunk) exhausted = true;
      if (seen) next = last_key + std::string(1, '\0');
    }
    return Ok{};
  }
};

// Resume point of a FilterLogEvents page: the last event examined, in the merge order
// (timestamp, stream name, sequence).
struct FilterPosition {
  uint64_t ts = 0, seq = 0;
  std::string stream;
};

std::string EncodeFilterToken(const FilterPosition& p) {
  return Base64Encode("t1/" + Pad20(p.ts) + Pad20(p.seq) + p.stream);
}

bool DecodeFilterToken(std::string_view token, FilterPosition* p) {
  auto raw = Base64Decode(token);
  if (!raw || raw->size() < 43 || raw->rfind("t1/", 0) != 0) return false;
  std::string_view digits = std::string_view(*raw).substr(3, 40);
  for (char ch : digits)
    if (ch < '0' || ch > '9') return false;
  auto parse = [](std::string_view d, uint64_t* out) {
    auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), *out);
    return ec == std::errc() && ptr == d.data() + d.size();
  };
  p->stream = raw->substr(43);
  return parse(digits.substr(0, 20), &p->ts) && parse(digits.substr(20), &p->seq);
}

// 56 digits like AWS's event ids: timestamp, sequence and a checksum of the stream name, so an
// event keeps its id across calls (aws logs tail --follow de-duplicates by id).
std::string EventId(const Cursor& cur, const StoredEvent& e) {
  char salt[32];
  std::snprintf(salt, sizeof(salt), "%016u", cur.id_salt);
  return Pad20(e.ts) + Pad20(e.seq) + salt;
}

Result<Document> FilterLogEvents(Call& c, const json::object& in) {
  std::string scope = c.scope;
  auto group_name = ResolveGroupName(in, &scope);
  if (!group_name) return std::move(group_name).error();
  const json::array* names = GetArray(in, "logStreamNames");
  bool has_prefix = HasString(in, "logStreamNamePrefix");
  if (names && has_prefix)
    return InvalidParameter(
        "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  if (auto st = CheckStreamName(in, "logStreamNamePrefix"); !st) return std::move(st).error();
  auto pattern = ParsePattern(GetString(in, "filterPattern"));
  if (!pattern) return std::move(pattern).error();
  FilterPosition resume;
  bool resuming = HasString(in, "nextToken");
  if (resuming && !DecodeFilterToken(GetString(in, "nextToken"), &resume))
    return InvalidNextToken();
  std::string stream_prefix = GetString(in, "logStreamNamePrefix");

  std::vector<Cursor> cursors;
  int64_t cutoff = 0;
  {
    std::lock_guard lock(c.store.mu());
    GroupMeta* g = c.store.FindGroup(scope, *group_name);
    if (!g) return GroupNotFound();
    cutoff = RetentionCutoff(*g, c.now_ms);
    auto add = [&](const StreamMeta& s) {
      Cursor cur;
      cur.name = s.name;
      cur.prefix = s.events_prefix;
      cur.id_salt = Crc32(s.name);
      cursors.push_back(std::move(cur));
    };
    if (names) {
      std::set<std::string> wanted;
      for (const auto& n : *names)
        if (n.is_string()) wanted.insert(std::string(n.get_string()));
      // A named stream that does not exist fails the call, as in AWS (seen by clients such
      // as rds_exporter that filter by instance stream names).
      for (const auto& n : wanted) {
        auto it = g->streams.find(n);
        if (it == g->streams.end()) return StreamNotFound();
        add(*it->second);
      }
    } else {
      for (auto it = g->streams.lower_bound(stream_prefix); it != g->streams.end(); ++it) {
        if (it->first.compare(0, stream_prefix.size(), stream_prefix) != 0) break;
        add(*it->second);
      }
    }
  }
  // startTime and endTime are both inclusive (API reference, FilterLogEvents).
  uint64_t start =
      static_cast<uint64_t>(std::max<int64_t>({GetInt(in, "startTime").value_or(0), cutoff, 0}));
  auto end = GetInt(in, "endTime");
  for (auto& cur : cursors) {
    std::string lo = EventKey(cur.prefix, start, 0);
    if (resuming) {
      // Events that sort before or at the resume position in (ts, stream, seq) order were
      // already examined.
      Boundary b{resume.ts, 0};
      if (cur.name < resume.stream)
        b.seq = UINT64_MAX;
      else if (cur.name == resume.stream)
        b.seq = resume.seq;
      std::string after =
          cur.name > resume.stream ? EventKey(cur.prefix, resume.ts, 0) : KeyAfter(cur.prefix, b);
      lo = std::max(lo, after);
    }
    cur.next = lo;
    cur.end = end ? (*end < 0 ? EventKey(cur.prefix, 0, 0)
                              : KeyAfter(cur.prefix, {static_cast<uint64_t>(*end), UINT64_MAX}))
                  : storage::PrefixEnd(cur.prefix);
    if (auto st = cur.Fill(c.store); !st) return std::move(st).error();
  }
  auto later = [&](size_t a, size_t b) {
    const auto& x = cursors[a].head();
    const auto& y = cursors[b].head();
    if (x.ts != y.ts) return x.ts > y.ts;
    if (cursors[a].name != cursors[b].name) return cursors[a].name > cursors[b].name;
    return x.seq > y.seq;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < cursors.size(); ++i)
    if (cursors[i].pos < cursors[i].buffer.size()) heap.push(i);

  const size_t limit = std::min(LimitOf(in, kMaxEvents), kMaxEvents);
  json::array out;
  size_t bytes = 0, examined = 0;
  FilterPosition position;
  bool stopped_early = false;
  while (!heap.empty()) {
    if (out.size() >= limit || examined >= kFilterScanBudget || bytes >= kMaxResponseBytes) {
      stopped_early = true;
      break;
    }
    size_t i = heap.top();
    heap.pop();
    Cursor& cur = cursors[i];
    const StoredEvent& e = cur.head();
    ++examined;
    if ((*pattern)->MatchesEverything() || (*pattern)->Matches(e.message)) {
      bytes += e.message.size() + kEventOverhead;
      out.push_back(json::object{{"logStreamName", cur.name},
                                 {"timestamp", e.ts},
                                 {"message", e.message},
                                 {"ingestionTime", e.ingestion},
                                 {"eventId", EventId(cur, e)}});
    }
    position = {e.ts, e.seq, cur.name};
    ++cur.pos;
    if (auto st = cur.Fill(c.store); !st) return std::move(st).error();
    if (cur.pos < cur.buffer.size()) heap.push(i);
  }
  json::object result{{"events", std::move(out)}, {"searchedLogStreams", json::array()}};
  if (stopped_early) result["nextToken"] = EncodeFilterToken(position);
  return json::value(std::move(result));
}

// ---- GetLogGroupFields --------------------------------------------------------------------------

constexpr size_t kFieldSamplePerStream = 1000;
constexpr size_t kFieldSampleTotal = 10000;

// Adds the dotted names of the members of a JSON object ("user.id") to `names`.
void CollectFields(const json::object& o, const std::string& prefix, int depth,
                   std::set<std::string>* names) {
  for (const auto& [k, v] : o) {
    std::string name = prefix.empty() ? std::string(k) : prefix + "." + std::string(k);
    if (v.is_object() && depth < 5)
      CollectFields(v.get_object(), name, depth + 1, names);
    else
      names->insert(std::move(name));
  }
}

// The fields Logs Insights would discover in a sample of the group's recent events: the system
// fields, then the members of JSON messages, each with the share of sampled events holding it.
Result<Document> GetLogGroupFields(Call& c, const json::object& in) {
  std::string scope = c.scope;
  auto group_name = ResolveGroupName(in, &scope);
  if (!group_name) return std::move(group_name).error();
  std::vector<std::string> prefixes;
  int64_t cutoff = 0;
  {
    std::lock_guard lock(c.store.mu());
    GroupMeta* g = c.store.FindGroup(scope, *group_name);
    if (!g) return GroupNotFound();
    cutoff = RetentionCutoff(*g, c.now_ms);
    for (const auto& [name, stream] : g->streams) prefixes.push_back(stream->events_prefix);
  }
  // AWS searches the 15 minutes up to now, or 8 minutes either side of `time` (in seconds, unlike
  // the milliseconds of the event APIs).
  constexpr int64_t kMinute = 60 * 1000;
  auto center = GetInt(in, "time");
  if (center) center = *center > INT64_MAX / 1000 ? INT64_MAX / 1000 * 1000 : *center * 1000;
  int64_t from = center ? *center - 8 * kMinute : c.now_ms - 15 * kMinute;
  int64_t to = center ? *center + 8 * kMinute : c.now_ms;
  from = std::max<int64_t>({from, cutoff, 0});
  size_t sampled = 0;
  std::map<std::string, size_t> counts;
  for (const auto& prefix : prefixes) {
    if (sampled >= kFieldSampleTotal || to < from) break;
    std::vector<StoredEvent> events;
    auto st = ScanEvents(c.store, prefix, EventKey(prefix, static_cast<uint64_t>(from), 0),
                         KeyAfter(prefix, {static_cast<uint64_t>(to), UINT64_MAX}), true,
                         std::min(kFieldSamplePerStream, kFieldSampleTotal - sampled), &events);
    if (!st) return std::move(st).error();
    for (const auto& e : events) {
      ++sampled;
      std::string_view m = e.message;
      while (!m.empty() && (m.front() == ' ' || m.front() == '\t')) m.remove_prefix(1);
      if (m.empty() || m.front() != '{') continue;
      json::error_code ec;
      json::parse_options opts;
      opts.max_depth = 32;
      json::value doc = json::parse(m, ec, {}, opts);
      if (ec || !doc.is_object()) continue;
      std::set<std::string> names;
      CollectFields(doc.get_object(), "", 0, &names);
      for (const auto& n : names) ++counts[n];
    }
  }
  json::array fields;
  if (sampled > 0) {
    for (const char* name : {"@ingestionTime", "@log", "@logStream", "@message", "@timestamp"})
      fields.push_back(json::object{{"name", name}, {"percent", 100}});
    std::vector<std::pair<std::string, size_t>> found(counts.begin(), counts.end());
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [name, n] : found)
      fields.push_back(
          json::object{{"name", name}, {"percent", static_cast<int64_t>(n * 100 / sampled)}});
  }
  return json::value{{"logGroupFields", std::move(fields)}};
}

}  // namespace

void AddSearchHandlers(HandlerTable* table) {
  table->emplace_back("FilterLogEvents", FilterLogEvents);
  table->emplace_back("GetLogGroupFields", GetLogGroupFields);
}

}  // namespace nimbus::logs
