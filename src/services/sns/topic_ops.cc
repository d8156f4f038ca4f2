// CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes and the tagging operations.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>

#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "services/sns/arn.h"
#include "services/sns/attributes.h"
#include "services/sns/errors.h"
#include "services/sns/sns_service_impl.h"

namespace nimbus::sns {

namespace {

constexpr size_t kPageSize = 100;
constexpr size_t kMaxTags = 50;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using Tags = std::vector<std::pair<std::string, std::string>>;

// The Tags member ([{Key, Value}]); InvalidParameter when a key repeats.
Result<Tags> ReadTags(const Document& in) {
  Tags tags;
  const json::value* list = Member(in, "Tags");
  if (!list || !list->is_array()) return tags;
  std::set<std::string> seen;
  for (const auto& t : list->get_array()) {
    std::string key = StringMember(t, "Key");
    if (!seen.insert(key).second)
      return InvalidParameter("Invalid parameter: Duplicated keys are not allowed.");
    tags.emplace_back(std::move(key), StringMember(t, "Value"));
  }
  return tags;
}

// `existing` with `tags` added or replacing values; TagLimitExceeded beyond 50.
Result<Tags> MergeTags(Tags existing, const Tags& tags) {
  for (const auto& [k, v] : tags) {
    auto it =
        std::find_if(existing.begin(), existing.end(), [&](const auto& e) { return e.first == k; });
    if (it != existing.end()) {
      it->second = v;
    } else {
      existing.emplace_back(k, v);
    }
  }
  if (existing.size() > kMaxTags) return TagLimitExceeded();
  return existing;
}

json::array TagList(const Tags& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

// NextToken: the last ARN of the previous page, base64 so clients treat it as opaque.
Result<std::string> DecodeNextToken(const Document& in) {
  std::string token = StringMember(in, "NextToken");
  if (token.empty()) return std::string();
  auto decoded = Base64Decode(token);
  if (!decoded || decoded->rfind("arn:", 0) != 0)
    return InvalidParameter("Invalid parameter: NextToken");
  return *decoded;
}

}  // namespace

Result<Document> SnsService::CreateTopic(RequestContext& ctx, const Document& in) {
  std::string name = StringMember(in, "Name");
  auto attributes = StringMap(in, "Attributes");
  bool fifo = false;
  for (const auto& [k, v] : attributes)
    if (k == "FifoTopic") fifo = Lower(v) == "true";
  if (!IsValidTopicName(name, fifo)) {
    if (fifo)
      return InvalidParameter(
          "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only "
          "uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must "
          "be between 1 and 256 characters long.");
    return InvalidParameter("Invalid parameter: Topic Name");
  }
  auto tags = ReadTags(in);
  if (!tags) return std::move(tags).error();
  if (tags->size() > kMaxTags) return TagLimitExceeded();

  std::string arn = Arn("sns", ctx.region, ctx.account_id, name);
  auto existing = store_.FindTopic(arn);
  Topic topic;
  if (existing) {
    topic = *existing;
  } else {
    topic.arn = arn;
    topic.name = name;
    topic.account = ctx.account_id;
    topic.region = ctx.region;
    topic.fifo = fifo;
  }
  for (const auto& [k, v] : attributes) {
    std::string problem = ApplyTopicAttribute(k, v, true, &topic);
    if (!problem.empty()) return InvalidParameter("Invalid parameter: " + problem);
  }
  if (existing) {
    // Idempotent: the same name answers the same ARN, unless the request asks for something
    // else than the topic has.
    if (topic.attributes != existing->attributes || fifo != existing->fifo)
      return InvalidParameter(
          "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
    if (!tags->empty()) {
      Tags have = existing->tags, want = *tags;
      std::sort(have.begin(), have.end());
      std::sort(want.begin(), want.end());
      if (have != want)
        return InvalidParameter(
            "Invalid parameter: Tags Reason: Topic already exists with different tags");
    }
    return json::value{{"TopicArn", arn}};
  }
  topic.tags = std::move(*tags);
  auto st = store_.PutTopic(std::make_shared<const Topic>(std::move(topic)));
  if (!st) return std::move(st).error();
  return json::value{{"TopicArn", arn}};
}

Result<Document> SnsService::DeleteTopic(RequestContext& ctx, const Document& in) {
  std::string arn = StringMember(in, "TopicArn");
  auto topic = TopicFor(ctx, arn, "DeleteTopic");
  if (!topic) {
    // Deleting a topic that does not exist succeeds.
    if (topic.error().code == "NotFound") return json::value(json::object());
    return std::move(topic).error();
  }
  auto st = store_.DeleteTopic(arn);
  if (!st) return std::move(st).error();
  std::lock_guard lock(fifo_mu_);
  fifo_.erase(arn);
  return json::value(json::object());
}

Result<Document> SnsService::ListTopics(RequestContext& ctx, const Document& in) {
  auto after = DecodeNextToken(in);
  if (!after) return std::move(after).error();
  std::string prefix = "arn:aws:sns:" + ctx.region + ":" + ctx.account_id + ":";
  bool more = false;
  auto topics = store_.ListTopics(prefix, *after, kPageSize, &more);
  json::array list;
  for (const auto& t : topics) list.push_back(json::object{{"TopicArn", t->arn}});
  json::object out{{"Topics", std::move(list)}};
  if (more) out["NextToken"] = Base64Encode(topics.back()->arn);
  return json::value(std::move(out));
}

Result<Document> SnsService::GetTopicAttributes(RequestContext& ctx, const Document& in) {
  auto topic = TopicFor(ctx, StringMember(in, "TopicArn"), "GetTopicAttributes");
  if (!topic) return std::move(topic).error();
  int64_t confirmed = 0, pending = 0;
  for (const auto& s : store_.SubscriptionsOf((*topic)->arn)) ++(s->pending ? pending : confirmed);
  return json::value{{"Attributes", TopicAttributes(**topic, confirmed, pending)}};
}

Result<Document> SnsService::SetTopicAttributes(RequestContext& ctx, const Document& in) {
  auto topic = TopicFor(ctx, StringMember(in, "TopicArn"), "SetTopicAttributes");
  if (!topic) return std::move(topic).error();
  Topic copy = **topic;
  std::string problem = ApplyTopicAttribute(StringMember(in, "AttributeName"),
                                            StringMember(in, "AttributeValue"), false, &copy);
  if (!problem.empty()) return InvalidParameter("Invalid parameter: " + problem);
  auto st = store_.PutTopic(std::make_shared<const Topic>(std::move(copy)));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SnsService::TagResource(RequestContext& ctx, const Document& in) {
  auto tags = ReadTags(in);
  if (!tags) return std::move(tags).error();
  auto topic = TaggedTopic(ctx, StringMember(in, "ResourceArn"), "TagResource");
  if (!topic) return std::move(topic).error();
  auto merged = MergeTags((*topic)->tags, *tags);
  if (!merged) return std::move(merged).error();
  Topic copy = **topic;
  copy.tags = std::move(*merged);
  auto st = store_.PutTopic(std::make_shared<const Topic>(std::move(copy)));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SnsService::UntagResource(RequestContext& ctx, const Document& in) {
  auto topic = TaggedTopic(ctx, StringMember(in, "ResourceArn"), "UntagResource");
  if (!topic) return std::move(topic).error();
  std::set<std::string> keys;
  if (const json::value* list = Member(in, "TagKeys"); list && list->is_array())
    for (const auto& k : list->get_array())
      if (k.is_string()) keys.insert(std::string(k.get_string()));
  Topic copy = **topic;
  std::erase_if(copy.tags, [&](const auto& t) { return keys.count(t.first) > 0; });
  auto st = store_.PutTopic(std::make_shared<const Topic>(std::move(copy)));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SnsService::ListTagsForResource(RequestContext& ctx, const Document& in) {
  auto topic = TaggedTopic(ctx, StringMember(in, "ResourceArn"), "ListTagsForResource");
  if (!topic) return std::move(topic).error();
  return json::value{{"Tags", TagList((*topic)->tags)}};
}

}  // namespace nimbus::sns
