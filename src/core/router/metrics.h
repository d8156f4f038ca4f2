#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace nimbus {

// Request counters and latency histograms per service/operation, rendered in the Prometheus
// text format at /_nimbus/metrics. Thread-safe.
class Metrics {
 public:
  void Record(std::string_view service, std::string_view operation, int status, double seconds);
  std::string RenderPrometheus() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
  struct Entry {
    std::map<int, uint64_t> by_status;
    uint64_t errors = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Entry, std::less<>> entries_;
};

}  // namespace nimbus
