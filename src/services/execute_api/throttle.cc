// Token buckets for API Gateway throttling.
#include "services/execute_api/throttle.h"

#include <algorithm>

namespace nimbus::execute_api {

namespace {

double Capacity(const ThrottleLimit& limit) {
  if (limit.burst >= 0) return static_cast<double>(limit.burst);
  return std::max(1.0, limit.rate);
}

}  // namespace

bool TokenBuckets::TryTake(const std::string& name, ThrottleLimit limit, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto [it, created] = buckets_.try_emplace(name);
  Bucket& b = it->second;
  double capacity = Capacity(limit);
  if (created || b.limit.rate != limit.rate || b.limit.burst != limit.burst) {
    b.limit = limit;
    b.tokens = capacity;
    b.updated_ms = now_ms;
  } else if (now_ms > b.updated_ms) {
    double refill =
        limit.rate > 0 ? limit.rate * static_cast<double>(now_ms - b.updated_ms) / 1000.0 : 0.0;
    b.tokens = std::min(capacity, b.tokens + refill);
    b.updated_ms = now_ms;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void TokenBuckets::Forget(std::string_view prefix) {
  std::lock_guard lock(mu_);
  std::erase_if(buckets_, [&](const auto& kv) { return kv.first.starts_with(prefix); });
}

TokenBuckets& Throttles() {
  static TokenBuckets buckets;
  return buckets;
}

}  // namespace nimbus::execute_api
