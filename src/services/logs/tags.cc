// Tags of log groups: the legacy TagLogGroup, UntagLogGroup, ListTagsLogGroup (by name) and
// TagResource, UntagResource, ListTagsForResource (by ARN).
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/logs_common.h"

namespace nimbus::logs {

namespace {

constexpr size_t kMaxTags = 50;

ApiError TooManyTags(std::string_view arn) {
  ApiError e("TooManyTagsException", 400, "A resource can have no more than 50 tags.");
  e.extra["resourceName"] = std::string(arn);
  return e;
}

// The group a resource ARN names: arn:aws:logs:<region>:<account>:log-group:<name>[:*].
Result<std::pair<std::string, std::string>> GroupOfArn(const Call& c, const json::object& in) {
  std::string arn = GetString(in, "resourceArn");
  json::object as_identifier{{"logGroupIdentifier", arn}};
  std::string scope = c.scope;
  if (arn.rfind("arn:", 0) != 0) return InvalidParameter("Invalid resource arn: " + arn);
  auto name = ResolveGroupName(as_identifier, &scope);
  if (!name) {
    // A well-formed ARN of another resource type (destinations, delivery sources...) that
    // nimbus does not keep.
    if (arn.find(":logs:") != std::string::npos)
      return ResourceNotFound("The specified resource does not exist.");
    return InvalidParameter("Invalid resource arn: " + arn);
  }
  return std::make_pair(scope, *name);
}

Status Persist(Call& c, const std::string& scope, const GroupMeta& g) {
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, GroupKey(scope, g.name), g.ToJson());
  return c.store.Commit(batch);
}

// Adds `tags`; `too_many` is the error past 50 tags.
Result<Document> AddTags(Call& c, const std::string& scope, const std::string& name,
                         const json::object* tags, const ApiError& too_many) {
  if (!tags) return ConstraintViolation("null", "tags", "Member must not be null");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(scope, name);
  if (!g) return GroupNotFound();
  auto merged = g->tags;
  for (const auto& [k, v] : *tags) {
    if (!v.is_string()) return InvalidParameter("Tag values must be strings.");
    merged[std::string(k)] = std::string(v.get_string());
  }
  if (merged.size() > kMaxTags) return too_many;
  std::swap(g->tags, merged);
  if (auto st = Persist(c, scope, *g); !st) {
    std::swap(g->tags, merged);
    return std::move(st).error();
  }
  return json::value(json::object());
}

Result<Document> RemoveTags(Call& c, const std::string& scope, const std::string& name,
                            const json::array* keys) {
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(scope, name);
  if (!g) return GroupNotFound();
  auto kept = g->tags;
  if (keys)
    for (const auto& k : *keys)
      if (k.is_string()) kept.erase(std::string(k.get_string()));
  std::swap(g->tags, kept);
  if (auto st = Persist(c, scope, *g); !st) {
    std::swap(g->tags, kept);
    return std::move(st).error();
  }
  return json::value(json::object());
}

Result<Document> ListTags(Call& c, const std::string& scope, const std::string& name) {
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(scope, name);
  if (!g) return GroupNotFound();
  json::object tags;
  for (const auto& [k, v] : g->tags) tags[k] = v;
  return json::value{{"tags", std::move(tags)}};
}

Result<Document> TagLogGroup(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  return AddTags(c, c.scope, GetString(in, "logGroupName"), GetObject(in, "tags"),
                 InvalidParameter("A resource can have no more than 50 tags."));
}

Result<Document> UntagLogGroup(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  return RemoveTags(c, c.scope, GetString(in, "logGroupName"), GetArray(in, "tags"));
}

Result<Document> ListTagsLogGroup(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  return ListTags(c, c.scope, GetString(in, "logGroupName"));
}

Result<Document> TagResource(Call& c, const json::object& in) {
  auto target = GroupOfArn(c, in);
  if (!target) return std::move(target).error();
  return AddTags(c, target->first, target->second, GetObject(in, "tags"),
                 TooManyTags(GetString(in, "resourceArn")));
}

Result<Document> UntagResource(Call& c, const json::object& in) {
  auto target = GroupOfArn(c, in);
  if (!target) return std::move(target).error();
  return RemoveTags(c, target->first, target->second, GetArray(in, "tagKeys"));
}

Result<Document> ListTagsForResource(Call& c, const json::object& in) {
  auto target = GroupOfArn(c, in);
  if (!target) return std::move(target).error();
  return ListTags(c, target->first, target->second);
}

}  // namespace

void AddTagHandlers(HandlerTable* table) {
  table->emplace_back("TagLogGroup", TagLogGroup);
  table->emplace_back("UntagLogGroup", UntagLogGroup);
  table->emplace_back("ListTagsLogGroup", ListTagsLogGroup);
  table->emplace_back("TagResource", TagResource);
  table->emplace_back("UntagResource", UntagResource);
  table->emplace_back("ListTagsForResource", ListTagsForResource);
}

}  // namespace nimbus::logs
