// CreateTable, DescribeTable, ListTables, DeleteTable.
#include <boost/json.hpp>
#include <set>

#include "core/common/clock.h"
#include "core/common/ids.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/ops/table_schema.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/streams/stream_records.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

namespace {

constexpr int kDefaultListLimit = 100;

// Counts the entries under `storage_id` and sums their sizes.
void CountEntries(State& state, uint64_t storage_id, int64_t* count, int64_t* bytes) {
  *count = 0;
  *bytes = 0;
  storage::ScanOptions opts;
  opts.start = DataPrefix(storage_id);
  opts.end = storage::PrefixEnd(opts.start);
  (void)state.kv().Scan(kKeyspace, opts, [&](std::string_view, std::string_view value) {
    size_t size = 0;
    DecodeItemSize(value, &size);
    ++*count;
    *bytes += static_cast<int64_t>(size);
    return true;
  });
}

}  // namespace

json::object DescribeWithCounts(State& state, const Table& table) {
  json::object desc = table.description();
  int64_t count, bytes;
  CountEntries(state, table.storage_id, &count, &bytes);
  desc["ItemCount"] = count;
  desc["TableSizeBytes"] = bytes;
  for (std::string_view member : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
    json::value* list = desc.if_contains(member);
    if (!list || !list->is_array()) continue;
    for (auto& e : list->get_array()) {
      if (!e.is_object()) continue;
      const Index* index = table.FindIndex(StringMember(e.get_object(), "IndexName"));
      if (!index) continue;
      CountEntries(state, index->storage_id, &count, &bytes);
      e.get_object()["ItemCount"] = count;
      e.get_object()["IndexSizeBytes"] = bytes;
    }
  }
  return desc;
}

Result<Document> CreateTable(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto schema = ValidateCreateTable(in);
  if (!schema) return std::move(schema).error();

  std::lock_guard control(state.catalog.control_mutex());
  auto existing = state.catalog.Find(ctx.account_id, ctx.region, *name);
  if (!existing) return std::move(existing).error();
  if (*existing) return ResourceInUse("Table already exists: " + *name);

  auto storage_id = state.catalog.AllocateStorageId();
  if (!storage_id) return std::move(storage_id).error();
  double now = ctx.env->clock->NowSeconds();
  std::string arn = TableArn(ctx.region, ctx.account_id, *name);
  std::string billing(StringMember(in, "BillingMode"));
  bool on_demand = billing == "PAY_PER_REQUEST";

  json::object desc;
  desc["AttributeDefinitions"] = in.at("AttributeDefinitions");
  desc["TableName"] = *name;
  desc["KeySchema"] = in.at("KeySchema");
  desc["TableStatus"] = "ACTIVE";
  desc["CreationDateTime"] = now;
  desc["ProvisionedThroughput"] = ThroughputDescription(in.if_contains("ProvisionedThroughput"));
  desc["TableArn"] = arn;
  desc["TableId"] = NewUuid();
  if (on_demand) {
    desc["BillingModeSummary"] = json::object{{"BillingMode", "PAY_PER_REQUEST"},
                                              {"LastUpdateToPayPerRequestDateTime", now}};
  } else if (!billing.empty()) {
    desc["BillingModeSummary"] = json::object{{"BillingMode", "PROVISIONED"}};
  }
  json::object index_ids;
  for (std::string_view member : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
    const json::value* list = in.if_contains(member);
    if (!list) continue;
    json::array out;
    for (const auto& e : list->get_array()) {
      auto id = state.catalog.AllocateStorageId();
      if (!id) return std::move(id).error();
      const auto& o = e.get_object();
      index_ids[StringMember(o, "IndexName")] = *id;
      out.push_back(IndexDescription(o, arn, member == "GlobalSecondaryIndexes", "ACTIVE"));
    }
    desc[member] = std::move(out);
  }
  uint64_t stream_id = 0;
  if (const json::value* spec = in.if_contains("StreamSpecification");
      spec && BoolMember(spec->get_object(), "StreamEnabled")) {
    auto id = state.catalog.AllocateStorageId();
    if (!id) return std::move(id).error();
    stream_id = *id;
    std::string label = FormatIso8601(ctx.env->clock->Now(), true);
    label.pop_back();  // DynamoDB's stream labels carry no 'Z'
    desc["StreamSpecification"] = *spec;
    desc["LatestStreamLabel"] = label;
    desc["LatestStreamArn"] = arn + "/stream/" + label;
  }
  if (const json::value* sse = in.if_contains("SSESpecification"))
    if (auto d = SseDescription(sse->get_object(), ctx); !d.empty()) desc["SSEDescription"] = d;
  if (const json::value* tc = in.if_contains("TableClass"))
    desc["TableClassSummary"] = json::object{{"TableClass", *tc}};
  desc["DeletionProtectionEnabled"] = BoolMember(in, "DeletionProtectionEnabled");

  json::object record;
  record["Account"] = ctx.account_id;
  record["Region"] = ctx.region;
  record["StorageId"] = *storage_id;
  record["IndexStorageIds"] = std::move(index_ids);
  if (stream_id) record["StreamStorageId"] = stream_id;
  record["Tags"] = in.contains("Tags") ? in.at("Tags") : json::array();
  record["Description"] = std::move(desc);
  std::shared_ptr<Table> table = TableFromRecord(std::move(record));
  if (!table) return errors::InternalFailure();
  auto st = state.catalog.Save(table);
  if (!st) return std::move(st).error();

  json::object out_desc = table->description();
  out_desc["ItemCount"] = 0;
  out_desc["TableSizeBytes"] = 0;
  return json::value{{"TableDescription", std::move(out_desc)}};
}

