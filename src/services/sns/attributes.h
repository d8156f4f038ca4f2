#pragma once

#include <string>
#include <string_view>

#include "core/common/document.h"
#include "services/sns/model.h"

namespace nimbus::sns {

// Topic and subscription attributes: their validation (worded as SNS's InvalidParameter
// messages) and the computed attributes SNS answers (Owner, Policy, EffectiveDeliveryPolicy...).

// The access policy a topic has until SetTopicAttributes replaces it.
std::string DefaultTopicPolicy(const std::string& topic_arn, const std::string& account);

// Every attribute GetTopicAttributes answers for `topic`.
json::object TopicAttributes(const Topic& topic, int64_t confirmed, int64_t pending);

// Sets topic attribute `name` to `value` (an empty value clears it) as CreateTopic (`creating`)
// or SetTopicAttributes would. Returns "" or what follows "Invalid parameter: " in SNS's error,
// for example "AttributeName".
std::string ApplyTopicAttribute(const std::string& name, const std::string& value, bool creating,
                                Topic* topic);

// Whether the topic's access policy lets `account`/`caller_arn` perform SNS:`action`: an Allow
// statement without conditions whose principal and action match. Used for other accounts' topics.
bool PolicyAllows(const Topic& topic, std::string_view account, std::string_view caller_arn,
                  std::string_view action);

// Every attribute GetSubscriptionAttributes answers. `topic` may be null.
json::object SubscriptionAttributes(const Subscription& sub, const Topic* topic);

bool IsSubscriptionAttributeName(std::string_view name);

// Sets subscription attribute `name` (one IsSubscriptionAttributeName accepts; an empty value
// clears it), re-parsing the filter policy. `topic_fifo`: the subscription's topic is FIFO.
// Returns "" or SNS's reason, for example
// "RawMessageDelivery: Invalid value [x]. Must be true or false.".
std::string ApplySubscriptionAttribute(const std::string& name, const std::string& value,
                                       bool topic_fifo, Subscription* sub);

// How HTTP/HTTPS deliveries are retried and labelled: the subscription's DeliveryPolicy over the
// topic's (SNS defaults: 3 retries, 20 s apart, "text/plain; charset=UTF-8").
struct HttpDeliveryPolicy {
  int num_retries = 3;
  int min_delay_seconds = 20;
  int max_delay_seconds = 20;
  std::string content_type = "text/plain; charset=UTF-8";
};
HttpDeliveryPolicy EffectiveHttpPolicy(const Topic* topic, const Subscription& sub);

}  // namespace nimbus::sns
