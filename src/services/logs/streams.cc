// Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.
#include <algorithm>
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/logs_common.h"

namespace nimbus::logs {

namespace {

Result<Document> CreateLogStream(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  if (auto st = CheckStreamName(in, "logStreamName"); !st) return std::move(st).error();
  std::string group_name = GetString(in, "logGroupName");
  std::string name = GetString(in, "logStreamName");
  if (name.empty()) return ConstraintViolation("", "logStreamName", "Member must not be null");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, group_name);
  if (!g) return GroupNotFound();
  if (g->streams.count(name))
    return ResourceAlreadyExists("The specified log stream already exists");
  auto stream = std::make_shared<StreamMeta>();
  stream->name = name;
  stream->events_prefix = StreamEventsPrefix(c.scope, group_name, name);
  stream->creation_time = c.now_ms;
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, StreamKey(c.scope, group_name, name), stream->ToJson());
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  g->streams[name] = std::move(stream);
  return json::value(json::object());
}

Result<Document> DeleteLogStream(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  if (auto st = CheckStreamName(in, "logStreamName"); !st) return std::move(st).error();
  std::string group_name = GetString(in, "logGroupName");
  std::string name = GetString(in, "logStreamName");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, group_name);
  if (!g) return GroupNotFound();
  auto it = g->streams.find(name);
  if (it == g->streams.end()) return StreamNotFound();
  std::shared_ptr<StreamMeta> keep = it->second;  // outlives the lock below
  StreamMeta& stream = *keep;
  std::lock_guard stream_lock(stream.mu);
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, StreamKey(c.scope, group_name, name));
  batch.DeleteRange(kKeyspace, stream.events_prefix, storage::PrefixEnd(stream.events_prefix));
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  stream.deleted = true;
  g->streams.erase(it);
  return json::value(json::object());
}

// Sort key of a stream for orderBy=LastEventTime: the last event's timestamp (streams without
// events first), then the name.
std::string TimeOrderKey(const StreamView& v) {
  std::string k;
  storage::AppendUint64(&k, static_cast<uint64_t>(v.last_event.value_or(0)));
  k += v.name;
  return k;
}

Result<Document> DescribeLogStreams(Call& c, const json::object& in) {
  std::string scope = c.scope;
  auto group_name = ResolveGroupName(in, &scope);
  if (!group_name) return std::move(group_name).error();
  std::string order = HasString(in, "orderBy") ? GetString(in, "orderBy") : "LogStreamName";
  if (order != "LogStreamName" && order != "LastEventTime")
    return ConstraintViolation(order, "orderBy",
                               "Member must satisfy enum value set: [LogStreamName, "
                               "LastEventTime]");
  std::string prefix = GetString(in, "logStreamNamePrefix");
  if (order == "LastEventTime" && !prefix.empty())
    return InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  bool descending = GetBool(in, "descending", false);

  std::vector<StreamView> views;
  {
    std::lock_guard lock(c.store.mu());
    GroupMeta* g = c.store.FindGroup(scope, *group_name);
    if (!g) return GroupNotFound();
    for (auto it = g->streams.lower_bound(prefix); it != g->streams.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      views.push_back(ViewOf(*it->second));
    }
  }
  std::vector<std::string> keys;
  keys.reserve(views.size());
  for (const auto& v : views) keys.push_back(order == "LastEventTime" ? TimeOrderKey(v) : v.name);
  std::vector<size_t> ordering(views.size());
  for (size_t i = 0; i < ordering.size(); ++i) ordering[i] = i;
  std::sort(ordering.begin(), ordering.end(),
            [&](size_t a, size_t b) { return descending ? keys[a] > keys[b] : keys[a] < keys[b]; });
  std::vector<std::string> sorted_keys;
  sorted_keys.reserve(keys.size());
  for (size_t i : ordering) sorted_keys.push_back(keys[i]);
  auto page = Page(sorted_keys, descending, in, 50);
  if (!page) return std::move(page).error();

  // The group ARN of the scope the request addressed (an identifier may name another region).
  std::string account, region;
  std::string_view rest = scope;
  (void)storage::ConsumeOrderedString(&rest, &account);
  (void)storage::ConsumeOrderedString(&rest, &region);
  std::string group_arn =
      "arn:aws:logs:" + region + ":" + account + ":log-group:" + *group_name + ":log-stream:";
  json::array out;
  for (size_t i = page->first; i < page->last; ++i) {
    const StreamView& v = views[ordering[i]];
    json::object o{{"logStreamName", v.name},
                   {"creationTime", v.creation_time},
                   {"arn", group_arn + v.name},
                   {"storedBytes", 0}};  // deprecated by AWS for streams: always 0
    if (v.first_event) o["firstEventTimestamp"] = *v.first_event;
    if (v.last_event) o["lastEventTimestamp"] = *v.last_event;
    if (v.last_ingestion) o["lastIngestionTime"] = *v.last_ingestion;
    if (v.uploads) o["uploadSequenceToken"] = SequenceToken(v.uploads);
    out.push_back(std::move(o));
  }
  json::object result{{"logStreams", std::move(out)}};
  if (!page->next_token.empty()) result["nextToken"] = page->next_token;
  return json::value(std::move(result));
}

}  // namespace

void AddStreamHandlers(HandlerTable* table) {
  table->emplace_back("CreateLogStream", CreateLogStream);
  table->emplace_back("DeleteLogStream", DeleteLogStream);
  table->emplace_back("DescribeLogStreams", DescribeLogStreams);
}

}  // namespace nimbus::logs
