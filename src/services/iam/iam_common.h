#pragma once

// What the IAM operation families share: error factories, safe readers for input documents,
// the pattern constraints of the model, the key layout, the store and list paging.
//
// Key layout in keyspace "iam" (IAM is global: state is per account, not per region):
//   'e' OrderedString(account) OrderedString(kind) OrderedString(lowercase name)  → entity JSON
//       kinds: "role", "user", "group", "policy", "profile", "root" (the root user's keys)
//   'e' OrderedString(account) OrderedString("attach") OrderedString(lowercase policy ARN)
//       OrderedString(entity kind) OrderedString(lowercase entity name)              → attachment
//   'k' access key id                                                                → access key
// Names are stored lowercased in keys because IAM names are unique without regard to case.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"
#include "core/storage/kv_store.h"

namespace nimbus::auth {
struct Credential;
}  // namespace nimbus::auth

namespace nimbus::iam {

// ---- Errors, with the codes and HTTP statuses of the IAM model -------------------------------
ApiError NoSuchEntity(std::string message);             // 404
ApiError EntityAlreadyExists(std::string message);      // 409
ApiError DeleteConflict(std::string message);           // 409
ApiError LimitExceeded(std::string message);            // 409
ApiError MalformedPolicyDocument(std::string message);  // 400
ApiError InvalidInput(std::string message);             // 400
ApiError ValidationError(std::string message);          // 400

// ---- Reading input documents ------------------------------------------------------------------
// The codec guarantees types for HTTP requests; internal callers (Registry::Call) may not, so
// every read checks the type and treats a wrong type as absent.
std::string GetString(const json::object& in, std::string_view member);  // "" when absent
bool HasString(const json::object& in, std::string_view member);
std::optional<int64_t> GetInt(const json::object& in, std::string_view member);
bool GetBool(const json::object& in, std::string_view member, bool fallback);
const json::array* GetArray(const json::object& in, std::string_view member);
// The strings of array member `member` (non-strings skipped).
std::vector<std::string> GetStrings(const json::object& in, std::string_view member);
std::string Lower(std::string_view s);

// ---- Constraints the model states as patterns (the shared validator checks lengths only) ----
// Collects violations of present members and reports them as one ValidationError worded as
// AWS does: "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy
// constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+".
class Constraints {
 public:
  explicit Constraints(const json::object& in) : in_(in) {}
  Constraints& Name(std::string_view member);        // [\w+=,.@-]+
  Constraints& Path(std::string_view member);        // (\u002F)|(\u002F[\u0021-\u007E]+\u002F)
  Constraints& PolicyPath(std::string_view member);  // ((/[A-Za-z0-9\.,\+@=_-]+)*)/
  Constraints& PathPrefix(std::string_view member);  // \u002F[\u0021-\u007F]*
  Constraints& Document(std::string_view member);    // [\u0009\u000A\u000D\u0020-\u00FF]+
  Constraints& Description(std::string_view member);
  Constraints& VersionId(std::string_view member);  // v[1-9][0-9]*(\.[A-Za-z0-9-]*)?
  Constraints& Tags(std::string_view member);       // keys and values of a tag list
  Constraints& TagKeys(std::string_view member);
  // Ok, or the ValidationError listing every violation found.
  Status Finish() const;

 private:
  void Check(std::string_view member, bool (*matches)(std::string_view), std::string_view pattern);
  void Add(std::string_view value, std::string_view at, std::string_view pattern);

