#pragma once

#include <span>
#include <string_view>

namespace nimbus::iam {

// An AWS managed policy ("arn:aws:iam::aws:policy<path><name>") nimbus knows the document of.
struct AwsManagedPolicy {
  std::string_view name;
  std::string_view path;
  std::string_view version_id;  // the default version
  double create_date;           // epoch seconds
  double update_date;
  std::string_view document;
};

// The known AWS managed policies, sorted by name (case-insensitively). Static data.
std::span<const AwsManagedPolicy> AwsManagedPolicies();
// The known policy with this path and name, or null.
const AwsManagedPolicy* FindAwsManagedPolicy(std::string_view path, std::string_view name);

}  // namespace nimbus::iam
