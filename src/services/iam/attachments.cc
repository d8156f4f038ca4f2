// Managed policy attachments: Attach/Detach/ListAttached{Role,User,Group}Policies and
// ListEntitiesForPolicy. An attachment is recorded twice, in one batch: in the entity's
// "AttachedPolicies" (for listing per entity) and under the policy's attachment prefix (for
// AttachmentCount, ListEntitiesForPolicy and the DeletePolicy conflict check).
#include <boost/json.hpp>
#include <cstdio>

#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: managed policies per
// role, user and group (default quota).
constexpr size_t kMaxAttached = 10;

json::array* Attached(json::object& entity) {
  json::value& v = entity["AttachedPolicies"];
  if (!v.is_array()) v = json::array();
  return &v.get_array();
}

json::array::iterator FindAttached(json::array& attached, std::string_view arn) {
  return std::find_if(attached.begin(), attached.end(), [&](const json::value& v) {
    return v.is_object() && Lower(GetString(v.get_object(), "PolicyArn")) == Lower(arn);
  });
}

Result<Document> Attach(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Finish(); !st) return std::move(st).error();
  std::string name = GetString(in, type.name_member);
  auto entity = call.store.GetEntity(call.account(), type, name);
  if (!entity) return std::move(entity).error();
  auto policy = FindAttachablePolicy(call, GetString(in, "PolicyArn"));
  if (!policy) return std::move(policy).error();
  json::array* attached = Attached(*entity);
  // Attaching an attached policy again succeeds and changes nothing.
  if (FindAttached(*attached, policy->arn) != attached->end()) return json::value(json::object());
  if (attached->size() >= kMaxAttached)
    return LimitExceeded("Cannot exceed quota for PoliciesPer" + std::string(type.title) + ": " +
                         std::to_string(kMaxAttached));
  attached->push_back(json::object{{"PolicyName", policy->name}, {"PolicyArn", policy->arn}});
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), type.kind, name), *entity);
  call.store.Put(batch, AttachmentKey(call.account(), policy->arn, type.kind, name),
                 json::object{{"PolicyArn", policy->arn},
                              {"EntityType", type.title},
                              {"EntityName", GetString(*entity, type.name_member)},
                              {"EntityId", GetString(*entity, type.id_member)},
                              {"EntityPath", GetString(*entity, "Path")}});
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> Detach(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Finish(); !st) return std::move(st).error();
  std::string name = GetString(in, type.name_member);
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  auto entity = call.store.GetEntity(call.account(), type, name);
  if (!entity) return std::move(entity).error();
  json::array* attached = Attached(*entity);
  auto it = FindAttached(*attached, arn);
  if (it == attached->end()) return NoSuchEntity(PolicyNotFoundMessage(arn));
  std::string stored_arn = GetString(it->get_object(), "PolicyArn");
  attached->erase(it);
  if (attached->empty()) entity->erase("AttachedPolicies");
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), type.kind, name), *entity);
  call.store.Delete(batch, AttachmentKey(call.account(), stored_arn, type.kind, name));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListAttached(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).PolicyPath("PathPrefix").Finish(); !st)
    return std::move(st).error();
  auto entity = call.store.GetEntity(call.account(), type, GetString(in, type.name_member));
  if (!entity) return std::move(entity).error();
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  std::vector<ListItem> items;
  size_t i = 0;
  for (const auto& a : *Attached(*entity)) {
    if (!a.is_object()) continue;
    auto parsed = ParsePolicyArn(GetString(a.get_object(), "PolicyArn"));
    if (!parsed || parsed->path.rfind(prefix, 0) != 0) continue;
    char key[16];
    std::snprintf(key, sizeof(key), "%08zu", i++);
    items.push_back({key, a});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "AttachedPolicies", &out); !st)
    return std::move(st).error();
  return json::value(std::move(out));
}

Result<Document> ListEntitiesForPolicy(Call& call, const json::object& in) {
  if (auto st = Constraints(in).PathPrefix("PathPrefix").Finish(); !st)
    return std::move(st).error();
  std::string arn = GetString(in, "PolicyArn");
  auto policy = FindAttachablePolicy(call, arn);
  if (!policy) return std::move(policy).error();
  std::string filter = GetString(in, "EntityFilter");
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  auto records = call.store.Scan(AttachmentPrefix(call.account(), policy->arn));
  if (!records) return std::move(records).error();
  json::array groups, users, roles;
  for (const auto& r : *records) {
    std::string type = GetString(r, "EntityType");
    if (!filter.empty() && filter != type) continue;
    if (GetString(r, "EntityPath").rfind(prefix, 0) != 0) continue;
    std::string name = GetString(r, "EntityName");
    std::string id = GetString(r, "EntityId");
    if (type == "Group") groups.push_back(json::object{{"GroupName", name}, {"GroupId", id}});
    if (type == "User") users.push_back(json::object{{"UserName", name}, {"UserId", id}});
    if (type == "Role") roles.push_back(json::object{{"RoleName", name}, {"RoleId", id}});
  }
  return json::value{{"PolicyGroups", std::move(groups)},
                     {"PolicyUsers", std::move(users)},
                     {"PolicyRoles", std::move(roles)},
                     {"IsTruncated", false}};
}

void AddFor(HandlerTable* table, const EntityType& type) {
  std::string title(type.title);
  const EntityType* t = &type;
  table->emplace_back("Attach" + title + "Policy",
                      [t](Call& c, const json::object& in) { return Attach(c, in, *t); });
  table->emplace_back("Detach" + title + "Policy",
                      [t](Call& c, const json::object& in) { return Detach(c, in, *t); });
  table->emplace_back("ListAttached" + title + "Policies",
                      [t](Call& c, const json::object& in) { return ListAttached(c, in, *t); });
}

}  // namespace

void AddAttachmentHandlers(HandlerTable* table) {
  AddFor(table, kRoleType);
  AddFor(table, kUserType);
  AddFor(table, kGroupType);
  table->emplace_back("ListEntitiesForPolicy", ListEntitiesForPolicy);
}

}  // namespace nimbus::iam
