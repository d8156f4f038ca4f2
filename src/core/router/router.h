#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/init_hooks.h"
#include "core/router/metrics.h"
#include "core/router/service.h"

namespace nimbus {

// Which service a request is for, decided at the edge (see ARCHITECTURE.md):
// /_nimbus/* internal → data planes (Host <id>.execute-api.*, path /_aws/execute-api/<id>/...)
// → Host (bucket.s3.*) → X-Amz-Target
// prefix → SigV4 credential-scope service → path prefix → form Action → S3 (path style).
struct RouteDecision {
  std::string service;  // model name; empty when nimbus serves no such service
  std::string unknown;  // what the request named when nimbus does not serve it
  enum class Envelope { kJson, kQuery, kXml } envelope = Envelope::kXml;  // for errors when unknown
  // Set for data-plane traffic (an API Gateway invocation...): offered to the HandleDataPlane of
  // each of `data_plane_services` in turn (served ones only; `service` is the first) until one
  // answers, without authentication or codec.
  std::optional<DataPlaneTarget> data_plane;
  std::vector<std::string> data_plane_services;
};

// The edge: internal routes, service dispatch, authentication, decode → handler → encode,
// metrics and the per-request log line. Thread-safe; one per server.
class Router {
 public:
  // Request bodies over this size arrive as streams (http::ServerOptions::stream_body_bytes):
  // operations that take them (Service::AcceptsBodyStream) read them as they come, all others
  // after the router has read them whole (up to http::kMaxBodyBytes).
  static constexpr uint64_t kStreamBodyBytes = 8ull << 20;

  Router(ServiceEnv* env, Registry* registry);

  Task<http::Response> Handle(http::Request& request);
  RouteDecision Route(const http::Request& request) const;
  const Metrics& metrics() const { return metrics_; }
  // The init hooks GET /_localstack/init reports on (none: every stage reported done, no scripts).
  void set_init_hooks(const InitHooks* hooks) { init_hooks_ = hooks; }

 private:
  Task<http::Response> HandleInternal(http::Request& request);
  // GET /_nimbus/state: the state archive; POST: replace all state with the archive sent.
  http::Response HandleState(const http::Request& request);
  // `*service_name` becomes the service that answered (for metrics and the log line).
  Task<http::Response> DispatchDataPlane(const http::Request& request, const RouteDecision& route,
                                         std::string_view request_id, std::string* service_name);
  Task<http::Response> Dispatch(http::Request& request, const RouteDecision& route,
                                std::string_view request_id);

  ServiceEnv* env_;
  Registry* registry_;
  const InitHooks* init_hooks_ = nullptr;
  Metrics metrics_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::unordered_map<std::string, std::string> by_target_prefix_;  // "DynamoDB_20120810" → dynamodb
  std::unordered_map<std::string, std::string> by_signing_name_;   // "sts" → sts
  std::unordered_map<std::string, std::string> by_query_version_;  // "2011-06-15" → sts
};

}  // namespace nimbus
