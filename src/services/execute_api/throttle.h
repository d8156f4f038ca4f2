#pragma once

// Request throttling shared by REST APIs and HTTP APIs: token buckets as API Gateway describes
// them (developer guide, "Throttle requests to your REST APIs for better throughput"): a bucket
// holds at most `burst` tokens, is refilled at `rate` tokens a second and starts full; a request
// that finds no token is throttled (429 {"message":"Too Many Requests"}).

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nimbus::execute_api {

// A throttle limit: `rate` requests a second on average, `burst` at once. A negative member
// means "not set".
struct ThrottleLimit {
  double rate = -1;
  int64_t burst = -1;
  bool set() const { return rate >= 0 || burst >= 0; }
};

// Token buckets by name. Thread-safe.
class TokenBuckets {
 public:
  // Takes one token from the bucket `name` at time `now_ms` (milliseconds of any steady
  // scale); false when it has none. A bucket is created full; one whose limit changed starts
  // over full with the new limit. An unset rate refills nothing; an unset burst holds one
  // token per unit of rate (at least one). A limit with burst 0 throttles every request.
  bool TryTake(const std::string& name, ThrottleLimit limit, int64_t now_ms);

  // Forgets every bucket whose name starts with `prefix` (an API or stage that went away).
  void Forget(std::string_view prefix);

 private:
  struct Bucket {
    ThrottleLimit limit;
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// The buckets of this process (API Gateway's throttles are per account and region; bucket
// names carry both).
TokenBuckets& Throttles();

}  // namespace nimbus::execute_api
