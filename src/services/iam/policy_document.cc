// The checks and messages follow the IAM policy grammar
// (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html) and the order in
// which IAM reports problems: syntax, version, legacy parsing, statement ids, actions,
// resources, vendor prefixes, then the rules of the policy's kind.
#include "services/iam/policy_document.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <vector>

#include "core/common/document.h"

namespace nimbus::iam {

namespace {

constexpr std::string_view kSyntaxErrors = "Syntax errors in policy.";

bool OneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// A string or a list of strings (Action, Resource and their Not forms).
bool IsStringOrStrings(const json::value& v) {
  if (v.is_string()) return true;
  if (!v.is_array()) return false;
  for (const auto& e : v.get_array())
    if (!e.is_string() && !e.is_null()) return false;
  return true;
}

std::vector<std::string> Strings(const json::object& statement, std::string_view member) {
  std::vector<std::string> out;
  const json::value* v = statement.if_contains(member);
  if (!v) return out;
  if (v->is_string()) out.emplace_back(v->get_string());
  if (v->is_array())
    for (const auto& e : v->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

bool CheckPrincipalSyntax(const json::value& v) {
  if (v.is_string()) return v.get_string() == "*";
  if (!v.is_object()) return false;
  for (const auto& [k, e] : v.get_object())
    if (!IsStringOrStrings(e)) return false;
  return true;
}

bool CheckConditionSyntax(const json::value& v) {
  if (!v.is_object()) return false;
  for (const auto& [op, block] : v.get_object()) {
    if (!block.is_object()) return false;
    for (const auto& [key, value] : block.get_object()) {
      if (value.is_array()) {
        for (const auto& e : value.get_array())
          if (!e.is_string() && !e.is_bool() && !e.is_number()) return false;
      } else if (!value.is_string() && !value.is_bool() && !value.is_number()) {
        return false;
      }
    }
  }
  return true;
}

bool CheckStatementSyntax(const json::object& s) {
  for (const auto& [k, e] : s)
    if (!OneOf(k, {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
                   "NotPrincipal", "Condition"}))
      return false;
  if (s.contains("Action") && s.contains("NotAction")) return false;
  if (s.contains("Resource") && s.contains("NotResource")) return false;
  if (s.contains("Principal") && s.contains("NotPrincipal")) return false;
  const json::value* effect = s.if_contains("Effect");
  if (!effect || !effect->is_string()) return false;
  if (!EqualsIgnoreCase(effect->get_string(), "Allow") &&
      !EqualsIgnoreCase(effect->get_string(), "Deny"))
    return false;
  for (std::string_view k : {"Action", "NotAction", "Resource", "NotResource"})
    if (const json::value* e = s.if_contains(k); e && !IsStringOrStrings(*e)) return false;
  for (std::string_view k : {"Principal", "NotPrincipal"})
    if (const json::value* e = s.if_contains(k); e && !CheckPrincipalSyntax(*e)) return false;
  if (const json::value* c = s.if_contains("Condition"); c && !CheckConditionSyntax(*c))
    return false;
  if (const json::value* sid = s.if_contains("Sid"); sid && !sid->is_string()) return false;
  return true;
}

// Resource format problems IAM reports after the action checks (nullopt when fine).
std::optional<std::string> CheckResource(std::string_view resource) {
  if (resource == "*") return std::nullopt;
  auto colon = resource.find(':');
  if (colon == std::string_view::npos)
    return "Resource " + std::string(resource) + " must be in ARN format or \"*\".";
  std::string_view rest = resource.substr(colon + 1);
  auto partition_end = rest.find(':');
  std::string_view partition = rest.substr(0, partition_end);
  if (partition != "*" && !OneOf(partition, {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b",
                                             "aws-iso-e", "aws-iso-f", "aws-eusc"}))
    return "Partition \"" + std::string(partition) + "\" is not valid for resource \"" +
           std::string(resource) + "\".";
  if (partition_end == std::string_view::npos)
    return "Resource vendor must be fully qualified and cannot contain regexes.";
  return std::nullopt;
}

std::optional<std::string> CheckActionPrefix(std::string_view action) {
  if (action == "*") return std::nullopt;
  auto colon = action.find(':');
  if (colon == std::string_view::npos)
    return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
  if (action.find(':', colon + 1) != std::string_view::npos)
    return "Actions/Condition can contain only one colon.";
  std::string_view vendor = action.substr(0, colon);
  if (vendor == "*") return std::nullopt;
  for (char c : vendor)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
      return "Vendor " + std::string(vendor) + " is not valid";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckPolicyDocument(std::string_view text, PolicyKind kind) {
  json::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value doc = json::parse(text, ec, {}, options);
  if (ec || !doc.is_object()) {
    if (kind == PolicyKind::kTrust) return std::string("This policy contains invalid Json");
    return std::string(kSyntaxErrors);
  }
  const auto& top = doc.get_object();

  // Syntax.
  for (const auto& [k, v] : top)
    if (!OneOf(k, {"Version", "Id", "Statement"})) return std::string(kSyntaxErrors);
  const json::value* version = top.if_contains("Version");
  if (version &&
      (!version->is_string() || !OneOf(version->get_string(), {"2008-10-17", "2012-10-17"})))
    return std::string(kSyntaxErrors);
  if (const json::value* id = top.if_contains("Id"); id && !id->is_string())
    return std::string(kSyntaxErrors);
  const json::value* statement = top.if_contains("Statement");
  if (!statement) return std::string(kSyntaxErrors);
  std::vector<const json::object*> statements;
  if (statement->is_object()) {
    statements.push_back(&statement->get_object());
  } else if (statement->is_array()) {
    for (const auto& s : statement->get_array()) {
      if (!s.is_object()) return std::string(kSyntaxErrors);
      statements.push_back(&s.get_object());
    }
  } else {
    return std::string(kSyntaxErrors);
  }
  if (statements.empty()) return std::string(kSyntaxErrors);
  for (const json::object* s : statements)
    if (!CheckStatementSyntax(*s)) return std::string(kSyntaxErrors);

  // Version: managed policies must use the current grammar.
  if (kind == PolicyKind::kManaged && (!version || version->get_string() != "2012-10-17"))
    return std::string("Policy document must be version 2012-10-17 or greater.");

  // Legacy parsing: Effect is case-sensitive there.
  for (const json::object* s : statements) {
    const json::value* effect = s->if_contains("Effect");
    if (!effect || !effect->is_string() ||
        (effect->get_string() != "Allow" && effect->get_string() != "Deny"))
      return std::string("The policy failed legacy parsing");
  }

  std::set<std::string> sids;
  for (const json::object* s : statements) {
    const json::value* sid = s->if_contains("Sid");
    if (!sid || !sid->is_string() || sid->get_string().empty()) continue;
    if (!sids.insert(std::string(sid->get_string())).second)
      return std::string("Statement IDs (SID) in a single policy must be unique.");
  }

  for (const json::object* s : statements) {
    if (Strings(*s, "Action").empty() && Strings(*s, "NotAction").empty())
      return std::string("Policy statement must contain actions.");
  }

  for (const json::object* s : statements) {
    for (std::string_view member : {"Resource", "NotResource"})
      for (const auto& r : Strings(*s, member))
        if (auto problem = CheckResource(r)) return problem;
  }

  for (const json::object* s : statements) {
    for (std::string_view member : {"Action", "NotAction"})
      for (const auto& a : Strings(*s, member))
        if (auto problem = CheckActionPrefix(a)) return problem;
  }

  if (kind == PolicyKind::kTrust) {
    for (const json::object* s : statements) {
      if (s->contains("Resource") || s->contains("NotResource"))
        return std::string("Has prohibited field Resource.");
      if (!s->contains("Principal") && !s->contains("NotPrincipal"))
        return std::string("Missing required field Principal.");
      for (const auto& a : Strings(*s, "Action"))
        if (a != "*" && a.rfind("sts:", 0) != 0)
          return std::string("AssumeRole policy may only specify STS AssumeRole actions.");
    }
    return std::nullopt;
  }

  for (const json::object* s : statements) {
    if (s->contains("Principal") || s->contains("NotPrincipal"))
      return std::string("Policy document should not specify a principal.");
    if (Strings(*s, "Resource").empty() && Strings(*s, "NotResource").empty())
      return std::string("Policy statement must contain resources.");
  }
  return std::nullopt;
}

}  // namespace nimbus::iam
