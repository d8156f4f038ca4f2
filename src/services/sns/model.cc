#include "services/sns/model.h"

#include <boost/json.hpp>

namespace nimbus::sns {

namespace {

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool Bool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

json::object MapToJson(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

void MapFromJson(const json::object& o, std::string_view key,
                 std::map<std::string, std::string>* m) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_object()) return;
  for (const auto& kv : v->get_object())
    if (kv.value().is_string()) (*m)[std::string(kv.key())] = std::string(kv.value().get_string());
}

}  // namespace

std::string Topic::Attribute(const std::string& name, std::string fallback) const {
  auto it = attributes.find(name);
  return it == attributes.end() ? fallback : it->second;
}

json::object Topic::ToJson() const {
  json::array t;
  for (const auto& [k, v] : tags) t.push_back(json::array{json::string(k), json::string(v)});
  return json::object{{"kind", "topic"},
                      {"arn", arn},
                      {"name", name},
                      {"account", account},
                      {"region", region},
                      {"fifo", fifo},
                      {"attributes", MapToJson(attributes)},
                      {"tags", std::move(t)},
                      {"subscriptions_deleted", subscriptions_deleted}};
}

bool Topic::FromJson(const json::object& doc, Topic* out) {
  if (Str(doc, "kind") != "topic") return false;
  out->arn = Str(doc, "arn");
  out->name = Str(doc, "name");
  out->account = Str(doc, "account");
  out->region = Str(doc, "region");
  out->fifo = Bool(doc, "fifo");
  MapFromJson(doc, "attributes", &out->attributes);
  if (const json::value* t = doc.if_contains("tags"); t && t->is_array()) {
    for (const auto& pair : t->get_array()) {
      if (!pair.is_array() || pair.get_array().size() != 2) continue;
      const auto& a = pair.get_array();
      if (a[0].is_string() && a[1].is_string())
        out->tags.emplace_back(std::string(a[0].get_string()), std::string(a[1].get_string()));
    }
  }
  if (const json::value* d = doc.if_contains("subscriptions_deleted"); d && d->is_int64())
    out->subscriptions_deleted = d->get_int64();
  return !out->arn.empty() && !out->name.empty();
}

std::string Subscription::Attribute(const std::string& name, std::string fallback) const {
  auto it = attributes.find(name);
  return it == attributes.end() ? fallback : it->second;
}

json::object Subscription::ToJson() const {
  return json::object{{"kind", "subscription"},
                      {"arn", arn},
                      {"topic_arn", topic_arn},
                      {"account", account},
                      {"region", region},
                      {"protocol", protocol},
                      {"endpoint", endpoint},
                      {"owner", owner},
                      {"principal", principal},
                      {"pending", pending},
                      {"confirmation_authenticated", confirmation_authenticated},
                      {"token", token},
                      {"attributes", MapToJson(attributes)}};
}

bool Subscription::FromJson(const json::object& doc, Subscription* out) {
  if (Str(doc, "kind") != "subscription") return false;
  out->arn = Str(doc, "arn");
  out->topic_arn = Str(doc, "topic_arn");
  out->account = Str(doc, "account");
  out->region = Str(doc, "region");
  out->protocol = Str(doc, "protocol");
  out->endpoint = Str(doc, "endpoint");
  out->owner = Str(doc, "owner");
  out->principal = Str(doc, "principal");
  out->pending = Bool(doc, "pending");
  out->confirmation_authenticated = Bool(doc, "confirmation_authenticated");
  out->token = Str(doc, "token");
  MapFromJson(doc, "attributes", &out->attributes);
  auto policy = out->attributes.find("FilterPolicy");
  if (policy != out->attributes.end()) {
    FilterScope scope = out->Attribute("FilterPolicyScope") == "MessageBody"
                            ? FilterScope::kMessageBody
                            : FilterScope::kMessageAttributes;
    std::string error;
    out->filter = FilterPolicy::Parse(policy->second, scope, &error);
  }
  return !out->arn.empty() && !out->topic_arn.empty();
}

}  // namespace nimbus::sns
