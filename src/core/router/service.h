#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/document.h"
#include "core/common/result.h"
#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/protocol/model.h"
#include "core/protocol/validate.h"

namespace nimbus {

namespace storage {
class KvStore;
class BlobStore;
}  // namespace storage
namespace auth {
class CredentialStore;
}  // namespace auth
namespace protocol {
class Codec;
}  // namespace protocol
class Registry;

// A request for a resource a service serves to the world rather than an AWS API call: an API
// Gateway invocation (`<apiId>.execute-api.<host>` or `/_aws/execute-api/<apiId>/...`) or a
// Lambda function URL (`<urlId>.lambda-url.<region>.<host>`). The router finds it from the
// Host header or the path and hands it over without SigV4 or the codec.
struct DataPlaneTarget {
  std::string id;           // what the host or path names: the API id, the function URL id
  std::string path;         // the path as the resource sees it (raw, percent-encoded), "/..."
  std::string domain_name;  // "<id>.execute-api.localhost": the Host, or derived for path form
};

// Server-wide settings a service may read (from the CLI / NIMBUS_* environment).
struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir = ".nimbus";
  bool ephemeral = false;
  std::string region = "us-east-1";
  std::string account = "000000000000";
  bool strict_auth = false;
  std::string credentials_file;
  bool fsync = false;
  std::string log_level = "info";
  bool clock_control = false;  // POST /_nimbus/clock may move the clock forward (tests only)
  std::string init_dir;        // LocalStack-style init hooks (besides /etc/localstack/init)
};

// What every service shares: storage, the clock, the registry for cross-service calls, the
// credentials and the configuration. Owned by the server; outlives every service.
struct ServiceEnv {
  storage::KvStore* kv = nullptr;
  storage::BlobStore* blobs = nullptr;
  Clock* clock = nullptr;
  Registry* registry = nullptr;
  auth::CredentialStore* credentials = nullptr;
  const Config* config = nullptr;
  // Starts a background coroutine on the server's executor (TTL sweeps, pollers, timers).
  std::function<void(Task<void>)> spawn;
};

// One request as a handler sees it: who calls, where, and a place for extra response headers.
struct RequestContext {
  std::string request_id;
  std::string account_id;
  std::string region;
  std::string access_key_id;
  std::string caller_arn;      // "arn:aws:iam::000000000000:root" for the default principal
  std::string caller_user_id;  // STS GetCallerIdentity UserId
  std::string service;         // model name of the service being called
  std::string operation;
  const http::Request* http = nullptr;  // null for internal calls (Registry::Call)
  http::HeaderList response_headers;    // extra headers to send with a successful response
  int response_status = 0;  // when set, overrides the status of a successful response (206...)
  // When set, the successful response's body comes from this source, piece by piece, instead of
  // the encoded output (http::Response::body_source): large S3 objects.
  std::function<bool(std::string* chunk)> response_body_source;
  uint64_t response_body_length = 0;
  // When set, the successful response's body is produced after the handler returned
  // (http::Response::body_stream): a Lambda function's streamed answer.
  std::shared_ptr<http::ResponseBodyStream> response_body_stream;
  ServiceEnv* env = nullptr;
};

using OperationHandler = std::function<Task<Result<Document>>(RequestContext&, Document)>;
using SyncOperationHandler = std::function<Result<Document>(RequestContext&, Document&)>;

// An AWS service: its model plus the table from operation name to handler. Operations of the
// model without a handler answer NotImplemented. Subclasses register handlers in their
// constructor and may start background work in Start().
class Service {
 public:
  explicit Service(std::string model_name);
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const std::string& name() const { return name_; }
  // The embedded model (loaded on first use); null only if the model is missing (a bug).
  const protocol::ServiceModel* model() const;
  const OperationHandler* FindHandler(std::string_view operation) const;
  size_t implemented_count() const { return handlers_.size(); }
  const protocol::ValidationOptions& validation() const { return validation_; }

  // Called once, after storage is open and before the server accepts requests.
  virtual void Start(ServiceEnv& env) { (void)env; }
  // Called after POST /_nimbus/reset wiped storage: drop caches and in-memory state.
  virtual void Reset() {}
  // Called after a state import replaced storage under the service (POST /_nimbus/state): drop
  // caches and in-memory state, then load what Start loads from storage. Default: Reset().
  virtual void Reload() { Reset(); }
  // Called after POST /_nimbus/clock moved the clock forward: run time-driven work that is due
  // now (TTL and lifecycle sweeps) instead of at the next periodic tick.
  virtual void ClockAdvanced() {}
  // Called on graceful shutdown before storage is flushed.
  virtual void Stop() {}
  // The service's own non-AWS endpoints under /_nimbus/<service>/ (test inspection and the
  // like): the router offers it every request under that prefix. nullopt: not one of them (the
  // router answers 404). The default has none.
  virtual Task<std::optional<http::Response>> HandleInternal(const http::Request& request);
  // A request the service answers itself before authentication and the codec (S3's CORS
  // preflight, a browser's unsigned OPTIONS, and browser form uploads, which carry their own
  // signature). A large body is still `request.body_stream` here and may be read as it comes;
  // on the usual path it is read whole. nullopt, the default: the usual path.
  virtual Task<std::optional<http::Response>> HandleBeforeAuth(http::Request& request,
                                                               std::string_view request_id);
  // Serves a data-plane request (see DataPlaneTarget); runs after routing, with no
  // authentication and no codec. nullopt, the default: not this service's id (the router offers
  // the request to the next service sharing the host form, and answers 404 {"message":"Not
  // Found"} when none has it). Must not throw for anything a client sends.
  virtual Task<std::optional<http::Response>> HandleDataPlane(const http::Request& request,
                                                              const DataPlaneTarget& target,
                                                              std::string_view request_id);
  // True for operations whose handler reads a large request body as it arrives
  // (RequestContext::http->body_stream, already aws-chunked-decoded and checked against its
  // signature) instead of whole in `body`: S3's PutObject and UploadPart. Such a handler enforces
  // its own size limit. Default: none.
  virtual bool AcceptsBodyStream(std::string_view operation) const {
    (void)operation;
    return false;
  }
  // For awsQueryCompatible services whose legacy query wire differs from what the generic query
  // codec derives from the JSON model (SQS): the codec for form-encoded requests. Null: generic.
  virtual const protocol::Codec* QueryCodec() const { return nullptr; }

 protected:
  void Handle(std::string operation, OperationHandler handler);
  // For handlers that never wait: wrapped into a coroutine.
  void HandleSync(std::string operation, SyncOperationHandler handler);

  protocol::ValidationOptions validation_;

 private:
  std::string name_;
  std::unordered_map<std::string, OperationHandler> handlers_;
};

// The one list of services (filled by RegisterServices in src/services/registry.cc) and the
// path for cross-service calls. Services are added before the server starts; read-only after.
class Registry {
 public:
  void Add(std::unique_ptr<Service> service);
  Service* Find(std::string_view name) const;
  const std::vector<std::unique_ptr<Service>>& services() const { return services_; }

  // Calls `operation` of `service` as `parent`'s caller would, with an input document (no HTTP,
  // no codec; the input is validated against the model).
  Task<Result<Document>> Call(const RequestContext& parent, std::string_view service,
                              std::string_view operation, Document input);

 private:
  std::vector<std::unique_ptr<Service>> services_;
  std::unordered_map<std::string, Service*> by_name_;
};

}  // namespace nimbus
