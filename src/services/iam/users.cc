// Users: CreateUser, GetUser, DeleteUser, ListUsers, UpdateUser, user tags and permissions
// boundaries.
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

bool NonEmptyArray(const json::object& o, std::string_view member) {
  const json::array* a = GetArray(o, member);
  return a && !a->empty();
}

Result<Document> Save(Call& call, const json::object& user) {
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), kind::kUser, GetString(user, "UserName")), user);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> CreateUser(Call& call, const json::object& in) {
  auto st = Constraints(in).Name("UserName").Path("Path").Tags("Tags").Finish();
  if (!st) return std::move(st).error();
  if (auto tags = CheckNewTags(in); !tags) return std::move(tags).error();
  std::string name = GetString(in, "UserName");
  std::string boundary = GetString(in, "PermissionsBoundary");
  if (HasString(in, "PermissionsBoundary")) {
    if (auto b = CheckPermissionsBoundary(call, boundary); !b) return std::move(b).error();
  }
  std::string key = EntityKey(call.account(), kind::kUser, name);
  auto existing = call.store.Get(key);
  if (!existing) return std::move(existing).error();
  if (existing->has_value())
    return EntityAlreadyExists("User with name " + name + " already exists.");
  std::string path = HasString(in, "Path") ? GetString(in, "Path") : "/";
  json::object user{{"Path", path},
                    {"UserName", name},
                    {"UserId", "AIDA" + RandomAlnum(17, true)},
                    {"Arn", call.Arn("user", path, name)},
                    {"CreateDate", call.Now()}};
  if (!boundary.empty())
    user["PermissionsBoundary"] =
        json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                     {"PermissionsBoundaryArn", boundary}};
  if (const json::array* tags = GetArray(in, "Tags")) {
    if (auto t = MergeTags(&user, *tags); !t) return std::move(t).error();
  }
  storage::WriteBatch batch;
  call.store.Put(batch, key, user);
  if (auto c = call.store.Commit(batch); !c) return std::move(c).error();
  return json::value{{"User", UserView(user, true)}};
}

Result<Document> GetUser(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  std::string name = GetString(in, "UserName");
  if (!HasString(in, "UserName")) {
    auto caller = CallerUserName(call);
    if (!caller) return std::move(caller).error();
    if (caller->empty()) {
      // The root user: AWS answers its account id as UserId and no name or path.
      return json::value{{"User", json::object{{"UserId", call.account()},
                                               {"Arn", call.ctx.caller_arn},
                                               {"CreateDate", call.Now()}}}};
    }
    name = *caller;
  }
  auto user = call.store.GetEntity(call.account(), kUserType, name);
  if (!user) return std::move(user).error();
  return json::value{{"User", UserView(*user, true)}};
}

