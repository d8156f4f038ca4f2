// Groups: CreateGroup, GetGroup, DeleteGroup, ListGroups, UpdateGroup, AddUserToGroup,
// RemoveUserFromGroup, ListGroupsForUser. Membership is kept on both sides ("Users" of the group,
// "Groups" of the user) and changed in one batch.
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
constexpr size_t kMaxGroupsPerUser = 10;

json::object GroupView(const json::object& group) {
  return Pick(group, {"Path", "GroupName", "GroupId", "Arn", "CreateDate"});
}

json::array* Members(json::object& doc, std::string_view member) {
  json::value& v = doc[member];
  if (!v.is_array()) v = json::array();
  return &v.get_array();
}

json::array::iterator FindName(json::array& names, std::string_view name) {
  return std::find_if(names.begin(), names.end(), [&](const json::value& v) {
    return v.is_string() && Lower(v.get_string()) == Lower(name);
  });
}

Result<Document> CreateGroup(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("GroupName").Path("Path").Finish(); !st)
    return std::move(st).error();
  std::string name = GetString(in, "GroupName");
  std::string key = EntityKey(call.account(), kind::kGroup, name);
  auto existing = call.store.Get(key);
  if (!existing) return std::move(existing).error();
  if (existing->has_value())
    return EntityAlreadyExists("Group with name " + name + " already exists.");
  std::string path = HasString(in, "Path") ? GetString(in, "Path") : "/";
  json::object group{{"Path", path},
                     {"GroupName", name},
                     {"GroupId", "AGPA" + RandomAlnum(17, true)},
                     {"Arn", call.Arn("group", path, name)},
                     {"CreateDate", call.Now()}};
  storage::WriteBatch batch;
  call.store.Put(batch, key, group);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value{{"Group", GroupView(group)}};
}

