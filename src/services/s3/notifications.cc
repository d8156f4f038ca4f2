#include "services/s3/notifications.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <exception>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

struct Kind {
  std::string_view list;        // "QueueConfigurations"
  std::string_view arn_member;  // "QueueArn"
  std::string_view arn_prefix;  // "arn:aws:sqs:"
  DestinationKind kind;
};

constexpr Kind kKinds[] = {
    {"QueueConfigurations", "QueueArn", "arn:aws:sqs:", DestinationKind::kQueue},
    {"TopicConfigurations", "TopicArn", "arn:aws:sns:", DestinationKind::kTopic},
    {"LambdaFunctionConfigurations", "LambdaFunctionArn",
     "arn:aws:lambda:", DestinationKind::kLambda}};

const json::array* ArrayOf(const json::value& v, std::string_view member) {
  if (!v.is_object()) return nullptr;
  auto* a = v.get_object().if_contains(member);
  return a && a->is_array() ? &a->get_array() : nullptr;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct KeyFilter {
  std::optional<std::string> prefix, suffix;
  bool Matches(std::string_view key) const {
    if (prefix && key.substr(0, prefix->size()) != *prefix) return false;
    if (suffix &&
        (key.size() < suffix->size() || key.substr(key.size() - suffix->size()) != *suffix))
      return false;
    return true;
  }
};

// Filter.Key.FilterRules of one configuration. Rule names are case-insensitive ("Prefix" and
// "prefix" both work on S3); values are compared case-sensitively.
Result<KeyFilter> FilterOf(const json::object& config) {
  KeyFilter f;
  auto* filter = config.if_contains("Filter");
  if (!filter || filter->is_null()) return f;
  if (!filter->is_object()) return MalformedXML();
  auto* key = filter->get_object().if_contains("Key");
  if (!key || key->is_null()) return f;
  if (!key->is_object()) return MalformedXML();
  auto* rules = key->get_object().if_contains("FilterRules");
  if (!rules || rules->is_null()) return f;
  if (!rules->is_array()) return MalformedXML();
  for (const auto& r : rules->get_array()) {
    if (!r.is_object()) return MalformedXML();
    std::string name = StrOf(r.get_object(), "Name");
    std::string value = StrOf(r.get_object(), "Value");
    std::optional<std::string>* slot = EqualsIgnoreCase(name, "prefix")   ? &f.prefix
                                       : EqualsIgnoreCase(name, "suffix") ? &f.suffix
                                                                          : nullptr;
    if (!slot)
      return InvalidArgument("filter rule name must be either prefix or suffix", "FilterRule.Name",
                             name);
    if (*slot)
      return InvalidArgument("Cannot specify more than one " +
                                 std::string(slot == &f.prefix ? "prefix" : "suffix") +
                                 " rule in a filter.",
                             "FilterRule.Name", name);
    *slot = std::move(value);
  }
  return f;
}

std::vector<std::string> EventsOf(const json::object& config) {
  std::vector<std::string> out;
  if (auto* events = config.if_contains("Events"); events && events->is_array())
    for (const auto& e : events->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

// Two configured event types share events: equal, or one is the other's "<family>:*".
bool EventTypesOverlap(std::string_view a, std::string_view b) {
  if (a == b) return true;
  auto family = [](std::string_view wildcard, std::string_view other) {
    return wildcard.size() > 1 && wildcard.substr(wildcard.size() - 2) == ":*" &&
           other.substr(0, wildcard.size() - 1) == wildcard.substr(0, wildcard.size() - 1);
  };
  return family(a, b) || family(b, a);
}

bool PrefixesOverlap(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return true;
  return a->substr(0, std::min(a->size(), b->size())) ==
         b->substr(0, std::min(a->size(), b->size()));
}

bool SuffixesOverlap(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return true;
  size_t n = std::min(a->size(), b->size());
  return a->substr(a->size() - n) == b->substr(b->size() - n);
}

// "arn:aws:<service>:<region>:<account>:<resource...>".
struct ArnParts {
  std::string region, account, resource;
};

std::optional<ArnParts> SplitArn(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  ArnParts out{std::string(parts[3]), std::string(parts[4]), std::string(arn.substr(start))};
  if (out.account.empty() || out.resource.empty()) return std::nullopt;
  return out;
}

RequestContext InternalContext(ServiceEnv* env, const ArnParts& arn) {
  RequestContext ctx;
  ctx.request_id = NewRequestId();
  ctx.account_id = arn.account;
  ctx.region = arn.region;
  ctx.caller_arn = "arn:aws:iam::" + arn.account + ":root";
  ctx.caller_user_id = arn.account;
  ctx.service = "s3";
  ctx.env = env;
  return ctx;
}

std::string_view KindName(DestinationKind kind) {
  return kind == DestinationKind::kQueue   ? "queue"
         : kind == DestinationKind::kTopic ? "topic"
                                           : "Lambda";
}

std::string Missing(DestinationKind kind) {
  return "The destination " + std::string(KindName(kind)) + " does not exist";
}

// InvalidArgument naming each destination S3 could not validate as ArgumentName<n> (the ARN)
// and ArgumentValue<n> (why).
ApiError UnableToValidate(const std::vector<std::pair<std::string, std::string>>& failed) {
  ApiError e("InvalidArgument", 400, "Unable to validate the following destination configurations");
  for (size_t i = 0; i < failed.size(); ++i) {
    e.extra["ArgumentName" + std::to_string(i + 1)] = failed[i].first;
    e.extra["ArgumentValue" + std::to_string(i + 1)] = failed[i].second;
  }
  return e;
}

std::string HostId(std::string_view request_id) { return Base64Encode(Sha256(request_id)); }

std::string IsoMillis(int64_t ms) {
  return FormatIso8601(Clock::TimePoint(std::chrono::milliseconds(ms)), true);
}

}  // namespace

EventOrigin OriginOf(const RequestContext& ctx, int64_t time_ms) {
  EventOrigin o;
  o.request_id = ctx.request_id;
  // IAM users and roles appear as "AWS:<unique id>", the root user as its customer id.
  bool root = ctx.caller_arn.empty() || ctx.caller_arn.ends_with(":root");
  o.principal_id = root ? AmazonCustomerId(ctx.account_id) : "AWS:" + ctx.caller_user_id;
  if (ctx.http) o.source_ip = ctx.http->remote_address;
  if (o.source_ip.empty()) o.source_ip = "127.0.0.1";
  o.time_ms = time_ms;
  return o;
}

EventOrigin ServiceOrigin(int64_t time_ms) {
  EventOrigin o;
  o.request_id = RandomHex(16);
  for (auto& c : o.request_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  o.principal_id = "s3.amazonaws.com";
  o.source_ip = "s3.amazonaws.com";
  o.time_ms = time_ms;
  return o;
}

std::string AmazonCustomerId(std::string_view account) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string digest = Sha256(std::string("s3-customer:") + std::string(account));
  std::string out = "A";
  for (size_t i = 0; i < 13; ++i) out += kAlphabet[static_cast<unsigned char>(digest[i]) % 36];
  return out;
}

Status CheckNotificationConfiguration(json::value& config,
                                      const std::vector<std::string>& known_events) {
  if (!config.is_object()) return MalformedXML();
  struct Rule {
    std::vector<std::string> events;
    KeyFilter filter;
  };
  std::vector<Rule> rules;
  for (const Kind& kind : kKinds) {
    auto* list = config.get_object().if_contains(kind.list);
    if (!list || list->is_null()) continue;
    if (!list->is_array()) return MalformedXML();
    for (auto& c : list->get_array()) {
      if (!c.is_object()) return MalformedXML();
      json::object& o = c.get_object();
      const json::array* events = ArrayOf(c, "Events");
      if (!events || events->empty()) return MalformedXML();
      for (const auto& e : *events) {
        std::string_view name = e.is_string() ? std::string_view(e.get_string()) : "";
        bool known = known_events.empty() ? name.substr(0, 3) == "s3:"
                                          : std::find(known_events.begin(), known_events.end(),
                                                      name) != known_events.end();
        if (!known)
          return InvalidArgument("The event is not supported for notifications", "Event", name);
      }
      std::string target = StrOf(o, kind.arn_member);
      if (target.substr(0, kind.arn_prefix.size()) != kind.arn_prefix || !SplitArn(target))
        return UnableToValidate({{target, Missing(kind.kind)}});
      auto filter = FilterOf(o);
      if (!filter) return std::move(filter).error();
      // S3 names configurations that come without an Id (base64 of a UUID).
      if (StrOf(o, "Id").empty()) o["Id"] = Base64Encode(NewUuid());
      rules.push_back({EventsOf(o), std::move(*filter)});
    }
  }
  // S3 User Guide, "Configuring event notifications using object key name filtering": two
  // configurations may share an event type only when their prefixes and suffixes cannot both
  // match one key.
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = i + 1; j < rules.size(); ++j) {
      bool shared = false;
      for (const auto& a : rules[i].events)
        for (const auto& b : rules[j].events) shared = shared || EventTypesOverlap(a, b);
      if (shared && PrefixesOverlap(rules[i].filter.prefix, rules[j].filter.prefix) &&
          SuffixesOverlap(rules[i].filter.suffix, rules[j].filter.suffix))
        return InvalidArgument(
            "Configurations overlap. Configurations on the same bucket cannot share a common "
            "event type.");
    }
  }
  return Ok{};
}

