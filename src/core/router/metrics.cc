#include "core/router/metrics.h"

#include <cstdio>

namespace nimbus {

void Metrics::Record(std::string_view service, std::string_view operation, int status,
                     double seconds) {
  std::lock_guard lock(mu_);
  auto key = std::make_pair(std::string(service), std::string(operation));
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(std::move(key), Entry{}).first;
  Entry& e = it->second;
  e.by_status[status]++;
  if (status >= 400) e.errors++;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) e.buckets[i]++;
  e.count++;
  e.sum += seconds;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  auto labels = [](const std::pair<std::string, std::string>& k) {
    return "service=\"" + k.first + "\",operation=\"" + k.second + "\"";
  };
  out += "# HELP nimbus_requests_total Requests answered, by service, operation and status.\n";
  out += "# TYPE nimbus_requests_total counter\n";
  for (const auto& [k, e] : entries_)
    for (const auto& [status, n] : e.by_status)
      out += "nimbus_requests_total{" + labels(k) + ",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
  out += "# HELP nimbus_request_errors_total Requests answered with status 400 or above.\n";
  out += "# TYPE nimbus_request_errors_total counter\n";
  for (const auto& [k, e] : entries_)
    out += "nimbus_request_errors_total{" + labels(k) + "} " + std::to_string(e.errors) + "\n";
  out += "# HELP nimbus_request_duration_seconds Time from request parsed to response ready.\n";
  out += "# TYPE nimbus_request_duration_seconds histogram\n";
  char buf[64];
  for (const auto& [k, e] : entries_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%g", kBuckets[i]);
      out += "nimbus_request_duration_seconds_bucket{" + labels(k) + ",le=\"" + buf + "\"} " +
             std::to_string(e.buckets[i]) + "\n";
    }
    out += "nimbus_request_duration_seconds_bucket{" + labels(k) + ",le=\"+Inf\"} " +
           std::to_string(e.count) + "\n";
    std::snprintf(buf, sizeof buf, "%.6f", e.sum);
    out += "nimbus_request_duration_seconds_sum{" + labels(k) + "} " + buf + "\n";
    out += "nimbus_request_duration_seconds_count{" + labels(k) + "} " + std::to_string(e.count) +
           "\n";
  }
  return out;
}

}  // namespace nimbus