Result<Document> GetGroup(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("GroupName").Finish(); !st) return std::move(st).error();
  auto group = call.store.GetEntity(call.account(), kGroupType, GetString(in, "GroupName"));
  if (!group) return std::move(group).error();
  std::vector<ListItem> items;
  for (const auto& name : *Members(*group, "Users")) {
    if (!name.is_string()) continue;
    auto user = call.store.Get(EntityKey(call.account(), kind::kUser, name.get_string()));
    if (!user) return std::move(user).error();
    if (user->has_value()) items.push_back({Lower(name.get_string()), UserView(**user, false)});
  }
  json::object out{{"Group", GroupView(*group)}};
  if (auto st = Paginate(in, std::move(items), "Users", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

Result<Document> DeleteGroup(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("GroupName").Finish(); !st) return std::move(st).error();
  std::string name = GetString(in, "GroupName");
  auto group = call.store.GetEntity(call.account(), kGroupType, name);
  if (!group) return std::move(group).error();
  if (!Members(*group, "Users")->empty())
    return DeleteConflict("Cannot delete entity, must remove users from group first.");
  if (!Members(*group, "AttachedPolicies")->empty())
    return DeleteConflict("Cannot delete entity, must detach all policies first.");
  if (const json::value* p = group->if_contains("InlinePolicies");
      p && p->is_object() && !p->get_object().empty())
    return DeleteConflict("Cannot delete entity, must delete policies first.");
  storage::WriteBatch batch;
  call.store.Delete(batch, EntityKey(call.account(), kind::kGroup, name));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListGroups(Call& call, const json::object& in) {
  if (auto st = Constraints(in).PathPrefix("PathPrefix").Finish(); !st)
    return std::move(st).error();
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  auto groups = call.store.Scan(KindPrefix(call.account(), kind::kGroup));
  if (!groups) return std::move(groups).error();
  std::vector<ListItem> items;
  for (const auto& group : *groups) {
    if (GetString(group, "Path").rfind(prefix, 0) != 0) continue;
    items.push_back({Lower(GetString(group, "GroupName")), GroupView(group)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Groups", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

// UpdateGroup renames or moves a group, with its members' group lists and attachment records.
Result<Document> UpdateGroup(Call& call, const json::object& in) {
  auto st = Constraints(in).Name("GroupName").Name("NewGroupName").Path("NewPath").Finish();
  if (!st) return std::move(st).error();
  auto group = call.store.GetEntity(call.account(), kGroupType, GetString(in, "GroupName"));
  if (!group) return std::move(group).error();
  std::string old_name = GetString(*group, "GroupName");
  std::string name = HasString(in, "NewGroupName") ? GetString(in, "NewGroupName") : old_name;
  std::string path =
      HasString(in, "NewPath") ? GetString(in, "NewPath") : GetString(*group, "Path");
  std::string old_key = EntityKey(call.account(), kind::kGroup, old_name);
  std::string key = EntityKey(call.account(), kind::kGroup, name);
  storage::WriteBatch batch;
  if (key != old_key) {
    auto existing = call.store.Get(key);
    if (!existing) return std::move(existing).error();
    if (existing->has_value())
      return EntityAlreadyExists("Group with name " + name + " already exists.");
    call.store.Delete(batch, old_key);
  }
  (*group)["GroupName"] = name;
  (*group)["Path"] = path;
  (*group)["Arn"] = call.Arn("group", path, name);
  call.store.Put(batch, key, *group);
  for (const auto& user_name : GetStrings(*group, "Users")) {
    auto user = call.store.Get(EntityKey(call.account(), kind::kUser, user_name));
    if (!user) return std::move(user).error();
    if (!user->has_value()) continue;
    json::array groups;
    for (const auto& g : GetStrings(**user, "Groups"))
      groups.push_back(json::value(Lower(g) == Lower(old_name) ? name : g));
    (**user)["Groups"] = std::move(groups);
    call.store.Put(batch, EntityKey(call.account(), kind::kUser, user_name), **user);
  }
  if (const json::array* attached = GetArray(*group, "AttachedPolicies")) {
    for (const auto& a : *attached) {
      if (!a.is_object()) continue;
      std::string arn = GetString(a.get_object(), "PolicyArn");
      call.store.Delete(batch, AttachmentKey(call.account(), arn, kind::kGroup, old_name));
      call.store.Put(batch, AttachmentKey(call.account(), arn, kind::kGroup, name),
                     json::object{{"PolicyArn", arn},
                                  {"EntityType", "Group"},
                                  {"EntityName", name},
                                  {"EntityId", GetString(*group, "GroupId")},
                                  {"EntityPath", path}});
    }
  }
  if (auto c = call.store.Commit(batch); !c) return std::move(c).error();
  return json::value(json::object());
}

// Loads both sides of a membership change.
Result<std::pair<json::object, json::object>> LoadPair(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("GroupName").Name("UserName").Finish(); !st)
    return std::move(st).error();
  auto group = call.store.GetEntity(call.account(), kGroupType, GetString(in, "GroupName"));
  if (!group) return std::move(group).error();
  auto user = call.store.GetEntity(call.account(), kUserType, GetString(in, "UserName"));
  if (!user) return std::move(user).error();
  return std::make_pair(std::move(*group), std::move(*user));
}

Status SavePair(Call& call, const json::object& group, const json::object& user) {
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), kind::kGroup, GetString(group, "GroupName")),
                 group);
  call.store.Put(batch, EntityKey(call.account(), kind::kUser, GetString(user, "UserName")), user);
  return call.store.Commit(batch);
}

Result<Document> AddUserToGroup(Call& call, const json::object& in) {
  auto pair = LoadPair(call, in);
  if (!pair) return std::move(pair).error();
  auto& [group, user] = *pair;
  json::array* users = Members(group, "Users");
  json::array* groups = Members(user, "Groups");
  std::string user_name = GetString(user, "UserName");
  std::string group_name = GetString(group, "GroupName");
  // Adding a member again succeeds and changes nothing.
  if (FindName(*users, user_name) != users->end()) return json::value(json::object());
  if (groups->size() >= kMaxGroupsPerUser)
    return LimitExceeded("Cannot exceed quota for GroupsPerUser: " +
                         std::to_string(kMaxGroupsPerUser));
  users->push_back(json::value(user_name));
  groups->push_back(json::value(group_name));
  if (auto st = SavePair(call, group, user); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> RemoveUserFromGroup(Call& call, const json::object& in) {
  auto pair = LoadPair(call, in);
  if (!pair) return std::move(pair).error();
  auto& [group, user] = *pair;
  json::array* users = Members(group, "Users");
  json::array* groups = Members(user, "Groups");
  std::string user_name = GetString(user, "UserName");
  std::string group_name = GetString(group, "GroupName");
  auto it = FindName(*users, user_name);
  if (it == users->end())
    return NoSuchEntity("The user with name " + user_name + " is not in group " + group_name + ".");
  users->erase(it);
  if (auto g = FindName(*groups, group_name); g != groups->end()) groups->erase(g);
  if (users->empty()) group.erase("Users");
  if (groups->empty()) user.erase("Groups");
  if (auto st = SavePair(call, group, user); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListGroupsForUser(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  auto user = call.store.GetEntity(call.account(), kUserType, GetString(in, "UserName"));
  if (!user) return std::move(user).error();
  std::vector<ListItem> items;
  for (const auto& name : *Members(*user, "Groups")) {
    if (!name.is_string()) continue;
    auto group = call.store.Get(EntityKey(call.account(), kind::kGroup, name.get_string()));
    if (!group) return std::move(group).error();
    if (group->has_value()) items.push_back({Lower(name.get_string()), GroupView(**group)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Groups", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

}  // namespace

void AddGroupHandlers(HandlerTable* table) {
  table->emplace_back("CreateGroup", CreateGroup);
  table->emplace_back("GetGroup", GetGroup);
  table->emplace_back("DeleteGroup", DeleteGroup);
  table->emplace_back("ListGroups", ListGroups);
  table->emplace_back("UpdateGroup", UpdateGroup);
  table->emplace_back("AddUserToGroup", AddUserToGroup);
  table->emplace_back("RemoveUserFromGroup", RemoveUserFromGroup);
  table->emplace_back("ListGroupsForUser", ListGroupsForUser);
}

}  // namespace nimbus::iam
