#include "services/iam/iam_common.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "core/auth/credentials.h"
#include "core/common/encoding.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"

namespace nimbus::iam {

// ---- Errors -------------------------------------------------------------------------------------

ApiError NoSuchEntity(std::string message) {
  return ApiError("NoSuchEntity", 404, std::move(message));
}
ApiError EntityAlreadyExists(std::string message) {
  return ApiError("EntityAlreadyExists", 409, std::move(message));
}
ApiError DeleteConflict(std::string message) {
  return ApiError("DeleteConflict", 409, std::move(message));
}
ApiError LimitExceeded(std::string message) {
  return ApiError("LimitExceeded", 409, std::move(message));
}
ApiError MalformedPolicyDocument(std::string message) {
  return ApiError("MalformedPolicyDocument", 400, std::move(message));
}
ApiError InvalidInput(std::string message) {
  return ApiError("InvalidInput", 400, std::move(message));
}
ApiError ValidationError(std::string message) {
  return ApiError("ValidationError", 400, std::move(message));
}

// ---- Reading input documents --------------------------------------------------------------------

std::string GetString(const json::object& in, std::string_view member) {
  const json::value* v = in.if_contains(member);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool HasString(const json::object& in, std::string_view member) {
  const json::value* v = in.if_contains(member);
  return v && v->is_string();
}

std::optional<int64_t> GetInt(const json::object& in, std::string_view member) {
  const json::value* v = in.if_contains(member);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

bool GetBool(const json::object& in, std::string_view member, bool fallback) {
  const json::value* v = in.if_contains(member);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

const json::array* GetArray(const json::object& in, std::string_view member) {
  const json::value* v = in.if_contains(member);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::vector<std::string> GetStrings(const json::object& in, std::string_view member) {
  std::vector<std::string> out;
  if (const json::array* a = GetArray(in, member))
    for (const auto& e : *a)
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- Keys ---------------------------------------------------------------------------------------

std::string KindPrefix(std::string_view account, std::string_view kind) {
  std::string key = "e";
  storage::AppendOrderedString(&key, account);
  storage::AppendOrderedString(&key, kind);
  return key;
}

std::string EntityKey(std::string_view account, std::string_view kind, std::string_view name) {
  std::string key = KindPrefix(account, kind);
  storage::AppendOrderedString(&key, Lower(name));
  return key;
}

std::string AttachmentPrefix(std::string_view account, std::string_view policy_arn) {
  std::string key = KindPrefix(account, kind::kAttach);
  storage::AppendOrderedString(&key, Lower(policy_arn));
  return key;
}

std::string AttachmentKey(std::string_view account, std::string_view policy_arn,
                          std::string_view entity_kind, std::string_view entity_name) {
  std::string key = AttachmentPrefix(account, policy_arn);
  storage::AppendOrderedString(&key, entity_kind);
  storage::AppendOrderedString(&key, Lower(entity_name));
  return key;
}

std::string AccessKeyKey(std::string_view access_key_id) {
  return std::string(kAccessKeyPrefix) + std::string(access_key_id);
}

// Inline policy quotas: docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const EntityType kRoleType{kind::kRole, "RoleName", "RoleId", "Role", 10240};
const EntityType kUserType{kind::kUser, "UserName", "UserId", "User", 2048};
const EntityType kGroupType{kind::kGroup, "GroupName", "GroupId", "Group", 5120};
const EntityType kProfileType{kind::kProfile, "InstanceProfileName", "InstanceProfileId",
                              "InstanceProfile", 0};

std::string NotFoundMessage(const EntityType& type, std::string_view name) {
  if (type.kind == kind::kProfile)
    return "Instance Profile " + std::string(name) + " cannot be found.";
  return "The " + std::string(type.kind) + " with name " + std::string(name) + " cannot be found.";
}

// ---- Store --------------------------------------------------------------------------------------

Result<std::optional<json::object>> Store::Get(std::string_view key) {
  json::value doc;
  auto st = storage::GetJson(*env_->kv, "iam", key, &doc);
  if (st.IsNotFound()) return std::optional<json::object>();
  if (!st.ok()) return storage::StorageError(st);
  if (!doc.is_object())
    return storage::StorageError(storage::StorageStatus::Corruption("iam: not an object"));
  return std::optional<json::object>(std::move(doc.get_object()));
}

Result<json::object> Store::GetEntity(std::string_view account, const EntityType& type,
                                      std::string_view name) {
  auto doc = Get(EntityKey(account, type.kind, name));
  if (!doc) return std::move(doc).error();
  if (!doc->has_value()) return NoSuchEntity(NotFoundMessage(type, name));
  return std::move(**doc);
}

Result<std::vector<json::object>> Store::Scan(std::string_view prefix) {
  std::vector<json::object> out;
  auto st =
      storage::ScanJson(*env_->kv, "iam", prefix, {}, [&](std::string_view, json::value& doc) {
        if (doc.is_object()) out.push_back(std::move(doc.get_object()));
        return true;
      });
  if (!st.ok()) return storage::StorageError(st);
  return out;
}

size_t Store::CountWithPrefix(std::string_view prefix) {
  size_t count = 0;
  storage::ScanOptions options;
  options.start = std::string(prefix);
  options.end = storage::PrefixEnd(prefix);
  (void)env_->kv->Scan("iam", options, [&](std::string_view, std::string_view) {
    ++count;
    return true;
  });
  return count;
}

void Store::Put(storage::WriteBatch& batch, std::string_view key, const json::object& doc) {
  storage::PutJson(batch, "iam", key, json::value(doc));
}

void Store::Delete(storage::WriteBatch& batch, std::string_view key) { batch.Delete("iam", key); }

Status Store::Commit(const storage::WriteBatch& batch) {
  auto st = env_->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

void Store::RegisterKey(const json::object& access_key) {
  auth::Credential cred;
  cred.access_key_id = GetString(access_key, "AccessKeyId");
  cred.secret_access_key = GetString(access_key, "SecretAccessKey");
  cred.account_id = GetString(access_key, "Account");
  cred.principal_arn = GetString(access_key, "PrincipalArn");
  cred.user_id = GetString(access_key, "UserId");
  if (cred.access_key_id.empty() || cred.account_id.empty()) return;
  registered_.insert(cred.access_key_id);
  env_->credentials->Add(std::move(cred));
}

void Store::UnregisterKey(const std::string& access_key_id) {
  if (registered_.erase(access_key_id)) env_->credentials->Remove(access_key_id);
}

void Store::UnregisterAll() {
  for (const auto& id : registered_) env_->credentials->Remove(id);
  registered_.clear();
}

// ---- Call ---------------------------------------------------------------------------------------

double Call::Now() const { return std::floor(ctx.env->clock->NowSeconds()); }

std::string Call::Arn(std::string_view resource_type, std::string_view path,
                      std::string_view name) const {
  return "arn:aws:iam::" + ctx.account_id + ":" + std::string(resource_type) + std::string(path) +
         std::string(name);
}

// ---- Shared pieces of answers -------------------------------------------------------------------

std::string EncodeDocument(std::string_view document) { return UriEncode(document); }

size_t PolicySize(std::string_view document) {
  return static_cast<size_t>(std::count_if(document.begin(), document.end(), [](char c) {
    return c != ' ' && c != '\t' && c != '\n' && c != '\r';
  }));
}

json::object Pick(const json::object& from, std::initializer_list<std::string_view> members) {
  json::object out;
  for (std::string_view m : members)
    if (const json::value* v = from.if_contains(m); v && !v->is_null()) out[m] = *v;
  return out;
}

Status Paginate(const json::object& in, std::vector<ListItem> items, std::string_view member,
                json::object* out) {
  std::sort(items.begin(), items.end(),
            [](const ListItem& a, const ListItem& b) { return a.sort_key < b.sort_key; });
  size_t start = 0;
  if (HasString(in, "Marker")) {
    auto after = Base64Decode(GetString(in, "Marker"));
    if (!after) return ValidationError("Invalid Marker.");
    while (start < items.size() && items[start].sort_key <= *after) ++start;
  }
  int64_t max_items = std::clamp<int64_t>(GetInt(in, "MaxItems").value_or(100), 1, 1000);
  size_t end = std::min(items.size(), start + static_cast<size_t>(max_items));
  json::array page;
  for (size_t i = start; i < end; ++i) page.push_back(std::move(items[i].value));
  (*out)[member] = std::move(page);
  bool truncated = end < items.size();
  (*out)["IsTruncated"] = truncated;
  if (truncated) (*out)["Marker"] = Base64Encode(items[end - 1].sort_key);
  return Ok{};
}

namespace {

constexpr size_t kMaxTags = 50;

bool SameTagKey(const json::value& tag, std::string_view key) {
  return tag.is_object() && Lower(GetString(tag.get_object(), "Key")) == Lower(key);
}

}  // namespace

Status MergeTags(json::object* entity, const json::array& tags) {
  std::set<std::string> seen;
  for (const auto& t : tags) {
    if (!t.is_object()) continue;
    if (!seen.insert(Lower(GetString(t.get_object(), "Key"))).second)
      return InvalidInput(
          "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  }
  json::array merged;
  if (const json::array* existing = GetArray(*entity, "Tags")) merged = *existing;
  for (const auto& t : tags) {
    if (!t.is_object()) continue;
    std::string key = GetString(t.get_object(), "Key");
    json::object tag{{"Key", key}, {"Value", GetString(t.get_object(), "Value")}};
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const json::value& e) { return SameTagKey(e, key); });
    if (it != merged.end()) {
      *it = std::move(tag);
    } else {
      merged.push_back(std::move(tag));
    }
  }
  if (merged.size() > kMaxTags)
    return LimitExceeded("The number of tags has reached the maximum limit.");
  if (merged.empty()) {
    entity->erase("Tags");
  } else {
    (*entity)["Tags"] = std::move(merged);
  }
  return Ok{};
}

void RemoveTags(json::object* entity, const std::vector<std::string>& keys) {
  const json::array* existing = GetArray(*entity, "Tags");
  if (!existing) return;
  json::array kept;
  for (const auto& t : *existing) {
    bool drop = std::any_of(keys.begin(), keys.end(),
                            [&](const std::string& k) { return SameTagKey(t, k); });
    if (!drop) kept.push_back(t);
  }
  if (kept.empty()) {
    entity->erase("Tags");
  } else {
    (*entity)["Tags"] = std::move(kept);
  }
}

Status CheckNewTags(const json::object& in) {
  const json::array* tags = GetArray(in, "Tags");
  if (!tags) return Ok{};
  json::object scratch;
  return MergeTags(&scratch, *tags);
}

Status CheckPermissionsBoundary(Call& call, std::string_view arn) {
  auto policy = FindAttachablePolicy(call, arn);
  if (!policy) return std::move(policy).error();
  return Ok{};
}

}  // namespace nimbus::iam
