// UpdateTable, and the background backfill of global secondary indexes it creates.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/clock.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/ops/table_schema.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

namespace {

constexpr size_t kBackfillChunk = 256;

bool SameThroughput(const json::object& current, const json::object& requested) {
  auto get = [](const json::object& o, std::string_view k) -> int64_t {
    const json::value* v = o.if_contains(k);
    return v && v->is_number() ? v->to_number<int64_t>() : -1;
  };
  return get(current, "ReadCapacityUnits") == get(requested, "ReadCapacityUnits") &&
         get(current, "WriteCapacityUnits") == get(requested, "WriteCapacityUnits");
}

json::array* MutableArray(json::object& o, std::string_view k) {
  json::value* v = o.if_contains(k);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// Marks `index_name` ACTIVE once its backfill finished (unless the index went away meanwhile).
void FinishBackfill(State& state, const std::string& account, const std::string& region,
                    const std::string& table_name, const std::string& index_name,
                    uint64_t index_id) {
  std::lock_guard control(state.catalog.control_mutex());
  auto found = state.catalog.Find(account, region, table_name);
  if (!found || !*found) return;
  const Index* index = (*found)->FindIndex(index_name);
  if (!index || index->storage_id != index_id) return;
  json::object record = (*found)->record;
  json::array* gsis = MutableArray(record["Description"].get_object(), "GlobalSecondaryIndexes");
  if (!gsis) return;
  for (auto& g : *gsis) {
    auto& o = g.get_object();
    if (StringMember(o, "IndexName") != index_name) continue;
    o["IndexStatus"] = "ACTIVE";
    o.erase("Backfilling");
  }
  auto table = TableFromRecord(std::move(record));
  if (table) (void)state.catalog.Save(table);
}

// Writes the index entry of every existing item, a chunk at a time, yielding between chunks
// so foreground requests keep flowing. Each item is re-read under its lock, so concurrent
// writers (which maintain the new index themselves) and the backfill never disagree.
Task<void> Backfill(State* state, std::string account, std::string region, std::string table_name,
                    std::string index_name, uint64_t index_id) {
  // Never run inline in the UpdateTable that spawned us (it holds the control mutex).
  co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
  std::string cursor;
  for (;;) {
    auto found = state->catalog.Find(account, region, table_name);
    if (!found || !*found) co_return;
    std::shared_ptr<const Table> table = *found;
    const Index* index = table->FindIndex(index_name);
    if (!index || index->storage_id != index_id) co_return;
    std::string prefix = DataPrefix(table->storage_id);
    storage::ScanOptions opts;
    opts.start = cursor.empty() ? prefix : cursor;
    opts.end = storage::PrefixEnd(prefix);
    opts.limit = kBackfillChunk;
    std::vector<std::string> keys;
    auto st = state->kv().Scan(kKeyspace, opts, [&](std::string_view k, std::string_view) {
      keys.emplace_back(k);
      return true;
    });
    if (!st.ok()) {
      spdlog::error("dynamodb backfill of {}/{} failed: {}", table_name, index_name, st.message());
      co_return;
    }
    for (const auto& key : keys) {
      std::lock_guard lock(state->locks.For(key));
      auto item = ReadItem(state->kv(), key);
      if (!item || !*item) continue;
      auto entry = IndexEntryKey(*table, *index, **item);
      if (!entry) continue;
      json::object projected = ProjectForIndex(*table, *index, **item);
      std::string bytes;
      EncodeItem(projected, ItemSize(projected), &bytes);
      (void)state->kv().Put(kKeyspace, *entry, bytes);
    }
    if (keys.size() < kBackfillChunk) break;
    cursor = keys.back() + '\0';
    co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                               boost::asio::use_awaitable);
  }
  FinishBackfill(*state, account, region, table_name, index_name, index_id);
}

void StartBackfill(State& state, const Table& table, const Index& index) {
  if (state.env && state.env->spawn) {
    state.env->spawn(
        Backfill(&state, table.account, table.region, table.name, index.name, index.storage_id));
  }
}

}  // namespace

void ResumeBackfills(State& state) {
  for (const auto& table : state.catalog.All())
    for (const auto& index : table->indexes)
      if (!index.readable) StartBackfill(state, *table, index);
}

