#pragma once

// Shared by the Lambda service's files: its state, storage layout, errors and the handlers of
// each operation family (registered in lambda_service.cc).

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/common/result.h"
#include "core/router/service.h"
#include "services/lambda/runtime/cgroup.h"
#include "services/lambda/runtime/environment_pool.h"
#include "services/lambda/runtime/java_archive.h"
#include "services/lambda/runtime/response_stream.h"
#include "services/lambda/runtime/runtimes.h"

namespace nimbus::http {
class Listener;
}  // namespace nimbus::http
namespace nimbus::storage {
class WriteBatch;
}  // namespace nimbus::storage

namespace nimbus::lambda {

constexpr std::string_view kKeyspace = "lambda";
constexpr uint64_t kMaxZippedBytes = 52428800;     // 50 MB direct upload
constexpr uint64_t kMaxUnzippedBytes = 262144000;  // 250 MB
constexpr int kAccountConcurrency = 1000;
constexpr size_t kMaxSyncPayload = 6291456;   // 6 MB
constexpr size_t kMaxAsyncPayload = 1048576;  // 1 MB

// ---- Errors, in AWS's words ----
ApiError InvalidParameter(std::string message);   // InvalidParameterValueException, 400
ApiError ResourceNotFound(std::string message);   // ResourceNotFoundException, 404
ApiError FunctionNotFound(std::string_view arn);  // "Function not found: <arn>"
ApiError ResourceConflict(std::string message);   // ResourceConflictException, 409
ApiError PreconditionFailed();                    // PreconditionFailedException, 412 (RevisionId)
ApiError TooManyRequests(std::string reason);     // TooManyRequestsException, 429
ApiError RequestTooLarge(std::string message);    // RequestTooLargeException, 413
ApiError RangeError(std::string_view member, int64_t value, int64_t max);  // ValidationException
ApiError MinError(std::string_view member, int64_t value, int64_t min);    // ValidationException

// EphemeralStorage.Size of a function's configuration, in MB (512 when absent).
int EphemeralStorageMb(const json::object& config);

// ---- Names ----
// FunctionName as the API takes it: a name, a partial ARN ("123456789012:function:name") or an
// ARN, each optionally with ":qualifier".
struct FunctionRef {
  std::string name;
  std::string qualifier;  // "" when none was given
};
// Parses `input`; an ARN must name the caller's account and region (else ResourceNotFound /
// InvalidParameter as AWS answers).
Result<FunctionRef> ParseFunctionName(std::string_view input, std::string_view account,
                                      std::string_view region);
std::string FunctionArn(std::string_view region, std::string_view account, std::string_view name);

// ---- State ----
struct InvokeTarget;
// What invocations resolved (configuration, environment spec, reserved concurrency), by
// account, region, function name and qualifier, so that a warm invocation reads and parses no
// stored record. Every operation that may write the service's records drops all of it once it
// has run, and so do Reset and a state import. Thread-safe.
class InvokeTargetCache {
 public:
  // Read before storage: a write that lands during the read bumps it, and what was read with
  // an older generation is never found.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The target under `key` if it was stored at `generation`, else null.
  std::shared_ptr<const InvokeTarget> Find(const std::string& key, uint64_t generation);
  // Keeps `target`, read from storage at `generation` (dropped if that is no longer current).
  void Store(std::string key, uint64_t generation, std::shared_ptr<const InvokeTarget> target);
  void Invalidate();

 private:
  struct Entry {
    uint64_t generation = 0;
    std::shared_ptr<const InvokeTarget> target;
  };
  // Entries beyond this are dropped all at once.
  static constexpr size_t kMaxEntries = 4096;
  std::atomic<uint64_t> generation_{1};
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// The service's shared state. Control-plane writes take `mu` (read-modify-write of records);
// reads and invocations do not.
struct LambdaState {
  ServiceEnv* env = nullptr;
  std::mutex mu;
  std::string work_dir;       // code/, tmp/, runtimes/
  bool own_work_dir = false;  // a temporary directory (--ephemeral): removed at Stop
  runtime::RuntimeCatalog catalog;
  runtime::JavaClassArchives java_archives;
  std::unique_ptr<runtime::MemoryCgroups> cgroups;
  std::unique_ptr<runtime::EnvironmentPool> pool;
  std::string isolation_summary;

