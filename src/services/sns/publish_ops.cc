// Publish and PublishBatch: validation, FIFO sequencing and deduplication, filtering, fan-out.
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <set>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "services/sns/arn.h"
#include "services/sns/errors.h"
#include "services/sns/sns_service_impl.h"

namespace nimbus::sns {

namespace {

constexpr size_t kMaxMessageBytes = 256 * 1024;
constexpr size_t kMaxBatchEntries = 10;
constexpr int64_t kDeduplicationMillis = 5 * 60 * 1000;

// Subjects: up to 100 printable ASCII characters, not starting with a space.
bool IsValidSubject(std::string_view s) {
  if (s.empty() || s.size() > 100 || s[0] == ' ') return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return false;
  }
  return true;
}

bool IsValidBatchId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

bool IsPhoneNumber(std::string_view p) {
  if (p.size() < 2 || p[0] != '+') return false;
  for (char c : p.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return p.size() <= 16;
}

// One entry to publish (Publish's input or a PublishBatch entry), checked as SNS checks it.
struct Draft {
  std::shared_ptr<Notification> n;
  std::string entry_error;  // PublishBatch: this entry fails alone with InvalidParameter
};

// Builds the notification for `in` on `topic`. Request-level problems are errors; problems
// that fail only this entry of a batch go to `entry_error` when `batch`.
Result<Draft> MakeDraft(const Document& in, const Topic& topic, std::string_view attributes_path,
                        bool batch) {
  Draft d;
  d.n = std::make_shared<Notification>();
  Notification& n = *d.n;
  auto attributes = ValidateMessageAttributes(Member(in, "MessageAttributes"), attributes_path);
  if (!attributes) return std::move(attributes).error();
  n.attributes = std::move(*attributes);
  n.message = StringMember(in, "Message");
  auto entry_problem = [&](std::string message) -> Result<Draft> {
    if (!batch) return InvalidParameter(std::move(message));
    d.entry_error = std::move(message);
    return d;
  };
  if (n.message.empty()) return entry_problem("Invalid parameter: Empty message");
  if (!IsValidUtf8(n.message)) return entry_problem("Invalid parameter: Message");
  if (n.message.size() + AttributesSize(n.attributes) > kMaxMessageBytes)
    return InvalidParameter("Invalid parameter: Message too long");
  if (const json::value* subject = Member(in, "Subject")) {
    std::string s = subject->is_string() ? std::string(subject->get_string()) : std::string();
    if (!IsValidSubject(s)) return entry_problem("Invalid parameter: Subject");
    n.subject = std::move(s);
  }
  if (const json::value* structure = Member(in, "MessageStructure")) {
    if (!structure->is_string() || structure->get_string() != "json")
      return InvalidParameter("Invalid parameter: MessageStructure");
    auto parsed = ParseMessageStructure(n.message);
    if (!parsed) return std::move(parsed).error();
    n.structured = std::move(*parsed);
    n.message = n.structured["default"];
  }
  n.group_id = StringMember(in, "MessageGroupId");
  n.dedup_id = StringMember(in, "MessageDeduplicationId");
  if (topic.fifo) {
    if (n.group_id.empty())
      return InvalidParameter(
          "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    if (n.dedup_id.empty()) {
      if (topic.Attribute("ContentBasedDeduplication") != "true")
        return InvalidParameter(
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
            "or MessageDeduplicationId provided explicitly");
      // Content-based deduplication: the SHA-256 of the message, as SNS passes it on to SQS.
      n.dedup_id = HexEncode(Sha256(StringMember(in, "Message")));
    }
  } else if (Member(in, "MessageDeduplicationId")) {
    return InvalidParameter(
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  n.message_id = NewUuid();
  n.topic_arn = topic.arn;
  n.account = topic.account;
  n.region = topic.region;
  n.fifo = topic.fifo;
  n.signature_version = topic.Attribute("SignatureVersion") == "2" ? 2 : 1;
  return d;
}

}  // namespace

json::object SnsService::Fanout(std::shared_ptr<Notification> n,
                                std::shared_ptr<const Topic> topic) {
  auto deliver = [&] {
    std::vector<std::shared_ptr<const Subscription>> matched;
    for (auto& sub : store_.SubscriptionsOf(topic->arn)) {
      if (sub->pending) continue;
      if (sub->filter) {
        bool match = sub->filter->scope() == FilterScope::kMessageBody
                         ? sub->filter->MatchBody(n->MessageFor(sub->protocol))
                         : sub->filter->MatchAttributes(n->attributes);
        if (!match) continue;
      }
      matched.push_back(std::move(sub));
    }
    if (!matched.empty()) deliverer_->Publish(n, matched, topic);
  };
  int64_t now_ms = env_->clock->NowMillis();
  n->timestamp = FormatIso8601(env_->clock->Now(), true);
  if (!topic->fifo) {
    deliver();
    return json::object{{"MessageId", n->message_id}};
  }
  // FIFO: ids, deduplication and hand-off under one lock so deliveries keep sequence order.
  std::lock_guard lock(fifo_mu_);
  FifoState& state = fifo_[topic->arn];
  while (!state.expiry.empty() && state.expiry.front().first <= now_ms) {
    auto it = state.dedup.find(state.expiry.front().second);
    if (it != state.dedup.end() && it->second.expires_ms <= now_ms) state.dedup.erase(it);
    state.expiry.pop_front();
  }
  if (auto it = state.dedup.find(n->dedup_id); it != state.dedup.end())
    return json::object{{"MessageId", it->second.message_id},
                        {"SequenceNumber", it->second.sequence_number}};
  // 20 digits, increasing: the publish millisecond then a counter within it.
  if (now_ms > state.last_ms) {
    state.last_ms = now_ms;
    state.counter = 0;
  } else {
    ++state.counter;
  }
  char sequence[64];
  std::snprintf(sequence, sizeof(sequence), "%013lld%07lld", static_cast<long long>(state.last_ms),
                static_cast<long long>(state.counter));
  n->sequence_number = sequence;
  state.dedup[n->dedup_id] = {n->message_id, n->sequence_number, now_ms + kDeduplicationMillis};
  state.expiry.emplace_back(now_ms + kDeduplicationMillis, n->dedup_id);
  deliver();
  return json::object{{"MessageId", n->message_id}, {"SequenceNumber", n->sequence_number}};
}

Result<Document> SnsService::Publish(RequestContext& ctx, const Document& in) {
  std::string topic_arn = StringMember(in, "TopicArn");
  std::string target_arn = StringMember(in, "TargetArn");
  std::string phone = StringMember(in, "PhoneNumber");
  int targets = !topic_arn.empty() + !target_arn.empty() + !phone.empty();
  if (targets == 0)
    return InvalidParameter(
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  if (targets > 1)
    return InvalidParameter(
        "Invalid parameter: TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber "
        "may be set");
  if (!phone.empty()) {
    // SMS straight to a phone number: nimbus keeps it for inspection.
    if (!IsPhoneNumber(phone))
      return InvalidParameter("Invalid parameter: PhoneNumber Reason: " + phone +
                              " is not valid to publish to");
    auto attributes =
        ValidateMessageAttributes(Member(in, "MessageAttributes"), "messageAttributes");
    if (!attributes) return std::move(attributes).error();
    std::string message = StringMember(in, "Message");
    if (message.empty()) return InvalidParameter("Invalid parameter: Empty message");
    std::string id = NewUuid();
    json::object entry{{"Type", "Notification"},
                       {"MessageId", id},
                       {"TopicArn", ""},
                       {"Protocol", "sms"},
                       {"Endpoint", phone},
                       {"Message", message},
                       {"MessageAttributes", EnvelopeAttributes(*attributes)},
                       {"Timestamp", FormatIso8601(env_->clock->Now(), true)},
                       {"Body", message},
                       {"Account", ctx.account_id},
                       {"Region", ctx.region}};
    log_.Add(std::move(entry));
    return json::value{{"MessageId", id}};
  }
  std::string_view param = topic_arn.empty() ? "TargetArn" : "TopicArn";
  std::string arn = topic_arn.empty() ? target_arn : topic_arn;
  if (!target_arn.empty()) {
    auto parts = ParseArn(target_arn, "TargetArn");
    if (!parts) return std::move(parts).error();
    if (parts->resource.find('/') != std::string::npos)
      return InvalidParameter(
          "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified");
  }
  auto topic = TopicFor(ctx, arn, "Publish", param);
  if (!topic) return std::move(topic).error();
  auto draft = MakeDraft(in, **topic, "messageAttributes", false);
  if (!draft) return std::move(draft).error();
  return json::value(Fanout(draft->n, *topic));
}

Task<Result<Document>> SnsService::PublishWhenRoom(RequestContext& ctx, Document in, bool batch) {
  Result<Document> out = batch ? PublishBatch(ctx, in) : Publish(ctx, in);
  if (out) co_await deliverer_->WaitForRoom();
  co_return std::move(out);
}

Result<Document> SnsService::PublishBatch(RequestContext& ctx, const Document& in) {
  const json::value* entries = Member(in, "PublishBatchRequestEntries");
  const json::array empty;
  const json::array& list = entries && entries->is_array() ? entries->get_array() : empty;
  if (list.empty()) return EmptyBatchRequest();
  if (list.size() > kMaxBatchEntries) return TooManyEntriesInBatchRequest();
  std::set<std::string> ids;
  for (const auto& e : list)
    if (!ids.insert(StringMember(e, "Id")).second) return BatchEntryIdsNotDistinct();
  for (const auto& id : ids)
    if (!IsValidBatchId(id)) return InvalidBatchEntryId();
  auto topic = TopicFor(ctx, StringMember(in, "TopicArn"), "Publish");
  if (!topic) return std::move(topic).error();
  size_t total = 0;
  for (const auto& e : list) {
    total += StringMember(e, "Message").size();
    if (const json::value* a = Member(e, "MessageAttributes"); a && a->is_object())
      for (const auto& kv : a->get_object())
        total += kv.key().size() + json::serialize(kv.value()).size();
  }
  if (total > kMaxMessageBytes) return BatchRequestTooLong();

  // Every request-level check passes before anything is published.
  std::vector<Draft> drafts;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path =
        "publishBatchRequestEntries." + std::to_string(i + 1) + ".member.messageAttributes";
    auto draft = MakeDraft(list[i], **topic, path, true);
    if (!draft) return std::move(draft).error();
    drafts.push_back(std::move(*draft));
  }
  json::array successful, failed;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string id = StringMember(list[i], "Id");
    if (!drafts[i].entry_error.empty()) {
      failed.push_back(json::object{{"Id", id},
                                    {"Code", "InvalidParameter"},
                                    {"Message", drafts[i].entry_error},
                                    {"SenderFault", true}});
      continue;
    }
    json::object result = Fanout(drafts[i].n, *topic);
    result["Id"] = id;
    successful.push_back(std::move(result));
  }
  return json::value{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}};
}

}  // namespace nimbus::sns
