// Metric and subscription filters (stored; nimbus computes no metrics and delivers nothing yet):
// PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter, TestMetricFilter,
// PutSubscriptionFilter, DescribeSubscriptionFilters, DeleteSubscriptionFilter.
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/logs/filter_pattern.h"
#include "services/logs/logs_common.h"

namespace nimbus::logs {

namespace {

// CloudWatch Logs quotas: 100 metric filters and 2 subscription filters per log group.
constexpr size_t kMaxMetricFilters = 100;
constexpr size_t kMaxSubscriptionFilters = 2;

Status CheckFilterName(const json::object& in) {
  std::string name = GetString(in, "filterName");
  if (name.find_first_of(":*") != std::string::npos)
    return ConstraintViolation(name, "filterName",
                               "Member must satisfy regular expression pattern: [^:*]*");
  return Ok{};
}

// Stores `filter` under `name` in `filters` of group `group_name` (kind 'm' or 's').
Result<Document> PutFilter(Call& c, const json::object& in, char kind, json::object filter,
                           size_t quota) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  if (auto st = CheckFilterName(in); !st) return std::move(st).error();
  auto pattern = ParsePattern(GetString(in, "filterPattern"));
  if (!pattern) return std::move(pattern).error();
  std::string group_name = GetString(in, "logGroupName");
  std::string name = GetString(in, "filterName");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, group_name);
  if (!g) return GroupNotFound();
  auto& filters = kind == kMetricFilter ? g->metric_filters : g->subscription_filters;
  auto existing = filters.find(name);
  if (existing == filters.end() && filters.size() >= quota)
    return LimitExceeded("Resource limit exceeded.");
  filter["filterName"] = name;
  filter["filterPattern"] = GetString(in, "filterPattern");
  filter["logGroupName"] = group_name;
  const json::value* created =
      existing != filters.end() ? existing->second.if_contains("creationTime") : nullptr;
  filter["creationTime"] = created ? *created : json::value(c.now_ms);
  filter["applyOnTransformedLogs"] = GetBool(in, "applyOnTransformedLogs", false);
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, FilterKey(c.scope, group_name, kind, name), filter);
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  filters[name] = std::move(filter);
  return json::value(json::object());
}

Result<Document> DeleteFilter(Call& c, const json::object& in, char kind,
                              std::string_view not_found) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  std::string group_name = GetString(in, "logGroupName");
  std::string name = GetString(in, "filterName");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, group_name);
  if (!g) return GroupNotFound();
  auto& filters = kind == kMetricFilter ? g->metric_filters : g->subscription_filters;
  auto it = filters.find(name);
  if (it == filters.end()) return ResourceNotFound(std::string(not_found));
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, FilterKey(c.scope, group_name, kind, name));
  if (auto st = c.store.Commit(batch); !st) return std::move(st).error();
  filters.erase(it);
  return json::value(json::object());
}

Result<Document> PutMetricFilter(Call& c, const json::object& in) {
  const json::array* transformations = GetArray(in, "metricTransformations");
  if (!transformations || transformations->empty())
    return ConstraintViolation("null", "metricTransformations", "Member must not be null");
  json::array stored;
  for (const auto& t : *transformations) {
    if (!t.is_object()) return InvalidParameter("Invalid metric transformation.");
    json::object m = t.get_object();
    for (std::string_view member : {"metricName", "metricNamespace"}) {
      std::string v = GetString(m, member);
      if (v.find_first_of(":*$") != std::string::npos)
        return ConstraintViolation(v, "metricTransformations.1.member." + std::string(member),
                                   "Member must satisfy regular expression pattern: [^:*$]*");
    }
    stored.push_back(std::move(m));
  }
  json::object filter{{"metricTransformations", std::move(stored)}};
  return PutFilter(c, in, kMetricFilter, std::move(filter), kMaxMetricFilters);
}

Result<Document> DeleteMetricFilter(Call& c, const json::object& in) {
  return DeleteFilter(c, in, kMetricFilter, "The specified metric filter does not exist.");
}

bool HasMetric(const json::object& filter, const std::string& name, const std::string& ns) {
  const json::array* list = GetArray(filter, "metricTransformations");
  if (!list) return false;
  for (const auto& t : *list)
    if (t.is_object() && GetString(t.get_object(), "metricName") == name &&
        GetString(t.get_object(), "metricNamespace") == ns)
      return true;
  return false;
}

