// Instance profiles: Create/Get/Delete/ListInstanceProfiles, Add/RemoveRoleFromInstanceProfile,
// ListInstanceProfilesForRole and profile tags. The profile lists its role ("Roles") and the
// role its profiles ("InstanceProfiles"), changed together.
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: roles per profile.
constexpr size_t kMaxRolesPerProfile = 1;

json::array* Names(json::object& doc, std::string_view member) {
  json::value& v = doc[member];
  if (!v.is_array()) v = json::array();
  return &v.get_array();
}

json::array::iterator FindName(json::array& names, std::string_view name) {
  return std::find_if(names.begin(), names.end(), [&](const json::value& v) {
    return v.is_string() && Lower(v.get_string()) == Lower(name);
  });
}

Result<json::object> ProfileView(Call& call, json::object& profile, bool with_tags) {
  json::object view =
      Pick(profile, {"Path", "InstanceProfileName", "InstanceProfileId", "Arn", "CreateDate"});
  json::array roles;
  for (const auto& name : *Names(profile, "Roles")) {
    if (!name.is_string()) continue;
    auto role = call.store.Get(EntityKey(call.account(), kind::kRole, name.get_string()));
    if (!role) return std::move(role).error();
    if (role->has_value()) roles.push_back(RoleView(**role, false));
  }
  view["Roles"] = std::move(roles);
  if (with_tags)
    if (const json::value* tags = profile.if_contains("Tags")) view["Tags"] = *tags;
  return view;
}

Result<Document> CreateInstanceProfile(Call& call, const json::object& in) {
  auto st = Constraints(in).Name("InstanceProfileName").Path("Path").Tags("Tags").Finish();
  if (!st) return std::move(st).error();
  if (auto tags = CheckNewTags(in); !tags) return std::move(tags).error();
  std::string name = GetString(in, "InstanceProfileName");
  std::string key = EntityKey(call.account(), kind::kProfile, name);
  auto existing = call.store.Get(key);
  if (!existing) return std::move(existing).error();
  if (existing->has_value())
    return EntityAlreadyExists("Instance Profile " + name + " already exists.");
  std::string path = HasString(in, "Path") ? GetString(in, "Path") : "/";
  json::object profile{{"Path", path},
                       {"InstanceProfileName", name},
                       {"InstanceProfileId", "AIPA" + RandomAlnum(17, true)},
                       {"Arn", call.Arn("instance-profile", path, name)},
                       {"CreateDate", call.Now()}};
  if (const json::array* tags = GetArray(in, "Tags")) {
    if (auto t = MergeTags(&profile, *tags); !t) return std::move(t).error();
  }
  storage::WriteBatch batch;
  call.store.Put(batch, key, profile);
  if (auto c = call.store.Commit(batch); !c) return std::move(c).error();
  auto view = ProfileView(call, profile, true);
  if (!view) return std::move(view).error();
  return json::value{{"InstanceProfile", std::move(*view)}};
}

Result<Document> GetInstanceProfile(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("InstanceProfileName").Finish(); !st)
    return std::move(st).error();
  auto profile =
      call.store.GetEntity(call.account(), kProfileType, GetString(in, "InstanceProfileName"));
  if (!profile) return std::move(profile).error();
  auto view = ProfileView(call, *profile, true);
  if (!view) return std::move(view).error();
  return json::value{{"InstanceProfile", std::move(*view)}};
}

Result<Document> DeleteInstanceProfile(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("InstanceProfileName").Finish(); !st)
    return std::move(st).error();
  std::string name = GetString(in, "InstanceProfileName");
  auto profile = call.store.GetEntity(call.account(), kProfileType, name);
  if (!profile) return std::move(profile).error();
  if (!Names(*profile, "Roles")->empty())
    return DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  storage::WriteBatch batch;
  call.store.Delete(batch, EntityKey(call.account(), kind::kProfile, name));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListInstanceProfiles(Call& call, const json::object& in) {
  if (auto st = Constraints(in).PathPrefix("PathPrefix").Finish(); !st)
    return std::move(st).error();
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  auto profiles = call.store.Scan(KindPrefix(call.account(), kind::kProfile));
  if (!profiles) return std::move(profiles).error();
  std::vector<ListItem> items;
  for (auto& profile : *profiles) {
    if (GetString(profile, "Path").rfind(prefix, 0) != 0) continue;
    auto view = ProfileView(call, profile, false);
    if (!view) return std::move(view).error();
    items.push_back({Lower(GetString(profile, "InstanceProfileName")), std::move(*view)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "InstanceProfiles", &out); !st)
    return std::move(st).error();
  return json::value(std::move(out));
}

// Loads the profile and the role a membership change names.
Result<std::pair<json::object, json::object>> LoadPair(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("InstanceProfileName").Name("RoleName").Finish(); !st)
    return std::move(st).error();
  auto profile =
      call.store.GetEntity(call.account(), kProfileType, GetString(in, "InstanceProfileName"));
  if (!profile) return std::move(profile).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  return std::make_pair(std::move(*profile), std::move(*role));
}

