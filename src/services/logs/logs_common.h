#pragma once

// What the CloudWatch Logs operation families share: errors, safe readers for input documents,
// name checks, the key layout, the in-memory metadata cache over the store, and paging tokens.
//
// Key layout in keyspace "logs" (scope = storage::ScopePrefix(account, region)):
//   'G' scope OS(group)                              -> group JSON (creationTime, tags, ...)
//   'S' scope OS(group) OS(stream)                   -> stream JSON (first/last event, seq)
//   'F' scope OS(group) kind OS(filter name)         -> metric ('m') or subscription ('s') filter
//   'E' scope OS(group) OS(stream) U64(ts) U64(seq)  -> U64(ingestion time) + message bytes
// (OS = storage::AppendOrderedString, U64 = storage::AppendUint64.) Events sort by stream, then
// timestamp, then arrival, so GetLogEvents is one range scan and FilterLogEvents merges one
// cursor per stream. Metadata lives apart from events so loading it at start never reads events.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"
#include "core/storage/kv_store.h"

namespace nimbus::logs {

inline constexpr std::string_view kKeyspace = "logs";
inline constexpr int64_t kDayMillis = 24LL * 3600 * 1000;

// ---- Errors (all HTTP 400, as the CloudWatch Logs model declares them) -------------------------
ApiError InvalidParameter(std::string message);
ApiError ResourceNotFound(std::string message);
ApiError GroupNotFound();   // "The specified log group does not exist."
ApiError StreamNotFound();  // "The specified log stream does not exist."
ApiError ResourceAlreadyExists(std::string message);
ApiError LimitExceeded(std::string message);
ApiError InvalidNextToken();  // InvalidParameterException "The specified nextToken is invalid."
// "1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: <what>".
ApiError ConstraintViolation(std::string_view value, std::string_view member,
                             std::string_view constraint);

// ---- Reading input documents ------------------------------------------------------------------
// The codec guarantees types for HTTP requests; internal callers (Registry::Call) may not, so
// every read checks the type and treats a wrong type or null as absent.
std::string GetString(const json::object& in, std::string_view member);  // "" when absent
bool HasString(const json::object& in, std::string_view member);
std::optional<int64_t> GetInt(const json::object& in, std::string_view member);
bool GetBool(const json::object& in, std::string_view member, bool fallback);
const json::array* GetArray(const json::object& in, std::string_view member);
const json::object* GetObject(const json::object& in, std::string_view member);

// ---- Constraints the model states as patterns (the shared validator checks lengths only) ----
Status CheckGroupName(const json::object& in, std::string_view member);   // [\.\-_/#A-Za-z0-9]+
Status CheckStreamName(const json::object& in, std::string_view member);  // [^:*]*
// The log group an operation addresses: logGroupName, or logGroupIdentifier (a name or an ARN,
// with or without ":*"); exactly one of them. Sets `*scope` to the ARN's account and region when
// an ARN names them, else leaves it.
Result<std::string> ResolveGroupName(const json::object& in, std::string* scope,
                                     bool identifier_allowed = true);

// ---- Keys ---------------------------------------------------------------------------------------
std::string GroupKey(std::string_view scope, std::string_view group);
std::string StreamKey(std::string_view scope, std::string_view group, std::string_view stream);
std::string FilterKey(std::string_view scope, std::string_view group, char kind,
                      std::string_view name);
std::string GroupEventsPrefix(std::string_view scope, std::string_view group);
std::string StreamEventsPrefix(std::string_view scope, std::string_view group,
                               std::string_view stream);
std::string EventKey(std::string_view stream_prefix, uint64_t timestamp, uint64_t seq);
inline constexpr char kMetricFilter = 'm';
inline constexpr char kSubscriptionFilter = 's';

// ---- Cached metadata ----------------------------------------------------------------------------
// A stream's mutable counters. `mu` serializes writers of the stream (PutLogEvents) against its
// deletion; readers copy the fields under `mu`.
struct StreamMeta {
  std::mutex mu;
  std::string name;
  std::string events_prefix;  // StreamEventsPrefix of this stream
  int64_t creation_time = 0;
  std::optional<int64_t> first_event, last_event, last_ingestion;
  uint64_t stored_bytes = 0;
  uint64_t next_seq = 1;  // sequence number of the next event (0 is never used)
  uint64_t uploads = 0;   // accepted PutLogEvents calls (uploadSequenceToken)
  bool deleted = false;   // set under `mu` when the stream or its group is deleted