  const json::object& in_;
  std::vector<std::string> problems_;
};

// ---- Keys ---------------------------------------------------------------------------------------
namespace kind {
inline constexpr std::string_view kRole = "role";
inline constexpr std::string_view kUser = "user";
inline constexpr std::string_view kGroup = "group";
inline constexpr std::string_view kPolicy = "policy";
inline constexpr std::string_view kProfile = "profile";
inline constexpr std::string_view kRoot = "root";
inline constexpr std::string_view kAttach = "attach";
}  // namespace kind

std::string KindPrefix(std::string_view account, std::string_view kind);
std::string EntityKey(std::string_view account, std::string_view kind, std::string_view name);
std::string AttachmentPrefix(std::string_view account, std::string_view policy_arn);
std::string AttachmentKey(std::string_view account, std::string_view policy_arn,
                          std::string_view entity_kind, std::string_view entity_name);
std::string AccessKeyKey(std::string_view access_key_id);
inline constexpr std::string_view kAccessKeyPrefix = "k";

// ---- Principals that hold policies: roles, users and groups -------------------------------------
struct EntityType {
  std::string_view kind;         // key component and ARN resource type: "role"
  std::string_view name_member;  // "RoleName"
  std::string_view id_member;    // "RoleId"
  std::string_view title;        // ListEntitiesForPolicy and quota names: "Role"
  size_t inline_policy_quota;    // aggregate inline policy size (non-whitespace characters)
};
extern const EntityType kRoleType;
extern const EntityType kUserType;
extern const EntityType kGroupType;
extern const EntityType kProfileType;  // instance profiles (no inline policies)
// "The role with name X cannot be found." ("Instance Profile X cannot be found." for profiles).
std::string NotFoundMessage(const EntityType& type, std::string_view name);

// ---- Storage ------------------------------------------------------------------------------------
// Reads and writes of IAM state. Callers hold the service mutex, so a read-modify-write sequence
// is not interleaved with another request's.
class Store {
 public:
  void Bind(ServiceEnv* env) { env_ = env; }
  ServiceEnv& env() { return *env_; }

  // The document at `key`, nullopt when absent.
  Result<std::optional<json::object>> Get(std::string_view key);
  // The entity or NoSuchEntity "The role with name X cannot be found.".
  Result<json::object> GetEntity(std::string_view account, const EntityType& type,
                                 std::string_view name);
  // Documents whose keys start with `prefix`, in key order.
  Result<std::vector<json::object>> Scan(std::string_view prefix);
  // How many keys start with `prefix` (0 also when storage fails: counts are informational).
  size_t CountWithPrefix(std::string_view prefix);
  void Put(storage::WriteBatch& batch, std::string_view key, const json::object& doc);
  void Delete(storage::WriteBatch& batch, std::string_view key);
  Status Commit(const storage::WriteBatch& batch);

  // Access keys known to the auth layer; Reset forgets all of them.
  void RegisterKey(const json::object& access_key);
  void UnregisterKey(const std::string& access_key_id);
  void UnregisterAll();