  // Code.Location downloads: token → blob id, served by a listener of the service.
  std::mutex code_mu;
  std::shared_ptr<http::Listener> code_listener;
  std::unordered_map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>>
      code_tokens;

  int async_retry_base_seconds = 60;

  InvokeTargetCache targets;

  // Function logs on their way to CloudWatch Logs: one ordered queue per log stream, drained by
  // one coroutine at a time.
  struct LogQueue {
    std::string account, region, group, stream;
    std::vector<runtime::LogEvent> events;
    bool flushing = false;
    bool created = false;  // the group and stream exist (as far as we know)
    std::chrono::steady_clock::time_point last_flush;  // when the last write was scheduled
  };
  std::mutex logs_mu;
  std::unordered_map<std::string, LogQueue> log_queues;  // "<group>\n<stream>"

  // Event source mapping pollers: UUID → the generation of its running poller. A poller runs
  // while the entry holds the generation it was started with; erasing or replacing the entry
  // stops it at its next step. Stream positions of stopped pollers (UUID → {shard: iterator})
  // are kept so enabling again resumes where polling stopped.
  std::mutex esm_mu;
  std::unordered_map<std::string, uint64_t> esm_pollers;
  uint64_t esm_generation = 0;
  std::unordered_map<std::string, json::object> esm_iterators;
};

// ---- Storage layout (keyspace "lambda") ----
//   <scope>f/<name>                  function: {"config", "code", "tags", "policy", ...}
//   <scope>v/<name>/<version:010>    published version: {"config", "code"}
//   <scope>a/<name>/<alias>          alias: AliasConfiguration
//   <scope>L/<layer>                 layer: {"next_version"}
//   <scope>l/<layer>/<version:010>   layer version: GetLayerVersion's answer plus "code"
//   !esm/<uuid>                      event source mapping: its configuration plus "account",
//                                    "region" (UUIDs are global, so are the keys: an account
//                                    scope starts with a digit and never collides)
//   !esmcp/<uuid>                    a stream mapping's checkpoint: {shard id: sequence number}
//   <scope>u/<name>/<qualifier>      function URL config ("$LATEST" or an alias), plus "_url_id"
//   !url/<url id>                    the function a URL id names: {"account", "region", "name",
//                                    "qualifier"}
std::string FunctionKey(const RequestContext& ctx, std::string_view name);
std::string VersionKey(const RequestContext& ctx, std::string_view name, int64_t version);
std::string VersionPrefix(const RequestContext& ctx, std::string_view name);
std::string AliasKey(const RequestContext& ctx, std::string_view name, std::string_view alias);
std::string AliasPrefix(const RequestContext& ctx, std::string_view name);

// The function record, or ResourceNotFound naming the function's ARN.
Result<json::object> LoadFunction(const RequestContext& ctx, std::string_view name);
// A record under `key`; nullopt when absent, an error on storage failure.
Result<std::optional<json::object>> LoadRecord(const RequestContext& ctx, const std::string& key);

// The configuration an API call names: $LATEST, a published version or an alias (resolved to
// its version: `*alias` set to the alias record). ResourceNotFound otherwise.
struct ResolvedFunction {
  json::object function;  // the function record
  json::object config;    // FunctionConfiguration of the version
  json::object code;      // {"blob", "sha256", "size"}
  std::optional<json::object> alias;
};
Result<ResolvedFunction> Resolve(const RequestContext& ctx, const FunctionRef& ref);

// A function version as an invocation needs it: the resolved records and what derives from
// them. Immutable once built (shared through InvokeTargetCache).
struct InvokeTarget {
  ResolvedFunction fn;
  std::string version;  // ExecutedVersion
  runtime::FunctionSpec spec;
  int reserved = -1;  // reserved concurrency (-1: none)
};

// ---- Code ----
struct StoredCode {
  json::object code;  // {"blob", "sha256" (hex), "size", "unzipped"}
  std::string sha256_base64;
};
// Validates and stores a deployment package: size limits (RequestEntityTooLarge-like
// RequestTooLargeException for > 50 MB, InvalidParameterValue for > 250 MB unzipped, a zip
// that cannot be read), the blob and the unpacked code directory.
// `owner` names the blob's folder: the function's name, or "layer.<name>" for a layer.
Result<StoredCode> StoreCode(LambdaState& state, const RequestContext& ctx, std::string_view owner,
                             std::string_view zip);
// The zip from Code.ZipFile or Code.S3Bucket/S3Key (through the S3 service).
Task<Result<std::string>> FetchZip(const RequestContext& ctx, const json::object& code);
// The unpacked code directory for a stored package (unpacked again if it went missing).
Result<std::string> CodeDir(LambdaState& state, const json::object& code);

// ---- Layers ----
// The layers a function names (Layers: version ARNs) as its configuration's
// [{"Arn", "CodeSize"}]: at most 5, each a layer version of the caller's account and region
// (InvalidParameterValueException otherwise).
Result<json::array> ResolveLayers(const RequestContext& ctx, const json::array& arns);
// The directory mounted at /opt for a configuration's Layers: the layers' contents merged in
// order (a later layer's files win), made once per combination. "" when there are none.
Result<std::string> OptDir(LambdaState& state, const RequestContext& ctx,
                           const json::object& config);

// The error json::parse answers for `text` (none for valid JSON), found without building a
// value: the syntax check of Invoke's payload.
json::error_code JsonSyntaxError(std::string_view text);

// ---- Handlers ----
Result<Document> CreateFunctionWithZip(LambdaState& s, RequestContext& ctx, Document& in,
                                       std::string_view zip);
Task<Result<Document>> CreateFunction(LambdaState& s, RequestContext& ctx, Document in);
Result<Document> GetFunction(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetFunctionConfiguration(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListFunctions(LambdaState& s, RequestContext& ctx, Document& in);
Task<Result<Document>> UpdateFunctionCode(LambdaState& s, RequestContext& ctx, Document in);
Result<Document> UpdateFunctionConfiguration(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> DeleteFunction(LambdaState& s, RequestContext& ctx, Document& in);

Result<Document> PublishVersion(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListVersionsByFunction(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> CreateAlias(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetAlias(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> UpdateAlias(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> DeleteAlias(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListAliases(LambdaState& s, RequestContext& ctx, Document& in);

Result<Document> PutFunctionConcurrency(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetFunctionConcurrency(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> DeleteFunctionConcurrency(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> AddPermission(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> RemovePermission(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetPolicy(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> TagResource(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> UntagResource(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListTags(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetAccountSettings(LambdaState& s, RequestContext& ctx, Document& in);

Task<Result<Document>> PublishLayerVersion(LambdaState& s, RequestContext& ctx, Document in);
Result<Document> GetLayerVersion(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetLayerVersionByArn(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListLayers(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListLayerVersions(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> DeleteLayerVersion(LambdaState& s, RequestContext& ctx, Document& in);

Task<Result<Document>> Invoke(LambdaState& s, RequestContext& ctx, Document in);
Task<Result<Document>> InvokeWithResponseStream(LambdaState& s, RequestContext& ctx, Document in);
// A streamed invocation under way: what the runtime streams arrives on `stream`, then the
// invocation's outcome.
struct StartedStream {
  std::shared_ptr<runtime::ResponseStream> stream;  // null: DryRun (nothing runs)
  std::string executed_version;
};
// Checks and admits a RequestResponse invocation as InvokeWithResponseStream does (`in` is its
// input document) and starts it on the server's io_context under `executor`, without waiting
// for its end. The errors are InvokeWithResponseStream's (throttles included).
Result<StartedStream> StartStreamedInvoke(LambdaState& s, RequestContext& ctx,
                                          const json::object& in,
                                          const boost::asio::any_io_executor& executor);

Result<Document> PutFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> UpdateFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> DeleteFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListFunctionEventInvokeConfigs(LambdaState& s, RequestContext& ctx, Document& in);

// How an Event invocation of a function version is retried and where its outcome goes.
struct AsyncSettings {
  int max_retries = 2;
  int max_age_seconds = 21600;
  std::string on_success;   // destination ARN ("" = none)
  std::string on_failure;   // destination ARN ("" = none)
  std::string dead_letter;  // DeadLetterConfig.TargetArn of the function ("" = none)
};
// The function's EventInvokeConfig for `qualifier` ("" = $LATEST) and its DeadLetterConfig.
AsyncSettings LoadAsyncSettings(const RequestContext& ctx, std::string_view name,
                                std::string_view qualifier, const json::object& config);
// Sends `body` to an SQS queue, SNS topic, Lambda function or EventBridge bus ARN through the
// registry (a dead-letter message when `error_code` is set). Failures are logged.
Task<void> SendToDestination(ServiceEnv* env, std::string account, std::string region,
                             std::string arn, std::string body, std::string request_id,
                             std::string error_code, std::string error_message);

// Queues function logs for CloudWatch Logs (group /aws/lambda/<name>, the environment's
// stream) when nimbus's Logs service implements PutLogEvents; a no-op otherwise. Thread-safe.
// Lines are written 5 ms after they are queued (100 ms on a stream written less than a second
// before), a stream's lines in one batch.
void ShipLogs(LambdaState& s, const runtime::FunctionSpec& spec, const std::string& stream,
              std::vector<runtime::LogEvent> events);
// Writes every queued line now, on a private executor (graceful shutdown: the server's
// executor has stopped). Call from one thread, after the server stopped running.
void FlushLogsNow(LambdaState& s);

// ---- Function URLs (function_urls.cc) ----
Result<Document> CreateFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> GetFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> UpdateFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> DeleteFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListFunctionUrlConfigs(LambdaState& s, RequestContext& ctx, Document& in);
// Adds to `batch` the deletion of the function's URL configs: all of them when `qualifier` is
// empty, else the one of that alias.
Status DeleteFunctionUrls(const RequestContext& ctx, std::string_view name,
                          std::string_view qualifier, storage::WriteBatch* batch);
// Serves a request to a function URL host; a 404 {"Message":"Not Found"} for an unknown URL id.
Task<std::optional<http::Response>> ServeFunctionUrl(LambdaState& s, const http::Request& request,
                                                     const DataPlaneTarget& target,
                                                     std::string_view request_id);

// ---- Event source mappings (esm.cc: control plane; esm_poller.cc: pollers) ----
Task<Result<Document>> CreateEventSourceMapping(LambdaState& s, RequestContext& ctx, Document in);
Result<Document> GetEventSourceMapping(LambdaState& s, RequestContext& ctx, Document& in);
Result<Document> ListEventSourceMappings(LambdaState& s, RequestContext& ctx, Document& in);
Task<Result<Document>> UpdateEventSourceMapping(LambdaState& s, RequestContext& ctx, Document in);
Result<Document> DeleteEventSourceMapping(LambdaState& s, RequestContext& ctx, Document& in);

std::string EsmKey(std::string_view uuid);
std::string EsmCheckpointKey(std::string_view uuid);
// A context for calls the service makes on its own behalf in `account` and `region`.
RequestContext InternalContext(ServiceEnv* env, std::string_view account, std::string_view region);
// Starts the poller of a stored, enabled mapping (stopping any earlier one of the same UUID).
// `iterators`: stream positions to start from ({shard id: iterator}), taken at creation for
// StartingPosition LATEST.
void StartEventSourcePoller(LambdaState& s, const json::object& mapping,
                            json::object iterators = {});
// Stops the poller of `uuid`, if one runs; it finishes the step it is in.
void StopEventSourcePoller(LambdaState& s, const std::string& uuid);
// Starts the pollers of every enabled mapping in storage (at Start).
void ResumeEventSourcePollers(LambdaState& s);
// Stops every poller and forgets stream positions (Reset, Stop).
void StopAllEventSourcePollers(LambdaState& s);

// ---- Helpers shared by the op files ----
// An object built from name, value pairs: Members("QueueUrl", url, "Entries", entries). For
// coroutines, where GCC cannot keep a braced list of string literals in the frame.
inline void PutMembers(json::object&) {}
template <class V, class... Rest>
void PutMembers(json::object& o, std::string_view name, V&& value, Rest&&... rest) {
  o[name] = std::forward<V>(value);
  PutMembers(o, std::forward<Rest>(rest)...);
}
template <class... Args>
json::object Members(Args&&... args) {
  json::object o;
  PutMembers(o, std::forward<Args>(args)...);
  return o;
}
// A stored FunctionConfiguration as the API shows it (internal members removed).
json::object PublicConfig(json::object config);
// "2024-01-31T12:00:00.000+0000", the form of LastModified.
std::string LastModifiedNow(const RequestContext& ctx);
// Picks a version of an alias by its routing weights; `roll` is uniform in [0, 1).
std::string PickAliasVersion(const json::object& alias, double roll);
// Marker/MaxItems paging over an ordered list of names: the index to start at.
size_t MarkerStart(const std::vector<std::string>& keys, std::string_view marker);

}  // namespace nimbus::lambda
