// Event source mappings, control plane: Create/Get/List/Update/DeleteEventSourceMapping for SQS
// queues and DynamoDB streams, with AWS's defaults per source, its checks and its wording.
// The pollers that deliver records are in esm_poller.cc.
#include <algorithm>
#include <boost/json.hpp>

#include "core/common/clock.h"
#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/lambda/event_filter.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

enum class Source { kSqs, kStream };

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<int64_t> Int(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<int64_t>();
}

ApiError MappingNotFound() {
  return ResourceNotFound("The resource you requested does not exist.");
}

ApiError Unsupported(std::string_view member) {
  return InvalidParameter("Unsupported " + std::string(member) +
                          " parameter for given event source mapping type.");
}

// "arn:aws:<service>:<region>:<account>:<resource>" split in its six parts.
std::vector<std::string> ArnParts(std::string_view arn) {
  std::vector<std::string> parts;
  size_t from = 0;
  for (int i = 0; i < 5; ++i) {
    size_t p = arn.find(':', from);
    if (p == std::string_view::npos) return {};
    parts.emplace_back(arn.substr(from, p - from));
    from = p + 1;
  }
  parts.emplace_back(arn.substr(from));
  return parts;
}

// Which kind of source an EventSourceArn names; an error for sources nimbus does not poll.
Result<Source> SourceOf(std::string_view arn) {
  auto parts = ArnParts(arn);
  if (parts.size() != 6 || parts[0] != "arn") return InvalidParameter("Unrecognized event source.");
  const std::string& service = parts[2];
  if (service == "sqs" && !parts[5].empty()) return Source::kSqs;
  if (service == "dynamodb" && parts[5].find("/stream/") != std::string::npos)
    return Source::kStream;
  if (service == "kinesis" || service == "kafka" || service == "mq" || service == "rds" ||
      service == "docdb")
    return ApiError("NotImplementedException", 501,
                    "nimbus does not poll " + service +
                        " event sources; event source mappings "
                        "support SQS queues and DynamoDB streams");
  return InvalidParameter("Unrecognized event source.");
}

// The members a mapping of each kind does not take (AWS rejects them).
constexpr const char* kStreamOnly[] = {"StartingPosition",           "StartingPositionTimestamp",
                                       "BisectBatchOnFunctionError", "MaximumRetryAttempts",
                                       "MaximumRecordAgeInSeconds",  "ParallelizationFactor",
                                       "TumblingWindowInSeconds",    "DestinationConfig"};
constexpr const char* kSqsOnly[] = {"ScalingConfig"};
constexpr const char* kOtherSources[] = {"Topics",
                                         "Queues",
                                         "SourceAccessConfigurations",
                                         "SelfManagedEventSource",
                                         "SelfManagedKafkaEventSourceConfig",
                                         "AmazonManagedKafkaEventSourceConfig",
                                         "DocumentDBEventSourceConfig"};

Status CheckMembers(Source source, const json::object& in) {
  for (const char* m : kOtherSources)
    if (in.contains(m)) return Unsupported(m);
  if (source == Source::kSqs) {
    for (const char* m : kStreamOnly)
      if (in.contains(m)) return Unsupported(m);
  } else {
    for (const char* m : kSqsOnly)
      if (in.contains(m)) return Unsupported(m);
    if (const json::value* t = in.if_contains("TumblingWindowInSeconds");
        t && t->is_number() && t->to_number<int64_t>() > 0)
      return ApiError("NotImplementedException", 501,
                      "nimbus does not implement tumbling windows (TumblingWindowInSeconds)");
  }
  return Ok{};
}

