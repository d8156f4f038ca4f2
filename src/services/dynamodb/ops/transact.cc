// TransactWriteItems and TransactGetItems.
//
// A write transaction locks every item it touches (stripes in ascending order, so transactions
// never deadlock), reads them, checks every condition, and commits all writes in one atomic
// WriteBatch: concurrent single-item writes wait on the same locks, so a transaction is atomic
// and isolated. A read transaction reads every item at one storage snapshot, and so never sees
// half of a write transaction.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/common/clock.h"
#include "core/storage/json_store.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/expressions/evaluator.h"
#include "services/dynamodb/ops/item_write.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

namespace {

enum class TxKind { kConditionCheck, kPut, kDelete, kUpdate };

struct TxAction {
  TxKind kind = TxKind::kPut;
  std::shared_ptr<const Table> table;
  std::string key;
  json::object* spec = nullptr;
  const json::object* item = nullptr;     // Put
  const json::object* key_map = nullptr;  // Update, Delete, ConditionCheck
  size_t item_size = 0;
  std::optional<expr::Node> condition;
  std::vector<expr::UpdateAction> update;
};

ApiError MultipleOperationsOnOneItem() {
  return ValidationError("Transaction request cannot include multiple operations on one item");
}

Result<TxAction> PrepareWrite(State& state, const RequestContext& ctx, json::object& entry) {
  if (entry.size() != 1)
    return ValidationError("TransactItems can only contain one of Check, Put, Update or Delete");
  TxAction a;
  auto& [kind_name, spec_v] = *entry.begin();
  if (!spec_v.is_object()) return ValidationError("Invalid TransactItems entry");
  std::string_view kind = kind_name;
  a.kind = kind == "Put"      ? TxKind::kPut
           : kind == "Delete" ? TxKind::kDelete
           : kind == "Update" ? TxKind::kUpdate
                              : TxKind::kConditionCheck;
  a.spec = &spec_v.get_object();
  json::object& spec = *a.spec;
  auto name = TableNameFrom(spec);
  if (!name) return std::move(name).error();
  auto table = LookupTable(state, ctx, *name);
  if (!table) return std::move(table).error();
  a.table = *table;
  if (a.kind == TxKind::kPut) {
    json::value& item = spec["Item"];
    auto st = ValidateAttributeMap(item);
    if (!st) return std::move(st).error();
    auto size = ValidateItemForTable(*a.table, item.get_object(), false);
    if (!size) return std::move(size).error();
    a.item = &item.get_object();
    a.item_size = *size;
    a.key = ItemStorageKey(*a.table, *a.item);
  } else {
    json::value* key_v = spec.if_contains("Key");
    auto key = KeyFromRequest(*a.table, key_v);
    if (!key) return std::move(key).error();
    a.key = std::move(*key);
    a.key_map = &key_v->get_object();
  }
  ExpressionSpec es;
  es.condition = true;
  es.update = a.kind == TxKind::kUpdate;
  auto bound = PrepareExpressions(state, spec, es);
  if (!bound) return std::move(bound).error();
  a.condition = std::move(bound->condition);
  if (a.kind == TxKind::kUpdate) {
    if (!bound->update) return ValidationError("UpdateExpression is required for Update");
    a.update = std::move(*bound->update);
    for (const auto& u : a.update)
      if (a.table->is_key_attribute(u.path[0].name))
        return ValidationError(std::string(kInvalidParams) + "Cannot update attribute " +
                               u.path[0].name + ". This attribute is part of the key");
  }
  return a;
}

// A retry with the same client token and input within this window succeeds without writing.
constexpr int64_t kIdempotencyWindowMs = 10 * 60 * 1000;

}  // namespace