  json::object ToJson() const;  // persisted form (callers hold `mu`)
};

struct GroupMeta {
  std::string name;
  int64_t creation_time = 0;
  std::optional<int64_t> retention_days;
  std::string kms_key_id;
  std::string log_group_class = "STANDARD";
  bool deletion_protection = false;
  std::map<std::string, std::string> tags;
  std::map<std::string, std::shared_ptr<StreamMeta>> streams;
  std::map<std::string, json::object> metric_filters;
  std::map<std::string, json::object> subscription_filters;

  json::object ToJson() const;  // persisted form (without streams and filters)
};

// A consistent copy of a stream's counters for answers.
struct StreamView {
  std::string name;
  int64_t creation_time = 0;
  std::optional<int64_t> first_event, last_event, last_ingestion;
  uint64_t stored_bytes = 0;
  uint64_t uploads = 0;
};
StreamView ViewOf(StreamMeta& stream);  // locks stream.mu

// The state of CloudWatch Logs: metadata cached in memory (loaded from storage at Start, dropped
// by Reset), events in storage. Thread-safe: `mu()` guards the maps of every scope; a stream's
// counters are guarded by its own mutex, taken after `mu()` when both are needed.
class LogStore {
 public:
  void Bind(ServiceEnv* env) { env_ = env; }
  ServiceEnv& env() { return *env_; }
  storage::KvStore& kv() { return *env_->kv; }
  std::mutex& mu() { return mu_; }

  // Reads every group, stream and filter record into memory. Called once before requests.
  storage::StorageStatus Load();
  // Forgets the cache (storage was wiped by the caller).
  void Clear();

  // The groups of a scope (created on first use). Callers hold mu().
  std::map<std::string, std::shared_ptr<GroupMeta>>& Groups(const std::string& scope);
  // The group or null. Callers hold mu().
  GroupMeta* FindGroup(const std::string& scope, const std::string& name);
  // Every scope with its groups, for the retention sweep. Callers hold mu().
  std::map<std::string, std::map<std::string, std::shared_ptr<GroupMeta>>>& scopes() {
    return scopes_;
  }

  Status Commit(const storage::WriteBatch& batch);

 private:
  ServiceEnv* env_ = nullptr;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, std::shared_ptr<GroupMeta>>> scopes_;
};

// ---- One call to an operation -------------------------------------------------------------------
struct Call {
  RequestContext& ctx;
  LogStore& store;
  std::string scope;  // ScopePrefix(account, region) of the caller
  int64_t now_ms;     // env clock, read once per call

  // "arn:aws:logs:<region>:<account>:log-group:<name>" (without ":*").
  std::string GroupArn(std::string_view group) const;
};

using Handler = std::function<Result<Document>(Call&, const json::object&)>;
using HandlerTable = std::vector<std::pair<std::string, Handler>>;

void AddGroupHandlers(HandlerTable* table);   // groups.cc
void AddTagHandlers(HandlerTable* table);     // tags.cc
void AddStreamHandlers(HandlerTable* table);  // streams.cc
void AddEventHandlers(HandlerTable* table);   // events.cc
void AddSearchHandlers(HandlerTable* table);  // search.cc
void AddFilterHandlers(HandlerTable* table);  // filters.cc

// ---- Shared pieces ------------------------------------------------------------------------------
// The retention periods PutRetentionPolicy accepts (days).
bool IsValidRetention(int64_t days);
// The oldest timestamp a group still keeps (0 when it keeps everything).
int64_t RetentionCutoff(const GroupMeta& group, int64_t now_ms);

// PutLogEvents' nextSequenceToken and DescribeLogStreams' uploadSequenceToken: 56 digits.
std::string SequenceToken(uint64_t uploads);
// Deletes stored events older than their group's retention at `now_ms` (the background sweep;
// reads already skip them). Storage failures are logged, not returned.
void DeleteExpiredEvents(LogStore& store, int64_t now_ms);
// `limit` member (default `fallback`, model bounds already checked by the codec).
size_t LimitOf(const json::object& in, size_t fallback);

// Paging for Describe* operations. `keys` are the items' sort keys in answer order (ascending, or
// descending when `descending`). Answers the [first, last) slice that the request's nextToken
// and limit select and sets `*next_token` (empty when nothing follows). The token is opaque to
// clients: the sort key of the last item answered, base64-wrapped; a malformed one is
// InvalidParameterException.
struct PageSlice {
  size_t first = 0, last = 0;
  std::string next_token;
};
Result<PageSlice> Page(const std::vector<std::string>& keys, bool descending,
                       const json::object& in, size_t default_limit);

// Parses a filter pattern (cached), or InvalidParameterException with AWS's wording.
class FilterPattern;
Result<std::shared_ptr<const FilterPattern>> ParsePattern(std::string_view text);

}  // namespace nimbus::logs