std::vector<Destination> DestinationsOf(const json::value& config) {
  std::vector<Destination> out;
  for (const Kind& kind : kKinds) {
    const json::array* list = ArrayOf(config, kind.list);
    if (!list) continue;
    for (const auto& c : *list) {
      if (!c.is_object()) continue;
      std::string arn = StrOf(c.get_object(), kind.arn_member);
      bool seen = std::any_of(out.begin(), out.end(), [&](const Destination& d) {
        return d.kind == kind.kind && d.arn == arn;
      });
      if (!seen && !arn.empty()) out.push_back({kind.kind, std::move(arn)});
    }
  }
  return out;
}

bool EventTypeMatches(std::string_view configured, std::string_view event_name) {
  if (configured.substr(0, 3) != "s3:") return false;
  configured.remove_prefix(3);
  if (configured == event_name) return true;
  if (configured.size() >= 2 && configured.substr(configured.size() - 2) == ":*")
    return event_name.substr(0, configured.size() - 1) ==
               configured.substr(0, configured.size() - 1) &&
           event_name.size() > configured.size() - 1;
  return false;
}

std::vector<MatchedConfiguration> MatchConfigurations(const json::value& config,
                                                      std::string_view event_name,
                                                      std::string_view key) {
  std::vector<MatchedConfiguration> out;
  for (const Kind& kind : kKinds) {
    const json::array* list = ArrayOf(config, kind.list);
    if (!list) continue;
    for (const auto& c : *list) {
      if (!c.is_object()) continue;
      const json::object& o = c.get_object();
      auto events = EventsOf(o);
      bool wanted = std::any_of(events.begin(), events.end(), [&](const std::string& e) {
        return EventTypeMatches(e, event_name);
      });
      if (!wanted) continue;
      auto filter = FilterOf(o);
      if (!filter || !filter->Matches(key)) continue;
      out.push_back({StrOf(o, "Id"), {kind.kind, StrOf(o, kind.arn_member)}});
    }
  }
  return out;
}

