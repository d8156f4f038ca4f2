#pragma once

// What the data plane serves of one HTTP API (its owner, record, stages and what each stage
// serves), read from storage once and kept until the service's configuration changes. Every
// control-plane operation that may write, a reset and a state import call Invalidate; an entry
// loaded before an invalidation is never served after it.

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/result.h"
#include "core/router/service.h"

namespace nimbus::apigatewayv2 {

// One stage and what it serves: its routes and integrations, live (AutoDeploy) or as deployed.
struct DeployedStage {
  std::string name;
  json::object stage;  // the stage record
  std::vector<json::object> routes;
  std::vector<std::string> route_keys;  // routes[i]'s RouteKey
  json::object integrations;            // id → record
  json::object authorizers;             // id → record
};

struct DeployedApi {
  std::string account;
  std::string region;
  // The API record.
  json::object api;
  // Its stages by name.
  std::unordered_map<std::string, std::shared_ptr<const DeployedStage>> stages;

  // The stage named `name`, or null.
  const DeployedStage* Stage(const std::string& name) const;
};

// Thread-safe.
class DeployedApiCache {
 public:
  // The API of id `api_id` as storage holds it now (null: no such API), from the cache when no
  // invalidation came since it was read. An error when storage fails (nothing is cached then).
  Result<std::shared_ptr<const DeployedApi>> Find(ServiceEnv& env, std::string_view api_id);

  // Forgets everything read so far (call after any write of the service's records).
  void Invalidate();

 private:
  struct Entry {
    uint64_t generation = 0;
    std::shared_ptr<const DeployedApi> api;  // null: no such API
  };
  // Entries beyond this are dropped all at once (ids of no API are cached too).
  static constexpr size_t kMaxEntries = 4096;

  std::atomic<uint64_t> generation_{1};
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace nimbus::apigatewayv2
