// Log events: PutLogEvents, GetLogEvents.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/logs_common.h"
#include "services/logs/stored_events.h"

namespace nimbus::logs {

namespace {

// PutLogEvents quotas (API reference, PutLogEvents).
constexpr size_t kMaxBatchBytes = 1048576;
constexpr int64_t kMaxBatchSpan = kDayMillis;
constexpr int64_t kTooOldMillis = 14 * kDayMillis;
constexpr int64_t kTooNewMillis = 2 * 3600 * 1000;

// ---- PutLogEvents -------------------------------------------------------------------------------

struct InputEvent {
  int64_t ts;
  std::string_view message;
};

Result<Document> PutLogEvents(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  if (auto st = CheckStreamName(in, "logStreamName"); !st) return std::move(st).error();
  std::string group_name = GetString(in, "logGroupName");
  std::string stream_name = GetString(in, "logStreamName");
  const json::array* list = GetArray(in, "logEvents");
  if (!list) return ConstraintViolation("null", "logEvents", "Member must not be null");
  std::vector<InputEvent> events;
  events.reserve(list->size());
  size_t batch_bytes = 0;
  for (const auto& v : *list) {
    const json::object* e = v.is_object() ? &v.get_object() : nullptr;
    auto ts = e ? GetInt(*e, "timestamp") : std::nullopt;
    if (!e || !ts || *ts < 0 || !HasString(*e, "message"))
      return InvalidParameter("Each log event must have a timestamp and a message.");
    std::string_view message = e->at("message").get_string();
    events.push_back({*ts, message});
    batch_bytes += message.size() + kEventOverhead;
  }
  if (batch_bytes > kMaxBatchBytes)
    return InvalidParameter("Upload too large: " + std::to_string(batch_bytes) +
                            " bytes exceeds limit of " + std::to_string(kMaxBatchBytes));
  for (size_t i = 1; i < events.size(); ++i)
    if (events[i].ts < events[i - 1].ts)
      return InvalidParameter(
          "Log events in a single PutLogEvents request must be in chronological order.");
  if (!events.empty() && events.back().ts - events.front().ts > kMaxBatchSpan)
    return InvalidParameter(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 "
        "hours.");

  std::shared_ptr<StreamMeta> stream;
  int64_t retention_cutoff = 0;
  {
    std::lock_guard lock(c.store.mu());
    GroupMeta* g = c.store.FindGroup(c.scope, group_name);
    if (!g) return GroupNotFound();
    auto it = g->streams.find(stream_name);
    if (it == g->streams.end()) return StreamNotFound();
    stream = it->second;
    retention_cutoff = RetentionCutoff(*g, c.now_ms);
  }

  // Events are sorted, so the rejected ones are a too-old prefix, then an expired run (older
  // than the group's retention), then a too-new suffix.
  const int64_t too_old = c.now_ms - kTooOldMillis, too_new = c.now_ms + kTooNewMillis;
  size_t old_end = 0, expired_end = 0, new_start = events.size();
  while (old_end < events.size() && events[old_end].ts < too_old) ++old_end;
  expired_end = old_end;
  while (expired_end < events.size() && events[expired_end].ts < retention_cutoff) ++expired_end;
  while (new_start > expired_end && events[new_start - 1].ts > too_new) --new_start;

  std::lock_guard stream_lock(stream->mu);
  if (stream->deleted) return StreamNotFound();
  StreamMeta updated_counters;  // the counters after this batch, applied once it is durable
  updated_counters.first_event = stream->first_event;
  updated_counters.last_event = stream->last_event;
  updated_counters.last_ingestion = stream->last_ingestion;
  updated_counters.stored_bytes = stream->stored_bytes;
  updated_counters.next_seq = stream->next_seq;
  updated_counters.uploads = stream->uploads + 1;
  updated_counters.creation_time = stream->creation_time;
  storage::WriteBatch batch;
  std::string value;
  for (size_t i = expired_end; i < new_start; ++i) {
    const auto& e = events[i];
    value.clear();
    storage::AppendUint64(&value, static_cast<uint64_t>(c.now_ms));
    value.append(e.message);
    batch.Put(
        kKeyspace,
        EventKey(stream->events_prefix, static_cast<uint64_t>(e.ts), updated_counters.next_seq++),
        value);
    if (!updated_counters.first_event || e.ts < *updated_counters.first_event)
      updated_counters.first_event = e.ts;
    if (!updated_counters.last_event || e.ts > *updated_counters.last_event)
      updated_counters.last_event = e.ts;
    updated_counters.stored_bytes += e.message.size();
  }
  if (new_start > expired_end) updated_counters.last_ingestion = c.now_ms;
  storage::PutJson(batch, kKeyspace, StreamKey(c.scope, group_name, stream_name),
                   updated_counters.ToJson());
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  stream->first_event = updated_counters.first_event;
  stream->last_event = updated_counters.last_event;
  stream->last_ingestion = updated_counters.last_ingestion;
  stream->stored_bytes = updated_counters.stored_bytes;
  stream->next_seq = updated_counters.next_seq;
  stream->uploads = updated_counters.uploads;

  json::object out{{"nextSequenceToken", SequenceToken(stream->uploads)}};
  json::object rejected;
  if (old_end > 0) rejected["tooOldLogEventEndIndex"] = old_end;
  if (expired_end > old_end) rejected["expiredLogEventEndIndex"] = expired_end;
  if (new_start < events.size()) rejected["tooNewLogEventStartIndex"] = new_start;
  if (!rejected.empty()) out["rejectedLogEventsInfo"] = std::move(rejected);
  return json::value(std::move(out));
}

// ---- GetLogEvents -------------------------------------------------------------------------------

// "f/<56 digits>/s" as AWS writes them: 20 digits of timestamp, 20 of sequence, 16 zeros.
std::string FormatToken(char direction, Boundary b) {
  return std::string(1, direction) + "/" + Pad20(b.ts) + Pad20(b.seq) + "0000000000000000/s";
}

bool ParseToken(std::string_view t, char* direction, Boundary* b) {
  if (t.size() < 2 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/') return false;
  *direction = t[0];
  t.remove_prefix(2);
  if (t.size() >= 2 && t.substr(t.size() - 2) == "/s") t.remove_suffix(2);
  if (t.size() != 56) return false;
  for (char ch : t)
    if (ch < '0' || ch > '9') return false;
  auto parse = [](std::string_view digits, uint64_t* out) {
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    return ec == std::errc() && p == digits.data() + digits.size();
  };
  return parse(t.substr(0, 20), &b->ts) && parse(t.substr(20, 20), &b->seq);
}

Result<Document> GetLogEvents(Call& c, const json::object& in) {
  std::string scope = c.scope;
  auto group_name = ResolveGroupName(in, &scope);
  if (!group_name) return std::move(group_name).error();
  if (auto st = CheckStreamName(in, "logStreamName"); !st) return std::move(st).error();
  std::string stream_name = GetString(in, "logStreamName");
  char direction = 0;
  Boundary token;
  std::string token_text = GetString(in, "nextToken");
  if (HasString(in, "nextToken") && !ParseToken(token_text, &direction, &token))
    return InvalidNextToken();

  std::string prefix;
  int64_t cutoff = 0;
  {
    std::lock_guard lock(c.store.mu());
    GroupMeta* g = c.store.FindGroup(scope, *group_name);
    if (!g) return GroupNotFound();
    auto it = g->streams.find(stream_name);
    if (it == g->streams.end()) return StreamNotFound();
    prefix = it->second->events_prefix;
    cutoff = RetentionCutoff(*g, c.now_ms);
  }
  // startTime is inclusive, endTime exclusive (API reference, GetLogEvents).
  uint64_t start =
      static_cast<uint64_t>(std::max<int64_t>({GetInt(in, "startTime").value_or(0), cutoff, 0}));
  auto end = GetInt(in, "endTime");
  std::string lo = EventKey(prefix, start, 0);
  std::string hi = end ? EventKey(prefix, static_cast<uint64_t>(std::max<int64_t>(*end, 0)), 0)
                       : storage::PrefixEnd(prefix);
  bool forward = direction ? direction == 'f' : GetBool(in, "startFromHead", false);
  if (direction == 'f') lo = std::max(lo, KeyAfter(prefix, token));
  if (direction == 'b') hi = std::min(hi, KeyAfter(prefix, token));
  size_t limit = std::min(LimitOf(in, kMaxEvents), kMaxEvents);

  std::vector<StoredEvent> events;
  if (auto st = ScanEvents(c.store, prefix, lo, hi, !forward, limit, &events); !st)
    return std::move(st).error();
  if (!forward) std::reverse(events.begin(), events.end());

  json::array out;
  out.reserve(events.size());
  for (const auto& e : events)
    out.push_back(
        json::object{{"timestamp", e.ts}, {"message", e.message}, {"ingestionTime", e.ingestion}});
  std::string next_forward, next_backward;
  if (!events.empty()) {
    next_forward = FormatToken('f', {events.back().ts, events.back().seq});
    next_backward = FormatToken('b', {events.front().ts, events.front().seq - 1});
  } else if (direction) {
    // At the end in the token's direction: AWS answers the token it was given (the CLI's
    // paginator stops on a repeated token).
    next_forward = direction == 'f' ? token_text : FormatToken('f', token);
    next_backward = direction == 'b' ? token_text : FormatToken('b', token);
  } else {
    next_forward = FormatToken('f', {start, 0});
    next_backward = FormatToken('b', {start, 0});
  }
  return json::value{{"events", std::move(out)},
                     {"nextForwardToken", next_forward},
                     {"nextBackwardToken", next_backward}};
}

}  // namespace

void AddEventHandlers(HandlerTable* table) {
  table->emplace_back("PutLogEvents", PutLogEvents);
  table->emplace_back("GetLogEvents", GetLogEvents);
}

}  // namespace nimbus::logs