Result<Document> DescribeMetricFilters(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  bool has_group = HasString(in, "logGroupName");
  std::string prefix = GetString(in, "filterNamePrefix");
  std::string metric = GetString(in, "metricName"), ns = GetString(in, "metricNamespace");
  if (!prefix.empty() && !has_group)
    return InvalidParameter(
        "If you include the filterNamePrefix parameter in your request, you must also include "
        "the logGroupName parameter.");
  if (metric.empty() != ns.empty())
    return InvalidParameter(metric.empty()
                                ? "If you include the metricNamespace parameter in your request, "
                                  "you must also include the metricName parameter."
                                : "If you include the metricName parameter in your request, you "
                                  "must also include the metricNamespace parameter.");
  std::lock_guard lock(c.store.mu());
  std::vector<const json::object*> found;
  std::vector<std::string> keys;
  auto collect = [&](const GroupMeta& g) {
    for (const auto& [name, filter] : g.metric_filters) {
      if (name.compare(0, prefix.size(), prefix) != 0) continue;
      if (!metric.empty() && !HasMetric(filter, metric, ns)) continue;
      std::string key;
      storage::AppendOrderedString(&key, g.name);
      storage::AppendOrderedString(&key, name);
      keys.push_back(std::move(key));
      found.push_back(&filter);
    }
  };
  if (has_group) {
    GroupMeta* g = c.store.FindGroup(c.scope, GetString(in, "logGroupName"));
    if (!g) return GroupNotFound();
    collect(*g);
  } else {
    for (const auto& [name, g] : c.store.Groups(c.scope)) collect(*g);
  }
  auto page = Page(keys, false, in, 50);
  if (!page) return std::move(page).error();
  json::array out;
  for (size_t i = page->first; i < page->last; ++i) out.push_back(*found[i]);
  json::object result{{"metricFilters", std::move(out)}};
  if (!page->next_token.empty()) result["nextToken"] = page->next_token;
  return json::value(std::move(result));
}

Result<Document> TestMetricFilter(Call&, const json::object& in) {
  auto pattern = ParsePattern(GetString(in, "filterPattern"));
  if (!pattern) return std::move(pattern).error();
  json::array matches;
  if (const json::array* messages = GetArray(in, "logEventMessages")) {
    int64_t number = 0;
    for (const auto& m : *messages) {
      ++number;
      if (!m.is_string()) continue;
      FilterPattern::ExtractedValues values;
      if (!(*pattern)->Matches(m.get_string(), &values)) continue;
      json::object extracted;
      for (auto& [k, v] : values) extracted[k] = v;
      matches.push_back(json::object{{"eventNumber", number},
                                     {"eventMessage", m.get_string()},
                                     {"extractedValues", std::move(extracted)}});
    }
  }
  return json::value{{"matches", std::move(matches)}};
}

Result<Document> PutSubscriptionFilter(Call& c, const json::object& in) {
  std::string destination = GetString(in, "destinationArn");
  if (destination.rfind("arn:", 0) != 0)
    return InvalidParameter("Invalid destinationArn: " + destination);
  json::object filter{{"destinationArn", destination},
                      {"distribution", HasString(in, "distribution") ? GetString(in, "distribution")
                                                                     : std::string("ByLogStream")}};
  if (HasString(in, "roleArn")) filter["roleArn"] = GetString(in, "roleArn");
  return PutFilter(c, in, kSubscriptionFilter, std::move(filter), kMaxSubscriptionFilters);
}

Result<Document> DeleteSubscriptionFilter(Call& c, const json::object& in) {
  return DeleteFilter(c, in, kSubscriptionFilter,
                      "The specified subscription filter does not exist.");
}

Result<Document> DescribeSubscriptionFilters(Call& c, const json::object& in) {
  if (auto st = CheckGroupName(in, "logGroupName"); !st) return std::move(st).error();
  std::string prefix = GetString(in, "filterNamePrefix");
  std::lock_guard lock(c.store.mu());
  GroupMeta* g = c.store.FindGroup(c.scope, GetString(in, "logGroupName"));
  if (!g) return GroupNotFound();
  std::vector<const json::object*> found;
  std::vector<std::string> keys;
  for (const auto& [name, filter] : g->subscription_filters) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    keys.push_back(name);
    found.push_back(&filter);
  }
  auto page = Page(keys, false, in, 50);
  if (!page) return std::move(page).error();
  json::array out;
  for (size_t i = page->first; i < page->last; ++i) out.push_back(*found[i]);
  json::object result{{"subscriptionFilters", std::move(out)}};
  if (!page->next_token.empty()) result["nextToken"] = page->next_token;
  return json::value(std::move(result));
}

}  // namespace

void AddFilterHandlers(HandlerTable* table) {
  table->emplace_back("PutMetricFilter", PutMetricFilter);
  table->emplace_back("DeleteMetricFilter", DeleteMetricFilter);
  table->emplace_back("DescribeMetricFilters", DescribeMetricFilters);
  table->emplace_back("TestMetricFilter", TestMetricFilter);
  table->emplace_back("PutSubscriptionFilter", PutSubscriptionFilter);
  table->emplace_back("DeleteSubscriptionFilter", DeleteSubscriptionFilter);
  table->emplace_back("DescribeSubscriptionFilters", DescribeSubscriptionFilters);
}

}  // namespace nimbus::logs
