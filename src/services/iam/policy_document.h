#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus::iam {

enum class PolicyKind {
  kManaged,  // CreatePolicy / CreatePolicyVersion: Version 2012-10-17 required
  kInline,   // Put{Role,User,Group}Policy: Version may be omitted (defaults to 2008-10-17)
  kTrust,    // a role's AssumeRolePolicyDocument: Principal required, Resource prohibited
};

// Checks the grammar of an IAM policy document as IAM does before storing it. Returns nullopt
// when the document is acceptable, otherwise the MalformedPolicyDocument message AWS answers,
// e.g. "Syntax errors in policy." or "Actions/Conditions must be prefaced by a vendor, e.g.,
// iam, sdb, ec2, etc.". Action names themselves are not checked ("s3:NoSuchThing" is accepted,
// as AWS accepts it). Thread-safe; never throws on any input.
std::optional<std::string> CheckPolicyDocument(std::string_view text, PolicyKind kind);

}  // namespace nimbus::iam