 private:
  ServiceEnv* env_ = nullptr;
  std::set<std::string> registered_;
};

// ---- One call to an IAM operation
// ----------------------------------------------------------------
struct Call {
  RequestContext& ctx;
  Store& store;
  const std::string& account() const { return ctx.account_id; }
  double Now() const;  // whole seconds: IAM dates carry no fractions
  std::string Arn(std::string_view resource_type, std::string_view path,
                  std::string_view name) const;  // arn:aws:iam::<account>:<type><path><name>
};

using Handler = std::function<Result<Document>(Call&, const json::object&)>;
using HandlerTable = std::vector<std::pair<std::string, Handler>>;

void AddRoleHandlers(HandlerTable* table);             // roles.cc
void AddInlinePolicyHandlers(HandlerTable* table);     // inline_policies.cc
void AddManagedPolicyHandlers(HandlerTable* table);    // policies.cc
void AddAttachmentHandlers(HandlerTable* table);       // attachments.cc
void AddUserHandlers(HandlerTable* table);             // users.cc
void AddAccessKeyHandlers(HandlerTable* table);        // access_keys.cc
void AddGroupHandlers(HandlerTable* table);            // groups.cc
void AddInstanceProfileHandlers(HandlerTable* table);  // instance_profiles.cc
void AddAccountHandlers(HandlerTable* table);          // account.cc

// Re-registers every stored active access key with the auth layer (at start).
void LoadAccessKeys(Store& store);

// ---- Shared pieces of answers
// -------------------------------------------------------------------- Policy documents travel
// URL-encoded in answers (botocore and the CLI decode them).
std::string EncodeDocument(std::string_view document);
// Size of a policy as IAM quotas count it: characters other than whitespace.
size_t PolicySize(std::string_view document);
// Copies the members named in `members` that `from` holds.
json::object Pick(const json::object& from, std::initializer_list<std::string_view> members);

// One element of a list answer and the key it sorts by (markers point into this order).
struct ListItem {
  std::string sort_key;
  json::value value;
};
// Applies Marker and MaxItems (default 100) of `in` to `items`, sorted by sort_key, and writes
// out[member], IsTruncated and (when truncated) Marker.
Status Paginate(const json::object& in, std::vector<ListItem> items, std::string_view member,
                json::object* out);

// Tag lists on entities: adds or replaces `tags` (LimitExceeded past 50 tags; InvalidInput on
// duplicate keys in the request) and removes keys.
Status MergeTags(json::object* entity, const json::array& tags);
void RemoveTags(json::object* entity, const std::vector<std::string>& keys);
// Checks the Tags member of a create request (duplicates, count).
Status CheckNewTags(const json::object& in);

// ---- Tags of roles, users and instance profiles (tags.cc)
// -----------------------------------------
Result<Document> TagEntity(Call& call, const json::object& in, const EntityType& type);
Result<Document> UntagEntity(Call& call, const json::object& in, const EntityType& type);
Result<Document> ListEntityTags(Call& call, const json::object& in, const EntityType& type);

// ---- Roles (roles.cc)
// ------------------------------------------------------------------------------ A stored role as
// answers show it: `full` adds Tags, PermissionsBoundary and RoleLastUsed (GetRole), which
// ListRoles leaves out.
json::object RoleView(const json::object& role, bool full);

// ---- Users (users.cc)
// ------------------------------------------------------------------------------ A stored user as
// answers show it; `full` adds Tags and PermissionsBoundary (GetUser).
json::object UserView(const json::object& user, bool full);
// The user a request without UserName means: the caller, when it signs with a user's key.
// ValidationError "Must specify userName when calling with non-User credentials" for others;
// an empty name for the account's root.
Result<std::string> CallerUserName(const Call& call);

// ---- Managed policies (policies.cc)
// --------------------------------------------------------------
struct PolicyArn {
  std::string arn;
  std::string account;  // "aws" for AWS managed policies
  std::string path;
  std::string name;
  bool aws_managed() const { return account == "aws"; }
};
// Parses "arn:aws:iam::<account|aws>:policy<path><name>"; InvalidInput "ARN X is not valid.".
Result<PolicyArn> ParsePolicyArn(std::string_view arn);
// The policy a caller of `call` may attach: a stored policy of the caller's account or any AWS
// managed ARN (AWS has more than nimbus knows). NoSuchEntity "Policy X does not exist or is not
// attachable." otherwise.
Result<PolicyArn> FindAttachablePolicy(Call& call, std::string_view arn);
// The stored customer managed policy `arn` names; NoSuchEntity `not_found` when absent (AWS
// managed policies and other accounts' policies are never stored here).
Result<json::object> LoadLocalPolicy(Call& call, const PolicyArn& arn, std::string not_found);
Status SavePolicy(Call& call, const json::object& policy);
std::string PolicyNotFoundMessage(std::string_view arn);  // "Policy X was not found."
void AddPolicyVersionHandlers(HandlerTable* table);       // policy_versions.cc

// Checks a PermissionsBoundary ARN of CreateRole/CreateUser/Put*PermissionsBoundary: the policy
// must exist (AWS managed or this account's).
Status CheckPermissionsBoundary(Call& call, std::string_view arn);

}  // namespace nimbus::iam