// The mapping's settings after `in` is applied, checked as a whole (BatchSize against the
// batching window, filters, destinations, record age).
Status CheckSettings(Source source, const json::object& m) {
  int64_t batch = Int(m, "BatchSize").value_or(0);
  int64_t window = Int(m, "MaximumBatchingWindowInSeconds").value_or(0);
  if (source == Source::kSqs) {
    if (batch > 10 && window == 0)
      return InvalidParameter(
          "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
          "greater than 10");
    std::string arn = Str(m, "EventSourceArn");
    if (batch > 10 && arn.size() > 5 && arn.compare(arn.size() - 5, 5, ".fifo") == 0)
      return InvalidParameter("Batch size must not exceed 10 for FIFO queues.");
  } else {
    int64_t age = Int(m, "MaximumRecordAgeInSeconds").value_or(-1);
    if (age != -1 && age < 60)
      return InvalidParameter(
          "MaximumRecordAgeInSeconds must be -1 (records never expire) or between 60 and "
          "604800.");
    if (const json::value* d = m.if_contains("DestinationConfig"); d && d->is_object()) {
      const json::object& dc = d->get_object();
      if (const json::value* ok = dc.if_contains("OnSuccess");
          ok && ok->is_object() && !ok->get_object().empty())
        return Unsupported("DestinationConfig");
      if (const json::value* f = dc.if_contains("OnFailure"); f && f->is_object()) {
        std::string dest = Str(f->get_object(), "Destination");
        if (!dest.empty() && dest.rfind("arn:aws:sqs:", 0) != 0 &&
            dest.rfind("arn:aws:sns:", 0) != 0)
          return InvalidParameter("The destination ARN " + dest + " is invalid.");
      }
    }
  }
  if (const json::value* fc = m.if_contains("FilterCriteria"); fc && fc->is_object()) {
    std::vector<std::string_view> patterns;
    if (const json::value* fs = fc->get_object().if_contains("Filters"); fs && fs->is_array())
      for (const auto& f : fs->get_array()) {
        const json::value* p = f.is_object() ? f.get_object().if_contains("Pattern") : nullptr;
        if (!p || !p->is_string()) return InvalidParameter("Invalid filter pattern definition.");
        patterns.push_back(p->get_string());
      }
    EventFilter filter;
    if (!filter.Parse(patterns)) return InvalidParameter("Invalid filter pattern definition.");
  }
  return Ok{};
}

// The function a FunctionName names, as the mapping's FunctionArn (qualified when a version or
// alias was named); InvalidParameterValue "Function does not exist" otherwise.
Result<std::string> MappingFunctionArn(const RequestContext& ctx, std::string_view name) {
  auto ref = ParseFunctionName(name, ctx.account_id, ctx.region);
  if (!ref) return std::move(ref).error();
  auto fn = Resolve(ctx, *ref);
  if (!fn) {
    if (fn.error().code == "ResourceNotFoundException")
      return InvalidParameter("Function does not exist");
    return std::move(fn).error();
  }
  std::string arn = FunctionArn(ctx.region, ctx.account_id, ref->name);
  if (!ref->qualifier.empty()) arn += ":" + ref->qualifier;
  return arn;
}

json::object PublicMapping(json::object m) {
  m.erase("account");
  m.erase("region");
  return m;
}

Result<json::object> LoadMapping(const RequestContext& ctx, std::string_view uuid) {
  auto rec = LoadRecord(ctx, EsmKey(uuid));
  if (!rec) return std::move(rec).error();
  if (!*rec || Str(**rec, "account") != ctx.account_id || Str(**rec, "region") != ctx.region)
    return MappingNotFound();
  return std::move(**rec);
}

std::string FunctionNameOf(std::string_view function_arn) {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  auto parts = ArnParts(function_arn);
  if (parts.size() != 6) return std::string(function_arn);
  std::string rest = parts[5].substr(parts[5].find(':') + 1);
  return rest.substr(0, rest.find(':'));
}

Result<json::object> CheckDuplicate(const RequestContext& ctx, const std::string& source_arn,
                                    const std::string& function_arn, Source source) {
  std::string conflict;
  auto st = storage::ScanJson(
      *ctx.env->kv, kKeyspace, "!esm/", "", [&](std::string_view, json::value& doc) {
        if (!doc.is_object()) return true;
        const auto& m = doc.get_object();
        if (Str(m, "EventSourceArn") == source_arn && Str(m, "FunctionArn") == function_arn)
          conflict = Str(m, "UUID");
        return conflict.empty();
      });
  if (!st.ok()) return storage::StorageError(st);
  if (conflict.empty()) return json::object();
  std::string name = FunctionNameOf(function_arn);
  if (source == Source::kSqs)
    return ResourceConflict("An event source mapping with SQS arn (\" " + source_arn +
                            " \") and function (\" " + name +
                            " \") already exists. Please update or delete the existing mapping "
                            "with UUID " +
                            conflict);
  return ResourceConflict("The event source arn (\" " + source_arn + " \") and function (\" " +
                          name +
                          " \") provided mapping already exists. Please update or delete the "
                          "existing mapping with UUID " +
                          conflict);
}

