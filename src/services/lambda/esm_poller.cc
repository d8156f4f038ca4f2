// Event source mapping pollers: one coroutine per enabled mapping, reading its source through
// the registry (SQS ReceiveMessage, DynamoDB Streams GetRecords) and invoking the function with
// the event Lambda sends for that source.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <deque>
#include <set>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "services/lambda/event_filter.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace asio = boost::asio;

namespace {

// The long poll of an SQS mapping: short, so a disabled or deleted mapping stops within it.
constexpr int kSqsWaitSeconds = 2;
// Collected records stop short of Invoke's 6 MB payload limit.
constexpr size_t kMaxBatchBytes = 5 * 1024 * 1024;
// How often an idle stream shard is read (GetRecords does not wait for records).
constexpr auto kStreamIdle = std::chrono::milliseconds(250);
// After an error reading a source (a deleted queue or table).
constexpr auto kSourceErrorPause = std::chrono::seconds(5);

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Int(const json::object& o, std::string_view k, int64_t fallback) {
  const json::value* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<int64_t>() : fallback;
}

bool Running(LambdaState* s, const std::string& uuid, uint64_t generation) {
  std::lock_guard lock(s->esm_mu);
  auto it = s->esm_pollers.find(uuid);
  return it != s->esm_pollers.end() && it->second == generation;
}

Task<void> Pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

std::optional<json::object> LoadStored(LambdaState* s, const std::string& uuid) {
  json::value v;
  auto st = storage::GetJson(*s->env->kv, kKeyspace, EsmKey(uuid), &v);
  if (!st.ok() || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// Sets LastProcessingResult (stream mappings show it) when it changed.
void SetResult(LambdaState* s, const std::string& uuid, const std::string& result) {
  std::lock_guard lock(s->mu);
  auto m = LoadStored(s, uuid);
  if (!m || Str(*m, "LastProcessingResult") == result) return;
  (*m)["LastProcessingResult"] = result;
  (void)storage::PutJson(*s->env->kv, kKeyspace, EsmKey(uuid), json::value(std::move(*m)));
}

EventFilter FilterOf(const json::object& m) {
  EventFilter filter;
  std::vector<std::string_view> patterns;
  if (const json::value* fc = m.if_contains("FilterCriteria"); fc && fc->is_object())
    if (const json::value* fs = fc->get_object().if_contains("Filters"); fs && fs->is_array())
      for (const auto& f : fs->get_array())
        if (const json::value* p = f.is_object() ? f.get_object().if_contains("Pattern") : nullptr;
            p && p->is_string())
          patterns.push_back(p->get_string());
  filter.Parse(patterns);  // checked when the mapping was stored
  return filter;
}

bool ReportsItemFailures(const json::object& m) {
  const json::value* t = m.if_contains("FunctionResponseTypes");
  if (!t || !t->is_array()) return false;
  for (const auto& v : t->get_array())
    if (v.is_string() && v.get_string() == "ReportBatchItemFailures") return true;
  return false;
}

struct Invocation {
  bool ok = false;        // the function ran and returned a response
  bool admitted = false;  // the function ran (a response or a function error)
  std::string payload;    // its response or error document
  std::string version;    // ExecutedVersion
  std::string problem;    // why it failed, for LastProcessingResult
  std::string request_id;
};

Task<Invocation> InvokeFunction(const RequestContext& ctx, const std::string& function_arn,
                                std::string payload) {
  Invocation out;
  out.request_id = ctx.request_id;
  auto r = co_await ctx.env->registry->Call(
      ctx, "lambda", "Invoke",
      json::value(Members("FunctionName", function_arn, "Payload", std::move(payload))));
  if (!r) {
    out.problem = r.error().message;
    co_return out;
  }
  const json::object& o = r->get_object();
  out.admitted = true;
  out.payload = Str(o, "Payload");
  out.version = Str(o, "ExecutedVersion");
  out.ok = !o.contains("FunctionError");
  if (!out.ok) out.problem = "Function call failed";
  co_return out;
}

// The batchItemFailures of a response when ReportBatchItemFailures is on: nullopt when the
// whole batch counts as failed (a response that is not JSON, an empty, null or unknown
// itemIdentifier), else the identifiers (empty: every item succeeded).
std::optional<std::vector<std::string>> ItemFailures(const std::string& payload,
                                                     const std::set<std::string>& known) {
  std::vector<std::string> out;
  if (payload.empty()) return out;
  json::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec) return std::nullopt;
  if (!v.is_object()) return out;
  const json::value* failures = v.get_object().if_contains("batchItemFailures");
  if (!failures || failures->is_null()) return out;
  if (!failures->is_array()) return std::nullopt;
  for (const auto& f : failures->get_array()) {
    const json::value* id = f.is_object() ? f.get_object().if_contains("itemIdentifier") : nullptr;
    if (!id || !id->is_string() || id->get_string().empty() ||
        !known.count(std::string(id->get_string())))
      return std::nullopt;
    out.emplace_back(id->get_string());
  }
  return out;
}

std::string Serialized(const std::vector<json::value>& records) {
  json::array a(records.begin(), records.end());
  return json::serialize(json::object{{"Records", std::move(a)}});
}

// ---- SQS ----

// A received message as the SQS event's record.
json::object SqsRecord(const json::object& msg, const std::string& arn, const std::string& region) {
  json::object r;
  r["messageId"] = Str(msg, "MessageId");
  r["receiptHandle"] = Str(msg, "ReceiptHandle");
  r["body"] = Str(msg, "Body");
  const json::value* attrs = msg.if_contains("Attributes");
  r["attributes"] = attrs && attrs->is_object() ? *attrs : json::object();
  json::object message_attributes;
  if (const json::value* ma = msg.if_contains("MessageAttributes"); ma && ma->is_object())
    for (const auto& [name, value] : ma->get_object()) {
      if (!value.is_object()) continue;
      const json::object& a = value.get_object();
      json::object out;
      if (a.contains("StringValue")) out["stringValue"] = Str(a, "StringValue");
      if (a.contains("BinaryValue")) out["binaryValue"] = Base64Encode(Str(a, "BinaryValue"));
      out["stringListValues"] = json::array();
      out["binaryListValues"] = json::array();
      out["dataType"] = Str(a, "DataType");
      message_attributes[name] = std::move(out);
    }
  r["messageAttributes"] = std::move(message_attributes);
  if (msg.contains("MD5OfMessageAttributes"))
    r["md5OfMessageAttributes"] = Str(msg, "MD5OfMessageAttributes");
  r["md5OfBody"] = Str(msg, "MD5OfBody");
  r["eventSource"] = "aws:sqs";
  r["eventSourceARN"] = arn;
  r["awsRegion"] = region;
  return r;
}

// What a filter sees of an SQS record: the body parsed when it is JSON.
json::value SqsFilterView(const json::object& record) {
  json::object view = record;
  json::error_code ec;
  json::value body = json::parse(Str(record, "body"), ec);
  if (!ec) view["body"] = std::move(body);
  return view;
}

Task<void> SqsBatchCall(const RequestContext& ctx, const std::string& url, const char* op,
                        const std::vector<std::string>& handles, bool release) {
  for (size_t i = 0; i < handles.size(); i += 10) {
    json::array entries;
    for (size_t j = i; j < handles.size() && j < i + 10; ++j) {
      json::object e = Members("Id", "m" + std::to_string(j), "ReceiptHandle", handles[j]);
      if (release) e["VisibilityTimeout"] = 0;
      entries.push_back(std::move(e));
    }
    auto r = co_await ctx.env->registry->Call(
        ctx, "sqs", op, json::value(Members("QueueUrl", url, "Entries", std::move(entries))));
    if (!r) spdlog::warn("lambda: event source mapping {} on {}: {}", op, url, r.error().message);
  }
}

Task<void> PollSqs(LambdaState* s, std::string uuid, uint64_t generation) {
  std::string queue_url;
  while (Running(s, uuid, generation)) {
    auto m = LoadStored(s, uuid);
    if (!m) co_return;
    std::string arn = Str(*m, "EventSourceArn");
    std::string account = Str(*m, "account"), region = Str(*m, "region");
    RequestContext ctx = InternalContext(s->env, account, region);
    if (queue_url.empty()) {
      // arn:aws:sqs:<region>:<account>:<name>
      std::string name = arn.substr(arn.rfind(':') + 1);
      std::string owner = arn.substr(0, arn.rfind(':'));
      owner = owner.substr(owner.rfind(':') + 1);
      auto url = co_await s->env->registry->Call(
          ctx, "sqs", "GetQueueUrl",
          json::value(Members("QueueName", name, "QueueOwnerAWSAccountId", owner)));
      if (!url) {
        co_await Pause(kSourceErrorPause);
        continue;
      }
      queue_url = Str(url->get_object(), "QueueUrl");
    }
    size_t batch_size = static_cast<size_t>(Int(*m, "BatchSize", 10));
    int64_t window = Int(*m, "MaximumBatchingWindowInSeconds", 0);

    // Gather a batch: one long poll, then more receives until the batch is full or the
    // batching window has passed.
    std::vector<json::object> messages;
    size_t bytes = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(window);
    bool lost_queue = false;
    for (bool first = true; messages.size() < batch_size && bytes < kMaxBatchBytes; first = false) {
      int64_t wait = kSqsWaitSeconds;
      if (!first) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (window == 0 || left.count() <= 0 || !Running(s, uuid, generation)) break;
        wait = std::min<int64_t>(20, (left.count() + 999) / 1000);
      }
      json::array all;
      all.emplace_back("All");
      json::object receive =
          Members("QueueUrl", queue_url, "MaxNumberOfMessages",
                  static_cast<int64_t>(std::min<size_t>(10, batch_size - messages.size())),
                  "WaitTimeSeconds", wait, "AttributeNames", all, "MessageAttributeNames", all);
      auto r = co_await s->env->registry->Call(ctx, "sqs", "ReceiveMessage",
                                               json::value(std::move(receive)));
      if (!r) {
        lost_queue = true;
        break;
      }
      const json::value* got = r->get_object().if_contains("Messages");
      if (got && got->is_array())
        for (const auto& msg : got->get_array()) {
          bytes += Str(msg.get_object(), "Body").size() + 512;
          messages.push_back(msg.get_object());
        }
      if (first && messages.empty()) break;
    }
    if (!Running(s, uuid, generation)) {
      // Stopped while receiving: the messages go back to the queue at once.
      std::vector<std::string> handles;
      for (const auto& msg : messages) handles.push_back(Str(msg, "ReceiptHandle"));
      co_await SqsBatchCall(ctx, queue_url, "ChangeMessageVisibilityBatch", handles, true);
      co_return;
    }
    if (lost_queue && messages.empty()) {
      queue_url.clear();
      co_await Pause(kSourceErrorPause);
      continue;
    }
    if (messages.empty()) continue;

    // Messages no filter matches are deleted without an invocation, as Lambda does.
    EventFilter filter = FilterOf(*m);
    std::vector<json::value> records;
    std::vector<std::string> done;  // receipt handles to delete
    std::set<std::string> ids;
    std::unordered_map<std::string, std::string> handle_of;
    for (const auto& msg : messages) {
      json::object record = SqsRecord(msg, arn, region);
      if (!filter.Matches(SqsFilterView(record))) {
        done.push_back(Str(msg, "ReceiptHandle"));
        continue;
      }
      ids.insert(Str(msg, "MessageId"));
      handle_of[Str(msg, "MessageId")] = Str(msg, "ReceiptHandle");
      records.push_back(std::move(record));
    }
    if (!records.empty()) {
      Invocation inv = co_await InvokeFunction(ctx, Str(*m, "FunctionArn"), Serialized(records));
      std::optional<std::vector<std::string>> failed;
      if (inv.ok)
        failed =
            ReportsItemFailures(*m) ? ItemFailures(inv.payload, ids) : std::vector<std::string>();
      if (failed) {
        // Delete what succeeded; failed items reappear after their visibility timeout.
        std::set<std::string> keep(failed->begin(), failed->end());
        for (const auto& [id, handle] : handle_of)
          if (!keep.count(id)) done.push_back(handle);
      } else {
        spdlog::info("lambda: event source mapping {}: batch of {} failed: {}", uuid,
                     records.size(), inv.problem.empty() ? "invalid response" : inv.problem);
      }
      if (!inv.admitted) co_await Pause(std::chrono::seconds(1));
    }
    co_await SqsBatchCall(ctx, queue_url, "DeleteMessageBatch", done, false);
  }
}

// ---- DynamoDB streams ----

// An attribute value with its binary members base64-encoded, as JSON events carry them.
json::value EncodeAttribute(const json::value& av) {
  if (!av.is_object()) return av;
  json::object out;
  for (const auto& [type, v] : av.get_object()) {
    if (type == "B" && v.is_string()) {
      out[type] = Base64Encode(v.get_string());
    } else if (type == "BS" && v.is_array()) {
      json::array a;
      for (const auto& b : v.get_array())
        a.push_back(b.is_string() ? json::value(Base64Encode(b.get_string())) : b);
      out[type] = std::move(a);
    } else if (type == "M" && v.is_object()) {
      json::object mm;
      for (const auto& [k, inner] : v.get_object()) mm[k] = EncodeAttribute(inner);
      out[type] = std::move(mm);
    } else if (type == "L" && v.is_array()) {
      json::array a;
      for (const auto& inner : v.get_array()) a.push_back(EncodeAttribute(inner));
      out[type] = std::move(a);
    } else {
      out[type] = v;
    }
  }
  return out;
}

// A dynamodbstreams Record (document form) as the DynamoDB event's record.
json::object StreamRecord(const json::object& r, const std::string& arn) {
  json::object out;
  for (const char* k : {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion"})
    if (const json::value* v = r.if_contains(k)) out[k] = *v;
  if (const json::value* d = r.if_contains("dynamodb"); d && d->is_object()) {
    json::object dynamodb;
    for (const auto& [k, v] : d->get_object()) {
      if (k == "Keys" || k == "NewImage" || k == "OldImage") {
        json::object item;
        if (v.is_object())
          for (const auto& [name, av] : v.get_object()) item[name] = EncodeAttribute(av);
        dynamodb[k] = std::move(item);
      } else if (k == "ApproximateCreationDateTime" && v.is_number()) {
        double t = v.to_number<double>();
        if (t == std::floor(t))
          dynamodb[k] = static_cast<int64_t>(t);
        else
          dynamodb[k] = t;
      } else {
        dynamodb[k] = v;
      }
    }
    out["dynamodb"] = std::move(dynamodb);
  }
  if (const json::value* u = r.if_contains("userIdentity"); u && u->is_object())
    out["userIdentity"] = json::object{{"type", Str(u->get_object(), "Type")},
                                       {"principalId", Str(u->get_object(), "PrincipalId")}};
  out["eventSourceARN"] = arn;
  return out;
}

std::string SequenceOf(const json::value& record) {
  const json::value* d = record.get_object().if_contains("dynamodb");
  return d && d->is_object() ? Str(d->get_object(), "SequenceNumber") : std::string();
}

double CreatedOf(const json::value& record) {
  const json::value* d = record.get_object().if_contains("dynamodb");
  const json::value* t =
      d && d->is_object() ? d->get_object().if_contains("ApproximateCreationDateTime") : nullptr;
  return t && t->is_number() ? t->to_number<double>() : 0;
}

std::string OnFailureOf(const json::object& m) {
  const json::value* d = m.if_contains("DestinationConfig");
  if (!d || !d->is_object()) return "";
  const json::value* f = d->get_object().if_contains("OnFailure");
  return f && f->is_object() ? Str(f->get_object(), "Destination") : "";
}

// The record Lambda sends to a stream mapping's OnFailure destination for discarded records.
std::string StreamFailureRecord(LambdaState* s, const json::object& m, const std::string& shard,
                                const std::vector<json::value>& records,
                                const std::string& condition, int attempts,
                                const Invocation& last) {
  auto iso = [](double t) {
    return FormatIso8601(
        Clock::TimePoint(std::chrono::milliseconds(static_cast<int64_t>(t * 1000))), true);
  };
  json::object request_context{
      {"requestId", last.request_id.empty() ? NewRequestId() : last.request_id},
      {"functionArn", Str(m, "FunctionArn")},
      {"condition", condition},
      {"approximateInvokeCount", attempts}};
  json::object record{{"requestContext", std::move(request_context)}};
  if (last.admitted) {
    json::object response{{"statusCode", 200}, {"executedVersion", last.version}};
    if (!last.ok) response["functionError"] = "Unhandled";
    record["responseContext"] = std::move(response);
  }
  record["version"] = "1.0";
  record["timestamp"] = FormatIso8601(s->env->clock->Now(), true);
  record["DDBStreamBatchInfo"] =
      json::object{{"shardId", shard},
                   {"startSequenceNumber", SequenceOf(records.front())},
                   {"endSequenceNumber", SequenceOf(records.back())},
                   {"approximateArrivalOfFirstRecord", iso(CreatedOf(records.front()))},
                   {"approximateArrivalOfLastRecord", iso(CreatedOf(records.back()))},
                   {"batchSize", records.size()},
                   {"streamArn", Str(m, "EventSourceArn")}};
  return json::serialize(record);
}

// Sends the description of discarded records to the mapping's OnFailure destination.
Task<void> SendStreamFailure(LambdaState* s, const json::object& m, const std::string& shard,
                             const std::vector<json::value>& records, const std::string& condition,
                             int attempts, const Invocation& last) {
  std::string destination = OnFailureOf(m);
  if (destination.empty() || records.empty()) co_return;
  std::string body = StreamFailureRecord(s, m, shard, records, condition, attempts, last);
  co_await SendToDestination(s->env, Str(m, "account"), Str(m, "region"), destination,
                             std::move(body), NewRequestId(), "", "");
}

// Delivers one batch of a shard: retried after a function error (MaximumRetryAttempts, -1 =
// until the records expire), halved first with BisectBatchOnFunctionError, resumed from the
// first failed record with ReportBatchItemFailures; records older than
// MaximumRecordAgeInSeconds and batches out of retries go to the OnFailure destination.
// False when the poller was stopped first (the checkpoint stays before the batch).
Task<bool> DeliverStreamBatch(LambdaState* s, const std::string& uuid, uint64_t generation,
                              const std::string& shard, std::vector<json::value> batch) {
  std::deque<std::vector<json::value>> pending;
  pending.push_back(std::move(batch));
  int attempts = 0;
  while (!pending.empty()) {
    if (!Running(s, uuid, generation)) co_return false;
    auto m = LoadStored(s, uuid);
    if (!m) co_return false;
    std::vector<json::value>& records = pending.front();
    int64_t max_age = Int(*m, "MaximumRecordAgeInSeconds", -1);
    if (max_age >= 0) {
      double oldest = s->env->clock->NowSeconds() - static_cast<double>(max_age);
      std::vector<json::value> expired, fresh;
      for (auto& r : records) (CreatedOf(r) < oldest ? expired : fresh).push_back(std::move(r));
      co_await SendStreamFailure(s, *m, shard, expired, "RecordAgeExceeded", attempts,
                                 Invocation());
      records = std::move(fresh);
    }
    if (records.empty()) {
      pending.pop_front();
      attempts = 0;
      continue;
    }
    RequestContext ctx = InternalContext(s->env, Str(*m, "account"), Str(*m, "region"));
    Invocation inv = co_await InvokeFunction(ctx, Str(*m, "FunctionArn"), Serialized(records));
    ++attempts;
    std::optional<std::vector<std::string>> failed;
    if (inv.ok) {
      std::set<std::string> known;
      for (const auto& r : records) known.insert(SequenceOf(r));
      failed =
          ReportsItemFailures(*m) ? ItemFailures(inv.payload, known) : std::vector<std::string>();
    }
    if (failed && failed->empty()) {
      SetResult(s, uuid, "OK");
      pending.pop_front();
      attempts = 0;
      continue;
    }
    SetResult(
        s, uuid,
        "PROBLEM: " + (inv.problem.empty() ? std::string("Function call failed") : inv.problem));
    if (failed) {
      // Resume from the lowest failed sequence number: what came before is done.
      std::string lowest = *std::min_element(failed->begin(), failed->end());
      size_t k = 0;
      while (k < records.size() && SequenceOf(records[k]) != lowest) ++k;
      records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(k));
    }
    const json::value* bisect = m->if_contains("BisectBatchOnFunctionError");
    if (bisect && bisect->is_bool() && bisect->get_bool()) {
      if (records.size() > 1) {
        // Splitting does not count against the retry quota.
        std::vector<json::value> first(
            records.begin(), records.begin() + static_cast<std::ptrdiff_t>(records.size() / 2));
        std::vector<json::value> second(
            records.begin() + static_cast<std::ptrdiff_t>(records.size() / 2), records.end());
        pending.pop_front();
        pending.push_front(std::move(second));
        pending.push_front(std::move(first));
        --attempts;
        continue;
      }
    }
    int64_t max_retries = Int(*m, "MaximumRetryAttempts", -1);
    if (max_retries >= 0 && attempts > max_retries) {
      spdlog::info("lambda: event source mapping {}: {} records discarded after {} attempts", uuid,
                   records.size(), attempts);
      co_await SendStreamFailure(s, *m, shard, records, "RetryAttemptsExhausted", attempts, inv);
      pending.pop_front();
      attempts = 0;
      continue;
    }
    int64_t backoff = std::min<int64_t>(int64_t{1} << std::min(attempts - 1, 4), 10);
    co_await Pause(std::chrono::seconds(backoff));
  }
  co_return true;
}

// The shards of a stream and an iterator for each: after the checkpoint, else at the
// mapping's StartingPosition. Empty when the stream cannot be read.
Task<json::object> ShardIterators(LambdaState* s, const RequestContext& owner,
                                  const json::object& m, const json::object& known) {
  json::object out;
  std::string arn = Str(m, "EventSourceArn");
  auto described = co_await s->env->registry->Call(owner, "dynamodbstreams", "DescribeStream",
                                                   json::value(Members("StreamArn", arn)));
  if (!described) co_return out;
  json::value checkpoints;
  (void)storage::GetJson(*s->env->kv, kKeyspace, EsmCheckpointKey(Str(m, "UUID")), &checkpoints);
  const json::value* shards =
      described->get_object().at("StreamDescription").get_object().if_contains("Shards");
  if (!shards || !shards->is_array()) co_return out;
  for (const auto& shard : shards->get_array()) {
    std::string id = Str(shard.get_object(), "ShardId");
    if (const json::value* it = known.if_contains(id)) {
      out[id] = *it;
      continue;
    }
    json::object request = Members("StreamArn", arn, "ShardId", id);
    std::string checkpoint =
        checkpoints.is_object() ? Str(checkpoints.get_object(), id) : std::string();
    if (!checkpoint.empty()) {
      request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
      request["SequenceNumber"] = checkpoint;
    } else {
      request["ShardIteratorType"] = Str(m, "StartingPosition");
    }
    auto it = co_await s->env->registry->Call(owner, "dynamodbstreams", "GetShardIterator",
                                              json::value(std::move(request)));
    if (it) out[id] = it->at("ShardIterator");
  }
  co_return out;
}

void SaveCheckpoint(LambdaState* s, const std::string& uuid, const std::string& shard,
                    const std::string& sequence) {
  std::lock_guard lock(s->mu);
  if (!LoadStored(s, uuid)) return;  // deleted meanwhile
  json::value v;
  (void)storage::GetJson(*s->env->kv, kKeyspace, EsmCheckpointKey(uuid), &v);
  if (!v.is_object()) v = json::object();
  v.get_object()[shard] = sequence;
  (void)storage::PutJson(*s->env->kv, kKeyspace, EsmCheckpointKey(uuid), v);
}

Task<void> PollStream(LambdaState* s, std::string uuid, uint64_t generation,
                      json::object iterators) {
  while (Running(s, uuid, generation)) {
    auto m = LoadStored(s, uuid);
    if (!m) co_return;
    std::string arn = Str(*m, "EventSourceArn");
    // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>: read as the stream's owner.
    std::vector<std::string> parts;
    for (size_t from = 0, i = 0; i < 5; ++i) {
      size_t p = arn.find(':', from);
      parts.push_back(arn.substr(from, p - from));
      from = p + 1;
    }
    RequestContext owner = InternalContext(s->env, parts[4], parts[3]);
    iterators = co_await ShardIterators(s, owner, *m, iterators);
    if (iterators.empty()) {
      SetResult(s, uuid, "PROBLEM: Stream not found: " + arn);
      co_await Pause(kSourceErrorPause);
      continue;
    }
    size_t batch_size = static_cast<size_t>(Int(*m, "BatchSize", 100));
    int64_t window = Int(*m, "MaximumBatchingWindowInSeconds", 0);
    EventFilter filter = FilterOf(*m);
    bool any = false;
    std::vector<std::string> expired;
    for (auto& [shard, iterator] : iterators) {
      std::vector<json::value> records;
      std::string last_sequence;
      json::value next = iterator;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(window);
      for (;;) {
        auto r = co_await s->env->registry->Call(
            owner, "dynamodbstreams", "GetRecords",
            json::value(Members(
                "ShardIterator", next, "Limit",
                static_cast<int64_t>(std::min<size_t>(1000, batch_size - records.size())))));
        if (!r) {
          expired.emplace_back(shard);
          break;
        }
        next = r->get_object().at("NextShardIterator");
        const json::value* got = r->get_object().if_contains("Records");
        if (got && got->is_array())
          for (const auto& rec : got->get_array()) {
            json::object event = StreamRecord(rec.get_object(), arn);
            last_sequence = SequenceOf(event);
            if (filter.Matches(event)) records.push_back(std::move(event));
          }
        bool read_some = !last_sequence.empty();
        if (records.size() >= batch_size || window == 0 || !read_some ||
            std::chrono::steady_clock::now() >= deadline)
          break;
        co_await Pause(kStreamIdle);
      }
      if (last_sequence.empty()) {
        iterator = next;
        continue;
      }
      any = true;
      if (!records.empty() && !co_await DeliverStreamBatch(s, uuid, generation, shard, records))
        break;
      SaveCheckpoint(s, uuid, shard, last_sequence);
      iterator = next;
    }
    for (const auto& shard : expired) iterators.erase(shard);
    if (!any) co_await Pause(kStreamIdle);
  }
  // Stopped: keep the positions for when the mapping is enabled again.
  std::lock_guard lock(s->esm_mu);
  if (!s->esm_pollers.count(uuid) && LoadStored(s, uuid)) s->esm_iterators[uuid] = iterators;
}

}  // namespace

void StartEventSourcePoller(LambdaState& s, const json::object& mapping, json::object iterators) {
  std::string uuid = Str(mapping, "UUID");
  uint64_t generation;
  {
    std::lock_guard lock(s.esm_mu);
    generation = ++s.esm_generation;
    s.esm_pollers[uuid] = generation;
    auto saved = s.esm_iterators.find(uuid);
    if (saved != s.esm_iterators.end()) {
      if (iterators.empty()) iterators = std::move(saved->second);
      s.esm_iterators.erase(saved);
    }
  }
  if (Str(mapping, "EventSourceArn").rfind("arn:aws:sqs:", 0) == 0)
    s.env->spawn(PollSqs(&s, uuid, generation));
  else
    s.env->spawn(PollStream(&s, uuid, generation, std::move(iterators)));
}

void StopEventSourcePoller(LambdaState& s, const std::string& uuid) {
  std::lock_guard lock(s.esm_mu);
  s.esm_pollers.erase(uuid);
}

void ResumeEventSourcePollers(LambdaState& s) {
  std::vector<json::object> enabled;
  auto st = storage::ScanJson(*s.env->kv, kKeyspace, "!esm/", "",
                              [&](std::string_view, json::value& doc) {
                                if (doc.is_object() && Str(doc.get_object(), "State") == "Enabled")
                                  enabled.push_back(std::move(doc.get_object()));
                                return true;
                              });
  if (!st.ok()) spdlog::error("lambda: cannot read event source mappings: {}", st.message());
  for (const auto& m : enabled) StartEventSourcePoller(s, m);
  if (!enabled.empty()) spdlog::info("lambda: {} event source mapping(s) polling", enabled.size());
}

void StopAllEventSourcePollers(LambdaState& s) {
  std::lock_guard lock(s.esm_mu);
  s.esm_pollers.clear();
  s.esm_iterators.clear();
}

}  // namespace nimbus::lambda
