// Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
// GetAccessKeyLastUsed. An active key is registered with the server's CredentialStore under the
// owner's ARN, so requests signed with it authenticate (also with --auth strict) and
// GetCallerIdentity answers the user. Keys are re-registered from storage at start.
#include <boost/json.hpp>

#include "core/common/ids.h"
#include "core/common/logging.h"
#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
constexpr size_t kMaxKeysPerUser = 2;

// Whose keys a request means: the named user, or the caller (a user or the account's root).
struct KeyOwner {
  std::string user_name;  // empty for the root user
  std::string key;        // storage key of the owner's document
  json::object doc;       // holds "AccessKeys": [ids]
  std::string principal_arn;
  std::string user_id;
};

Result<KeyOwner> ResolveOwner(Call& call, const json::object& in) {
  std::string name = GetString(in, "UserName");
  if (!HasString(in, "UserName")) {
    auto caller = CallerUserName(call);
    if (!caller) return std::move(caller).error();
    name = *caller;
  }
  KeyOwner owner;
  if (name.empty()) {
    owner.key = EntityKey(call.account(), kind::kRoot, "root");
    auto doc = call.store.Get(owner.key);
    if (!doc) return std::move(doc).error();
    if (doc->has_value()) owner.doc = std::move(**doc);
    owner.principal_arn = "arn:aws:iam::" + call.account() + ":root";
    owner.user_id = call.account();
    return owner;
  }
  auto user = call.store.GetEntity(call.account(), kUserType, name);
  if (!user) return std::move(user).error();
  owner.user_name = GetString(*user, "UserName");
  owner.key = EntityKey(call.account(), kind::kUser, name);
  owner.principal_arn = GetString(*user, "Arn");
  owner.user_id = GetString(*user, "UserId");
  owner.doc = std::move(*user);
  return owner;
}

json::array* KeyIds(json::object& owner) {
  json::value& v = owner["AccessKeys"];
  if (!v.is_array()) v = json::array();
  return &v.get_array();
}

ApiError KeyNotFound(std::string_view id) {
  return NoSuchEntity("The Access Key with id " + std::string(id) + " cannot be found.");
}

json::object Metadata(const json::object& record) {
  return Pick(record, {"UserName", "AccessKeyId", "Status", "CreateDate"});
}

Result<Document> CreateAccessKey(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  auto owner = ResolveOwner(call, in);
  if (!owner) return std::move(owner).error();
  json::array* ids = KeyIds(owner->doc);
  if (ids->size() >= kMaxKeysPerUser)
    return LimitExceeded("Cannot exceed quota for AccessKeysPerUser: " +
                         std::to_string(kMaxKeysPerUser));
  std::string id = NewAccessKeyId("AKIA");
  json::object record{{"AccessKeyId", id},         {"SecretAccessKey", NewSecretKey()},
                      {"Status", "Active"},        {"CreateDate", call.Now()},
                      {"Account", call.account()}, {"PrincipalArn", owner->principal_arn},
                      {"UserId", owner->user_id}};
  if (!owner->user_name.empty()) record["UserName"] = owner->user_name;
  ids->push_back(json::value(id));
  storage::WriteBatch batch;
  call.store.Put(batch, owner->key, owner->doc);
  call.store.Put(batch, AccessKeyKey(id), record);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  call.store.RegisterKey(record);
  return json::value{{"AccessKey", Pick(record, {"UserName", "AccessKeyId", "Status",
                                                 "SecretAccessKey", "CreateDate"})}};
}

Result<Document> ListAccessKeys(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  auto owner = ResolveOwner(call, in);
  if (!owner) return std::move(owner).error();
  std::vector<ListItem> items;
  for (const auto& id : *KeyIds(owner->doc)) {
    if (!id.is_string()) continue;
    auto record = call.store.Get(AccessKeyKey(id.get_string()));
    if (!record) return std::move(record).error();
    if (!record->has_value()) continue;
    items.push_back({std::string(id.get_string()), Metadata(**record)});
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "AccessKeyMetadata", &out); !st)
    return std::move(st).error();
  return json::value(std::move(out));
}

