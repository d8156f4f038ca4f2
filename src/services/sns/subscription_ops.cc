// Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions(ByTopic) and the subscription
// attributes.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "services/sns/arn.h"
#include "services/sns/attributes.h"
#include "services/sns/errors.h"
#include "services/sns/sns_service_impl.h"

namespace nimbus::sns {

namespace {

constexpr size_t kPageSize = 100;

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool IsFifoQueueArn(const std::string& endpoint) {
  ArnParts q;
  return ParseQueueArn(endpoint, &q) && q.resource.size() > 5 &&
         q.resource.compare(q.resource.size() - 5, 5, ".fifo") == 0;
}

// Phone numbers as SNS takes them: E.164-ish, digits with an optional leading '+' and the
// usual separators.
bool IsPhoneNumber(std::string_view p) {
  if (!p.empty() && p[0] == '+') p.remove_prefix(1);
  int digits = 0;
  for (char c : p) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != '-' && c != ' ' && c != '(' && c != ')' && c != '.') {
      return false;
    }
  }
  return digits >= 1 && digits <= 15;
}

bool IsEmailAddress(std::string_view e) {
  auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < e.size() &&
         e.find('@', at + 1) == std::string_view::npos &&
         std::none_of(e.begin(), e.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// SNS's check of `endpoint` for `protocol`; "" when valid, else the whole error message.
std::string CheckEndpoint(const std::string& protocol, const std::string& endpoint) {
  ArnParts parts;
  if (protocol == "sqs")
    return ParseQueueArn(endpoint, &parts) ? "" : "Invalid parameter: SQS endpoint ARN";
  if (protocol == "lambda") {
    auto arn = ParseArn(endpoint, "Endpoint");
    return arn && arn->service == "lambda" && StartsWith(arn->resource, "function:")
               ? ""
               : "Invalid parameter: Lambda endpoint ARN";
  }
  if (protocol == "firehose") {
    auto arn = ParseArn(endpoint, "Endpoint");
    return arn && arn->service == "firehose" ? "" : "Invalid parameter: Firehose endpoint ARN";
  }
  if (protocol == "application") {
    auto arn = ParseArn(endpoint, "Endpoint");
    return arn && arn->service == "sns" && StartsWith(arn->resource, "endpoint/")
               ? ""
               : "Invalid parameter: Application endpoint ARN";
  }
  if (protocol == "http" || protocol == "https") {
    bool ok = StartsWith(endpoint, protocol + "://") && endpoint.size() > protocol.size() + 3;
    return ok ? "" : "Invalid parameter: Endpoint must match the specified protocol";
  }
  if (protocol == "email" || protocol == "email-json")
    return IsEmailAddress(endpoint) ? "" : "Invalid parameter: Email address";
  if (protocol == "sms") return IsPhoneNumber(endpoint) ? "" : "Invalid SMS endpoint: " + endpoint;
  return "Invalid parameter: Amazon SNS does not support this protocol string: " + protocol;
}

bool NeedsConfirmation(const std::string& protocol) {
  return protocol == "http" || protocol == "https" || protocol == "email" ||
         protocol == "email-json";
}

// Applies Subscribe's or SetSubscriptionAttributes' attributes, FilterPolicyScope first so the
// filter policy is checked in its scope. Returns SNS's reason for the first problem or "".
std::string ApplyAll(std::vector<std::pair<std::string, std::string>> attributes, bool topic_fifo,
                     Subscription* sub) {
  std::stable_partition(attributes.begin(), attributes.end(),
                        [](const auto& a) { return a.first == "FilterPolicyScope"; });
  for (const auto& [k, v] : attributes) {
    std::string problem = ApplySubscriptionAttribute(k, v, topic_fifo, sub);
    if (!problem.empty()) return problem;
  }
  return {};
}

json::object ListEntry(const Subscription& s) {
  return json::object{{"SubscriptionArn", s.pending ? "PendingConfirmation" : s.arn},
                      {"Owner", s.owner},
                      {"Protocol", s.protocol},
                      {"Endpoint", s.endpoint},
                      {"TopicArn", s.topic_arn}};
}

Result<std::string> DecodeNextToken(const Document& in) {
  std::string token = StringMember(in, "NextToken");
  if (token.empty()) return std::string();
  auto decoded = Base64Decode(token);
  if (!decoded || decoded->rfind("arn:", 0) != 0)
    return InvalidParameter("Invalid parameter: NextToken");
  return *decoded;
}

}  // namespace

Result<Document> SnsService::Subscribe(RequestContext& ctx, const Document& in) {
  std::string topic_arn = StringMember(in, "TopicArn");
  std::string protocol = StringMember(in, "Protocol");
  std::string endpoint = StringMember(in, "Endpoint");
  auto parts = ParseTopicArn(topic_arn, ctx.region);
  if (!parts) return std::move(parts).error();
  if (std::string problem = CheckEndpoint(protocol, endpoint); !problem.empty())
    return InvalidParameter(std::move(problem));
  auto topic = TopicFor(ctx, topic_arn, "Subscribe");
  if (!topic) return std::move(topic).error();
  bool topic_fifo = (*topic)->fifo;
  if (topic_fifo && protocol != "sqs")
    return InvalidParameter(
        "Invalid parameter: Invalid parameter: Protocol Reason: FIFO topics only support the "
        "sqs protocol");
  if (!topic_fifo && protocol == "sqs" && IsFifoQueueArn(endpoint))
    return InvalidParameter(
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
        "subscribed to standard SNS topics");
  auto attributes = StringMap(in, "Attributes");
  for (const auto& [k, v] : attributes)
    if (!IsSubscriptionAttributeName(k))
      return InvalidParameter("Invalid parameter: Attributes Reason: Unknown attribute: " + k);
  const json::value* return_arn = Member(in, "ReturnSubscriptionArn");
  bool want_arn = return_arn && return_arn->is_bool() && return_arn->get_bool();

  // The same topic, protocol and endpoint: the existing subscription, if nothing differs.
  for (const auto& existing : store_.SubscriptionsOf(topic_arn)) {
    if (existing->protocol != protocol || existing->endpoint != endpoint) continue;
    Subscription copy = *existing;
    std::string problem = ApplyAll(attributes, topic_fifo, &copy);
    if (!problem.empty())
      return InvalidParameter("Invalid parameter: Attributes Reason: " + problem);
    if (copy.attributes != existing->attributes)
      return InvalidParameter(
          "Invalid parameter: Attributes Reason: Subscription already exists with different "
          "attributes");
    if (existing->pending) {
      deliverer_->SendConfirmation("SubscriptionConfirmation", existing, *topic, existing->token);
      if (!want_arn) return json::value{{"SubscriptionArn", "pending confirmation"}};
    }
    return json::value{{"SubscriptionArn", existing->arn}};
  }

  Subscription sub;
  sub.arn = topic_arn + ":" + NewUuid();
  sub.topic_arn = topic_arn;
  sub.account = (*topic)->account;
  sub.region = (*topic)->region;
  sub.protocol = protocol;
  sub.endpoint = endpoint;
  sub.owner = ctx.account_id;
  sub.principal = ctx.caller_arn;
  sub.pending = NeedsConfirmation(protocol);
  sub.confirmation_authenticated = !sub.pending;
  sub.token = RandomHex(128);
  std::string problem = ApplyAll(attributes, topic_fifo, &sub);
  if (!problem.empty()) return InvalidParameter("Invalid parameter: Attributes Reason: " + problem);
  auto shared = std::make_shared<const Subscription>(std::move(sub));
  auto st = store_.PutSubscription(shared);
  if (!st) return std::move(st).error();
  if (shared->pending) {
    deliverer_->SendConfirmation("SubscriptionConfirmation", shared, *topic, shared->token);
    if (!want_arn) return json::value{{"SubscriptionArn", "pending confirmation"}};
  }
  return json::value{{"SubscriptionArn", shared->arn}};
}

Result<Document> SnsService::ConfirmSubscription(RequestContext& ctx, const Document& in) {
  std::string topic_arn = StringMember(in, "TopicArn");
  std::string token = StringMember(in, "Token");
  if (!ParseTopicArn(topic_arn, ctx.region)) return InvalidParameter("Invalid parameter: Topic");
  bool hex = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c));
  });
  if (!hex) return InvalidParameter("Invalid token");
  auto sub = store_.FindSubscriptionByToken(token);
  if (!sub || sub->topic_arn != topic_arn) return InvalidParameter("Invalid parameter: Token");
  if (sub->pending) {
    Subscription copy = *sub;
    copy.pending = false;
    copy.confirmation_authenticated = StringMember(in, "AuthenticateOnUnsubscribe") == "true";
    auto st = store_.PutSubscription(std::make_shared<const Subscription>(std::move(copy)));
    if (!st) return std::move(st).error();
  }
  return json::value{{"SubscriptionArn", sub->arn}};
}

