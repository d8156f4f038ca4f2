#include "services/dynamodb/streams/streams_ops.h"

#include <boost/json.hpp>
#include <cstdio>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/streams/stream_records.h"
#include "services/dynamodb/table/layout.h"

namespace nimbus::dynamodb {

namespace {

constexpr int64_t kIteratorLifetimeMs = 15 * 60 * 1000;
constexpr int64_t kMaxGetRecords = 1000;

ApiError StreamNotFound(std::string_view arn) {
  return ApiError("ResourceNotFoundException", 400,
                  "Requested resource not found: Stream: " + std::string(arn) + " not found");
}

std::string ShardIdOf(const Table& table) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "shardId-%020llu-%08llx",
                static_cast<unsigned long long>(table.stream_id),
                static_cast<unsigned long long>((table.stream_id * 0x9E3779B97F4A7C15ULL) >> 32));
  return buf;
}

std::string StreamArnOf(const Table& table) {
  return std::string(StringMember(table.description(), "LatestStreamArn"));
}

// "arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>" -> the table, when that
// stream is its current one.
Result<std::shared_ptr<const Table>> TableOfStream(State& state, std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return StreamNotFound(arn);
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  auto stream = resource.find("/stream/");
  if (parts[0] != "arn" || parts[2] != "dynamodb" || resource.substr(0, 6) != "table/" ||
      stream == std::string_view::npos)
    return ValidationError("Invalid StreamArn");
  std::string_view name = resource.substr(6, stream - 6);
  auto found = state.catalog.Find(parts[4], parts[3], name);
  if (!found) return std::move(found).error();
  if (!*found || !(*found)->stream_id || StreamArnOf(**found) != arn) return StreamNotFound(arn);
  return std::move(*found);
}

std::string EncodeIterator(std::string_view arn, uint64_t after, int64_t expires_ms) {
  json::object o{{"a", arn}, {"p", FormatSequenceNumber(after)}, {"x", expires_ms}};
  return Base64Encode(json::serialize(o));
}

// First and last sequence numbers present (0 when the stream is empty).
void StreamBounds(State& state, const Table& table, uint64_t* first, uint64_t* last) {
  *first = *last = 0;
  std::string prefix = StreamPrefix(table.stream_id);
  storage::ScanOptions opts;
  opts.start = prefix;
  opts.end = storage::PrefixEnd(prefix);
  opts.limit = 1;
  auto seq_of = [&](std::string_view key) {
    std::string_view rest = key.substr(prefix.size());
    uint64_t v = 0;
    storage::ConsumeUint64(&rest, &v);
    return v;
  };
  (void)state.kv().Scan(kKeyspace, opts, [&](std::string_view k, std::string_view) {
    *first = seq_of(k);
    return false;
  });
  opts.reverse = true;
  (void)state.kv().Scan(kKeyspace, opts, [&](std::string_view k, std::string_view) {
    *last = seq_of(k);
    return false;
  });
}

}  // namespace

Result<Document> ListStreams(State& state, RequestContext& ctx, Document& input) {
  const json::object& in = input.get_object();
  std::string_view only = StringMember(in, "TableName");
  std::string_view start_after = StringMember(in, "ExclusiveStartStreamArn");
  size_t limit = 100;
  if (const json::value* l = in.if_contains("Limit"); l && l->is_number())
    limit = l->to_number<size_t>();
  auto names = state.catalog.ListNames(ctx.account_id, ctx.region, "", SIZE_MAX);
  if (!names) return std::move(names).error();
  json::array streams;
  bool skipping = !start_after.empty();
  std::string last;
  bool more = false;
  for (const auto& name : *names) {
    if (!only.empty() && name != only) continue;
    auto table = state.catalog.Find(ctx.account_id, ctx.region, name);
    if (!table || !*table || !(*table)->stream_id) continue;
    std::string arn = StreamArnOf(**table);
    if (skipping) {
      if (arn == start_after) skipping = false;
      continue;
    }
    if (streams.size() == limit) {
      more = true;
      break;
    }
    streams.push_back(
        json::object{{"StreamArn", arn},
                     {"TableName", name},
                     {"StreamLabel", StringMember((*table)->description(), "LatestStreamLabel")}});
    last = arn;
  }
  json::object out{{"Streams", std::move(streams)}};
  if (more) out["LastEvaluatedStreamArn"] = last;
  return json::value(std::move(out));
}