// The record of key `id` if `owner` holds it; NoSuchEntity otherwise.
Result<json::object> OwnedKey(Call& call, KeyOwner& owner, const std::string& id) {
  json::array* ids = KeyIds(owner.doc);
  if (std::find(ids->begin(), ids->end(), json::value(id)) == ids->end()) return KeyNotFound(id);
  auto record = call.store.Get(AccessKeyKey(id));
  if (!record) return std::move(record).error();
  if (!record->has_value()) return KeyNotFound(id);
  return std::move(**record);
}

Result<Document> UpdateAccessKey(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  std::string id = GetString(in, "AccessKeyId");
  std::string status = GetString(in, "Status");
  if (status != "Active" && status != "Inactive")
    return ValidationError("Value '" + status +
                           "' at 'status' failed to satisfy constraint: Member must satisfy "
                           "enum value set: [Active, Inactive]");
  auto owner = ResolveOwner(call, in);
  if (!owner) return std::move(owner).error();
  auto record = OwnedKey(call, *owner, id);
  if (!record) return std::move(record).error();
  (*record)["Status"] = status;
  storage::WriteBatch batch;
  call.store.Put(batch, AccessKeyKey(id), *record);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  if (status == "Active") {
    call.store.RegisterKey(*record);
  } else {
    call.store.UnregisterKey(id);
  }
  return json::value(json::object());
}

Result<Document> DeleteAccessKey(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Name("UserName").Finish(); !st) return std::move(st).error();
  std::string id = GetString(in, "AccessKeyId");
  auto owner = ResolveOwner(call, in);
  if (!owner) return std::move(owner).error();
  auto record = OwnedKey(call, *owner, id);
  if (!record) return std::move(record).error();
  json::array* ids = KeyIds(owner->doc);
  ids->erase(std::remove(ids->begin(), ids->end(), json::value(id)), ids->end());
  if (ids->empty()) owner->doc.erase("AccessKeys");
  storage::WriteBatch batch;
  if (owner->user_name.empty() && owner->doc.empty()) {
    call.store.Delete(batch, owner->key);
  } else {
    call.store.Put(batch, owner->key, owner->doc);
  }
  call.store.Delete(batch, AccessKeyKey(id));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  call.store.UnregisterKey(id);
  return json::value(json::object());
}

Result<Document> GetAccessKeyLastUsed(Call& call, const json::object& in) {
  std::string id = GetString(in, "AccessKeyId");
  auto record = call.store.Get(AccessKeyKey(id));
  if (!record) return std::move(record).error();
  if (!record->has_value() || GetString(**record, "Account") != call.account())
    return KeyNotFound(id);
  // nimbus does not track key use; AWS answers "N/A" for a key never used.
  json::object out{{"AccessKeyLastUsed", json::object{{"ServiceName", "N/A"}, {"Region", "N/A"}}}};
  if (HasString(**record, "UserName")) out["UserName"] = GetString(**record, "UserName");
  return json::value(std::move(out));
}

}  // namespace

void LoadAccessKeys(Store& store) {
  auto records = store.Scan(kAccessKeyPrefix);
  if (!records) {
    spdlog::error("iam: cannot load access keys; keys made by CreateAccessKey will not sign");
    return;
  }
  for (const auto& record : *records)
    if (GetString(record, "Status") == "Active") store.RegisterKey(record);
}

void AddAccessKeyHandlers(HandlerTable* table) {
  table->emplace_back("CreateAccessKey", CreateAccessKey);
  table->emplace_back("ListAccessKeys", ListAccessKeys);
  table->emplace_back("UpdateAccessKey", UpdateAccessKey);
  table->emplace_back("DeleteAccessKey", DeleteAccessKey);
  table->emplace_back("GetAccessKeyLastUsed", GetAccessKeyLastUsed);
}

}  // namespace nimbus::iam
