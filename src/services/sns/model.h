#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "services/sns/filter_policy.h"

namespace nimbus::sns {

// A topic as SNS keeps it. Values are immutable once published to the store (shared as
// shared_ptr<const Topic>); updates replace the whole value.
struct Topic {
  std::string arn, name, account, region;
  bool fifo = false;
  // Attributes the user set (DisplayName, Policy, DeliveryPolicy, ContentBasedDeduplication, ...);
  // computed ones (Owner, SubscriptionsConfirmed, EffectiveDeliveryPolicy) are not stored.
  std::map<std::string, std::string> attributes;
  std::vector<std::pair<std::string, std::string>> tags;  // in the order they were added
  int64_t subscriptions_deleted = 0;

  // The user-set attribute or `fallback`.
  std::string Attribute(const std::string& name, std::string fallback = {}) const;

  json::object ToJson() const;
  // False when `doc` is not a topic written by ToJson.
  static bool FromJson(const json::object& doc, Topic* out);
};

// A subscription. Same sharing rule as Topic.
struct Subscription {
  std::string arn, topic_arn, account, region;
  std::string protocol, endpoint, owner, principal;
  bool pending = false;                     // http/https/email/email-json until confirmed
  bool confirmation_authenticated = false;  // AuthenticateOnUnsubscribe or auto-confirmed
  std::string token;                        // confirmation token (kept after confirming)
  // Attributes the user set: RawMessageDelivery, FilterPolicy, FilterPolicyScope,
  // RedrivePolicy, DeliveryPolicy, SubscriptionRoleArn, ReplayPolicy.
  std::map<std::string, std::string> attributes;
  // The parsed FilterPolicy attribute; null when there is none. Derived, not persisted.
  std::shared_ptr<const FilterPolicy> filter;

  std::string Attribute(const std::string& name, std::string fallback = {}) const;
  bool raw() const { return Attribute("RawMessageDelivery") == "true"; }

  json::object ToJson() const;
  // False when `doc` is not a subscription written by ToJson (the filter is re-parsed).
  static bool FromJson(const json::object& doc, Subscription* out);
};

}  // namespace nimbus::sns
