// Inline policies of roles, users and groups: Put/Get/Delete/List{Role,User,Group}Policy.
// They live inside the entity's document ("InlinePolicies": name → policy text), so a put and
// the entity it belongs to change together.
#include <boost/json.hpp>

#include "services/iam/iam_common.h"
#include "services/iam/policy_document.h"

namespace nimbus::iam {

namespace {

json::object* InlinePolicies(json::object& entity) {
  json::value& v = entity["InlinePolicies"];
  if (!v.is_object()) v = json::object();
  return &v.get_object();
}

ApiError PolicyNotFound(const EntityType& type, std::string_view policy) {
  return NoSuchEntity("The " + std::string(type.kind) + " policy with name " + std::string(policy) +
                      " cannot be found.");
}

Status Save(Call& call, const EntityType& type, const json::object& entity) {
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), type.kind, GetString(entity, type.name_member)),
                 entity);
  return call.store.Commit(batch);
}

Result<Document> PutPolicy(Call& call, const json::object& in, const EntityType& type) {
  auto st =
      Constraints(in).Name(type.name_member).Name("PolicyName").Document("PolicyDocument").Finish();
  if (!st) return std::move(st).error();
  std::string name = GetString(in, type.name_member);
  std::string policy = GetString(in, "PolicyName");
  std::string document = GetString(in, "PolicyDocument");
  auto entity = call.store.GetEntity(call.account(), type, name);
  if (!entity) return std::move(entity).error();
  if (auto problem = CheckPolicyDocument(document, PolicyKind::kInline))
    return MalformedPolicyDocument(*problem);
  json::object* policies = InlinePolicies(*entity);
  size_t total = PolicySize(document);
  for (const auto& [k, v] : *policies)
    if (k != policy && v.is_string()) total += PolicySize(v.get_string());
  if (total > type.inline_policy_quota)
    return LimitExceeded("Maximum policy size of " + std::to_string(type.inline_policy_quota) +
                         " bytes exceeded for " + std::string(type.kind) + " " + name);
  (*policies)[policy] = document;
  if (auto saved = Save(call, type, *entity); !saved) return std::move(saved).error();
  return json::value(json::object());
}

Result<Document> GetPolicy(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Name("PolicyName").Finish(); !st)
    return std::move(st).error();
  std::string policy = GetString(in, "PolicyName");
  auto entity = call.store.GetEntity(call.account(), type, GetString(in, type.name_member));
  if (!entity) return std::move(entity).error();
  const json::value* document = InlinePolicies(*entity)->if_contains(policy);
  if (!document || !document->is_string()) return PolicyNotFound(type, policy);
  return json::value{{type.name_member, GetString(*entity, type.name_member)},
                     {"PolicyName", policy},
                     {"PolicyDocument", EncodeDocument(document->get_string())}};
}

Result<Document> DeletePolicy(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Name("PolicyName").Finish(); !st)
    return std::move(st).error();
  std::string policy = GetString(in, "PolicyName");
  auto entity = call.store.GetEntity(call.account(), type, GetString(in, type.name_member));
  if (!entity) return std::move(entity).error();
  json::object* policies = InlinePolicies(*entity);
  if (!policies->erase(policy)) return PolicyNotFound(type, policy);
  if (policies->empty()) entity->erase("InlinePolicies");
  if (auto saved = Save(call, type, *entity); !saved) return std::move(saved).error();
  return json::value(json::object());
}

Result<Document> ListPolicies(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Finish(); !st) return std::move(st).error();
  auto entity = call.store.GetEntity(call.account(), type, GetString(in, type.name_member));
  if (!entity) return std::move(entity).error();
  std::vector<ListItem> items;
  for (const auto& [k, v] : *InlinePolicies(*entity))
    items.push_back({std::string(k), json::value(json::string(k))});
  json::object out;
  if (auto st = Paginate(in, std::move(items), "PolicyNames", &out); !st)
    return std::move(st).error();
  return json::value(std::move(out));
}

void AddFor(HandlerTable* table, const EntityType& type) {
  std::string title(type.title);
  const EntityType* t = &type;
  table->emplace_back("Put" + title + "Policy",
                      [t](Call& c, const json::object& in) { return PutPolicy(c, in, *t); });
  table->emplace_back("Get" + title + "Policy",
                      [t](Call& c, const json::object& in) { return GetPolicy(c, in, *t); });
  table->emplace_back("Delete" + title + "Policy",
                      [t](Call& c, const json::object& in) { return DeletePolicy(c, in, *t); });
  table->emplace_back("List" + title + "Policies",
                      [t](Call& c, const json::object& in) { return ListPolicies(c, in, *t); });
}

}  // namespace

void AddInlinePolicyHandlers(HandlerTable* table) {
  AddFor(table, kRoleType);
  AddFor(table, kUserType);
  AddFor(table, kGroupType);
}

}  // namespace nimbus::iam