Result<Document> DeleteUser(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  std::string name = GetString(in, "UserName");
  auto user = call.store.GetEntity(call.account(), kUserType, name);
  if (!user) return std::move(user).error();
  if (NonEmptyArray(*user, "AccessKeys"))
    return DeleteConflict("Cannot delete entity, must delete access keys first.");
  if (NonEmptyArray(*user, "Groups"))
    return DeleteConflict("Cannot delete entity, must remove users from group first.");
  if (NonEmptyArray(*user, "AttachedPolicies"))
    return DeleteConflict("Cannot delete entity, must detach all policies first.");
  if (const json::value* p = user->if_contains("InlinePolicies");
      p && p->is_object() && !p->get_object().empty())
    return DeleteConflict("Cannot delete entity, must delete policies first.");
  storage::WriteBatch batch;
  call.store.Delete(batch, EntityKey(call.account(), kind::kUser, name));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListUsers(Call& call, const json::object& in) {
  if (auto st = Constraints(in).PathPrefix("PathPrefix").Finish(); !st)
    return std::move(st).error();
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  auto users = call.store.Scan(KindPrefix(call.account(), kind::kUser));
  if (!users) return std::move(users).error();
  std::vector<ListItem> items;
  for (const auto& user : *users) {
    if (GetString(user, "Path").rfind(prefix, 0) != 0) continue;
    items.push_back({Lower(GetString(user, "UserName")), UserView(user, false)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Users", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

// UpdateUser renames or moves a user: everything that names it (its key, group member lists,
// attachment records, access keys and their principal ARN) changes in one batch.
Result<Document> UpdateUser(Call& call, const json::object& in) {
  auto st = Constraints(in).Name("UserName").Name("NewUserName").Path("NewPath").Finish();
  if (!st) return std::move(st).error();
  auto user = call.store.GetEntity(call.account(), kUserType, GetString(in, "UserName"));
  if (!user) return std::move(user).error();
  std::string old_name = GetString(*user, "UserName");
  std::string name = HasString(in, "NewUserName") ? GetString(in, "NewUserName") : old_name;
  std::string path = HasString(in, "NewPath") ? GetString(in, "NewPath") : GetString(*user, "Path");
  std::string old_key = EntityKey(call.account(), kind::kUser, old_name);
  std::string key = EntityKey(call.account(), kind::kUser, name);
  storage::WriteBatch batch;
  if (key != old_key) {
    auto existing = call.store.Get(key);
    if (!existing) return std::move(existing).error();
    if (existing->has_value())
      return EntityAlreadyExists("User with name " + name + " already exists.");
    call.store.Delete(batch, old_key);
  }
  (*user)["UserName"] = name;
  (*user)["Path"] = path;
  (*user)["Arn"] = call.Arn("user", path, name);
  call.store.Put(batch, key, *user);
  for (const auto& group_name : GetStrings(*user, "Groups")) {
    auto group = call.store.Get(EntityKey(call.account(), kind::kGroup, group_name));
    if (!group) return std::move(group).error();
    if (!group->has_value()) continue;
    json::array members;
    for (const auto& member : GetStrings(**group, "Users"))
      members.push_back(json::value(Lower(member) == Lower(old_name) ? name : member));
    (**group)["Users"] = std::move(members);
    call.store.Put(batch, EntityKey(call.account(), kind::kGroup, group_name), **group);
  }
  if (const json::array* attached = GetArray(*user, "AttachedPolicies")) {
    for (const auto& a : *attached) {
      if (!a.is_object()) continue;
      std::string arn = GetString(a.get_object(), "PolicyArn");
      call.store.Delete(batch, AttachmentKey(call.account(), arn, kind::kUser, old_name));
      call.store.Put(batch, AttachmentKey(call.account(), arn, kind::kUser, name),
                     json::object{{"PolicyArn", arn},
                                  {"EntityType", "User"},
                                  {"EntityName", name},
                                  {"EntityId", GetString(*user, "UserId")},
                                  {"EntityPath", path}});
    }
  }
  std::vector<json::object> keys;
  for (const auto& id : GetStrings(*user, "AccessKeys")) {
    auto record = call.store.Get(AccessKeyKey(id));
    if (!record) return std::move(record).error();
    if (!record->has_value()) continue;
    (**record)["UserName"] = name;
    (**record)["PrincipalArn"] = GetString(*user, "Arn");
    call.store.Put(batch, AccessKeyKey(id), **record);
    keys.push_back(std::move(**record));
  }
  if (auto c = call.store.Commit(batch); !c) return std::move(c).error();
  for (const auto& record : keys)
    if (GetString(record, "Status") == "Active") call.store.RegisterKey(record);
  return json::value(json::object());
}

Result<Document> PutUserPermissionsBoundary(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  auto user = call.store.GetEntity(call.account(), kUserType, GetString(in, "UserName"));
  if (!user) return std::move(user).error();
  std::string arn = GetString(in, "PermissionsBoundary");
  if (auto b = CheckPermissionsBoundary(call, arn); !b) return std::move(b).error();
  (*user)["PermissionsBoundary"] = json::object{
      {"PermissionsBoundaryType", "PermissionsBoundaryPolicy"}, {"PermissionsBoundaryArn", arn}};
  return Save(call, *user);
}

Result<Document> DeleteUserPermissionsBoundary(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  auto user = call.store.GetEntity(call.account(), kUserType, GetString(in, "UserName"));
  if (!user) return std::move(user).error();
  user->erase("PermissionsBoundary");
  return Save(call, *user);
}

}  // namespace

json::object UserView(const json::object& user, bool full) {
  json::object view = Pick(user, {"Path", "UserName", "UserId", "Arn", "CreateDate"});
  if (full) {
    for (std::string_view m : {"PermissionsBoundary", "Tags"})
      if (const json::value* v = user.if_contains(m)) view[m] = *v;
  }
  return view;
}

Result<std::string> CallerUserName(const Call& call) {
  const std::string& arn = call.ctx.caller_arn;
  std::string user_prefix = "arn:aws:iam::" + call.account() + ":user/";
  if (arn.rfind(user_prefix, 0) == 0) return arn.substr(arn.rfind('/') + 1);
  if (arn == "arn:aws:iam::" + call.account() + ":root") return std::string();
  return ValidationError("Must specify userName when calling with non-User credentials");
}

void AddUserHandlers(HandlerTable* table) {
  table->emplace_back("CreateUser", CreateUser);
  table->emplace_back("GetUser", GetUser);
  table->emplace_back("DeleteUser", DeleteUser);
  table->emplace_back("ListUsers", ListUsers);
  table->emplace_back("UpdateUser", UpdateUser);
  table->emplace_back("PutUserPermissionsBoundary", PutUserPermissionsBoundary);
  table->emplace_back("DeleteUserPermissionsBoundary", DeleteUserPermissionsBoundary);
  table->emplace_back("TagUser",
                      [](Call& c, const json::object& in) { return TagEntity(c, in, kUserType); });
  table->emplace_back(
      "UntagUser", [](Call& c, const json::object& in) { return UntagEntity(c, in, kUserType); });
  table->emplace_back("ListUserTags", [](Call& c, const json::object& in) {
    return ListEntityTags(c, in, kUserType);
  });
}

}  // namespace nimbus::iam