// Checks that the source exists, as the first poll would. For a stream starting at LATEST,
// returns the shards' iterators, so records written after this call are delivered.
Task<Result<json::object>> CheckSource(const RequestContext& ctx, Source source,
                                       const std::string& arn, const std::string& position) {
  auto parts = ArnParts(arn);
  if (source == Source::kSqs) {
    json::object get_url = Members("QueueName", parts[5], "QueueOwnerAWSAccountId", parts[4]);
    Result<Document> url = ApiError("AWS.SimpleQueueService.NonExistentQueue", 400, "");
    if (parts[3] == ctx.region)
      url = co_await ctx.env->registry->Call(ctx, "sqs", "GetQueueUrl", json::value(get_url));
    if (!url)
      co_return InvalidParameter(
          "Error occurred while ReceiveMessage. SQS Error Code: "
          "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does "
          "not exist or you do not have access to it.");
    co_return json::object();
  }
  RequestContext owner = InternalContext(ctx.env, parts[4], parts[3]);
  auto described = co_await ctx.env->registry->Call(owner, "dynamodbstreams", "DescribeStream",
                                                    json::value(Members("StreamArn", arn)));
  if (!described) {
    if (described.error().code == "ResourceNotFoundException" ||
        described.error().code == "ValidationException")
      co_return InvalidParameter("Stream not found: " + arn);
    co_return std::move(described).error();
  }
  json::object iterators;
  if (position != "LATEST") co_return iterators;
  const json::value* shards = nullptr;
  if (const json::value* d = described->get_object().if_contains("StreamDescription"))
    shards = d->get_object().if_contains("Shards");
  if (shards && shards->is_array())
    for (const auto& shard : shards->get_array()) {
      std::string id = Str(shard.get_object(), "ShardId");
      auto it = co_await ctx.env->registry->Call(
          owner, "dynamodbstreams", "GetShardIterator",
          json::value(Members("StreamArn", arn, "ShardId", id, "ShardIteratorType", "LATEST")));
      if (it) iterators[id] = it->at("ShardIterator");
    }
  co_return iterators;
}

}  // namespace

std::string EsmKey(std::string_view uuid) { return "!esm/" + std::string(uuid); }
std::string EsmCheckpointKey(std::string_view uuid) { return "!esmcp/" + std::string(uuid); }

RequestContext InternalContext(ServiceEnv* env, std::string_view account, std::string_view region) {
  RequestContext ctx;
  ctx.request_id = NewRequestId();
  ctx.account_id = std::string(account);
  ctx.region = std::string(region);
  ctx.caller_arn = "arn:aws:iam::" + ctx.account_id + ":root";
  ctx.caller_user_id = ctx.account_id;
  ctx.service = "lambda";
  ctx.env = env;
  return ctx;
}