Result<Document> DescribeTable(State& state, RequestContext& ctx, Document& input) {
  auto name = TableNameFrom(input.get_object());
  if (!name) return std::move(name).error();
  auto table = state.catalog.Find(ctx.account_id, ctx.region, *name);
  if (!table) return std::move(table).error();
  if (!*table) return TableNotFound(*name);
  return json::value{{"Table", DescribeWithCounts(state, **table)}};
}

Result<Document> ListTables(State& state, RequestContext& ctx, Document& input) {
  const json::object& in = input.get_object();
  std::string start(StringMember(in, "ExclusiveStartTableName"));
  size_t limit = kDefaultListLimit;
  if (const json::value* l = in.if_contains("Limit"); l && l->is_number())
    limit = l->to_number<size_t>();
  auto names = state.catalog.ListNames(ctx.account_id, ctx.region, start, limit + 1);
  if (!names) return std::move(names).error();
  json::object out;
  json::array list;
  for (size_t i = 0; i < names->size() && i < limit; ++i) list.emplace_back((*names)[i]);
  if (names->size() > limit) out["LastEvaluatedTableName"] = (*names)[limit - 1];
  out["TableNames"] = std::move(list);
  return json::value(std::move(out));
}

Result<Document> DeleteTable(State& state, RequestContext& ctx, Document& input) {
  auto name = TableNameFrom(input.get_object());
  if (!name) return std::move(name).error();
  std::lock_guard control(state.catalog.control_mutex());
  auto found = state.catalog.Find(ctx.account_id, ctx.region, *name);
  if (!found) return std::move(found).error();
  if (!*found) return TableNotFound(*name);
  const Table& table = **found;
  if (BoolMember(table.description(), "DeletionProtectionEnabled"))
    return ResourceInUse(
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.");
  json::object desc = DescribeWithCounts(state, table);
  storage::WriteBatch batch;
  for (uint64_t id : [&] {
         std::vector<uint64_t> ids{table.storage_id};
         for (const auto& i : table.indexes) ids.push_back(i.storage_id);
         return ids;
       }()) {
    std::string prefix = DataPrefix(id);
    batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
  }
  if (table.stream_id) {
    std::string prefix = StreamPrefix(table.stream_id);
    batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
  }
  auto st = state.catalog.Remove(table, std::move(batch));
  if (!st) return std::move(st).error();
  desc["TableStatus"] = "DELETING";
  return json::value{{"TableDescription", std::move(desc)}};
}

}  // namespace nimbus::dynamodb
