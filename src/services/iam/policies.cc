// Managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies and policy tags. AWS
// managed policies ("arn:aws:iam::aws:policy/...") come from a built-in catalog; any such ARN
// may be attached, since AWS publishes more of them than nimbus carries.
#include <boost/json.hpp>
#include <cstdio>

#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "services/iam/aws_managed_policies.h"
#include "services/iam/iam_common.h"
#include "services/iam/policy_document.h"

namespace nimbus::iam {

namespace {

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: managed policy length.
constexpr size_t kManagedPolicyQuota = 6144;

// A stable id for an AWS managed policy: "ANPA" and 17 characters derived from its ARN.
std::string AwsPolicyId(std::string_view arn) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string digest = Sha256(arn);
  std::string id = "ANPA";
  for (size_t i = 0; i < 17; ++i) id += kAlphabet[static_cast<unsigned char>(digest[i]) % 32];
  return id;
}

json::object AwsPolicyView(Call& call, const AwsManagedPolicy& p) {
  std::string arn = "arn:aws:iam::aws:policy" + std::string(p.path) + std::string(p.name);
  return json::object{
      {"PolicyName", p.name},
      {"PolicyId", AwsPolicyId(arn)},
      {"Arn", arn},
      {"Path", p.path},
      {"DefaultVersionId", p.version_id},
      {"AttachmentCount", call.store.CountWithPrefix(AttachmentPrefix(call.account(), arn))},
      {"PermissionsBoundaryUsageCount", 0},
      {"IsAttachable", true},
      {"CreateDate", p.create_date},
      {"UpdateDate", p.update_date}};
}

// A stored policy as answers show it; `full` adds Description and Tags (GetPolicy).
json::object LocalPolicyView(Call& call, const json::object& policy, bool full) {
  json::object view = Pick(policy, {"PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId"});
  view["AttachmentCount"] =
      call.store.CountWithPrefix(AttachmentPrefix(call.account(), GetString(policy, "Arn")));
  view["PermissionsBoundaryUsageCount"] = 0;
  view["IsAttachable"] = true;
  for (std::string_view m : {"CreateDate", "UpdateDate"})
    if (const json::value* v = policy.if_contains(m)) view[m] = *v;
  if (full) {
    for (std::string_view m : {"Description", "Tags"})
      if (const json::value* v = policy.if_contains(m)) view[m] = *v;
  }
  return view;
}

Result<Document> CreatePolicy(Call& call, const json::object& in) {
  auto st = Constraints(in)
                .Name("PolicyName")
                .PolicyPath("Path")
                .Document("PolicyDocument")
                .Tags("Tags")
                .Finish();
  if (!st) return std::move(st).error();
  std::string name = GetString(in, "PolicyName");
  std::string document = GetString(in, "PolicyDocument");
  if (auto problem = CheckPolicyDocument(document, PolicyKind::kManaged))
    return MalformedPolicyDocument(*problem);
  if (PolicySize(document) > kManagedPolicyQuota)
    return LimitExceeded("Cannot exceed quota for PolicySize: " +
                         std::to_string(kManagedPolicyQuota));
  std::string key = EntityKey(call.account(), kind::kPolicy, name);
  auto existing = call.store.Get(key);
  if (!existing) return std::move(existing).error();
  if (existing->has_value())
    return EntityAlreadyExists("A policy called " + name +
                               " already exists. Duplicate names are not allowed.");
  std::string path = HasString(in, "Path") ? GetString(in, "Path") : "/";
  double now = call.Now();
  json::object policy{
      {"PolicyName", name},
      {"PolicyId", "ANPA" + RandomAlnum(17, true)},
      {"Arn", call.Arn("policy", path, name)},
      {"Path", path},
      {"DefaultVersionId", "v1"},
      {"CreateDate", now},
      {"UpdateDate", now},
      {"NextVersion", 2},
      {"Versions", json::array{json::object{
                       {"VersionId", "v1"}, {"Document", document}, {"CreateDate", now}}}}};
  if (HasString(in, "Description")) policy["Description"] = GetString(in, "Description");
  if (const json::array* tags = GetArray(in, "Tags")) {
    if (auto t = MergeTags(&policy, *tags); !t) return std::move(t).error();
  }
  if (auto saved = SavePolicy(call, policy); !saved) return std::move(saved).error();
  json::object view = LocalPolicyView(call, policy, false);
  if (const json::value* tags = policy.if_contains("Tags")) view["Tags"] = *tags;
  return json::value{{"Policy", std::move(view)}};
}

Result<Document> GetPolicy(Call& call, const json::object& in) {
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  if (parsed->aws_managed()) {
    const AwsManagedPolicy* p = FindAwsManagedPolicy(parsed->path, parsed->name);
    if (!p) return NoSuchEntity(PolicyNotFoundMessage(arn));
    return json::value{{"Policy", AwsPolicyView(call, *p)}};
  }
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  return json::value{{"Policy", LocalPolicyView(call, *policy, true)}};
}

Result<Document> DeletePolicy(Call& call, const json::object& in) {
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  if (call.store.CountWithPrefix(AttachmentPrefix(call.account(), arn)) > 0)
    return DeleteConflict("Cannot delete a policy attached to entities.");
  if (const json::array* versions = GetArray(*policy, "Versions"); versions && versions->size() > 1)
    return DeleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete "
        "the policy's versions.");
  storage::WriteBatch batch;
  call.store.Delete(batch, EntityKey(call.account(), kind::kPolicy, parsed->name));
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListPolicies(Call& call, const json::object& in) {
  if (auto st = Constraints(in).PolicyPath("PathPrefix").Finish(); !st)
    return std::move(st).error();
  std::string scope = HasString(in, "Scope") ? GetString(in, "Scope") : "All";
  std::string prefix = HasString(in, "PathPrefix") ? GetString(in, "PathPrefix") : "/";
  bool only_attached = GetBool(in, "OnlyAttached", false);
  std::vector<ListItem> items;
  auto add = [&](json::object view) {
    if (GetString(view, "Path").rfind(prefix, 0) != 0) return;
    if (only_attached && GetInt(view, "AttachmentCount").value_or(0) == 0) return;
    std::string sort_key = Lower(GetString(view, "PolicyName")) + '\x01' + GetString(view, "Arn");
    items.push_back({std::move(sort_key), std::move(view)});
  };
  if (scope != "Local")
    for (const auto& p : AwsManagedPolicies()) add(AwsPolicyView(call, p));
  if (scope != "AWS") {
    auto policies = call.store.Scan(KindPrefix(call.account(), kind::kPolicy));
    if (!policies) return std::move(policies).error();
    for (const auto& policy : *policies) add(LocalPolicyView(call, policy, false));
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Policies", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

// TagPolicy, UntagPolicy, ListPolicyTags: customer managed policies only.
Result<Document> TagPolicy(Call& call, const json::object& in) {
  if (auto st = Constraints(in).Tags("Tags").Finish(); !st) return std::move(st).error();
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  const json::array* tags = GetArray(in, "Tags");
  if (auto st = MergeTags(&*policy, tags ? *tags : json::array()); !st)
    return std::move(st).error();
  if (auto saved = SavePolicy(call, *policy); !saved) return std::move(saved).error();
  return json::value(json::object());
}

Result<Document> UntagPolicy(Call& call, const json::object& in) {
  if (auto st = Constraints(in).TagKeys("TagKeys").Finish(); !st) return std::move(st).error();
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  RemoveTags(&*policy, GetStrings(in, "TagKeys"));
  if (auto saved = SavePolicy(call, *policy); !saved) return std::move(saved).error();
  return json::value(json::object());
}

Result<Document> ListPolicyTags(Call& call, const json::object& in) {
  std::string arn = GetString(in, "PolicyArn");
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  auto policy = LoadLocalPolicy(call, *parsed, PolicyNotFoundMessage(arn));
  if (!policy) return std::move(policy).error();
  std::vector<ListItem> items;
  if (const json::array* tags = GetArray(*policy, "Tags")) {
    char index[16];
    size_t i = 0;
    for (const auto& t : *tags) {
      std::snprintf(index, sizeof(index), "%08zu", i++);
      items.push_back({index, t});
    }
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Tags", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

}  // namespace

std::string PolicyNotFoundMessage(std::string_view arn) {
  return "Policy " + std::string(arn) + " was not found.";
}

Result<PolicyArn> ParsePolicyArn(std::string_view arn) {
  auto invalid = [&] { return InvalidInput("ARN " + std::string(arn) + " is not valid."); };
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return invalid();
  std::string_view rest = arn.substr(kPrefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) return invalid();
  PolicyArn out;
  out.arn = std::string(arn);
  out.account = std::string(rest.substr(0, colon));
  bool digits =
      out.account.size() == 12 && std::all_of(out.account.begin(), out.account.end(),
                                              [](char c) { return c >= '0' && c <= '9'; });
  if (!out.aws_managed() && !digits) return invalid();
  std::string_view resource = rest.substr(colon + 1);
  if (resource.substr(0, 7) != "policy/") return invalid();
  auto slash = resource.rfind('/');
  out.path = std::string(resource.substr(6, slash - 6 + 1));
  out.name = std::string(resource.substr(slash + 1));
  if (out.name.empty()) return invalid();
  return out;
}

Result<PolicyArn> FindAttachablePolicy(Call& call, std::string_view arn) {
  auto parsed = ParsePolicyArn(arn);
  if (!parsed) return std::move(parsed).error();
  if (parsed->aws_managed()) return parsed;
  auto policy = LoadLocalPolicy(
      call, *parsed, "Policy " + std::string(arn) + " does not exist or is not attachable.");
  if (!policy) return std::move(policy).error();
  // The stored spelling of the name, for answers that show it.
  parsed->name = GetString(*policy, "PolicyName");
  parsed->arn = GetString(*policy, "Arn");
  return parsed;
}

Result<json::object> LoadLocalPolicy(Call& call, const PolicyArn& arn, std::string not_found) {
  if (arn.account != call.account()) return NoSuchEntity(std::move(not_found));
  auto policy = call.store.Get(EntityKey(call.account(), kind::kPolicy, arn.name));
  if (!policy) return std::move(policy).error();
  if (!policy->has_value() || Lower(GetString(**policy, "Arn")) != Lower(arn.arn))
    return NoSuchEntity(std::move(not_found));
  return std::move(**policy);
}

Status SavePolicy(Call& call, const json::object& policy) {
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), kind::kPolicy, GetString(policy, "PolicyName")),
                 policy);
  return call.store.Commit(batch);
}

void AddManagedPolicyHandlers(HandlerTable* table) {
  table->emplace_back("CreatePolicy", CreatePolicy);
  table->emplace_back("GetPolicy", GetPolicy);
  table->emplace_back("DeletePolicy", DeletePolicy);
  table->emplace_back("ListPolicies", ListPolicies);
  table->emplace_back("TagPolicy", TagPolicy);
  table->emplace_back("UntagPolicy", UntagPolicy);
  table->emplace_back("ListPolicyTags", ListPolicyTags);
  AddPolicyVersionHandlers(table);
}

}  // namespace nimbus::iam