Result<Document> TransactWriteItems(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  std::string token(StringMember(in, "ClientRequestToken"));
  std::string token_key, fingerprint;
  if (!token.empty()) {
    json::object copy = in;
    copy.erase("ClientRequestToken");
    fingerprint = json::serialize(copy);
    token_key = ctx.account_id + "/" + ctx.region + "/" + token;
    std::lock_guard lock(state.tokens_mu);
    int64_t now = ctx.env->clock->NowMillis();
    for (auto it = state.tokens.begin(); it != state.tokens.end();)
      it = now - it->second.at_ms > kIdempotencyWindowMs ? state.tokens.erase(it) : std::next(it);
    auto it = state.tokens.find(token_key);
    if (it != state.tokens.end()) {
      if (it->second.fingerprint != fingerprint)
        return ApiError("IdempotentParameterMismatchException", 400,
                        "The request uses the same client token as a previous, but non-identical "
                        "request. Please verify your request parameters.");
      return json::value(json::object());
    }
  }

  std::vector<TxAction> actions;
  std::set<std::string> keys;
  for (auto& entry : in["TransactItems"].get_array()) {
    if (!entry.is_object()) return ValidationError("Invalid TransactItems entry");
    auto a = PrepareWrite(state, ctx, entry.get_object());
    if (!a) return std::move(a).error();
    if (!keys.insert(a->key).second) return MultipleOperationsOnOneItem();
    actions.push_back(std::move(*a));
  }

  std::vector<size_t> stripes;
  for (const auto& a : actions) stripes.push_back(state.locks.StripeOf(a.key));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t s : stripes) locks.emplace_back(state.locks.Stripe(s));

  static const json::object kEmpty;
  json::array reasons;
  bool cancelled = false;
  std::vector<std::optional<json::object>> olds(actions.size());
  std::vector<json::object> news(actions.size());
  std::vector<size_t> new_sizes(actions.size(), 0);
  std::map<std::string, double> units;
  for (size_t i = 0; i < actions.size(); ++i) {
    TxAction& a = actions[i];
    a.table = CurrentTable(state, a.table);
    size_t old_size = 0;
    auto old = ReadItem(state.kv(), a.key, &old_size);
    if (!old) return std::move(old).error();
    olds[i] = std::move(*old);
    const json::object& current = olds[i] ? *olds[i] : kEmpty;
    json::object reason{{"Code", "None"}};
    if (a.condition && !expr::EvaluateCondition(*a.condition, current)) {
      reason["Code"] = "ConditionalCheckFailed";
      reason["Message"] = "The conditional request failed";
      if (olds[i] && StringMember(*a.spec, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
        reason["Item"] = ItemToWire(*olds[i]);
      cancelled = true;
    } else if (a.kind == TxKind::kUpdate) {
      const json::object& base = olds[i] ? *olds[i] : *a.key_map;
      news[i] = base;
      auto st = expr::ApplyUpdate(a.update, base, &news[i]);
      Result<size_t> size = st ? ValidateItemForTable(*a.table, news[i], true)
                               : Result<size_t>(std::move(st).error());
      if (!size) {
        reason["Code"] = "ValidationError";
        reason["Message"] = size.error().message;
        cancelled = true;
      } else {
        new_sizes[i] = *size;
      }
    }
    units[a.table->name] += 2 * WriteUnits(std::max({old_size, a.item_size, new_sizes[i]}));
    reasons.push_back(std::move(reason));
  }
  if (cancelled) {
    std::string codes;
    for (const auto& r : reasons)
      codes += (codes.empty() ? "" : ", ") + std::string(r.get_object().at("Code").get_string());
    ApiError e("TransactionCanceledException", 400,
               "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                   codes + "]");
    e.extra["CancellationReasons"] = std::move(reasons);
    return e;
  }
  storage::WriteBatch batch;
  for (size_t i = 0; i < actions.size(); ++i) {
    const TxAction& a = actions[i];
    const json::object* old = olds[i] ? &*olds[i] : nullptr;
    switch (a.kind) {
      case TxKind::kConditionCheck:
        break;
      case TxKind::kPut:
        StageWrite(state, *a.table, a.key, old, a.item, a.item_size, &batch);
        break;
      case TxKind::kDelete:
        if (old) StageWrite(state, *a.table, a.key, old, nullptr, 0, &batch);
        break;
      case TxKind::kUpdate:
        StageWrite(state, *a.table, a.key, old, &news[i], new_sizes[i], &batch);
        break;
    }
  }
  auto st = state.kv().Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  locks.clear();
  if (!token_key.empty()) {
    std::lock_guard lock(state.tokens_mu);
    state.tokens[token_key] = {fingerprint, ctx.env->clock->NowMillis()};
  }
  json::object out;
  std::string_view mode = StringMember(in, "ReturnConsumedCapacity");
  if (mode == "TOTAL" || mode == "INDEXES") {
    json::array capacity;
    for (const auto& [name, u] : units) {
      for (const auto& a : actions) {
        if (a.table->name != name) continue;
        capacity.push_back(ConsumedCapacityFor(in, *a.table, u, false));
        break;
      }
    }
    out["ConsumedCapacity"] = std::move(capacity);
  }
  return json::value(std::move(out));
}

Result<Document> TransactGetItems(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  struct Read {
    std::shared_ptr<const Table> table;
    std::string key;
    std::optional<std::vector<expr::Path>> projection;
  };
  std::vector<Read> reads;
  std::set<std::string> keys;
  for (auto& entry : in["TransactItems"].get_array()) {
    if (!entry.is_object() || !entry.get_object().contains("Get"))
      return ValidationError("Invalid TransactItems entry");
    json::object& spec = entry.get_object()["Get"].get_object();
    auto name = TableNameFrom(spec);
    if (!name) return std::move(name).error();
    auto table = LookupTable(state, ctx, *name);
    if (!table) return std::move(table).error();
    auto key = KeyFromRequest(**table, spec.if_contains("Key"));
    if (!key) return std::move(key).error();
    if (!keys.insert(*key).second) return MultipleOperationsOnOneItem();
    auto bound = PrepareExpressions(state, spec, {.projection = true});
    if (!bound) return std::move(bound).error();
    reads.push_back(Read{*table, std::move(*key), std::move(bound->projection)});
  }
  auto snapshot = state.kv().GetSnapshot();
  json::array responses;
  std::map<std::string, std::pair<const Table*, double>> units;
  for (const auto& r : reads) {
    std::string bytes;
    auto st = state.kv().Get(kKeyspace, r.key, &bytes, snapshot.get());
    json::object response;
    size_t size = 0;
    if (st.ok()) {
      json::object item;
      if (!DecodeItem(bytes, &item))
        return storage::StorageError(storage::StorageStatus::Corruption("item"));
      DecodeItemSize(bytes, &size);
      response["Item"] = r.projection ? expr::Project(item, *r.projection) : std::move(item);
    } else if (!st.IsNotFound()) {
      return storage::StorageError(st);
    }
    auto& u = units[r.table->name];
    u.first = r.table.get();
    u.second += 2 * ReadUnits(size, true);
    responses.push_back(std::move(response));
  }
  json::object out{{"Responses", std::move(responses)}};
  std::string_view mode = StringMember(in, "ReturnConsumedCapacity");
  if (mode == "TOTAL" || mode == "INDEXES") {
    json::array capacity;
    for (const auto& [name, u] : units)
      capacity.push_back(ConsumedCapacityFor(in, *u.first, u.second, true));
    out["ConsumedCapacity"] = std::move(capacity);
  }
  return json::value(std::move(out));
}

}  // namespace nimbus::dynamodb
