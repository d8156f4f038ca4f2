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

// ---- Constraints --------------------------------------------------------------------------------

namespace {

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

bool IsNameChar(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' ||
         c == '-';
}

bool IsName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsNameChar(c); });
}

// (\u002F)|(\u002F[\u0021-\u007E]+\u002F)
bool IsPath(std::string_view s) {
  if (s == "/") return true;
  if (s.size() < 3 || s.front() != '/' || s.back() != '/') return false;
  return std::all_of(s.begin() + 1, s.end() - 1, [](char c) { return c >= 0x21 && c <= 0x7E; });
}

// ((/[A-Za-z0-9\.,\+@=_-]+)*)/
bool IsPolicyPath(std::string_view s) {
  if (s.empty() || s.front() != '/' || s.back() != '/') return false;
  size_t segment = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '/') {
      if (segment == 0) return false;
      segment = 0;
    } else if (std::isalnum(c) || c == '.' || c == ',' || c == '+' || c == '@' || c == '=' ||
               c == '_' || c == '-') {
      ++segment;
    } else {
      return false;
    }
  }
  return true;
}

// \u002F[\u0021-\u007F]*
bool IsPathPrefix(std::string_view s) {
  if (s.empty() || s.front() != '/') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7F;
  });
}

// Code points of well-formed UTF-8 `s`; false when malformed.
bool ForEachCodePoint(std::string_view s, const std::function<bool(uint32_t)>& visit) {
  if (!IsValidUtf8(s)) return false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1F;
      n = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0F;
      n = 3;
    } else {
      cp = c & 0x07;
      n = 4;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (!visit(cp)) return false;
    i += n;
  }
  return true;
}

// [\u0009\u000A\u000D\u0020-\u00FF]+
bool IsDocumentText(std::string_view s) {
  return ForEachCodePoint(s, [](uint32_t cp) {
    return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0xFF);
  });
}

// [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*
bool IsDescriptionText(std::string_view s) {
  return ForEachCodePoint(s, [](uint32_t cp) {
    return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) ||
           (cp >= 0xA1 && cp <= 0xFF);
  });
}

// v[1-9][0-9]*(\.[A-Za-z0-9-]*)?
bool IsVersionId(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9') return false;
  size_t i = 2;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  return std::all_of(s.begin() + static_cast<ptrdiff_t>(i) + 1, s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// [\p{L}\p{Z}\p{N}_.:/=+\-@]* : letters, separators and digits of any script.
bool IsTagText(std::string_view s) {
  return ForEachCodePoint(s, [](uint32_t cp) {
    if (cp >= 0x80) return cp != 0x85 && !(cp >= 0x80 && cp < 0xA0);
    unsigned char c = static_cast<unsigned char>(cp);
    return std::isalnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' ||
           c == '=' || c == '+' || c == '-' || c == '@';
  });
}

constexpr std::string_view kTagPattern = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
constexpr std::string_view kTagKeyPattern = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";

}  // namespace

void Constraints::Add(std::string_view value, std::string_view at, std::string_view pattern) {
  if (problems_.size() >= 10) return;
  problems_.push_back("Value '" + std::string(value) + "' at '" + std::string(at) +
                      "' failed to satisfy constraint: Member must satisfy regular expression "
                      "pattern: " +
                      std::string(pattern));
}

void Constraints::Check(std::string_view member, bool ok, std::string_view pattern) {
  if (!ok) Add(GetString(in_, member), LowerFirst(member), pattern);
}

Constraints& Constraints::Name(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty()) Check(member, IsName(v), "[\\w+=,.@-]+");
  return *this;
}

Constraints& Constraints::Path(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty()) Check(member, IsPath(v), "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  return *this;
}

Constraints& Constraints::PolicyPath(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty()) Check(member, IsPolicyPath(v), "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
  return *this;
}

Constraints& Constraints::PathPrefix(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty()) Check(member, IsPathPrefix(v), "\\u002F[\\u0021-\\u007F]*");
  return *this;
}

Constraints& Constraints::Document(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty()) Check(member, IsDocumentText(v), "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  return *this;
}

Constraints& Constraints::Description(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty())
    Check(member, IsDescriptionText(v), "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");
  return *this;
}

Constraints& Constraints::VersionId(std::string_view member) {
  std::string v = GetString(in_, member);
  if (!v.empty()) Check(member, IsVersionId(v), "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
  return *this;
}

Constraints& Constraints::Tags(std::string_view member) {
  const json::array* tags = GetArray(in_, member);
  if (!tags) return *this;
  std::string at = LowerFirst(member);
  int i = 0;
  for (const auto& t : *tags) {
    ++i;
    if (!t.is_object()) continue;
    std::string key = GetString(t.get_object(), "Key");
    std::string value = GetString(t.get_object(), "Value");
    std::string base = at + "." + std::to_string(i) + ".member";
    if (!key.empty() && !IsTagText(key)) Add(key, base + ".key", kTagKeyPattern);
    if (!IsTagText(value)) Add(value, base + ".value", kTagPattern);
  }
  return *this;
}

Constraints& Constraints::TagKeys(std::string_view member) {
  std::string at = LowerFirst(member);
  int i = 0;
  for (const auto& key : GetStrings(in_, member)) {
    ++i;
    if (!key.empty() && !IsTagText(key))
      Add(key, at + "." + std::to_string(i) + ".member", kTagKeyPattern);
  }
  return *this;
}

Status Constraints::Finish() const {
  if (problems_.empty()) return Ok{};
  std::string msg =
      std::to_string(problems_.size()) +
      (problems_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < problems_.size(); ++i) msg += (i ? "; " : "") + problems_[i];
  return ValidationError(std::move(msg));
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
