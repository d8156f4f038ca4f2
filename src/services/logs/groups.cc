// Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy,
// DeleteRetentionPolicy.
#include <boost/json.hpp>
#include <cctype>
#include <set>

#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/logs_common.h"

namespace nimbus::logs {

namespace {

constexpr size_t kMaxTags = 50;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<Document> CreateLogGroup(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  std::string name = GetString(in, "logGroupName");
  if (name.empty()) return ConstraintViolation("", "logGroupName", "Member must not be null");
  auto group = std::make_shared<GroupMeta>();
  group->name = name;
  group->creation_time = c.now_ms;
  group->kms_key_id = GetString(in, "kmsKeyId");
  if (HasString(in, "logGroupClass")) group->log_group_class = GetString(in, "logGroupClass");
  group->deletion_protection = GetBool(in, "deletionProtectionEnabled", false);
  if (const auto* tags = GetObject(in, "tags")) {
    if (tags->size() > kMaxTags)
      return InvalidParameter("A resource can have no more than 50 tags.");
    for (const auto& [k, v] : *tags) {
      if (!v.is_string()) return InvalidParameter("Tag values must be strings.");
      group->tags[std::string(k)] = std::string(v.get_string());
    }
  }
  std::lock_guard lock(c.store.mu());
  auto& groups = c.store.Groups(c.scope);
  if (groups.count(name)) return ResourceAlreadyExists("The specified log group already exists");
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, GroupKey(c.scope, name), group->ToJson());
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  groups[name] = std::move(group);
  return json::value(json::object());
}

Result<Document> DeleteLogGroup(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  std::string name = GetString(in, "logGroupName");
  std::lock_guard lock(c.store.mu());
  auto& groups = c.store.Groups(c.scope);
  auto it = groups.find(name);
  if (it == groups.end()) return GroupNotFound();
  // Writers of the group's streams finish first and then see `deleted`.
  std::vector<std::unique_lock<std::mutex>> stream_locks;
  for (auto& [sname, stream] : it->second->streams) stream_locks.emplace_back(stream->mu);
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, GroupKey(c.scope, name));
  // Every stream record, filter record and event of the group, by key prefix.
  std::string group_part;
  storage::AppendOrderedString(&group_part, name);
  std::string streams_prefix = "S" + c.scope + group_part;
  std::string filters_prefix = "F" + c.scope + group_part;
  std::string events_prefix = GroupEventsPrefix(c.scope, name);
  for (const auto& p : {streams_prefix, filters_prefix, events_prefix})
    batch.DeleteRange(kKeyspace, p, storage::PrefixEnd(p));
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  for (auto& [sname, stream] : it->second->streams) stream->deleted = true;
  stream_locks.clear();
  groups.erase(it);
  return json::value(json::object());
}

uint64_t StoredBytes(GroupMeta& g) {
  uint64_t total = 0;
  for (auto& [name, stream] : g.streams) {
    std::lock_guard lock(stream->mu);
    total += stream->stored_bytes;
  }
  return total;
}

Result<Document> DescribeLogGroups(Call& c, const json::object& in) {
  bool has_prefix = HasString(in, "logGroupNamePrefix");
  bool has_pattern = HasString(in, "logGroupNamePattern");
  const json::array* identifiers = GetArray(in, "logGroupIdentifiers");
  if (has_prefix && has_pattern)
    return InvalidParameter(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  if (identifiers && (has_prefix || has_pattern))
    return InvalidParameter(
        "LogGroup identifiers and LogGroup name prefix or pattern are mutually exclusive "
        "parameters.");
  if (auto st = CheckGroupName(in, "logGroupNamePrefix"); !st) return std::move(st).error();
  std::string prefix = GetString(in, "logGroupNamePrefix");
  std::string pattern = Lower(GetString(in, "logGroupNamePattern"));
  std::string klass = GetString(in, "logGroupClass");
  std::set<std::string> wanted;
  if (identifiers) {
    for (const auto& v : *identifiers) {
      if (!v.is_string()) continue;
      json::object one{{"logGroupIdentifier", v}};
      std::string scope = c.scope;
      auto name = ResolveGroupName(one, &scope);
      if (!name) return std::move(name).error();
      wanted.insert(*name);
    }
  }

  std::lock_guard lock(c.store.mu());
  auto& groups = c.store.Groups(c.scope);
  std::vector<GroupMeta*> selected;
  std::vector<std::string> keys;
  for (auto it = prefix.empty() ? groups.begin() : groups.lower_bound(prefix); it != groups.end();
       ++it) {
    const std::string& name = it->first;
    if (!prefix.empty() && name.compare(0, prefix.size(), prefix) != 0) break;
    if (!pattern.empty() && Lower(name).find(pattern) == std::string::npos) continue;
    if (identifiers && !wanted.count(name)) continue;
    if (!klass.empty() && it->second->log_group_class != klass) continue;
    selected.push_back(it->second.get());
    keys.push_back(name);
  }
  auto page = Page(keys, false, in, 50);
  if (!page) return std::move(page).error();
  json::array out;
  for (size_t i = page->first; i < page->last; ++i) {
    GroupMeta& g = *selected[i];
    std::string arn = c.GroupArn(g.name);
    json::object o{{"logGroupName", g.name},
                   {"creationTime", g.creation_time},
                   {"metricFilterCount", g.metric_filters.size()},
                   {"arn", arn + ":*"},
                   {"storedBytes", StoredBytes(g)},
                   {"logGroupClass", g.log_group_class},
                   {"logGroupArn", arn}};
    if (g.retention_days) o["retentionInDays"] = *g.retention_days;
    if (!g.kms_key_id.empty()) o["kmsKeyId"] = g.kms_key_id;
    if (g.deletion_protection) o["deletionProtectionEnabled"] = true;
    out.push_back(std::move(o));
  }
  json::object result{{"logGroups", std::move(out)}};
  if (!page->next_token.empty()) result["nextToken"] = page->next_token;
  return json::value(std::move(result));
}

Result<Document> SetRetention(Call& c, const json::object& in, std::optional<int64_t> days) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  std::string name = GetString(in, "logGroupName");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, name);
  if (!g) return GroupNotFound();
  auto previous = g->retention_days;
  g->retention_days = days;
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, GroupKey(c.scope, name), g->ToJson());
  if (auto st = c.store.Commit(batch); !st) {
    g->retention_days = previous;
    return std::move(st).error();
  }
  return json::value(json::object());
}