Result<Document> SnsService::Unsubscribe(RequestContext& ctx, const Document& in) {
  std::string arn = StringMember(in, "SubscriptionArn");
  auto parts = ParseSubscriptionArn(arn, ctx.region);
  if (!parts) return std::move(parts).error();
  auto sub = store_.FindSubscription(arn);
  if (!sub) return json::value(json::object());  // Unsubscribing twice succeeds.
  auto topic = store_.FindTopic(sub->topic_arn);
  if (sub->owner != ctx.account_id && sub->account != ctx.account_id)
    return AuthorizationError(ctx.caller_arn, "Unsubscribe", arn);
  auto st = store_.DeleteSubscription(arn);
  if (!st) return std::move(st).error();
  if ((sub->protocol == "http" || sub->protocol == "https") && !sub->pending)
    deliverer_->SendConfirmation("UnsubscribeConfirmation", sub, topic, sub->token);
  return json::value(json::object());
}

Result<Document> SnsService::ListSubscriptions(RequestContext& ctx, const Document& in) {
  auto after = DecodeNextToken(in);
  if (!after) return std::move(after).error();
  bool more = false;
  auto subs = store_.ListSubscriptions("arn:aws:sns:" + ctx.region + ":" + ctx.account_id + ":",
                                       *after, kPageSize, &more);
  json::array list;
  for (const auto& s : subs) list.push_back(ListEntry(*s));
  json::object out{{"Subscriptions", std::move(list)}};
  if (more) out["NextToken"] = Base64Encode(subs.back()->arn);
  return json::value(std::move(out));
}

