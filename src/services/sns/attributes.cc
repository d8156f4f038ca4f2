#include "services/sns/attributes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "services/sns/arn.h"

namespace nimbus::sns {

namespace {

const char* const kFeedbackAttributes[] = {
    "HTTPSuccessFeedbackRoleArn",        "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn",        "LambdaSuccessFeedbackRoleArn",
    "LambdaSuccessFeedbackSampleRate",   "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn",         "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn",         "FirehoseSuccessFeedbackRoleArn",
    "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn",
    "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn",
};

bool IsFeedbackAttribute(std::string_view name) {
  return std::any_of(std::begin(kFeedbackAttributes), std::end(kFeedbackAttributes),
                     [&](const char* a) { return name == a; });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses a JSON object attribute value; false when it is not one.
bool ParseObject(const std::string& text, json::object* out) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return false;
  *out = std::move(v.get_object());
  return true;
}

json::object DefaultHealthyRetryPolicy() {
  return json::object{
      {"minDelayTarget", 20},       {"maxDelayTarget", 20},   {"numRetries", 3},
      {"numMaxDelayRetries", 0},    {"numNoDelayRetries", 0}, {"numMinDelayRetries", 0},
      {"backoffFunction", "linear"}};
}

// `over`'s members replace `base`'s, keeping `base`'s order.
json::object Merge(json::object base, const json::value* over) {
  if (!over || !over->is_object()) return base;
  for (const auto& kv : over->get_object()) base[kv.key()] = kv.value();
  return base;
}

// The topic's EffectiveDeliveryPolicy: its DeliveryPolicy's "http" section over SNS's defaults.
json::object EffectiveTopicPolicy(const Topic& topic) {
  json::object user;
  ParseObject(topic.Attribute("DeliveryPolicy"), &user);
  const json::value* http = user.if_contains("http");
  const json::object empty;
  const json::object& h = http && http->is_object() ? http->get_object() : empty;
  json::object out;
  out["defaultHealthyRetryPolicy"] =
      Merge(DefaultHealthyRetryPolicy(), h.if_contains("defaultHealthyRetryPolicy"));
  for (const char* key : {"defaultSicklyRetryPolicy", "defaultThrottlePolicy"})
    if (const json::value* v = h.if_contains(key)) out[key] = *v;
  const json::value* disable = h.if_contains("disableSubscriptionOverrides");
  out["disableSubscriptionOverrides"] = disable && disable->is_bool() ? disable->get_bool() : false;
  out["defaultRequestPolicy"] =
      Merge(json::object{{"headerContentType", "text/plain; charset=UTF-8"}},
            h.if_contains("defaultRequestPolicy"));
  return json::object{{"http", std::move(out)}};
}

// A subscription DeliveryPolicy in the normalized form SNS answers.
json::object NormalizeSubscriptionPolicy(const json::object& user) {
  json::object out;
  const json::value* healthy = user.if_contains("healthyRetryPolicy");
  if (healthy && healthy->is_object()) {
    json::object defaults = DefaultHealthyRetryPolicy();
    for (const char* k :
         {"numRetries", "numMaxDelayRetries", "numNoDelayRetries", "numMinDelayRetries"})
      defaults[k] = 0;
    out["healthyRetryPolicy"] = Merge(std::move(defaults), healthy);
  } else {
    out["healthyRetryPolicy"] = nullptr;
  }
  for (const char* k : {"sicklyRetryPolicy", "throttlePolicy", "requestPolicy"}) {
    const json::value* v = user.if_contains(k);
    out[k] = v ? *v : json::value(nullptr);
  }
  out["guaranteed"] = false;
  return out;
}

json::object EffectiveSubscriptionPolicy(const Topic* topic, const Subscription& sub) {
  json::object topic_http =
      topic ? EffectiveTopicPolicy(*topic)["http"].as_object()
            : json::object{{"defaultHealthyRetryPolicy", DefaultHealthyRetryPolicy()},
                           {"defaultRequestPolicy",
                            json::object{{"headerContentType", "text/plain; charset=UTF-8"}}}};
  json::object user;
  ParseObject(sub.Attribute("DeliveryPolicy"), &user);
  json::object out;
  out["healthyRetryPolicy"] = Merge(topic_http["defaultHealthyRetryPolicy"].as_object(),
                                    user.if_contains("healthyRetryPolicy"));
  for (const char* k : {"sicklyRetryPolicy", "throttlePolicy"}) {
    const json::value* v = user.if_contains(k);
    out[k] = v ? *v : json::value(nullptr);
  }
  out["requestPolicy"] =
      Merge(topic_http["defaultRequestPolicy"].as_object(), user.if_contains("requestPolicy"));
  out["guaranteed"] = false;
  return out;
}

int IntMember(const json::object& o, std::string_view key, int fallback) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_number()) return fallback;
  double d = v->to_number<double>();
  if (d < 0) return 0;
  return d > 3600 ? 3600 : static_cast<int>(d);
}