Result<Document> DescribeStream(State& state, RequestContext&, Document& input) {
  std::string_view arn = StringMember(input.get_object(), "StreamArn");
  auto table = TableOfStream(state, arn);
  if (!table) return std::move(table).error();
  const Table& t = **table;
  uint64_t first, last;
  StreamBounds(state, t, &first, &last);
  json::object range;
  range["StartingSequenceNumber"] = FormatSequenceNumber(first ? first : 0);
  json::object desc;
  desc["StreamArn"] = std::string(arn);
  desc["StreamLabel"] = StringMember(t.description(), "LatestStreamLabel");
  desc["StreamStatus"] = "ENABLED";
  desc["StreamViewType"] = t.stream_view_type;
  desc["CreationRequestDateTime"] = t.description().at("CreationDateTime");
  desc["TableName"] = t.name;
  desc["KeySchema"] = t.description().at("KeySchema");
  desc["Shards"] = json::array{
      json::object{{"ShardId", ShardIdOf(t)}, {"SequenceNumberRange", std::move(range)}}};
  return json::value{{"StreamDescription", std::move(desc)}};
}

Result<Document> GetShardIterator(State& state, RequestContext& ctx, Document& input) {
  const json::object& in = input.get_object();
  std::string_view arn = StringMember(in, "StreamArn");
  auto table = TableOfStream(state, arn);
  if (!table) return std::move(table).error();
  if (StringMember(in, "ShardId") != ShardIdOf(**table))
    return ApiError("ResourceNotFoundException", 400,
                    "Requested resource not found: Shard does not exist");
  std::string_view type = StringMember(in, "ShardIteratorType");
  uint64_t after = 0;
  if (type == "LATEST") {
    uint64_t first;
    StreamBounds(state, **table, &first, &after);
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    uint64_t seq;
    if (!ParseSequenceNumber(StringMember(in, "SequenceNumber"), &seq))
      return ValidationError("Invalid SequenceNumber: a sequence number is required for " +
                             std::string(type));
    after = type == "AT_SEQUENCE_NUMBER" ? (seq ? seq - 1 : 0) : seq;
  }
  return json::value{
      {"ShardIterator",
       EncodeIterator(arn, after, ctx.env->clock->NowMillis() + kIteratorLifetimeMs)}};
}

Result<Document> GetRecords(State& state, RequestContext& ctx, Document& input) {
  const json::object& in = input.get_object();
  auto decoded = Base64Decode(StringMember(in, "ShardIterator"));
  json::error_code ec;
  json::value it = decoded ? json::parse(*decoded, ec) : json::value();
  if (!decoded || ec || !it.is_object() || !it.get_object().contains("x"))
    return ValidationError("Invalid ShardIterator");
  const json::object& o = it.get_object();
  uint64_t after;
  if (!ParseSequenceNumber(StringMember(o, "p"), &after) || !o.at("x").is_number())
    return ValidationError("Invalid ShardIterator");
  int64_t now = ctx.env->clock->NowMillis();
  if (o.at("x").to_number<int64_t>() < now)
    return ApiError("ExpiredIteratorException", 400, "Iterator expired");
  std::string arn(StringMember(o, "a"));
  auto table = TableOfStream(state, arn);
  if (!table) return std::move(table).error();
  int64_t limit = kMaxGetRecords;
  if (const json::value* l = in.if_contains("Limit"); l && l->is_number())
    limit = std::min<int64_t>(limit, l->to_number<int64_t>());
  // Records older than the retention period are gone even before the sweeper trims them.
  uint64_t horizon = SequenceAt(now - kStreamRetentionMs);
  std::string prefix = StreamPrefix((*table)->stream_id);
  storage::ScanOptions opts;
  opts.start = StreamRecordKey((*table)->stream_id, std::max(after + 1, horizon));
  opts.end = storage::PrefixEnd(prefix);
  opts.limit = static_cast<size_t>(limit);
  json::array records;
  uint64_t last = after;
  bool corrupt = false;
  auto st = state.kv().Scan(kKeyspace, opts, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    uint64_t seq = 0;
    storage::ConsumeUint64(&rest, &seq);
    auto record = DecodeStreamRecord(value, **table, seq);
    if (!record) {
      corrupt = true;
      return false;
    }
    records.push_back(std::move(*record));
    last = seq;
    return true;
  });
  if (!st.ok()) return storage::StorageError(st);
  if (corrupt) return storage::StorageError(storage::StorageStatus::Corruption("stream record"));
  return json::value{{"Records", std::move(records)},
                     {"NextShardIterator", EncodeIterator(arn, last, now + kIteratorLifetimeMs)}};
}

}  // namespace nimbus::dynamodb
