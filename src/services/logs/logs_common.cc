#include "services/logs/logs_common.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <unordered_map>

#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/filter_pattern.h"

namespace nimbus::logs {

// ---- Errors -------------------------------------------------------------------------------------

ApiError InvalidParameter(std::string message) {
  return ApiError("InvalidParameterException", 400, std::move(message));
}
ApiError ResourceNotFound(std::string message) {
  return ApiError("ResourceNotFoundException", 400, std::move(message));
}
ApiError GroupNotFound() { return ResourceNotFound("The specified log group does not exist."); }
ApiError StreamNotFound() { return ResourceNotFound("The specified log stream does not exist."); }
ApiError ResourceAlreadyExists(std::string message) {
  return ApiError("ResourceAlreadyExistsException", 400, std::move(message));
}
ApiError LimitExceeded(std::string message) {
  return ApiError("LimitExceededException", 400, std::move(message));
}
ApiError InvalidNextToken() { return InvalidParameter("The specified nextToken is invalid."); }
ApiError ConstraintViolation(std::string_view value, std::string_view member,
                             std::string_view constraint) {
  return InvalidParameter("1 validation error detected: Value '" + std::string(value) + "' at '" +
                          std::string(member) +
                          "' failed to satisfy constraint: " + std::string(constraint));
}

// ---- Readers ------------------------------------------------------------------------------------

std::string GetString(const json::object& in, std::string_view member) {
  const auto* v = in.if_contains(member);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool HasString(const json::object& in, std::string_view member) {
  const auto* v = in.if_contains(member);
  return v && v->is_string();
}

std::optional<int64_t> GetInt(const json::object& in, std::string_view member) {
  const auto* v = in.if_contains(member);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    uint64_t u = v->get_uint64();
    return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  }
  if (v->is_double()) {
    double d = v->get_double();
    if (!(d >= -9.2e18 && d <= 9.2e18)) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

bool GetBool(const json::object& in, std::string_view member, bool fallback) {
  const auto* v = in.if_contains(member);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

const json::array* GetArray(const json::object& in, std::string_view member) {
  const auto* v = in.if_contains(member);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

const json::object* GetObject(const json::object& in, std::string_view member) {
  const auto* v = in.if_contains(member);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// ---- Constraints --------------------------------------------------------------------------------

namespace {

bool GroupNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '/' || c == '#';
}

}  // namespace

Status CheckGroupName(const json::object& in, std::string_view member) {
  if (!HasString(in, member)) return Ok{};
  std::string v = GetString(in, member);
  for (char c : v)
    if (!GroupNameChar(c))
      return ConstraintViolation(v, member,
                                 "Member must satisfy regular expression pattern: "
                                 "[\\.\\-_/#A-Za-z0-9]+");
  return Ok{};
}

Status CheckStreamName(const json::object& in, std::string_view member) {
  if (!HasString(in, member)) return Ok{};
  std::string v = GetString(in, member);
  if (v.find_first_of(":*") != std::string::npos)
    return ConstraintViolation(v, member, "Member must satisfy regular expression pattern: [^:*]*");
  return Ok{};
}

Result<std::string> ResolveGroupName(const json::object& in, std::string* scope,
                                     bool identifier_allowed) {
  bool has_name = HasString(in, "logGroupName");
  bool has_id = identifier_allowed && HasString(in, "logGroupIdentifier");
  if (has_name && has_id)
    return InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (!has_name && !has_id)
    return InvalidParameter("Either logGroupName or logGroupIdentifier must be specified.");
  if (has_name) {
    auto st = CheckGroupName(in, "logGroupName");
    if (!st) return std::move(st).error();
    return GetString(in, "logGroupName");
  }
  std::string id = GetString(in, "logGroupIdentifier");
  if (id.rfind("arn:", 0) != 0) {
    auto st = CheckGroupName(in, "logGroupIdentifier");
    if (!st) return std::move(st).error();
    return id;
  }
  // arn:<partition>:logs:<region>:<account>:log-group:<name>[:*]
  std::vector<std::string_view> parts;
  std::string_view rest = id;
  for (int i = 0; i < 6; ++i) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) break;
    parts.push_back(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() != 6 || parts[2] != "logs" || parts[5] != "log-group" || rest.empty())
    return InvalidParameter("Invalid log group identifier: " + id);
  if (rest.size() >= 2 && rest.substr(rest.size() - 2) == ":*") rest.remove_suffix(2);
  for (char c : rest)
    if (!GroupNameChar(c)) return InvalidParameter("Invalid log group identifier: " + id);
  if (!parts[3].empty() && !parts[4].empty()) *scope = storage::ScopePrefix(parts[4], parts[3]);
  return std::string(rest);
}

// ---- Keys ---------------------------------------------------------------------------------------

std::string GroupKey(std::string_view scope, std::string_view group) {
  std::string k = "G";
  k += scope;
  storage::AppendOrderedString(&k, group);
  return k;
}

std::string StreamKey(std::string_view scope, std::string_view group, std::string_view stream) {
  std::string k = "S";
  k += scope;
  storage::AppendOrderedString(&k, group);
  storage::AppendOrderedString(&k, stream);
  return k;
}

std::string FilterKey(std::string_view scope, std::string_view group, char kind,
                      std::string_view name) {
  std::string k = "F";
  k += scope;
  storage::AppendOrderedString(&k, group);
  k.push_back(kind);
  storage::AppendOrderedString(&k, name);
  return k;
}

std::string GroupEventsPrefix(std::string_view scope, std::string_view group) {
  std::string k = "E";
  k += scope;
  storage::AppendOrderedString(&k, group);
  return k;
}

std::string StreamEventsPrefix(std::string_view scope, std::string_view group,
                               std::string_view stream) {
  std::string k = GroupEventsPrefix(scope, group);
  storage::AppendOrderedString(&k, stream);
  return k;
}

std::string EventKey(std::string_view stream_prefix, uint64_t timestamp, uint64_t seq) {
  std::string k(stream_prefix);
  storage::AppendUint64(&k, timestamp);
  storage::AppendUint64(&k, seq);
  return k;
}

// ---- Metadata -----------------------------------------------------------------------------------

json::object StreamMeta::ToJson() const {
  json::object o{{"creationTime", creation_time},
                 {"storedBytes", stored_bytes},
                 {"nextSeq", next_seq},
                 {"uploads", uploads}};
  if (first_event) o["firstEventTimestamp"] = *first_event;
  if (last_event) o["lastEventTimestamp"] = *last_event;
  if (last_ingestion) o["lastIngestionTime"] = *last_ingestion;
  return o;
}

json::object GroupMeta::ToJson() const {
  json::object o{{"logGroupName", name},
                 {"creationTime", creation_time},
                 {"logGroupClass", log_group_class},
                 {"deletionProtectionEnabled", deletion_protection}};
  if (retention_days) o["retentionInDays"] = *retention_days;
  if (!kms_key_id.empty()) o["kmsKeyId"] = kms_key_id;
  json::object t;
  for (const auto& [k, v] : tags) t[k] = v;
  o["tags"] = std::move(t);
  return o;
}

StreamView ViewOf(StreamMeta& s) {
  std::lock_guard lock(s.mu);
  return StreamView{s.name,           s.creation_time, s.first_event, s.last_event,
                    s.last_ingestion, s.stored_bytes,  s.uploads};
}

namespace {

// Reads the scope (account, region) and the names that follow a kind byte in a metadata key.
bool ParseMetaKey(std::string_view key, std::string* scope, std::vector<std::string>* names,
                  size_t count, char* filter_kind = nullptr) {
  key.remove_prefix(1);
  std::string account, region;
  if (!storage::ConsumeOrderedString(&key, &account) ||
      !storage::ConsumeOrderedString(&key, &region))
    return false;
  *scope = storage::ScopePrefix(account, region);
  for (size_t i = 0; i < count; ++i) {
    if (filter_kind && i == 1) {
      if (key.empty()) return false;
      *filter_kind = key.front();
      key.remove_prefix(1);
    }
    std::string name;
    if (!storage::ConsumeOrderedString(&key, &name)) return false;
    names->push_back(std::move(name));
  }
  return key.empty();
}

std::optional<int64_t> OptInt(const json::object& o, std::string_view member) {
  return GetInt(o, member);
}

}  // namespace

storage::StorageStatus LogStore::Load() {
  std::lock_guard lock(mu_);
  scopes_.clear();
  auto st = storage::ScanJson(kv(), kKeyspace, "G", {}, [&](std::string_view key, json::value& v) {
    std::string scope;
    std::vector<std::string> names;
    if (!ParseMetaKey(key, &scope, &names, 1) || !v.is_object()) return true;
    const auto& o = v.get_object();
    auto g = std::make_shared<GroupMeta>();
    g->name = names[0];
    g->creation_time = OptInt(o, "creationTime").value_or(0);
    g->retention_days = OptInt(o, "retentionInDays");
    g->kms_key_id = GetString(o, "kmsKeyId");
    if (HasString(o, "logGroupClass")) g->log_group_class = GetString(o, "logGroupClass");
    g->deletion_protection = GetBool(o, "deletionProtectionEnabled", false);
    if (const auto* tags = GetObject(o, "tags"))
      for (const auto& [k, tv] : *tags)
        if (tv.is_string()) g->tags[std::string(k)] = std::string(tv.get_string());
    scopes_[scope][g->name] = std::move(g);
    return true;
  });
  if (!st.ok()) return st;
  st = storage::ScanJson(kv(), kKeyspace, "S", {}, [&](std::string_view key, json::value& v) {
    std::string scope;
    std::vector<std::string> names;
    if (!ParseMetaKey(key, &scope, &names, 2) || !v.is_object()) return true;
    auto* group = FindGroup(scope, names[0]);
    if (!group) return true;
    const auto& o = v.get_object();
    auto s = std::make_shared<StreamMeta>();
    s->name = names[1];
    s->events_prefix = StreamEventsPrefix(scope, names[0], names[1]);
    s->creation_time = OptInt(o, "creationTime").value_or(0);
    s->first_event = OptInt(o, "firstEventTimestamp");
    s->last_event = OptInt(o, "lastEventTimestamp");
    s->last_ingestion = OptInt(o, "lastIngestionTime");
    s->stored_bytes = static_cast<uint64_t>(OptInt(o, "storedBytes").value_or(0));
    s->next_seq = static_cast<uint64_t>(std::max<int64_t>(1, OptInt(o, "nextSeq").value_or(1)));
    s->uploads = static_cast<uint64_t>(OptInt(o, "uploads").value_or(0));
    group->streams[s->name] = std::move(s);
    return true;
  });
  if (!st.ok()) return st;
  return storage::ScanJson(kv(), kKeyspace, "F", {}, [&](std::string_view key, json::value& v) {
    std::string scope;
    std::vector<std::string> names;
    char kind = 0;
    if (!ParseMetaKey(key, &scope, &names, 2, &kind) || !v.is_object()) return true;
    auto* group = FindGroup(scope, names[0]);
    if (!group) return true;
    auto& filters = kind == kMetricFilter ? group->metric_filters : group->subscription_filters;
    filters[names[1]] = v.get_object();
    return true;
  });
}

void LogStore::Clear() {
  std::lock_guard lock(mu_);
  for (auto& [scope, groups] : scopes_)
    for (auto& [name, group] : groups)
      for (auto& [sname, stream] : group->streams) {
        std::lock_guard slock(stream->mu);
        stream->deleted = true;
      }
  scopes_.clear();
}

std::map<std::string, std::shared_ptr<GroupMeta>>& LogStore::Groups(const std::string& scope) {
  return scopes_[scope];
}

GroupMeta* LogStore::FindGroup(const std::string& scope, const std::string& name) {
  auto s = scopes_.find(scope);
  if (s == scopes_.end()) return nullptr;
  auto g = s->second.find(name);
  return g == s->second.end() ? nullptr : g->second.get();
}

Status LogStore::Commit(const storage::WriteBatch& batch) {
  auto st = kv().Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

std::string Call::GroupArn(std::string_view group) const {
  return Arn("logs", ctx.region, ctx.account_id, "log-group:" + std::string(group));
}

// ---- Shared pieces ------------------------------------------------------------------------------

bool IsValidRetention(int64_t days) {
  static constexpr int64_t kValid[] = {1,    3,    5,    7,    14,   30,  60,  90,
                                       120,  150,  180,  365,  400,  545, 731, 1096,
                                       1827, 2192, 2557, 2922, 3288, 3653};
  for (int64_t v : kValid)
    if (v == days) return true;
  return false;
}

int64_t RetentionCutoff(const GroupMeta& group, int64_t now_ms) {
  if (!group.retention_days) return 0;
  int64_t cutoff = now_ms - *group.retention_days * kDayMillis;
  return cutoff > 0 ? cutoff : 0;
}

std::string SequenceToken(uint64_t uploads) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%056llu", static_cast<unsigned long long>(uploads));
  return buf;
}

size_t LimitOf(const json::object& in, size_t fallback) {
  auto v = GetInt(in, "limit");
  if (!v || *v < 1) return fallback;
  return static_cast<size_t>(*v);
}

Result<PageSlice> Page(const std::vector<std::string>& keys, bool descending,
                       const json::object& in, size_t default_limit) {
  PageSlice slice;
  slice.last = keys.size();
  if (HasString(in, "nextToken")) {
    auto raw = Base64Decode(GetString(in, "nextToken"));
    if (!raw || raw->rfind("k1/", 0) != 0) return InvalidNextToken();
    std::string after = raw->substr(3);
    // The first item that sorts after the token's key in answer order.
    auto it = descending ? std::upper_bound(
                               keys.begin(), keys.end(), after,
                               [](const std::string& a, const std::string& b) { return a > b; })
                         : std::upper_bound(keys.begin(), keys.end(), after);
    slice.first = static_cast<size_t>(it - keys.begin());
  }
  size_t limit = LimitOf(in, default_limit);
  if (keys.size() - slice.first > limit) {
    slice.last = slice.first + limit;
    slice.next_token = Base64Encode("k1/" + keys[slice.last - 1]);
  }
  return slice;
}

Result<std::shared_ptr<const FilterPattern>> ParsePattern(std::string_view text) {
  // Patterns repeat (a tail --follow polls the same one every few seconds): parse each once.
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const FilterPattern>> cache;
  {
    std::lock_guard lock(mu);
    auto it = cache.find(std::string(text));
    if (it != cache.end()) return it->second;
  }
  std::string error;
  auto pattern = FilterPattern::Parse(text, &error);
  if (!pattern) return InvalidParameter(error);
  std::lock_guard lock(mu);
  if (cache.size() >= 512) cache.clear();
  cache.emplace(std::string(text), pattern);
  return pattern;
}

}  // namespace nimbus::logs