Result<Document> PutRetentionPolicy(Call& c, const json::object& in) {
  auto days = GetInt(in, "retentionInDays");
  if (!days) return ConstraintViolation("null", "retentionInDays", "Member must not be null");
  if (!IsValidRetention(*days))
    return ConstraintViolation(std::to_string(*days), "retentionInDays",
                               "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, "
                               "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
                               "3288, 3653]");
  return SetRetention(c, in, days);
}

Result<Document> DeleteRetentionPolicy(Call& c, const json::object& in) {
  return SetRetention(c, in, std::nullopt);
}

// AssociateKmsKey / DisassociateKmsKey on a log group (the key is recorded, nothing is
// encrypted). Query results (`resourceIdentifier` of a query-result ARN) are not kept.
Result<Document> SetKmsKey(Call& c, const json::object& in, std::string key) {
  if (!HasString(in, "logGroupName"))
    return InvalidParameter(HasString(in, "resourceIdentifier")
                                ? "Only log groups are supported as resourceIdentifier."
                                : "Either logGroupName or resourceIdentifier must be specified.");
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  std::string name = GetString(in, "logGroupName");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, name);
  if (!g) return GroupNotFound();
  std::swap(g->kms_key_id, key);
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, GroupKey(c.scope, name), g->ToJson());
  if (auto st = c.store.Commit(batch); !st) {
    std::swap(g->kms_key_id, key);
    return std::move(st).error();
  }
  return json::value(json::object());
}

Result<Document> AssociateKmsKey(Call& c, const json::object& in) {
  return SetKmsKey(c, in, GetString(in, "kmsKeyId"));
}

Result<Document> DisassociateKmsKey(Call& c, const json::object& in) {
  return SetKmsKey(c, in, "");
}

}  // namespace

// Deletes the events of every stream that fall before its group's retention cutoff: one range
// per stream, since events sort by timestamp within a stream. Streams with nothing expired get
// no range tombstone (they would pile up and slow scans).
void DeleteExpiredEvents(LogStore& store, int64_t now) {
  std::vector<std::pair<std::string, std::string>> ranges;
  {
    std::lock_guard lock(store.mu());
    for (auto& [scope, groups] : store.scopes())
      for (auto& [name, group] : groups) {
        int64_t cutoff = RetentionCutoff(*group, now);
        if (cutoff <= 0) continue;
        for (auto& [sname, stream] : group->streams)
          ranges.emplace_back(stream->events_prefix,
                              EventKey(stream->events_prefix, static_cast<uint64_t>(cutoff), 0));
      }
  }
  storage::WriteBatch batch;
  for (const auto& [begin, end] : ranges) {
    storage::ScanOptions probe;
    probe.start = begin;
    probe.end = end;
    probe.limit = 1;
    bool expired = false;
    auto st = store.kv().Scan(kKeyspace, probe, [&](std::string_view, std::string_view) {
      expired = true;
      return false;
    });
    if (st.ok() && expired) batch.DeleteRange(kKeyspace, begin, end);
  }
  if (batch.empty()) return;
  auto st = store.kv().Write(batch);
  if (!st.ok()) spdlog::warn("logs: retention sweep failed: {}", st.message());
}

void AddGroupHandlers(HandlerTable* table) {
  table->emplace_back("CreateLogGroup", CreateLogGroup);
  table->emplace_back("DeleteLogGroup", DeleteLogGroup);
  table->emplace_back("DescribeLogGroups", DescribeLogGroups);
  table->emplace_back("PutRetentionPolicy", PutRetentionPolicy);
  table->emplace_back("DeleteRetentionPolicy", DeleteRetentionPolicy);
  table->emplace_back("AssociateKmsKey", AssociateKmsKey);
  table->emplace_back("DisassociateKmsKey", DisassociateKmsKey);
}

}  // namespace nimbus::logs