Task<Result<Document>> CreateEventSourceMapping(LambdaState& s, RequestContext& ctx,
                                                Document input) {
  const json::object& in = input.get_object();
  std::string source_arn = Str(in, "EventSourceArn");
  if (source_arn.empty()) {
    if (in.contains("SelfManagedEventSource"))
      co_return ApiError("NotImplementedException", 501,
                         "nimbus does not poll self-managed Kafka event sources; event source "
                         "mappings support SQS queues and DynamoDB streams");
    co_return InvalidParameter("Unrecognized event source.");
  }
  auto source = SourceOf(source_arn);
  if (!source) co_return std::move(source).error();
  if (auto st = CheckMembers(*source, in); !st) co_return std::move(st).error();
  bool stream = *source == Source::kStream;
  std::string position = Str(in, "StartingPosition");
  if (stream && position.empty())
    co_return InvalidParameter(
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
        "constraint: Member must not be null.");
  if (stream && position == "AT_TIMESTAMP")
    co_return InvalidParameter("Unsupported starting position for arn type: " + source_arn);

  std::string uuid = NewUuid();
  json::object m;
  m["UUID"] = uuid;
  if (stream) m["StartingPosition"] = position;
  m["BatchSize"] = Int(in, "BatchSize").value_or(stream ? 100 : 10);
  m["MaximumBatchingWindowInSeconds"] = Int(in, "MaximumBatchingWindowInSeconds").value_or(0);
  if (stream) m["ParallelizationFactor"] = Int(in, "ParallelizationFactor").value_or(1);
  m["EventSourceArn"] = source_arn;
  if (const json::value* fc = in.if_contains("FilterCriteria")) m["FilterCriteria"] = *fc;
  auto function_arn = MappingFunctionArn(ctx, Str(in, "FunctionName"));
  if (!function_arn) co_return std::move(function_arn).error();
  m["FunctionArn"] = *function_arn;
  m["LastModified"] = ctx.env->clock->NowSeconds();
  if (stream) m["LastProcessingResult"] = "No records processed";
  bool enabled = true;
  if (const json::value* e = in.if_contains("Enabled"); e && e->is_bool()) enabled = e->get_bool();
  m["State"] = enabled ? "Enabled" : "Disabled";
  m["StateTransitionReason"] = stream ? "User action" : "USER_INITIATED";
  if (stream) {
    json::object dc = Members("OnFailure", json::object());
    if (const json::value* d = in.if_contains("DestinationConfig"); d && d->is_object())
      for (const auto& kv : d->get_object()) dc[kv.key()] = kv.value();
    m["DestinationConfig"] = std::move(dc);
    m["MaximumRecordAgeInSeconds"] = Int(in, "MaximumRecordAgeInSeconds").value_or(-1);
    const json::value* bisect = in.if_contains("BisectBatchOnFunctionError");
    m["BisectBatchOnFunctionError"] = bisect && bisect->is_bool() && bisect->get_bool();
    m["MaximumRetryAttempts"] = Int(in, "MaximumRetryAttempts").value_or(-1);
    m["TumblingWindowInSeconds"] = 0;
  }
  m["FunctionResponseTypes"] = json::array();
  if (const json::value* t = in.if_contains("FunctionResponseTypes"); t && t->is_array())
    m["FunctionResponseTypes"] = *t;
  if (const json::value* sc = in.if_contains("ScalingConfig")) m["ScalingConfig"] = *sc;
  m["EventSourceMappingArn"] =
      "arn:aws:lambda:" + ctx.region + ":" + ctx.account_id + ":event-source-mapping:" + uuid;
  if (auto st = CheckSettings(*source, m); !st) co_return std::move(st).error();
  if (auto dup = CheckDuplicate(ctx, source_arn, *function_arn, *source); !dup)
    co_return std::move(dup).error();
  auto iterators = co_await CheckSource(ctx, *source, source_arn, position);
  if (!iterators) co_return std::move(iterators).error();

  m["account"] = ctx.account_id;
  m["region"] = ctx.region;
  {
    std::lock_guard lock(s.mu);
    // Checked again under the lock: two creates of the same pair must not both succeed.
    if (auto dup = CheckDuplicate(ctx, source_arn, *function_arn, *source); !dup)
      co_return std::move(dup).error();
    auto st = storage::PutJson(*ctx.env->kv, kKeyspace, EsmKey(uuid), json::value(m));
    if (!st.ok()) co_return storage::StorageError(st);
  }
  if (enabled) {
    StartEventSourcePoller(s, m, std::move(*iterators));
  } else if (!iterators->empty()) {
    std::lock_guard lock(s.esm_mu);
    s.esm_iterators[uuid] = std::move(*iterators);
  }
  json::object out = PublicMapping(std::move(m));
  out["State"] = "Creating";
  co_return json::value(std::move(out));
}

Result<Document> GetEventSourceMapping(LambdaState&, RequestContext& ctx, Document& in) {
  auto m = LoadMapping(ctx, Str(in.get_object(), "UUID"));
  if (!m) return std::move(m).error();
  return json::value(PublicMapping(std::move(*m)));
}

Result<Document> ListEventSourceMappings(LambdaState&, RequestContext& ctx, Document& input) {
  const json::object& in = input.get_object();
  std::string source_arn = Str(in, "EventSourceArn");
  std::string function = Str(in, "FunctionName");
  // A function name matches its mappings of every qualifier; a qualified one only its own.
  std::string function_name, function_arn;
  if (!function.empty()) {
    auto ref = ParseFunctionName(function, ctx.account_id, ctx.region);
    if (!ref) return std::move(ref).error();
    function_name = ref->name;
    if (!ref->qualifier.empty())
      function_arn = FunctionArn(ctx.region, ctx.account_id, ref->name) + ":" + ref->qualifier;
  }
  std::vector<std::string> keys;
  std::vector<json::object> items;
  auto st = storage::ScanJson(
      *ctx.env->kv, kKeyspace, "!esm/", "", [&](std::string_view, json::value& doc) {
        if (!doc.is_object()) return true;
        json::object& m = doc.get_object();
        if (Str(m, "account") != ctx.account_id || Str(m, "region") != ctx.region) return true;
        if (!source_arn.empty() && Str(m, "EventSourceArn") != source_arn) return true;
        std::string arn = Str(m, "FunctionArn");
        if (!function_arn.empty() && arn != function_arn) return true;
        if (!function_name.empty() && FunctionNameOf(arn) != function_name) return true;
        keys.push_back(Str(m, "UUID"));
        items.push_back(PublicMapping(std::move(m)));
        return true;
      });
  if (!st.ok()) return storage::StorageError(st);
  size_t max_items = static_cast<size_t>(Int(in, "MaxItems").value_or(100));
  size_t i = MarkerStart(keys, Str(in, "Marker"));
  json::array list;
  for (; i < keys.size() && list.size() < max_items; ++i) list.push_back(std::move(items[i]));
  json::object out{{"EventSourceMappings", std::move(list)}};
  if (i < keys.size()) out["NextMarker"] = keys[i - 1];
  return json::value(std::move(out));
}

