// Versions of managed policies: CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions,
// DeletePolicyVersion, SetDefaultPolicyVersion. A stored policy keeps its versions in
// "Versions" (oldest first) and the number of the next one in "NextVersion".
#include <boost/json.hpp>
#include <cstdio>

#include "services/iam/aws_managed_policies.h"
#include "services/iam/iam_common.h"
#include "services/iam/policy_document.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
constexpr size_t kMaxVersions = 5;
constexpr size_t kManagedPolicyQuota = 6144;

ApiError VersionNotFound(std::string_view arn, std::string_view version) {
  return NoSuchEntity("Policy " + std::string(arn) + " version " + std::string(version) +
                      " does not exist or is not attachable.");
}

json::array* Versions(json::object& policy) {
  json::value& v = policy["Versions"];
  if (!v.is_array()) v = json::array();
  return &v.get_array();
}

json::array::iterator FindVersion(json::array& versions, std::string_view id) {
  return std::find_if(versions.begin(), versions.end(), [&](const json::value& v) {
    return v.is_object() && GetString(v.get_object(), "VersionId") == id;
  });
}

json::object VersionView(const json::object& version, std::string_view default_id,
                         bool with_document) {
  json::object view;
  if (with_document) view["Document"] = EncodeDocument(GetString(version, "Document"));
  std::string id = GetString(version, "VersionId");
  view["VersionId"] = id;
  view["IsDefaultVersion"] = id == default_id;
  if (const json::value* d = version.if_contains("CreateDate")) view["CreateDate"] = *d;
  return view;
}

// The policy named by PolicyArn and its parsed ARN; NoSuchEntity when it is not stored.
Result<std::pair<PolicyArn, json::object>> Load(Call& call, const json::object& in) {
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  return std::make_pair(std::move(*parsed), std::move(*policy));
}

Result<Document> CreatePolicyVersion(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Document("PolicyDocument").Finish(); !st)
    return std::move(st).error();
  auto loaded = Load(call, in);
  if (!loaded) return std::move(loaded).error();
  json::object& policy = loaded->second;
  std::string document = GetString(in, "PolicyDocument");
  if (auto problem = CheckPolicyDocument(document, PolicyKind::kManaged))
    return MalformedPolicyDocument(*problem);
  if (PolicySize(document) > kManagedPolicyQuota)
    return LimitExceeded("Cannot exceed quota for PolicySize: " +
                         std::to_string(kManagedPolicyQuota));
  json::array* versions = Versions(policy);
  if (versions->size() >= kMaxVersions)
    return LimitExceeded(
        "A managed policy can have up to " + std::to_string(kMaxVersions) +
        " versions. Before you create a new version, you must delete an existing version.");
  int64_t number = GetInt(policy, "NextVersion").value_or(2);
  std::string id = "v" + std::to_string(number);
  double now = call.Now();
  json::object version{{"VersionId", id}, {"Document", document}, {"CreateDate", now}};
  versions->push_back(version);
  policy["NextVersion"] = number + 1;
  if (GetBool(in, "SetAsDefault", false)) {
    policy["DefaultVersionId"] = id;
    policy["UpdateDate"] = now;
  }
  if (auto saved = SavePolicy(call, policy); !saved) return std::move(saved).error();
  return json::value{
      {"PolicyVersion", VersionView(version, GetString(policy, "DefaultVersionId"), false)}};
}

Result<Document> GetPolicyVersion(Call& call, const json::object& in) {
  if (auto st = Constraints(in).VersionId("VersionId").Finish(); !st) return std::move(st).error();
  std::string arn = GetString(in, "PolicyArn");
  std::string id = GetString(in, "VersionId");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  if (parsed->aws_managed()) {
    const AwsManagedPolicy* p = FindAwsManagedPolicy(parsed->path, parsed->name);
    if (!p || p->version_id != id) return VersionNotFound(arn, id);
    json::object version{
        {"VersionId", p->version_id}, {"Document", p->document}, {"CreateDate", p->update_date}};
    return json::value{{"PolicyVersion", VersionView(version, p->version_id, true)}};
  }
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  json::array* versions = Versions(*policy);
  auto it = FindVersion(*versions, id);
  if (it == versions->end()) return VersionNotFound(arn, id);
  return json::value{{"PolicyVersion",
                      VersionView(it->get_object(), GetString(*policy, "DefaultVersionId"), true)}};
}

Result<Document> ListPolicyVersions(Call& call, const json::object& in) {
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  std::vector<ListItem> items;
  // Newest first, as IAM lists them.
  auto add = [&](const json::object& version, std::string_view default_id, int64_t number) {
    char key[24];
    std::snprintf(key, sizeof(key), "%019lld", static_cast<long long>(INT64_MAX - number));
    items.push_back({key, VersionView(version, default_id, false)});
  };
  if (parsed->aws_managed()) {
    const AwsManagedPolicy* p = FindAwsManagedPolicy(parsed->path, parsed->name);
    if (!p) return NoSuchEntity(PolicyNotFoundMessage(arn));
    add(json::object{{"VersionId", p->version_id}, {"CreateDate", p->update_date}}, p->version_id,
        1);
  } else {
    auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
    if (!policy) return std::move(policy).error();
    std::string default_id = GetString(*policy, "DefaultVersionId");
    for (const auto& v : *Versions(*policy)) {
      if (!v.is_object()) continue;
      std::string id = GetString(v.get_object(), "VersionId");
      int64_t number = std::atoll(id.c_str() + (id.empty() ? 0 : 1));
      add(v.get_object(), default_id, number);
    }
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Versions", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

Result<Document> DeletePolicyVersion(Call& call, const json::object& in) {
  if (auto st = Constraints(in).VersionId("VersionId").Finish(); !st) return std::move(st).error();
  auto loaded = Load(call, in);
  if (!loaded) return std::move(loaded).error();
  json::object& policy = loaded->second;
  std::string id = GetString(in, "VersionId");
  json::array* versions = Versions(policy);
  auto it = FindVersion(*versions, id);
  if (it == versions->end()) return VersionNotFound(loaded->first.arn, id);
  if (GetString(policy, "DefaultVersionId") == id)
    return DeleteConflict("Cannot delete the default version of a policy.");
  versions->erase(it);
  if (auto saved = SavePolicy(call, policy); !saved) return std::move(saved).error();
  return json::value(json::object());
}

Result<Document> SetDefaultPolicyVersion(Call& call, const json::object& in) {
  if (auto st = Constraints(in).VersionId("VersionId").Finish(); !st) return std::move(st).error();
  auto loaded = Load(call, in);
  if (!loaded) return std::move(loaded).error();
  json::object& policy = loaded->second;
  std::string id = GetString(in, "VersionId");
  json::array* versions = Versions(policy);
  if (FindVersion(*versions, id) == versions->end()) return VersionNotFound(loaded->first.arn, id);
  policy["DefaultVersionId"] = id;
  policy["UpdateDate"] = call.Now();
  if (auto saved = SavePolicy(call, policy); !saved) return std::move(saved).error();
  return json::value(json::object());
}

}  // namespace

void AddPolicyVersionHandlers(HandlerTable* table) {
  table->emplace_back("CreatePolicyVersion", CreatePolicyVersion);
  table->emplace_back("GetPolicyVersion", GetPolicyVersion);
  table->emplace_back("ListPolicyVersions", ListPolicyVersions);
  table->emplace_back("DeletePolicyVersion", DeletePolicyVersion);
  table->emplace_back("SetDefaultPolicyVersion", SetDefaultPolicyVersion);
}

}  // namespace nimbus::iam
