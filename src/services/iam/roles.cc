// Roles: CreateRole, GetRole, DeleteRole, ListRoles, UpdateRole, UpdateRoleDescription,
// UpdateAssumeRolePolicy, permissions boundaries and role tags.
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "services/iam/iam_common.h"
#include "services/iam/policy_document.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: role trust policy length.
constexpr size_t kTrustPolicyQuota = 2048;

// The trust policy checks of CreateRole and UpdateAssumeRolePolicy.
Status CheckTrustPolicy(std::string_view document) {
  if (auto problem = CheckPolicyDocument(document, PolicyKind::kTrust))
    return MalformedPolicyDocument(*problem);
  if (PolicySize(document) > kTrustPolicyQuota)
    return LimitExceeded("Cannot exceed quota for ACLSizePerRole: " +
                         std::to_string(kTrustPolicyQuota));
  return Ok{};
}

json::object BoundaryView(std::string_view arn) {
  return json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                      {"PermissionsBoundaryArn", arn}};
}

Result<Document> Put(Call& call, const json::object& role) {
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), kind::kRole, GetString(role, "RoleName")), role);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> CreateRole(Call& call, const json::object& in) {
  auto st = Constraints(in)
                .Name("RoleName")
                .Path("Path")
                .Document("AssumeRolePolicyDocument")
                .Description("Description")
                .Tags("Tags")
                .Finish();
  if (!st) return std::move(st).error();
  std::string name = GetString(in, "RoleName");
  std::string document = GetString(in, "AssumeRolePolicyDocument");
  if (auto trust = CheckTrustPolicy(document); !trust) return std::move(trust).error();
  if (auto tags = CheckNewTags(in); !tags) return std::move(tags).error();
  std::string boundary = GetString(in, "PermissionsBoundary");
  if (HasString(in, "PermissionsBoundary")) {
    if (auto b = CheckPermissionsBoundary(call, boundary); !b) return std::move(b).error();
  }
  std::string key = EntityKey(call.account(), kind::kRole, name);
  auto existing = call.store.Get(key);
  if (!existing) return std::move(existing).error();
  if (existing->has_value())
    return EntityAlreadyExists("Role with name " + name + " already exists.");

  std::string path = HasString(in, "Path") ? GetString(in, "Path") : "/";
  json::object role{{"Path", path},
                    {"RoleName", name},
                    {"RoleId", "AROA" + RandomAlnum(17, true)},
                    {"Arn", call.Arn("role", path, name)},
                    {"CreateDate", call.Now()},
                    {"AssumeRolePolicyDocument", document},
                    {"MaxSessionDuration", GetInt(in, "MaxSessionDuration").value_or(3600)}};
  if (HasString(in, "Description")) role["Description"] = GetString(in, "Description");
  if (!boundary.empty()) role["PermissionsBoundary"] = BoundaryView(boundary);
  if (const json::array* tags = GetArray(in, "Tags")) {
    if (auto t = MergeTags(&role, *tags); !t) return std::move(t).error();
  }
  storage::WriteBatch batch;
  call.store.Put(batch, key, role);
  if (auto c = call.store.Commit(batch); !c) return std::move(c).error();
  return json::value{{"Role", RoleView(role, true)}};
}

Result<Document> GetRole(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Finish(); !st) return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  json::object view = RoleView(*role, true);
  view["RoleLastUsed"] = json::object();
  return json::value{{"Role", std::move(view)}};
}