Result<Document> UpdateTable(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  std::lock_guard control(state.catalog.control_mutex());
  auto found = state.catalog.Find(ctx.account_id, ctx.region, *name);
  if (!found) return std::move(found).error();
  if (!*found) return TableNotFound(*name);
  const Table& old = **found;
  json::object record = old.record;
  json::object& desc = record["Description"].get_object();
  bool changed = false;
  storage::WriteBatch batch;
  std::vector<std::string> backfill;
  uint64_t new_stream_id = 0;  // set on `record` last: inserting into it would move `desc`

  std::string current_billing = "PROVISIONED";
  if (const json::value* b = desc.if_contains("BillingModeSummary"); b && b->is_object())
    current_billing = std::string(StringMember(b->get_object(), "BillingMode"));
  std::string billing(StringMember(in, "BillingMode"));
  std::string new_billing = billing.empty() ? current_billing : billing;
  const json::value* pt = in.if_contains("ProvisionedThroughput");
  if (new_billing == "PAY_PER_REQUEST" && pt)
    return ValidationError(std::string(kInvalidParams) +
                           "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                           "when BillingMode is PAY_PER_REQUEST");
  if (new_billing == "PROVISIONED" && current_billing == "PAY_PER_REQUEST" && !pt)
    return ValidationError(std::string(kInvalidParams) +
                           "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                           "BillingMode is PROVISIONED");
  if (pt) {
    const auto& current = desc["ProvisionedThroughput"].get_object();
    if (SameThroughput(current, pt->get_object()) && new_billing == current_billing) {
      auto num = [](const json::object& o, std::string_view k) {
        return std::to_string(o.at(k).to_number<int64_t>());
      };
      return ValidationError(
          "The provisioned throughput for the table will not change. The requested value equals "
          "the current value. Current ReadCapacityUnits provisioned for the table: " +
          num(current, "ReadCapacityUnits") +
          ". Requested ReadCapacityUnits: " + num(pt->get_object(), "ReadCapacityUnits") +
          ". Current WriteCapacityUnits provisioned for the table: " +
          num(current, "WriteCapacityUnits") +
          ". Requested WriteCapacityUnits: " + num(pt->get_object(), "WriteCapacityUnits") +
          ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request "
          "higher limits.");
    }
    json::object td = ThroughputDescription(pt);
    td["LastIncreaseDateTime"] = ctx.env->clock->NowSeconds();
    desc["ProvisionedThroughput"] = std::move(td);
    changed = true;
  }
  if (!billing.empty()) {
    if (billing != current_billing || !desc.contains("BillingModeSummary")) {
      json::object summary{{"BillingMode", billing}};
      if (billing == "PAY_PER_REQUEST") {
        summary["LastUpdateToPayPerRequestDateTime"] = ctx.env->clock->NowSeconds();
        desc["ProvisionedThroughput"] = ThroughputDescription(nullptr);
      }
      desc["BillingModeSummary"] = std::move(summary);
    }
    changed = true;
  }
  if (const json::value* spec = in.if_contains("StreamSpecification")) {
    const auto& o = spec->get_object();
    bool enable = BoolMember(o, "StreamEnabled");
    if (enable && old.has_streams())
      return ValidationError("Table already has an enabled stream: " +
                             std::string(StringMember(desc, "LatestStreamArn")));
    if (!enable && !old.has_streams())
      return ValidationError("Table already has a disabled stream");
    if (enable) {
      if (!o.contains("StreamViewType"))
        return ValidationError(
            "StreamSpecification: StreamViewType must be specified when "
            "StreamEnabled is true");
      auto id = state.catalog.AllocateStorageId();
      if (!id) return std::move(id).error();
      new_stream_id = *id;
      std::string label = FormatIso8601(ctx.env->clock->Now(), true);
      label.pop_back();
      desc["StreamSpecification"] = *spec;
      desc["LatestStreamLabel"] = label;
      desc["LatestStreamArn"] = old.arn() + "/stream/" + label;
    } else {
      desc.erase("StreamSpecification");
    }
    changed = true;
  }
  if (const json::value* dp = in.if_contains("DeletionProtectionEnabled")) {
    desc["DeletionProtectionEnabled"] = *dp;
    changed = true;
  }
  if (const json::value* tc = in.if_contains("TableClass")) {
    desc["TableClassSummary"] =
        json::object{{"TableClass", *tc}, {"LastUpdateDateTime", ctx.env->clock->NowSeconds()}};
    changed = true;
  }
  if (const json::value* sse = in.if_contains("SSESpecification")) {
    auto d = SseDescription(sse->get_object(), ctx);
    if (d.empty())
      desc.erase("SSEDescription");
    else
      desc["SSEDescription"] = std::move(d);
    changed = true;
  }
  if (const json::value* defs = in.if_contains("AttributeDefinitions")) {
    json::array merged = desc["AttributeDefinitions"].get_array();
    for (const auto& d : defs->get_array()) {
      std::string_view attr = StringMember(d.get_object(), "AttributeName");
      bool present = false;
      for (const auto& m : merged)
        if (StringMember(m.get_object(), "AttributeName") == attr) {
          if (StringMember(m.get_object(), "AttributeType") !=
              StringMember(d.get_object(), "AttributeType"))
            return ValidationError(
                std::string(kInvalidParams) +
                "Cannot change the type of an existing attribute: " + std::string(attr));
          present = true;
        }
      if (!present) merged.push_back(d);
    }
    desc["AttributeDefinitions"] = std::move(merged);
  }
  if (const json::value* updates = in.if_contains("GlobalSecondaryIndexUpdates")) {
    json::object& ids = record["IndexStorageIds"].get_object();
    for (const auto& u : updates->get_array()) {
      if (!u.is_object()) return ValidationError("Invalid GlobalSecondaryIndexUpdate");
      const auto& o = u.get_object();
      if (o.size() != 1)
        return ValidationError(std::string(kInvalidParams) +
                               "One of GlobalSecondaryIndexUpdate.Create, Update, or Delete must "
                               "be provided");
      json::array* gsis = MutableArray(desc, "GlobalSecondaryIndexes");
      auto find = [&](std::string_view index_name) -> json::array::iterator {
        if (!gsis) return {};
        for (auto it = gsis->begin(); it != gsis->end(); ++it)
          if (StringMember(it->get_object(), "IndexName") == index_name) return it;
        return gsis->end();
      };
      if (const json::value* c = o.if_contains("Create")) {
        const auto& def = c->get_object();
        std::string index_name(StringMember(def, "IndexName"));
        auto st = ValidateIndexDefinition(def, desc["AttributeDefinitions"].get_array(),
                                          desc["KeySchema"].get_array(), true, new_billing);
        if (!st) return std::move(st).error();
        if (old.FindIndex(index_name) || (gsis && find(index_name) != gsis->end()))
          return ValidationError("Attempting to create an index which already exists");
        auto id = state.catalog.AllocateStorageId();
        if (!id) return std::move(id).error();
        ids[index_name] = *id;
        if (!gsis) {
          desc["GlobalSecondaryIndexes"] = json::array();
          gsis = MutableArray(desc, "GlobalSecondaryIndexes");
        }
        gsis->push_back(IndexDescription(def, old.arn(), true, "CREATING"));
        backfill.push_back(index_name);
      } else if (const json::value* d = o.if_contains("Delete")) {
        std::string index_name(StringMember(d->get_object(), "IndexName"));
        auto it = gsis ? find(index_name) : json::array::iterator{};
        if (!gsis || it == gsis->end())
          return ApiError("ResourceNotFoundException", 400,
                          "Requested resource not found: Index: " + index_name + " not found");
        gsis->erase(it);
        if (gsis->empty()) desc.erase("GlobalSecondaryIndexes");
        if (const json::value* id = ids.if_contains(index_name); id && id->is_number()) {
          std::string prefix = DataPrefix(id->to_number<uint64_t>());
          batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
        }
        ids.erase(index_name);
      } else if (const json::value* up = o.if_contains("Update")) {
        std::string index_name(StringMember(up->get_object(), "IndexName"));
        auto it = gsis ? find(index_name) : json::array::iterator{};
        if (!gsis || it == gsis->end())
          return ApiError("ResourceNotFoundException", 400,
                          "Requested resource not found: Index: " + index_name + " not found");
        if (const json::value* ipt = up->get_object().if_contains("ProvisionedThroughput"))
          it->get_object()["ProvisionedThroughput"] = ThroughputDescription(ipt);
      }
    }
    changed = true;
  }
  if (!changed)
    return ValidationError(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
  if (new_stream_id) record["StreamStorageId"] = new_stream_id;
  auto table = TableFromRecord(std::move(record));
  if (!table) return errors::InternalFailure();
  auto st = state.catalog.Save(table, std::move(batch));
  if (!st) return std::move(st).error();
  for (const auto& index_name : backfill)
    if (const Index* index = table->FindIndex(index_name)) StartBackfill(state, *table, *index);
  return json::value{{"TableDescription", DescribeWithCounts(state, *table)}};
}

}  // namespace nimbus::dynamodb