Result<Document> SnsService::ListSubscriptionsByTopic(RequestContext& ctx, const Document& in) {
  auto topic = TopicFor(ctx, StringMember(in, "TopicArn"), "ListSubscriptionsByTopic");
  if (!topic) return std::move(topic).error();
  auto after = DecodeNextToken(in);
  if (!after) return std::move(after).error();
  bool more = false;
  auto subs = store_.ListSubscriptions((*topic)->arn + ":", *after, kPageSize, &more);
  json::array list;
  for (const auto& s : subs) list.push_back(ListEntry(*s));
  json::object out{{"Subscriptions", std::move(list)}};
  if (more) out["NextToken"] = Base64Encode(subs.back()->arn);
  return json::value(std::move(out));
}

Result<Document> SnsService::GetSubscriptionAttributes(RequestContext& ctx, const Document& in) {
  std::string arn = StringMember(in, "SubscriptionArn");
  auto parts = ParseSubscriptionArn(arn, ctx.region);
  if (!parts) return std::move(parts).error();
  auto sub = store_.FindSubscription(arn);
  if (!sub) return SubscriptionNotFound();
  if (sub->owner != ctx.account_id && sub->account != ctx.account_id)
    return AuthorizationError(ctx.caller_arn, "GetSubscriptionAttributes", arn);
  auto topic = store_.FindTopic(sub->topic_arn);
  return json::value{{"Attributes", SubscriptionAttributes(*sub, topic.get())}};
}

Result<Document> SnsService::SetSubscriptionAttributes(RequestContext& ctx, const Document& in) {
  std::string arn = StringMember(in, "SubscriptionArn");
  std::string name = StringMember(in, "AttributeName");
  auto parts = ParseSubscriptionArn(arn, ctx.region);
  if (!parts) return std::move(parts).error();
  if (!IsSubscriptionAttributeName(name))
    return InvalidParameter("Invalid parameter: AttributeName");
  auto sub = store_.FindSubscription(arn);
  if (!sub) return SubscriptionNotFound();
  if (sub->owner != ctx.account_id && sub->account != ctx.account_id)
    return AuthorizationError(ctx.caller_arn, "SetSubscriptionAttributes", arn);
  auto topic = store_.FindTopic(sub->topic_arn);
  Subscription copy = *sub;
  std::string problem = ApplySubscriptionAttribute(name, StringMember(in, "AttributeValue"),
                                                   topic && topic->fifo, &copy);
  if (!problem.empty()) return InvalidParameter("Invalid parameter: " + problem);
  auto st = store_.PutSubscription(std::make_shared<const Subscription>(std::move(copy)));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

}  // namespace nimbus::sns
