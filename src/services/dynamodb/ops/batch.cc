// BatchGetItem and BatchWriteItem.
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/storage/json_store.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/expressions/evaluator.h"
#include "services/dynamodb/legacy.h"
#include "services/dynamodb/ops/item_write.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/table/layout.h"

namespace nimbus::dynamodb {

namespace {

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWriteRequests = 25;
constexpr size_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;

ApiError Duplicates() { return ValidationError("Provided list of item keys contains duplicates"); }

bool WantsCapacity(const json::object& in) {
  std::string_view mode = StringMember(in, "ReturnConsumedCapacity");
  return mode == "TOTAL" || mode == "INDEXES";
}

}  // namespace

Result<Document> BatchGetItem(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  json::object& request_items = in["RequestItems"].get_object();
  size_t total = 0;
  for (auto& [name, spec] : request_items) {
    if (!spec.is_object())
      return ValidationError("Invalid RequestItems entry for table " + std::string(name));
    const json::value* keys = spec.get_object().if_contains("Keys");
    if (keys && keys->is_array()) total += keys->get_array().size();
  }
  if (total > kMaxBatchGetKeys)
    return ValidationError("Too many items requested for the BatchGetItem call");

  struct TableRead {
    std::string name;
    std::shared_ptr<const Table> table;
    std::vector<std::string> keys;
    std::vector<const json::value*> key_docs;
    std::optional<std::vector<expr::Path>> projection;
    bool consistent = false;
    json::object* spec = nullptr;
  };
  std::vector<TableRead> reads;
  for (auto& [name_key, spec_v] : request_items) {
    json::object wrapper{{"TableName", name_key}};
    auto name = TableNameFrom(wrapper);
    if (!name) return std::move(name).error();
    auto table = LookupTable(state, ctx, *name);
    if (!table) return std::move(table).error();
    TableRead r;
    r.name = std::string(name_key);
    r.table = *table;
    r.spec = &spec_v.get_object();
    json::object& spec = *r.spec;
    std::set<std::string> seen;
    for (auto& k : spec["Keys"].get_array()) {
      auto key = KeyFromRequest(*r.table, &k);
      if (!key) return std::move(key).error();
      if (!seen.insert(*key).second) return Duplicates();
      r.keys.push_back(std::move(*key));
      r.key_docs.push_back(&k);
    }
    auto bound =
        PrepareExpressions(state, spec, {.projection = true, .legacy = {"AttributesToGet"}});
    if (!bound) return std::move(bound).error();
    r.projection = std::move(bound->projection);
    if (!r.projection) {
      auto legacy = ProjectionFromAttributesToGet(spec);
      if (!legacy) return std::move(legacy).error();
      r.projection = std::move(*legacy);
    }
    r.consistent = BoolMember(spec, "ConsistentRead");
    reads.push_back(std::move(r));
  }

  json::object responses, unprocessed;
  json::array capacity;
  size_t response_bytes = 0;
  for (auto& r : reads) {
    json::array items;
    json::array left;
    double units = 0;
    for (size_t i = 0; i < r.keys.size(); ++i) {
      if (response_bytes > kMaxBatchGetResponseBytes) {
        left.push_back(*r.key_docs[i]);
        continue;
      }
      size_t size = 0;
      auto item = ReadItem(state.kv(), r.keys[i], &size);
      if (!item) return std::move(item).error();
      units += ReadUnits(size, r.consistent);
      if (!*item) continue;
      response_bytes += size;
      items.push_back(r.projection ? json::value(expr::Project(**item, *r.projection))
                                   : json::value(std::move(**item)));
    }
    responses[r.name] = std::move(items);
    if (!left.empty()) {
      json::object rest = *r.spec;
      rest["Keys"] = std::move(left);
      unprocessed[r.name] = std::move(rest);
    }
    if (WantsCapacity(in)) capacity.push_back(ConsumedCapacityFor(in, *r.table, units, true));
  }
  json::object out{{"Responses", std::move(responses)},
                   {"UnprocessedKeys", std::move(unprocessed)}};
  if (WantsCapacity(in)) out["ConsumedCapacity"] = std::move(capacity);
  return json::value(std::move(out));
}

Result<Document> BatchWriteItem(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  json::object& request_items = in["RequestItems"].get_object();
  size_t total = 0;
  for (auto& [name, list] : request_items) {
    if (!list.is_array())
      return ValidationError("Invalid RequestItems entry for table " + std::string(name));
    total += list.get_array().size();
  }
  if (total > kMaxBatchWriteRequests)
    return ValidationError("Too many items requested for the BatchWriteItem call");

  struct Write {
    std::shared_ptr<const Table> table;
    std::string key;
    const json::object* item = nullptr;  // null: delete
    size_t size = 0;
  };
  std::vector<Write> writes;
  std::map<std::string, std::shared_ptr<const Table>> tables;
  for (auto& [name_key, list] : request_items) {
    json::object wrapper{{"TableName", name_key}};
    auto name = TableNameFrom(wrapper);
    if (!name) return std::move(name).error();
    auto table = LookupTable(state, ctx, *name);
    if (!table) return std::move(table).error();
    tables[std::string(name_key)] = *table;
    std::set<std::string> seen;
    for (auto& req_v : list.get_array()) {
      if (!req_v.is_object())
        return ValidationError(
            "1 validation error detected: Value null at "
            "'requestItems." +
            std::string(name_key) +
            ".member.member' failed to satisfy constraint: Member must not be null");
      auto& req = req_v.get_object();
      json::value* put = req.if_contains("PutRequest");
      json::value* del = req.if_contains("DeleteRequest");
      if ((put != nullptr) == (del != nullptr))
        return ValidationError(
            "Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes");
      Write w;
      w.table = *table;
      if (put) {
        json::value& item_v = put->get_object()["Item"];
        auto st = ValidateAttributeMap(item_v);
        if (!st) return std::move(st).error();
        auto size = ValidateItemForTable(**table, item_v.get_object(), false);
        if (!size) return std::move(size).error();
        w.item = &item_v.get_object();
        w.size = *size;
        w.key = ItemStorageKey(**table, *w.item);
      } else {
        auto key = KeyFromRequest(**table, del->get_object().if_contains("Key"));
        if (!key) return std::move(key).error();
        w.key = std::move(*key);
      }
      if (!seen.insert(w.key).second) return Duplicates();
      writes.push_back(std::move(w));
    }
  }

  // Every item's lock, in stripe order, then one atomic batch for all the writes.
  std::vector<size_t> stripes;
  for (const auto& w : writes) stripes.push_back(state.locks.StripeOf(w.key));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (size_t s : stripes) locks.emplace_back(state.locks.Stripe(s));
  std::map<std::string, double> units;
  storage::WriteBatch batch;
  for (auto& w : writes) {
    std::shared_ptr<const Table> table = CurrentTable(state, w.table);
    std::optional<json::object> old_item;
    size_t old_size = 0;
    if (!table->indexes.empty() || table->stream_id || !w.item) {
      auto old = ReadItem(state.kv(), w.key, &old_size);
      if (!old) return std::move(old).error();
      old_item = std::move(*old);
    }
    if (w.item || old_item)
      StageWrite(state, *table, w.key, old_item ? &*old_item : nullptr, w.item, w.size, &batch);
    units[table->name] += WriteUnits(std::max(w.size, old_size));
  }
  auto st = state.kv().Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  locks.clear();

  json::object out{{"UnprocessedItems", json::object()}};
  if (WantsCapacity(in)) {
    json::array capacity;
    for (const auto& [name, table] : tables)
      capacity.push_back(ConsumedCapacityFor(in, *table, units[table->name], false));
    out["ConsumedCapacity"] = std::move(capacity);
  }
  return json::value(std::move(out));
}

}  // namespace nimbus::dynamodb