Status SavePair(Call& call, const json::object& profile, const json::object& role) {
  storage::WriteBatch batch;
  call.store.Put(
      batch, EntityKey(call.account(), kind::kProfile, GetString(profile, "InstanceProfileName")),
      profile);
  call.store.Put(batch, EntityKey(call.account(), kind::kRole, GetString(role, "RoleName")), role);
  return call.store.Commit(batch);
}

Result<Document> AddRoleToInstanceProfile(Call& call, const json::object& in) {
  auto pair = LoadPair(call, in);
  if (!pair) return std::move(pair).error();
  auto& [profile, role] = *pair;
  json::array* roles = Names(profile, "Roles");
  if (roles->size() >= kMaxRolesPerProfile)
    return LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: " +
                         std::to_string(kMaxRolesPerProfile));
  roles->push_back(json::value(GetString(role, "RoleName")));
  Names(role, "InstanceProfiles")
      ->push_back(json::value(GetString(profile, "InstanceProfileName")));
  if (auto st = SavePair(call, profile, role); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> RemoveRoleFromInstanceProfile(Call& call, const json::object& in) {
  auto pair = LoadPair(call, in);
  if (!pair) return std::move(pair).error();
  auto& [profile, role] = *pair;
  std::string role_name = GetString(role, "RoleName");
  json::array* roles = Names(profile, "Roles");
  auto it = FindName(*roles, role_name);
  if (it == roles->end())
    return NoSuchEntity("The role with name " + role_name +
                        " cannot be found in instance profile " +
                        GetString(profile, "InstanceProfileName") + ".");
  roles->erase(it);
  json::array* profiles = Names(role, "InstanceProfiles");
  if (auto p = FindName(*profiles, GetString(profile, "InstanceProfileName")); p != profiles->end())
    profiles->erase(p);
  if (roles->empty()) profile.erase("Roles");
  if (profiles->empty()) role.erase("InstanceProfiles");
  if (auto st = SavePair(call, profile, role); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListInstanceProfilesForRole(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("RoleName").Finish(); !st) return std::move(st).error();
  auto role = call.store.GetEntity(call.account(), kRoleType, GetString(in, "RoleName"));
  if (!role) return std::move(role).error();
  std::vector<ListItem> items;
  for (const auto& name : *Names(*role, "InstanceProfiles")) {
    if (!name.is_string()) continue;
    auto profile = call.store.Get(EntityKey(call.account(), kind::kProfile, name.get_string()));
    if (!profile) return std::move(profile).error();
    if (!profile->has_value()) continue;
    auto view = ProfileView(call, **profile, false);
    if (!view) return std::move(view).error();
    items.push_back({Lower(name.get_string()), std::move(*view)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "InstanceProfiles", &out); !st)
    return std::move(st).error();
  return json::value(std::move(out));
}

}  // namespace

void AddInstanceProfileHandlers(HandlerTable* table) {
  table->emplace_back("CreateInstanceProfile", CreateInstanceProfile);
  table->emplace_back("GetInstanceProfile", GetInstanceProfile);
  table->emplace_back("DeleteInstanceProfile", DeleteInstanceProfile);
  table->emplace_back("ListInstanceProfiles", ListInstanceProfiles);
  table->emplace_back("AddRoleToInstanceProfile", AddRoleToInstanceProfile);
  table->emplace_back("RemoveRoleFromInstanceProfile", RemoveRoleFromInstanceProfile);
  table->emplace_back("ListInstanceProfilesForRole", ListInstanceProfilesForRole);
  table->emplace_back("TagInstanceProfile", [](Call& c, const json::object& in) {
    return TagEntity(c, in, kProfileType);
  });
  table->emplace_back("UntagInstanceProfile", [](Call& c, const json::object& in) {
    return UntagEntity(c, in, kProfileType);
  });
  table->emplace_back("ListInstanceProfileTags", [](Call& c, const json::object& in) {
    return ListEntityTags(c, in, kProfileType);
  });
}

}  // namespace nimbus::iam
