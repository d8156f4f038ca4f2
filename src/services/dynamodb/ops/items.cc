// PutItem, GetItem, DeleteItem, UpdateItem.
#include <boost/json.hpp>

#include "core/common/clock.h"
#include "core/storage/json_store.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/expressions/evaluator.h"
#include "services/dynamodb/legacy.h"
#include "services/dynamodb/ops/item_write.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

std::shared_ptr<const Table> CurrentTable(State& state, std::shared_ptr<const Table> table) {
  auto found = state.catalog.Find(table->account, table->region, table->name);
  if (found && *found && (*found)->storage_id == table->storage_id) return *found;
  return table;
}

void StageWrite(State& state, const Table& table, const std::string& key,
                const json::object* old_item, const json::object* new_item, size_t new_size,
                storage::WriteBatch* batch, bool service_deletion) {
  StageItemWrite(table, key, old_item, new_item, new_size, batch);
  if (table.stream_id)
    StageStreamRecord(table, state.sequencer, state.env->clock->NowMillis(), old_item, new_item,
                      service_deletion, batch);
}

Status CommitItem(State& state, const Table& table, const std::string& key,
                  const json::object* old_item, const json::object* new_item, size_t new_size) {
  storage::WriteBatch batch;
  StageWrite(state, table, key, old_item, new_item, new_size, &batch);
  auto st = state.kv().Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

void AddItemCollectionMetrics(const json::object& in, const Table& table, const json::object& item,
                              json::object* out) {
  if (StringMember(in, "ReturnItemCollectionMetrics") != "SIZE") return;
  bool has_lsi = false;
  for (const auto& i : table.indexes) has_lsi = has_lsi || !i.global;
  if (!has_lsi) return;
  const json::value* hash = item.if_contains(table.key.hash.name);
  if (!hash) return;
  (*out)["ItemCollectionMetrics"] =
      json::object{{"ItemCollectionKey", json::object{{table.key.hash.name, *hash}}},
                   {"SizeEstimateRangeGB", json::array{0.0, 1.0}}};
}

ApiError ConditionFailed(const json::object& in, const std::optional<json::object>& old_item) {
  ApiError e = ConditionalCheckFailed();
  if (old_item && StringMember(in, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
    e.extra["Item"] = ItemToWire(*old_item);
  return e;
}

namespace {

// The write-side condition: ConditionExpression or the legacy Expected.
Result<std::optional<expr::Node>> WriteCondition(BoundExpressions& bound, json::object& in) {
  if (bound.condition) return std::optional<expr::Node>(std::move(*bound.condition));
  return ConditionFromExpected(in);
}

Status CheckReturnValues(const json::object& in, bool all_options) {
  std::string_view rv = StringMember(in, "ReturnValues");
  if (rv.empty() || rv == "NONE" || rv == "ALL_OLD") return Ok{};
  if (all_options) return Ok{};
  return ValidationError("Return values set to invalid value");
}

const json::object kEmptyItem;

}  // namespace

Result<Document> PutItem(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto table_r = LookupTable(state, ctx, *name);
  if (!table_r) return std::move(table_r).error();
  std::shared_ptr<const Table> table = std::move(*table_r);
  json::value& item_v = in["Item"];
  auto st = ValidateAttributeMap(item_v);
  if (!st) return std::move(st).error();
  const json::object& item = item_v.get_object();
  auto size = ValidateItemForTable(*table, item, false);
  if (!size) return std::move(size).error();
  st = CheckReturnValues(in, false);
  if (!st) return std::move(st).error();
  auto bound = PrepareExpressions(
      state, in, {.condition = true, .legacy = {"Expected", "ConditionalOperator"}});
  if (!bound) return std::move(bound).error();
  auto condition = WriteCondition(*bound, in);
  if (!condition) return std::move(condition).error();

  bool return_old = StringMember(in, "ReturnValues") == "ALL_OLD";
  std::string key = ItemStorageKey(*table, item);
  std::optional<json::object> old_item;
  size_t old_size = 0;
  {
    std::lock_guard lock(state.locks.For(key));
    table = CurrentTable(state, table);
    bool need_old = *condition || return_old || !table->indexes.empty() || table->stream_id;
    if (need_old) {
      auto old = ReadItem(state.kv(), key, &old_size);
      if (!old) return std::move(old).error();
      old_item = std::move(*old);
    }
    if (*condition && !expr::EvaluateCondition(**condition, old_item ? *old_item : kEmptyItem))
      return ConditionFailed(in, old_item);
    st = CommitItem(state, *table, key, old_item ? &*old_item : nullptr, &item, *size);
    if (!st) return std::move(st).error();
  }
  json::object out;
  if (return_old && old_item) out["Attributes"] = std::move(*old_item);
  AddConsumedCapacity(in, *table, WriteUnits(std::max(*size, old_size)), false, &out);
  AddItemCollectionMetrics(in, *table, item, &out);
  return json::value(std::move(out));
}

Result<Document> GetItem(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto table = LookupTable(state, ctx, *name);
  if (!table) return std::move(table).error();
  auto key = KeyFromRequest(**table, in.if_contains("Key"));
  if (!key) return std::move(key).error();
  auto bound = PrepareExpressions(state, in, {.projection = true, .legacy = {"AttributesToGet"}});
  if (!bound) return std::move(bound).error();
  std::optional<std::vector<expr::Path>> projection = std::move(bound->projection);
  if (!projection) {
    auto legacy = ProjectionFromAttributesToGet(in);
    if (!legacy) return std::move(legacy).error();
    projection = std::move(*legacy);
  }
  size_t size = 0;
  auto item = ReadItem(state.kv(), *key, &size);
  if (!item) return std::move(item).error();
  json::object out;
  if (*item) {
    out["Item"] = projection ? expr::Project(**item, *projection) : std::move(**item);
  }
  AddConsumedCapacity(in, **table, ReadUnits(size, BoolMember(in, "ConsistentRead")), true, &out);
  return json::value(std::move(out));
}

Result<Document> DeleteItem(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto table_r = LookupTable(state, ctx, *name);
  if (!table_r) return std::move(table_r).error();
  std::shared_ptr<const Table> table = std::move(*table_r);
  auto key = KeyFromRequest(*table, in.if_contains("Key"));
  if (!key) return std::move(key).error();
  auto st = CheckReturnValues(in, false);
  if (!st) return std::move(st).error();
  auto bound = PrepareExpressions(
      state, in, {.condition = true, .legacy = {"Expected", "ConditionalOperator"}});
  if (!bound) return std::move(bound).error();
  auto condition = WriteCondition(*bound, in);
  if (!condition) return std::move(condition).error();

  std::optional<json::object> old_item;
  size_t old_size = 0;
  {
    std::lock_guard lock(state.locks.For(*key));
    table = CurrentTable(state, table);
    auto old = ReadItem(state.kv(), *key, &old_size);
    if (!old) return std::move(old).error();
    old_item = std::move(*old);
    if (*condition && !expr::EvaluateCondition(**condition, old_item ? *old_item : kEmptyItem))
      return ConditionFailed(in, old_item);
    if (old_item) {
      st = CommitItem(state, *table, *key, &*old_item, nullptr, 0);
      if (!st) return std::move(st).error();
    }
  }
  json::object out;
  if (old_item && StringMember(in, "ReturnValues") == "ALL_OLD") out["Attributes"] = *old_item;
  AddConsumedCapacity(in, *table, WriteUnits(old_size), false, &out);
  if (old_item) AddItemCollectionMetrics(in, *table, *old_item, &out);
  return json::value(std::move(out));
}

Result<Document> UpdateItem(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto table_r = LookupTable(state, ctx, *name);
  if (!table_r) return std::move(table_r).error();
  std::shared_ptr<const Table> table = std::move(*table_r);
  json::value* key_v = in.if_contains("Key");
  auto key = KeyFromRequest(*table, key_v);
  if (!key) return std::move(key).error();
  auto bound =
      PrepareExpressions(state, in,
                         {.update = true,
                          .condition = true,
                          .legacy = {"AttributeUpdates", "Expected", "ConditionalOperator"}});
  if (!bound) return std::move(bound).error();
  auto condition = WriteCondition(*bound, in);
  if (!condition) return std::move(condition).error();
  std::vector<expr::UpdateAction> actions;
  if (bound->update) {
    actions = std::move(*bound->update);
  } else {
    auto legacy = ActionsFromAttributeUpdates(in);
    if (!legacy) return std::move(legacy).error();
    if (*legacy) actions = std::move(**legacy);
  }
  for (const auto& a : actions) {
    if (table->is_key_attribute(a.path[0].name))
      return ValidationError(std::string(kInvalidParams) + "Cannot update attribute " +
                             a.path[0].name + ". This attribute is part of the key");
  }
  const json::object& key_map = key_v->get_object();
  std::string_view rv = StringMember(in, "ReturnValues");

  std::optional<json::object> old_item;
  json::object new_item;
  size_t old_size = 0, new_size = 0;
  {
    std::lock_guard lock(state.locks.For(*key));
    table = CurrentTable(state, table);
    auto old = ReadItem(state.kv(), *key, &old_size);
    if (!old) return std::move(old).error();
    old_item = std::move(*old);
    if (*condition && !expr::EvaluateCondition(**condition, old_item ? *old_item : kEmptyItem))
      return ConditionFailed(in, old_item);
    new_item = old_item ? *old_item : key_map;
    const json::object& base = old_item ? *old_item : key_map;
    auto st = expr::ApplyUpdate(actions, base, &new_item);
    if (!st) return std::move(st).error();
    auto size = ValidateItemForTable(*table, new_item, true);
    if (!size) return std::move(size).error();
    new_size = *size;
    st = CommitItem(state, *table, *key, old_item ? &*old_item : nullptr, &new_item, new_size);
    if (!st) return std::move(st).error();
  }
  json::object out;
  if (rv == "ALL_OLD" && old_item) {
    out["Attributes"] = std::move(*old_item);
  } else if (rv == "ALL_NEW") {
    out["Attributes"] = new_item;
  } else if (rv == "UPDATED_OLD" || rv == "UPDATED_NEW") {
    std::vector<const expr::Path*> paths;
    for (const auto& a : actions) paths.push_back(&a.path);
    const json::object* source =
        rv == "UPDATED_NEW" ? &new_item : (old_item ? &*old_item : nullptr);
    if (source) {
      json::object projected = expr::Project(*source, paths);
      if (!projected.empty()) out["Attributes"] = std::move(projected);
    }
  }
  AddConsumedCapacity(in, *table, WriteUnits(std::max(old_size, new_size)), false, &out);
  AddItemCollectionMetrics(in, *table, new_item, &out);
  return json::value(std::move(out));
}

}  // namespace nimbus::dynamodb