bool MatchesAction(const json::value& actions, std::string_view action) {
  auto one = [&](const json::value& a) {
    if (!a.is_string()) return false;
    std::string s = Lower(a.get_string());
    return s == "*" || s == "sns:*" || s == "sns:" + Lower(action);
  };
  if (actions.is_array())
    return std::any_of(actions.get_array().begin(), actions.get_array().end(), one);
  return one(actions);
}

bool MatchesPrincipal(const json::value& principal, std::string_view account,
                      std::string_view caller_arn) {
  auto one = [&](const json::value& p) {
    if (!p.is_string()) return false;
    std::string_view s = p.get_string();
    return s == "*" || s == account || s == caller_arn ||
           s == "arn:aws:iam::" + std::string(account) + ":root";
  };
  if (principal.is_string()) return one(principal);
  if (!principal.is_object()) return false;
  const json::value* aws = principal.get_object().if_contains("AWS");
  if (!aws) return false;
  if (aws->is_array()) return std::any_of(aws->get_array().begin(), aws->get_array().end(), one);
  return one(*aws);
}

bool IsBoolText(std::string_view v) { return v == "true" || v == "false"; }

}  // namespace

std::string DefaultTopicPolicy(const std::string& topic_arn, const std::string& account) {
  json::object statement{
      {"Sid", "__default_statement_ID"},
      {"Effect", "Allow"},
      {"Principal", json::object{{"AWS", "*"}}},
      {"Action", json::array{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                             "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                             "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
      {"Resource", topic_arn},
      {"Condition", json::object{{"StringEquals", json::object{{"AWS:SourceOwner", account}}}}}};
  return json::serialize(json::object{{"Version", "2008-10-17"},
                                      {"Id", "__default_policy_ID"},
                                      {"Statement", json::array{std::move(statement)}}});
}

json::object TopicAttributes(const Topic& topic, int64_t confirmed, int64_t pending) {
  json::object out;
  for (const auto& [k, v] : topic.attributes) out[k] = v;
  out["TopicArn"] = topic.arn;
  out["Owner"] = topic.account;
  out["Policy"] = topic.Attribute("Policy", DefaultTopicPolicy(topic.arn, topic.account));
  out["DisplayName"] = topic.Attribute("DisplayName");
  out["SubscriptionsConfirmed"] = std::to_string(confirmed);
  out["SubscriptionsPending"] = std::to_string(pending);
  out["SubscriptionsDeleted"] = std::to_string(topic.subscriptions_deleted);
  out["EffectiveDeliveryPolicy"] = json::serialize(EffectiveTopicPolicy(topic));
  if (topic.fifo) {
    out["FifoTopic"] = "true";
    out["ContentBasedDeduplication"] = topic.Attribute("ContentBasedDeduplication", "false");
  }
  return out;
}

std::string ApplyTopicAttribute(const std::string& name, const std::string& value, bool creating,
                                Topic* topic) {
  auto set = [&](std::string v) {
    if (v.empty()) {
      topic->attributes.erase(name);
    } else {
      topic->attributes[name] = std::move(v);
    }
    return std::string();
  };
  if (name == "FifoTopic") {
    // Only CreateTopic takes it (the topic name already decided); SetTopicAttributes refuses.
    if (!creating) return "AttributeName";
    if (!IsBoolText(Lower(value))) return "FifoTopic";
    return {};
  }
  if (name == "DisplayName" || name == "KmsMasterKeyId" || IsFeedbackAttribute(name)) {
    if (name.find("SampleRate") != std::string::npos && !value.empty()) {
      bool digits = value.size() <= 3 && std::all_of(value.begin(), value.end(), [](char c) {
                      return std::isdigit(static_cast<unsigned char>(c));
                    });
      if (!digits || std::stoi(value) > 100) return name;
    }
    return set(value);
  }
  if (name == "Policy" || name == "DeliveryPolicy" || name == "ArchivePolicy") {
    if (value.empty()) return set(value);
    json::object doc;
    if (!ParseObject(value, &doc)) return name + ": failed to parse JSON.";
    if (name == "ArchivePolicy" && !topic->fifo) return "AttributeName";
    return set(json::serialize(doc));
  }
  if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return "SignatureVersion";
    return set(value);
  }
  if (name == "TracingConfig") {
    if (value != "Active" && value != "PassThrough") return "TracingConfig";
    return set(value);
  }
  if (name == "ContentBasedDeduplication") {
    if (!topic->fifo)
      return "ContentBasedDeduplication Reason: Content-based deduplication can only be set for "
             "FIFO topics";
    std::string v = Lower(value);
    if (!IsBoolText(v)) return "ContentBasedDeduplication";
    return set(v);
  }
  if (name == "FifoThroughputScope") {
    if (!topic->fifo) return "AttributeName";
    if (value != "Topic" && value != "MessageGroup") return "FifoThroughputScope";
    return set(value);
  }
  return "AttributeName";
}

bool PolicyAllows(const Topic& topic, std::string_view account, std::string_view caller_arn,
                  std::string_view action) {
  json::object policy;
  if (!ParseObject(topic.Attribute("Policy", DefaultTopicPolicy(topic.arn, topic.account)),
                   &policy))
    return false;
  const json::value* statements = policy.if_contains("Statement");
  if (!statements) return false;
  json::array list = statements->is_array() ? statements->get_array() : json::array{*statements};
  for (const auto& s : list) {
    if (!s.is_object()) continue;
    const auto& o = s.get_object();
    const json::value* effect = o.if_contains("Effect");
    const json::value* principal = o.if_contains("Principal");
    const json::value* actions = o.if_contains("Action");
    if (!effect || !effect->is_string() || effect->get_string() != "Allow") continue;
    if (o.if_contains("Condition") || !principal || !actions) continue;
    if (MatchesPrincipal(*principal, account, caller_arn) && MatchesAction(*actions, action))
      return true;
  }
  return false;
}

json::object SubscriptionAttributes(const Subscription& sub, const Topic* topic) {
  json::object out;
  out["ConfirmationWasAuthenticated"] = sub.confirmation_authenticated ? "true" : "false";
  out["Endpoint"] = sub.endpoint;
  out["Owner"] = sub.owner;
  out["PendingConfirmation"] = sub.pending ? "true" : "false";
  out["Protocol"] = sub.protocol;
  out["RawMessageDelivery"] = sub.Attribute("RawMessageDelivery", "false");
  out["SubscriptionArn"] = sub.arn;
  out["SubscriptionPrincipal"] = sub.principal;
  out["TopicArn"] = sub.topic_arn;
  if (auto policy = sub.attributes.find("FilterPolicy"); policy != sub.attributes.end()) {
    out["FilterPolicy"] = policy->second;
    out["FilterPolicyScope"] = sub.Attribute("FilterPolicyScope", "MessageAttributes");
  }
  for (const char* k : {"RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"})
    if (auto it = sub.attributes.find(k); it != sub.attributes.end()) out[k] = it->second;
  json::object user;
  if (ParseObject(sub.Attribute("DeliveryPolicy"), &user))
    out["DeliveryPolicy"] = json::serialize(NormalizeSubscriptionPolicy(user));
  if (sub.protocol == "http" || sub.protocol == "https")
    out["EffectiveDeliveryPolicy"] = json::serialize(EffectiveSubscriptionPolicy(topic, sub));
  return out;
}

bool IsSubscriptionAttributeName(std::string_view name) {
  return name == "DeliveryPolicy" || name == "FilterPolicy" || name == "FilterPolicyScope" ||
         name == "RawMessageDelivery" || name == "RedrivePolicy" || name == "SubscriptionRoleArn" ||
         name == "ReplayPolicy";
}

std::string ApplySubscriptionAttribute(const std::string& name, const std::string& value,
                                       bool topic_fifo, Subscription* sub) {
  auto& attrs = sub->attributes;
  if (name == "RawMessageDelivery") {
    std::string v = Lower(value);
    if (!IsBoolText(v))
      return "RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.";
    const std::string& p = sub->protocol;
    if (v == "true" && p != "sqs" && p != "http" && p != "https" && p != "firehose")
      return "Delivery protocol [" + p + "] does not support raw message delivery.";
    attrs[name] = v;
    return {};
  }
  if (name == "FilterPolicy" || name == "FilterPolicyScope") {
    std::string policy = name == "FilterPolicy" ? value : sub->Attribute("FilterPolicy");
    std::string scope_text = name == "FilterPolicyScope"
                                 ? value
                                 : sub->Attribute("FilterPolicyScope", "MessageAttributes");
    if (scope_text.empty()) scope_text = "MessageAttributes";
    if (scope_text != "MessageAttributes" && scope_text != "MessageBody")
      return "FilterPolicyScope: Invalid value [" + value +
             "]. Please use either MessageBody or MessageAttributes";
    FilterScope scope =
        scope_text == "MessageBody" ? FilterScope::kMessageBody : FilterScope::kMessageAttributes;
    std::shared_ptr<const FilterPolicy> parsed;
    if (!policy.empty()) {
      std::string error;
      parsed = FilterPolicy::Parse(policy, scope, &error);
      if (!parsed) return error;
    }
    if (name == "FilterPolicy") {
      if (policy.empty()) {
        attrs.erase("FilterPolicy");
      } else {
        attrs["FilterPolicy"] = policy;
      }
    } else {
      attrs["FilterPolicyScope"] = scope_text;
    }
    sub->filter = std::move(parsed);
    return {};
  }
  if (name == "RedrivePolicy") {
    if (value.empty()) {
      attrs.erase(name);
      return {};
    }
    json::object doc;
    if (!ParseObject(value, &doc)) return "RedrivePolicy: failed to parse JSON.";
    const json::value* target = doc.if_contains("deadLetterTargetArn");
    ArnParts queue;
    if (!target || !target->is_string() || !ParseQueueArn(target->get_string(), &queue))
      return "RedrivePolicy: deadLetterTargetArn is an invalid arn";
    ArnParts endpoint;
    bool fifo_queue_sub = sub->protocol == "sqs" && ParseQueueArn(sub->endpoint, &endpoint) &&
                          endpoint.resource.size() > 5 &&
                          endpoint.resource.substr(endpoint.resource.size() - 5) == ".fifo";
    bool fifo_dlq =
        queue.resource.size() > 5 && queue.resource.substr(queue.resource.size() - 5) == ".fifo";
    if (topic_fifo && fifo_queue_sub && !fifo_dlq)
      return "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO "
             "Topic.";
    attrs[name] = json::serialize(doc);
    return {};
  }
  if (name == "DeliveryPolicy" || name == "ReplayPolicy") {
    if (value.empty()) {
      attrs.erase(name);
      return {};
    }
    json::object doc;
    if (!ParseObject(value, &doc)) return name + ": failed to parse JSON.";
    attrs[name] = json::serialize(doc);
    return {};
  }
  // SubscriptionRoleArn.
  if (value.empty()) {
    attrs.erase(name);
  } else {
    attrs[name] = value;
  }
  return {};
}

HttpDeliveryPolicy EffectiveHttpPolicy(const Topic* topic, const Subscription& sub) {
  json::object effective = EffectiveSubscriptionPolicy(topic, sub);
  HttpDeliveryPolicy out;
  const json::value& healthy = effective["healthyRetryPolicy"];
  if (healthy.is_object()) {
    const auto& h = healthy.get_object();
    out.num_retries = std::min(IntMember(h, "numRetries", 3), 100);
    out.min_delay_seconds = IntMember(h, "minDelayTarget", 20);
    out.max_delay_seconds = std::max(out.min_delay_seconds, IntMember(h, "maxDelayTarget", 20));
  }
  const json::value& request = effective["requestPolicy"];
  if (request.is_object()) {
    const json::value* ct = request.get_object().if_contains("headerContentType");
    if (ct && ct->is_string() && !ct->get_string().empty())
      out.content_type = std::string(ct->get_string());
  }
  return out;
}

}  // namespace nimbus::sns