std::string EventKey(std::string_view key) {
  // As form encoding (spaces as '+'), keeping unreserved characters and '/'.
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Sequencer(uint64_t seq) { return fmt::format("{:018X}", seq); }

std::string EventMessage(const BucketRecord& bucket, const EventOrigin& origin,
                         const ObjectEvent& event, std::string_view configuration_id) {
  json::object object{{"key", EventKey(event.key)}};
  if (event.size) object["size"] = *event.size;
  if (!event.etag.empty()) object["eTag"] = std::string(UnquoteEtag(event.etag));
  if (!event.version_id.empty()) object["versionId"] = event.version_id;
  object["sequencer"] = Sequencer(event.seq);
  json::object record{
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", bucket.region},
      {"eventTime", IsoMillis(origin.time_ms)},
      {"eventName", event.name},
      {"userIdentity", json::object{{"principalId", origin.principal_id}}},
      {"requestParameters", json::object{{"sourceIPAddress", origin.source_ip}}},
      {"responseElements", json::object{{"x-amz-request-id", origin.request_id},
                                        {"x-amz-id-2", HostId(origin.request_id)}}},
      {"s3",
       json::object{{"s3SchemaVersion", "1.0"},
                    {"configurationId", configuration_id},
                    {"bucket",
                     json::object{{"name", bucket.name},
                                  {"ownerIdentity",
                                   json::object{{"principalId", AmazonCustomerId(bucket.account)}}},
                                  {"arn", "arn:aws:s3:::" + bucket.name}}},
                    {"object", std::move(object)}}}};
  return json::serialize(json::object{{"Records", json::array{std::move(record)}}});
}

std::string TestEventMessage(std::string_view bucket, const EventOrigin& origin) {
  return json::serialize(json::object{{"Service", "Amazon S3"},
                                      {"Event", "s3:TestEvent"},
                                      {"Time", IsoMillis(origin.time_ms)},
                                      {"Bucket", bucket},
                                      {"RequestId", origin.request_id},
                                      {"HostId", HostId(origin.request_id)}});
}

void Notifier::Notify(const BucketRecord& bucket, const EventOrigin& origin,
                      const std::vector<ObjectEvent>& events) {
  auto* config = bucket.config.if_contains("Notification");
  if (!config || !config->is_object()) return;
  for (const auto& event : events)
    for (auto& m : MatchConfigurations(*config, event.name, event.key))
      Enqueue(std::move(m.destination), EventMessage(bucket, origin, event, m.id));
}

void Notifier::SendTestEvents(const BucketRecord& bucket, const json::value& config,
                              const EventOrigin& origin) {
  // S3 User Guide, "Event message structure": the test message goes to queues and topics.
  for (auto& d : DestinationsOf(config))
    if (d.kind != DestinationKind::kLambda)
      Enqueue(std::move(d), TestEventMessage(bucket.name, origin));
}

void Notifier::Clear() {
  std::lock_guard lock(mu_);
  for (auto& [arn, lane] : lanes_) lane.clear();
}

void Notifier::Enqueue(Destination destination, std::string message) {
  if (!env_ || !env_->spawn || !env_->registry) return;
  std::string arn = destination.arn;
  bool start = false;
  {
    std::lock_guard lock(mu_);
    auto [lane, created] = lanes_.try_emplace(arn);
    lane->second.push_back({std::move(destination), std::move(message)});
    start = created;
  }
  if (start) env_->spawn(Drain(std::move(arn)));
}

Task<void> Notifier::Drain(std::string arn) {
  for (;;) {
    Item item;
    {
      std::lock_guard lock(mu_);
      auto it = lanes_.find(arn);
      if (it == lanes_.end()) co_return;
      if (it->second.empty()) {
        lanes_.erase(it);
        co_return;
      }
      item = std::move(it->second.front());
      it->second.pop_front();
    }
    try {
      co_await Deliver(std::move(item));
    } catch (const std::exception& e) {
      spdlog::error("s3: notification to {} raised: {}", arn, e.what());
    }
  }
}

Task<void> Notifier::Deliver(Item item) {
  const Destination& d = item.destination;
  auto arn = SplitArn(d.arn);
  if (!arn) co_return;
  RequestContext ctx = InternalContext(env_, *arn);
  Result<Document> r = ApiError("InvalidArgument", 400, "unknown destination");
  if (d.kind == DestinationKind::kQueue) {
    json::object lookup;
    lookup["QueueName"] = arn->resource;
    lookup["QueueOwnerAWSAccountId"] = arn->account;
    r = co_await env_->registry->Call(ctx, "sqs", "GetQueueUrl", std::move(lookup));
    const json::value* url =
        r && r->is_object() ? r->get_object().if_contains("QueueUrl") : nullptr;
    if (url && url->is_string()) {
      json::object send;
      send["QueueUrl"] = *url;
      send["MessageBody"] = std::move(item.message);
      r = co_await env_->registry->Call(ctx, "sqs", "SendMessage", std::move(send));
    }
  } else if (d.kind == DestinationKind::kTopic) {
    json::object publish;
    publish["TopicArn"] = d.arn;
    publish["Message"] = std::move(item.message);
    publish["Subject"] = "Amazon S3 Notification";
    r = co_await env_->registry->Call(ctx, "sns", "Publish", std::move(publish));
  } else {
    json::object invoke;
    invoke["FunctionName"] = d.arn;
    invoke["InvocationType"] = "Event";
    invoke["Payload"] = std::move(item.message);
    r = co_await env_->registry->Call(ctx, "lambda", "Invoke", std::move(invoke));
  }
  if (!r)
    spdlog::warn("s3: notification to {} failed: {} {}", d.arn, r.error().code, r.error().message);
}

Task<Status> Notifier::CheckDestinations(const RequestContext& parent, const json::value& config) {
  std::vector<std::pair<std::string, std::string>> failed;
  for (const auto& d : DestinationsOf(config)) {
    auto arn = SplitArn(d.arn);
    if (!arn) {
      failed.emplace_back(d.arn, Missing(d.kind));
      continue;
    }
    RequestContext ctx = InternalContext(env_, *arn);
    ctx.request_id = parent.request_id;
    Result<Document> r = Document();
    if (d.kind == DestinationKind::kQueue) {
      json::object in;
      in["QueueName"] = arn->resource;
      in["QueueOwnerAWSAccountId"] = arn->account;
      r = co_await env_->registry->Call(ctx, "sqs", "GetQueueUrl", std::move(in));
    } else if (d.kind == DestinationKind::kTopic) {
      json::object in;
      in["TopicArn"] = d.arn;
      r = co_await env_->registry->Call(ctx, "sns", "GetTopicAttributes", std::move(in));
    } else {
      json::object in;
      in["FunctionName"] = d.arn;
      r = co_await env_->registry->Call(ctx, "lambda", "GetFunction", std::move(in));
    }
    if (!r) failed.emplace_back(d.arn, Missing(d.kind));
  }
  if (failed.empty()) co_return Ok{};
  co_return UnableToValidate(failed);
}

}  // namespace nimbus::s3