Task<Result<Document>> UpdateEventSourceMapping(LambdaState& s, RequestContext& ctx,
                                                Document input) {
  const json::object& in = input.get_object();
  std::string uuid = Str(in, "UUID");
  auto existing = LoadMapping(ctx, uuid);
  if (!existing) co_return std::move(existing).error();
  std::string source_arn = Str(*existing, "EventSourceArn");
  auto source = SourceOf(source_arn);
  if (!source) co_return std::move(source).error();
  if (auto st = CheckMembers(*source, in); !st) co_return std::move(st).error();
  std::optional<std::string> function_arn;
  if (std::string name = Str(in, "FunctionName"); !name.empty()) {
    auto arn = MappingFunctionArn(ctx, name);
    if (!arn) co_return std::move(arn).error();
    function_arn = *arn;
  }

  bool was_enabled, enabled;
  json::object m;
  {
    std::lock_guard lock(s.mu);
    auto current = LoadMapping(ctx, uuid);
    if (!current) co_return std::move(current).error();
    m = std::move(*current);
    was_enabled = Str(m, "State") == "Enabled";
    enabled = was_enabled;
    if (const json::value* e = in.if_contains("Enabled"); e && e->is_bool())
      enabled = e->get_bool();
    for (const char* k :
         {"BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes",
          "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
          "ParallelizationFactor", "ScalingConfig"})
      if (const json::value* v = in.if_contains(k)) m[k] = *v;
    if (const json::value* d = in.if_contains("DestinationConfig"); d && d->is_object()) {
      json::object dc = Members("OnFailure", json::object());
      for (const auto& kv : d->get_object()) dc[kv.key()] = kv.value();
      m["DestinationConfig"] = std::move(dc);
    }
    // An empty filter list removes the filters, as AWS does for FilterCriteria {}.
    if (const json::value* fc = m.if_contains("FilterCriteria");
        fc && fc->is_object() &&
        (!fc->get_object().contains("Filters") ||
         (fc->get_object().at("Filters").is_array() &&
          fc->get_object().at("Filters").get_array().empty())))
      m.erase("FilterCriteria");
    if (function_arn) m["FunctionArn"] = *function_arn;
    if (auto st = CheckSettings(*source, m); !st) co_return std::move(st).error();
    if (function_arn && *function_arn != Str(*existing, "FunctionArn"))
      if (auto dup = CheckDuplicate(ctx, source_arn, *function_arn, *source); !dup)
        co_return std::move(dup).error();
    m["State"] = enabled ? "Enabled" : "Disabled";
    m["LastModified"] = ctx.env->clock->NowSeconds();
    auto st = storage::PutJson(*ctx.env->kv, kKeyspace, EsmKey(uuid), json::value(m));
    if (!st.ok()) co_return storage::StorageError(st);
  }
  if (enabled && !was_enabled) StartEventSourcePoller(s, m);
  if (!enabled && was_enabled) StopEventSourcePoller(s, uuid);
  json::object out = PublicMapping(std::move(m));
  out["State"] = enabled == was_enabled ? "Updating" : enabled ? "Enabling" : "Disabling";
  co_return json::value(std::move(out));
}

Result<Document> DeleteEventSourceMapping(LambdaState& s, RequestContext& ctx, Document& in) {
  std::string uuid = Str(in.get_object(), "UUID");
  json::object m;
  {
    std::lock_guard lock(s.mu);
    auto current = LoadMapping(ctx, uuid);
    if (!current) return std::move(current).error();
    m = std::move(*current);
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, EsmKey(uuid));
    batch.Delete(kKeyspace, EsmCheckpointKey(uuid));
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
  }
  StopEventSourcePoller(s, uuid);
  {
    std::lock_guard lock(s.esm_mu);
    s.esm_iterators.erase(uuid);
  }
  json::object out = PublicMapping(std::move(m));
  out["State"] = "Deleting";
  return json::value(std::move(out));
}

}  // namespace nimbus::lambda
