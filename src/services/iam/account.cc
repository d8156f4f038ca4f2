// GetAccountSummary: entity counts of the account and the default IAM quotas
// (docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html).
#include <boost/json.hpp>

#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

Result<Document> GetAccountSummary(Call& call, const json::object&) {
  auto count = [&](std::string_view kind) {
    return call.store.CountWithPrefix(KindPrefix(call.account(), kind));
  };
  size_t policies = count(kind::kPolicy);
  size_t versions = 0;
  auto stored = call.store.Scan(KindPrefix(call.account(), kind::kPolicy));
  if (!stored) return std::move(stored).error();
  for (const auto& p : *stored)
    if (const json::array* v = GetArray(p, "Versions")) versions += v->size();
  auto root = call.store.Get(EntityKey(call.account(), kind::kRoot, "root"));
  if (!root) return std::move(root).error();
  bool root_keys = root->has_value() && GetArray(**root, "AccessKeys") &&
                   !GetArray(**root, "AccessKeys")->empty();
  json::object summary{{"Users", count(kind::kUser)},
                       {"UsersQuota", 5000},
                       {"Groups", count(kind::kGroup)},
                       {"GroupsQuota", 300},
                       {"GroupsPerUserQuota", 10},
                       {"Roles", count(kind::kRole)},
                       {"RolesQuota", 1000},
                       {"InstanceProfiles", count(kind::kProfile)},
                       {"InstanceProfilesQuota", 1000},
                       {"Policies", policies},
                       {"PoliciesQuota", 1500},
                       {"PolicyVersionsInUse", versions},
                       {"PolicyVersionsInUseQuota", 10000},
                       {"VersionsPerPolicyQuota", 5},
                       {"PolicySizeQuota", 6144},
                       {"AttachedPoliciesPerRoleQuota", 10},
                       {"AttachedPoliciesPerUserQuota", 10},
                       {"AttachedPoliciesPerGroupQuota", 10},
                       {"AccessKeysPerUserQuota", 2},
                       {"AccountAccessKeysPresent", root_keys ? 1 : 0},
                       {"AssumeRolePolicySizeQuota", 2048},
                       {"RolePolicySizeQuota", 10240},
                       {"UserPolicySizeQuota", 2048},
                       {"GroupPolicySizeQuota", 5120},
                       {"ServerCertificates", 0},
                       {"ServerCertificatesQuota", 20},
                       {"SigningCertificatesPerUserQuota", 2},
                       {"AccountSigningCertificatesPresent", 0},
                       {"MFADevices", 0},
                       {"MFADevicesInUse", 0},
                       {"AccountMFAEnabled", 0},
                       {"Providers", 0},
                       {"GlobalEndpointTokenVersion", 1}};
  return json::value{{"SummaryMap", std::move(summary)}};
}

}  // namespace

void AddAccountHandlers(HandlerTable* table) {
  table->emplace_back("GetAccountSummary", GetAccountSummary);
}

}  // namespace nimbus::iam
