// AddPermission / RemovePermission: statements in the queue's Policy attribute, labelled by Sid.
#include <boost/json.hpp>

#include "services/sqs/errors.h"
#include "services/sqs/sqs.h"

namespace nimbus::sqs {

namespace {

ApiError BadLabel(std::string_view label, std::string_view reason) {
  return InvalidParameterValue("Value " + std::string(label) +
                               " for parameter Label is invalid. Reason: " + std::string(reason));
}

json::object ParsePolicy(const std::string& text) {
  json::error_code ec;
  auto v = json::parse(text, ec);
  return !ec && v.is_object() ? v.get_object() : json::object{};
}

}  // namespace

Result<Document> SqsService::AddPermission(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  std::string label(StringMember(in, "Label"));
  if (label.empty() || label.size() > 80) return BadLabel(label, "Label must be 1 to 80 chars.");
  const json::array* accounts = ArrayMember(in, "AWSAccountIds");
  const json::array* actions = ArrayMember(in, "Actions");
  if (!accounts || accounts->empty()) return MissingParameter("AWSAccountIds");
  if (!actions || actions->empty()) return MissingParameter("Actions");
  json::array principals, action_names;
  for (const auto& a : *accounts)
    if (a.is_string())
      principals.emplace_back("arn:aws:iam::" + std::string(a.get_string()) + ":root");
  for (const auto& a : *actions)
    if (a.is_string()) action_names.emplace_back("SQS:" + std::string(a.get_string()));
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  json::object policy = ParsePolicy(q.config.policy);
  if (policy.empty()) {
    policy["Version"] = "2008-10-17";
    policy["Id"] = q.arn + "/SQSDefaultPolicy";
  }
  json::value& statements = policy["Statement"];
  if (!statements.is_array()) statements = json::array();
  for (const auto& s : statements.get_array()) {
    const json::value* sid = s.is_object() ? s.get_object().if_contains("Sid") : nullptr;
    if (sid && sid->is_string() && sid->get_string() == label)
      return BadLabel(label, "Already exists.");
  }
  statements.get_array().push_back(json::object{
      {"Sid", label},
      {"Effect", "Allow"},
      {"Principal",
       json::object{{"AWS", principals.size() == 1 ? principals[0] : json::value(principals)}}},
      {"Action", action_names.size() == 1 ? action_names[0] : json::value(action_names)},
      {"Resource", q.arn}});
  q.config.policy = json::serialize(policy);
  q.config.explicit_values["Policy"] = q.config.policy;
  q.last_modified_ms = env_->clock->NowMillis();
  auto st = PersistQueue(q);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SqsService::RemovePermission(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  std::string_view label = StringMember(in, "Label");
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  json::object policy = ParsePolicy(q.config.policy);
  json::value* statements = policy.if_contains("Statement");
  bool removed = false;
  if (statements && statements->is_array()) {
    auto& list = statements->get_array();
    for (auto it = list.begin(); it != list.end(); ++it) {
      const json::value* sid = it->is_object() ? it->get_object().if_contains("Sid") : nullptr;
      if (sid && sid->is_string() && sid->get_string() == label) {
        list.erase(it);
        removed = true;
        break;
      }
    }
  }
  if (!removed) return BadLabel(label, "can't find label on existing policy.");
  q.config.policy = statements->get_array().empty() ? std::string() : json::serialize(policy);
  q.config.explicit_values["Policy"] = q.config.policy;
  q.last_modified_ms = env_->clock->NowMillis();
  auto st = PersistQueue(q);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

}  // namespace nimbus::sqs