Result<Document> DeleteRole(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Finish(); !st) return std::move(st).error();
  std::string name = GetString(in, "RoleName");
  auto role = call.store.GetEntity(call.account(), kRoleType, name);
  if (!role) return std::move(role).error();
  if (const json::array* profiles = GetArray(*role, "InstanceProfiles");
      profiles && !profiles->empty())
    return DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  if (const json::array* attached = GetArray(*role, "AttachedPolicies");
      attached && !attached->empty())
    return DeleteConflict("Cannot delete entity, must detach all policies first.");
  if (const json::value* inline_policies = role->if_contains("InlinePolicies");
      inline_policies && inline_policies->is_object() && !inline_policies->get_object().empty())
    return DeleteConflict("Cannot delete entity, must delete policies first.");
  storage::WriteBatch batch;
  call.store.Delete(batch, EntityKey(call.account(), kind::kRole, name));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListRoles(Call& call, const json::object& in) {
  if (auto st = Constraints(in).PathPrefix("PathPrefix").Finish(); !st)
    return std::move(st).error();
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  auto roles = call.store.Scan(KindPrefix(call.account(), kind::kRole));
  if (!roles) return std::move(roles).error();
  std::vector<ListItem> items;
  for (const auto& role : *roles) {
    if (GetString(role, "Path").rfind(prefix, 0) != 0) continue;
    items.push_back({Lower(GetString(role, "RoleName")), RoleView(role, false)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Roles", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

Result<Document> UpdateRole(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Description("Description").Finish(); !st)
    return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  if (HasString(in, "Description")) (*role)["Description"] = GetString(in, "Description");
  if (auto d = GetInt(in, "MaxSessionDuration")) (*role)["MaxSessionDuration"] = *d;
  return Put(call, *role);
}

Result<Document> UpdateRoleDescription(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Description("Description").Finish(); !st)
    return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  (*role)["Description"] = GetString(in, "Description");
  if (auto put = Put(call, *role); !put) return std::move(put).error();
  return json::value{{"Role", RoleView(*role, true)}};
}

Result<Document> UpdateAssumeRolePolicy(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Document("PolicyDocument").Finish(); !st)
    return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  std::string document = GetString(in, "PolicyDocument");
  if (auto trust = CheckTrustPolicy(document); !trust) return std::move(trust).error();
  (*role)["AssumeRolePolicyDocument"] = document;
  return Put(call, *role);
}

Result<Document> PutRolePermissionsBoundary(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Finish(); !st) return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  std::string arn = GetString(in, "PermissionsBoundary");
  if (auto b = CheckPermissionsBoundary(call, arn); !b) return std::move(b).error();
  (*role)["PermissionsBoundary"] = BoundaryView(arn);
  return Put(call, *role);
}

Result<Document> DeleteRolePermissionsBoundary(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Finish(); !st) return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  role->erase("PermissionsBoundary");
  return Put(call, *role);
}

}  // namespace

json::object RoleView(const json::object& role, bool full) {
  json::object view = Pick(role, {"Path", "RoleName", "RoleId", "Arn", "CreateDate"});
  view["AssumeRolePolicyDocument"] = EncodeDocument(GetString(role, "AssumeRolePolicyDocument"));
  for (std::string_view m : {"Description", "MaxSessionDuration"})
    if (const json::value* v = role.if_contains(m)) view[m] = *v;
  if (full) {
    for (std::string_view m : {"PermissionsBoundary", "Tags"})
      if (const json::value* v = role.if_contains(m)) view[m] = *v;
  }
  return view;
}

void AddRoleHandlers(HandlerTable* table) {
  table->emplace_back("CreateRole", CreateRole);
  table->emplace_back("GetRole", GetRole);
  table->emplace_back("DeleteRole", DeleteRole);
  table->emplace_back("ListRoles", ListRoles);
  table->emplace_back("UpdateRole", UpdateRole);
  table->emplace_back("UpdateRoleDescription", UpdateRoleDescription);
  table->emplace_back("UpdateAssumeRolePolicy", UpdateAssumeRolePolicy);
  table->emplace_back("PutRolePermissionsBoundary", PutRolePermissionsBoundary);
  table->emplace_back("DeleteRolePermissionsBoundary", DeleteRolePermissionsBoundary);
  table->emplace_back("TagRole",
                      [](Call& c, const json::object& in) { return TagEntity(c, in, kRoleType); });
  table->emplace_back(
      "UntagRole", [](Call& c, const json::object& in) { return UntagEntity(c, in, kRoleType); });
  table->emplace_back("ListRoleTags", [](Call& c, const json::object& in) {
    return ListEntityTags(c, in, kRoleType);
  });
}

}  // namespace nimbus::iam
