#include "services/dynamodb/streams/stream_records.h"

#include <cstdio>

#include "core/common/ids.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/attribute_value.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

uint64_t StreamSequencer::Next(int64_t now_ms) {
  uint64_t floor = SequenceAt(now_ms);
  uint64_t cur = last_.load();
  uint64_t next;
  do {
    next = std::max(cur + 1, floor);
  } while (!last_.compare_exchange_weak(cur, next));
  return next;
}

std::string StreamPrefix(uint64_t stream_id) {
  std::string out = "s";
  storage::AppendUint64(&out, stream_id);
  return out;
}

std::string StreamRecordKey(uint64_t stream_id, uint64_t sequence) {
  std::string out = StreamPrefix(stream_id);
  storage::AppendUint64(&out, sequence);
  return out;
}

std::string FormatSequenceNumber(uint64_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021llu", static_cast<unsigned long long>(sequence));
  return buf;
}

bool ParseSequenceNumber(std::string_view text, uint64_t* sequence) {
  if (text.empty() || text.size() > 21) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *sequence = v;
  return true;
}

void StageStreamRecord(const Table& table, StreamSequencer& sequencer, int64_t now_ms,
                       const json::object* old_item, const json::object* new_item,
                       bool service_deletion, storage::WriteBatch* batch) {
  if (!table.stream_id || (!old_item && !new_item)) return;
  // No record for a write that changes nothing, as DynamoDB Streams.
  if (old_item && new_item && json::value(*old_item) == json::value(*new_item)) return;
  const json::object& any = new_item ? *new_item : *old_item;
  json::object keys;
  keys[table.key.hash.name] = any.at(table.key.hash.name);
  if (table.key.range) keys[table.key.range->name] = any.at(table.key.range->name);
  const std::string& view = table.stream_view_type;
  json::object record;
  record["n"] = MakeS(!old_item ? "INSERT" : !new_item ? "REMOVE" : "MODIFY");
  record["t"] = MakeN(std::to_string(now_ms / 1000));
  record["e"] = MakeS(RandomHex(32));
  size_t size = ItemSize(keys);
  record["k"] = json::object{{"M", std::move(keys)}};
  if (old_item && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES")) {
    size += ItemSize(*old_item);
    record["o"] = json::object{{"M", *old_item}};
  }
  if (new_item && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES")) {
    size += ItemSize(*new_item);
    record["i"] = json::object{{"M", *new_item}};
  }
  record["z"] = MakeN(std::to_string(size));
  if (service_deletion) record["u"] = json::object{{"BOOL", true}};
  std::string bytes;
  EncodeItem(record, size, &bytes);
  batch->Put(kKeyspace, StreamRecordKey(table.stream_id, sequencer.Next(now_ms)), bytes);
}

std::optional<json::object> DecodeStreamRecord(std::string_view bytes, const Table& table,
                                               uint64_t sequence) {
  json::object stored;
  if (!DecodeItem(bytes, &stored)) return std::nullopt;
  auto str = [&](std::string_view k) -> std::string {
    const json::value* v = stored.if_contains(k);
    return v ? std::string(PayloadOf(v->get_object()).get_string()) : std::string();
  };
  auto map = [&](std::string_view k) -> const json::value* {
    const json::value* v = stored.if_contains(k);
    return v ? &PayloadOf(v->get_object()) : nullptr;
  };
  json::object dynamodb;
  dynamodb["ApproximateCreationDateTime"] = std::strtod(str("t").c_str(), nullptr);
  if (const json::value* k = map("k")) dynamodb["Keys"] = *k;
  if (const json::value* i = map("i")) dynamodb["NewImage"] = *i;
  if (const json::value* o = map("o")) dynamodb["OldImage"] = *o;
  dynamodb["SequenceNumber"] = FormatSequenceNumber(sequence);
  dynamodb["SizeBytes"] = std::strtoll(str("z").c_str(), nullptr, 10);
  dynamodb["StreamViewType"] = table.stream_view_type;
  json::object record;
  record["eventID"] = str("e");
  record["eventName"] = str("n");
  record["eventVersion"] = "1.1";
  record["eventSource"] = "aws:dynamodb";
  record["awsRegion"] = table.region;
  record["dynamodb"] = std::move(dynamodb);
  if (stored.contains("u"))
    record["userIdentity"] =
        json::object{{"PrincipalId", "dynamodb.amazonaws.com"}, {"Type", "Service"}};
  return record;
}

}  // namespace nimbus::dynamodb
