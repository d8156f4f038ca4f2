// Query and Scan: one range scan over the table's or an index's entries, with DynamoDB's
// Limit (items read, before the filter), 1 MB page, filter, projection and paging keys.
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/expressions/evaluator.h"
#include "services/dynamodb/legacy.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"

namespace nimbus::dynamodb {

namespace {

using expr::CompareOp;
using expr::FunctionId;
using expr::Node;
using expr::NodeKind;

constexpr size_t kMaxPageBytes = 1024 * 1024;

struct ReadPlan {
  std::shared_ptr<const Table> table;
  const Index* index = nullptr;
  std::string start;
  std::string end;
  bool reverse = false;
  int64_t limit = 0;  // 0: none
  const Node* filter = nullptr;
  const std::vector<expr::Path>* projection = nullptr;
  bool count_only = false;
  bool fetch_from_table = false;
  bool consistent = false;
};

// The key attributes DynamoDB returns in LastEvaluatedKey: the table's and the index's.
json::object PositionOf(const Table& table, const Index* index, const json::object& item) {
  json::object key;
  auto copy = [&](const KeyAttribute& a) {
    if (const json::value* v = item.if_contains(a.name)) key[a.name] = *v;
  };
  copy(table.key.hash);
  if (table.key.range) copy(*table.key.range);
  if (index) {
    copy(index->key.hash);
    if (index->key.range) copy(*index->key.range);
  }
  return key;
}

Result<json::object> Execute(State& state, const ReadPlan& plan, const json::object& in) {
  storage::ScanOptions opts;
  opts.start = plan.start;
  opts.end = plan.end;
  opts.reverse = plan.reverse;
  json::array items;
  int64_t scanned = 0, count = 0;
  size_t bytes = 0;
  bool stopped = false;
  json::object last_item;
  bool corrupt = false;
  Status fetch_error = Ok{};
  auto st = state.kv().Scan(kKeyspace, opts, [&](std::string_view, std::string_view value) {
    json::object item;
    if (!DecodeItem(value, &item)) {
      corrupt = true;
      return false;
    }
    size_t size = 0;
    DecodeItemSize(value, &size);
    if (plan.fetch_from_table) {
      auto full = ReadItem(state.kv(), ItemStorageKey(*plan.table, item), &size);
      if (!full) {
        fetch_error = std::move(full).error();
        return false;
      }
      if (*full) item = std::move(**full);
    }
    ++scanned;
    bytes += size;
    if (!plan.filter || expr::EvaluateCondition(*plan.filter, item)) {
      ++count;
      if (!plan.count_only)
        items.push_back(plan.projection ? json::value(expr::Project(item, *plan.projection))
                                        : json::value(item));
    }
    if ((plan.limit > 0 && scanned >= plan.limit) || bytes >= kMaxPageBytes) {
      stopped = true;
      last_item = std::move(item);
      return false;
    }
    return true;
  });
  if (!st.ok()) return storage::StorageError(st);
  if (corrupt) return storage::StorageError(storage::StorageStatus::Corruption("item"));
  if (!fetch_error) return std::move(fetch_error).error();
  json::object out;
  if (!plan.count_only) out["Items"] = std::move(items);
  out["Count"] = count;
  out["ScannedCount"] = scanned;
  if (stopped) out["LastEvaluatedKey"] = PositionOf(*plan.table, plan.index, last_item);
  AddConsumedCapacity(in, *plan.table, ReadUnits(bytes, plan.consistent), true, &out, plan.index);
  return out;
}

// Index selection, Select and the projection rules shared by Query and Scan.
Status Configure(const json::object& in, bool is_query, ReadPlan* plan,
                 const std::optional<std::vector<expr::Path>>& projection) {
  std::string_view index_name = StringMember(in, "IndexName");
  if (!index_name.empty()) {
    plan->index = plan->table->FindIndex(index_name);
    if (!plan->index)
      return ValidationError("The table does not have the specified index: " +
                             std::string(index_name));
    if (!plan->index->readable)
      return ValidationError("Cannot read from backfilling global secondary index: " +
                             std::string(index_name));
    if (plan->index->global && plan->consistent)
      return ValidationError("Consistent reads are not supported on global secondary indexes");
  }
  std::string_view select = StringMember(in, "Select");
  bool has_projection = projection.has_value();
  if (select == "SPECIFIC_ATTRIBUTES" && !has_projection)
    return ValidationError(std::string(kInvalidParams) +
                           "Must specify the AttributesToGet or ProjectionExpression when "
                           "choosing to get SPECIFIC_ATTRIBUTES");
  if (has_projection && !select.empty() && select != "SPECIFIC_ATTRIBUTES")
    return ValidationError(
        std::string(kInvalidParams) + "Cannot specify the " +
        (in.contains("ProjectionExpression") ? "ProjectionExpression" : "AttributesToGet") +
        " when choosing to get " + std::string(select));
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !plan->index)
    return ValidationError(std::string(kInvalidParams) +
                           "ALL_PROJECTED_ATTRIBUTES can be used only when " +
                           (is_query ? "Querying" : "Scanning") + " using an IndexName");
  const Index* index = plan->index;
  if (index && index->projection != ProjectionType::kAll &&
      (select == "ALL_ATTRIBUTES" || has_projection)) {
    if (index->global) {
      if (select == "ALL_ATTRIBUTES")
        return ValidationError(std::string(kInvalidParams) +
                               "Select type ALL_ATTRIBUTES is not supported for global secondary "
                               "index " +
                               index->name + " because its projection type is not ALL");
    } else {
      plan->fetch_from_table = true;
    }
  }
  plan->count_only = select == "COUNT";
  if (const json::value* l = in.if_contains("Limit"); l && l->is_number())
    plan->limit = l->to_number<int64_t>();
  return Ok{};
}

// Validates ExclusiveStartKey; the storage key of the position it names.
Result<std::string> StartPosition(const ReadPlan& plan, json::object& in) {
  json::value* esk = in.if_contains("ExclusiveStartKey");
  auto invalid = [](const std::string& why) {
    return ValidationError("The provided starting key is invalid: " + why);
  };
  auto st = ValidateAttributeMap(*esk);
  if (!st) return invalid(st.error().message);
  const json::object& key = esk->get_object();
  const Table& table = *plan.table;
  size_t expected = table.key.range ? 2 : 1;
  if (plan.index) {
    json::object table_part;
    for (const auto& [k, v] : key)
      if (table.is_key_attribute(k)) table_part[k] = v;
    st = ValidateKeyValues(table, table_part);
    if (!st) return invalid(st.error().message);
    auto entry = IndexEntryKey(table, *plan.index, key);
    if (!entry) return invalid(std::string(kKeySchemaMismatch));
    return *entry;
  }
  if (key.size() != expected) return invalid(std::string(kKeySchemaMismatch));
  st = ValidateKeyValues(table, key);
  if (!st) return invalid(st.error().message);
  return ItemStorageKey(table, key);
}

void ApplyStart(ReadPlan* plan, const std::string& position) {
  if (plan->reverse) {
    if (position < plan->end || plan->end.empty()) plan->end = position;
  } else {
    std::string after = position + '\0';
    if (after > plan->start) plan->start = std::move(after);
  }
}

// --- key conditions ---------------------------------------------------------------------------

struct KeyCondition {
  std::string attr;
  NodeKind kind = NodeKind::kCompare;  // kCompare, kBetween, or kFunction (begins_with)
  CompareOp op = CompareOp::kEq;
  const json::object* a = nullptr;
  const json::object* b = nullptr;
};

std::string OperatorName(const Node& n) {
  switch (n.kind) {
    case NodeKind::kOr:
      return "OR";
    case NodeKind::kNot:
      return "NOT";
    case NodeKind::kIn:
      return "IN";
    case NodeKind::kCompare:
      return std::string(expr::CompareOpText(n.op));
    case NodeKind::kFunction:
      return n.name;
    default:
      return "UNKNOWN";
  }
}

Status Flatten(const Node& n, std::vector<const Node*>* out) {
  if (n.kind == NodeKind::kAnd) {
    for (const auto& a : n.args) {
      auto st = Flatten(a, out);
      if (!st) return st;
    }
    return Ok{};
  }
  out->push_back(&n);
  return Ok{};
}

Result<KeyCondition> ToKeyCondition(const Node& n) {
  auto key_path = [](const Node& p) -> Result<std::string> {
    if (p.kind != NodeKind::kPath) return std::string();
    if (p.path.size() > 1)
      return ValidationError("KeyConditionExpressions cannot have conditions on nested attributes");
    return p.path[0].name;
  };
  KeyCondition kc;
  kc.kind = n.kind;
  switch (n.kind) {
    case NodeKind::kCompare: {
      if (n.op == CompareOp::kNe)
        return ValidationError("Invalid operator used in KeyConditionExpression: <>");
      for (const auto& a : n.args)
        if (a.kind == NodeKind::kFunction)
          return ValidationError("KeyConditionExpressions cannot contain nested operations");
      auto l = key_path(n.args[0]);
      if (!l) return std::move(l).error();
      auto r = key_path(n.args[1]);
      if (!r) return std::move(r).error();
      if (!l->empty() && !r->empty())
        return ValidationError(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
      if (l->empty() && r->empty())
        return ValidationError(
            "Invalid condition in KeyConditionExpression: No key attribute specified");
      kc.op = n.op;
      if (!l->empty()) {
        kc.attr = *l;
        kc.a = n.args[1].value;
      } else {
        kc.attr = *r;
        kc.a = n.args[0].value;
        // "5 < sk" is "sk > 5".
        switch (n.op) {
          case CompareOp::kLt:
            kc.op = CompareOp::kGt;
            break;
          case CompareOp::kLe:
            kc.op = CompareOp::kGe;
            break;
          case CompareOp::kGt:
            kc.op = CompareOp::kLt;
            break;
          case CompareOp::kGe:
            kc.op = CompareOp::kLe;
            break;
          default:
            break;
        }
      }
      return kc;
    }
    case NodeKind::kBetween: {
      auto l = key_path(n.args[0]);
      if (!l) return std::move(l).error();
      if (l->empty())
        return ValidationError(
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
            "attribute as its first operand");
      kc.attr = *l;
      kc.a = n.args[1].value;
      kc.b = n.args[2].value;
      return kc;
    }
    case NodeKind::kFunction: {
      if (n.function == FunctionId::kSize)
        return ValidationError("KeyConditionExpressions cannot contain nested operations");
      if (n.function != FunctionId::kBeginsWith)
        return ValidationError("Invalid operator used in KeyConditionExpression: " + n.name);
      auto l = key_path(n.args[0]);
      if (!l) return std::move(l).error();
      if (l->empty())
        return ValidationError(
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
            "attribute as its first operand");
      kc.attr = *l;
      kc.a = n.args[1].value;
      return kc;
    }
    default:
      return ValidationError("Invalid operator used in KeyConditionExpression: " + OperatorName(n));
  }
}

// Turns the key condition into the plan's [start, end) range.
Status PlanKeyRange(const Node& condition, const KeySchema& schema, uint64_t storage_id,
                    ReadPlan* plan) {
  std::vector<const Node*> parts;
  auto st = Flatten(condition, &parts);
  if (!st) return st;
  std::vector<KeyCondition> conds;
  for (const Node* p : parts) {
    auto kc = ToKeyCondition(*p);
    if (!kc) return std::move(kc).error();
    for (const auto& c : conds)
      if (c.attr == kc->attr)
        return ValidationError("KeyConditionExpressions must only contain one condition per key");
    conds.push_back(std::move(*kc));
  }
  if (conds.size() > 2) return ValidationError("Conditions can be of length 1 or 2 only");
  const KeyCondition* hash = nullptr;
  const KeyCondition* range = nullptr;
  bool unknown = false;
  for (const auto& c : conds) {
    if (c.attr == schema.hash.name)
      hash = &c;
    else if (schema.range && c.attr == schema.range->name)
      range = &c;
    else
      unknown = true;
  }
  if (!hash)
    return ValidationError("Query condition missed key schema element: " + schema.hash.name);
  if (unknown)
    return ValidationError("Query condition missed key schema element: " +
                           (schema.range ? schema.range->name : schema.hash.name));
  if (hash->kind != NodeKind::kCompare || hash->op != CompareOp::kEq)
    return ValidationError("Query key condition not supported");
  auto type_ok = [](const json::object* v, AttrType t) { return v && TypeOf(*v) == t; };
  if (!type_ok(hash->a, schema.hash.type) ||
      (range && (!type_ok(range->a, schema.range->type) ||
                 (range->kind == NodeKind::kBetween && !type_ok(range->b, schema.range->type)))))
    return ValidationError(std::string(kInvalidParams) +
                           "Condition parameter type does not match schema type");
  std::string prefix = PartitionPrefix(storage_id, *hash->a);
  plan->start = prefix;
  plan->end = storage::PrefixEnd(prefix);
  if (!range) return Ok{};
  auto at = [&](const json::object& v) {
    std::string k = prefix;
    AppendKeyValue(&k, v);
    return k;
  };
  if (range->kind == NodeKind::kBetween) {
    plan->start = at(*range->a);
    plan->end = storage::PrefixEnd(at(*range->b));
    return Ok{};
  }
  if (range->kind == NodeKind::kFunction) {
    if (schema.range->type == AttrType::kN)
      return ValidationError(std::string(kInvalidParams) +
                             "Condition parameter type does not match schema type");
    std::string p = prefix;
    for (char c : PayloadOf(*range->a).get_string()) {
      p.push_back(c);
      if (c == '\0') p.push_back('\xff');
    }
    plan->start = p;
    plan->end = storage::PrefixEnd(p);
    return Ok{};
  }
  switch (range->op) {
    case CompareOp::kEq:
      plan->start = at(*range->a);
      plan->end = storage::PrefixEnd(plan->start);
      break;
    case CompareOp::kLt:
      plan->end = at(*range->a);
      break;
    case CompareOp::kLe:
      plan->end = storage::PrefixEnd(at(*range->a));
      break;
    case CompareOp::kGt:
      plan->start = storage::PrefixEnd(at(*range->a));
      break;
    case CompareOp::kGe:
      plan->start = at(*range->a);
      break;
    default:
      break;
  }
  return Ok{};
}

// The first key attribute of `schema` a filter condition refers to, or null.
const std::string* KeyAttributeIn(const Node& n, const KeySchema& schema) {
  if (n.kind == NodeKind::kPath) {
    const std::string& head = n.path[0].name;
    if (head == schema.hash.name) return &schema.hash.name;
    if (schema.range && head == schema.range->name) return &schema.range->name;
    return nullptr;
  }
  for (const auto& a : n.args)
    if (const std::string* k = KeyAttributeIn(a, schema)) return k;
  return nullptr;
}

}  // namespace

Result<Document> Query(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto table = LookupTable(state, ctx, *name);
  if (!table) return std::move(table).error();
  auto bound = PrepareExpressions(
      state, in,
      {.key_condition = true,
       .filter = true,
       .projection = true,
       .legacy = {"KeyConditions", "QueryFilter", "AttributesToGet", "ConditionalOperator"}});
  if (!bound) return std::move(bound).error();
  std::optional<Node> key_condition = std::move(bound->key_condition);
  if (!key_condition) {
    auto legacy = ConditionFromFilter(in, "KeyConditions");
    if (!legacy) return std::move(legacy).error();
    key_condition = std::move(*legacy);
  }
  if (!key_condition)
    return ValidationError(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  std::optional<Node> filter = std::move(bound->filter);
  if (!filter) {
    auto legacy = ConditionFromFilter(in, "QueryFilter");
    if (!legacy) return std::move(legacy).error();
    filter = std::move(*legacy);
  }
  std::optional<std::vector<expr::Path>> projection = std::move(bound->projection);
  if (!projection) {
    auto legacy = ProjectionFromAttributesToGet(in);
    if (!legacy) return std::move(legacy).error();
    projection = std::move(*legacy);
  }
  ReadPlan plan;
  plan.table = *table;
  plan.consistent = BoolMember(in, "ConsistentRead");
  auto st = Configure(in, true, &plan, projection);
  if (!st) return std::move(st).error();
  const KeySchema& schema = plan.index ? plan.index->key : plan.table->key;
  uint64_t storage_id = plan.index ? plan.index->storage_id : plan.table->storage_id;
  st = PlanKeyRange(*key_condition, schema, storage_id, &plan);
  if (!st) return std::move(st).error();
  if (filter) {
    if (const std::string* key = KeyAttributeIn(*filter, schema))
      return ValidationError(
          std::string(in.contains("QueryFilter") ? "QueryFilter" : "Filter Expression") +
          " can only contain non-primary key attributes: Primary key "
          "attribute: " +
          *key);
  }
  plan.reverse = !BoolMember(in, "ScanIndexForward", true);
  if (in.contains("ExclusiveStartKey")) {
    auto position = StartPosition(plan, in);
    if (!position) return std::move(position).error();
    ApplyStart(&plan, *position);
  }
  plan.filter = filter ? &*filter : nullptr;
  plan.projection = projection ? &*projection : nullptr;
  auto out = Execute(state, plan, in);
  if (!out) return std::move(out).error();
  return json::value(std::move(*out));
}

Result<Document> Scan(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  auto table = LookupTable(state, ctx, *name);
  if (!table) return std::move(table).error();
  const json::value* segment = in.if_contains("Segment");
  const json::value* total = in.if_contains("TotalSegments");
  if (segment && !total)
    return ValidationError(
        "The TotalSegments parameter is required but was not present in the request when "
        "Segment parameter is present");
  if (total && !segment)
    return ValidationError(
        "The Segment parameter is required but was not present in the request when parameter "
        "TotalSegments is present");
  uint32_t seg = 0, tot = 1;
  if (segment) {
    seg = segment->to_number<uint32_t>();
    tot = total->to_number<uint32_t>();
    if (tot == 0) tot = 1;
    if (seg >= tot)
      return ValidationError(
          "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
          "Segment: " +
          std::to_string(seg) + " is not less than TotalSegments: " + std::to_string(tot));
  }
  auto bound =
      PrepareExpressions(state, in,
                         {.filter = true,
                          .projection = true,
                          .legacy = {"ScanFilter", "AttributesToGet", "ConditionalOperator"}});
  if (!bound) return std::move(bound).error();
  std::optional<Node> filter = std::move(bound->filter);
  if (!filter) {
    auto legacy = ConditionFromFilter(in, "ScanFilter");
    if (!legacy) return std::move(legacy).error();
    filter = std::move(*legacy);
  }
  std::optional<std::vector<expr::Path>> projection = std::move(bound->projection);
  if (!projection) {
    auto legacy = ProjectionFromAttributesToGet(in);
    if (!legacy) return std::move(legacy).error();
    projection = std::move(*legacy);
  }
  ReadPlan plan;
  plan.table = *table;
  plan.consistent = BoolMember(in, "ConsistentRead");
  auto st = Configure(in, false, &plan, projection);
  if (!st) return std::move(st).error();
  std::string prefix = DataPrefix(plan.index ? plan.index->storage_id : plan.table->storage_id);
  auto hash_key = [&](uint32_t h) {
    std::string k = prefix;
    k.push_back(static_cast<char>(h >> 24));
    k.push_back(static_cast<char>((h >> 16) & 0xFF));
    k.push_back(static_cast<char>((h >> 8) & 0xFF));
    k.push_back(static_cast<char>(h & 0xFF));
    return k;
  };
  plan.start = seg == 0 ? prefix : hash_key(SegmentStartHash(seg, tot));
  plan.end = seg + 1 == tot ? storage::PrefixEnd(prefix) : hash_key(SegmentStartHash(seg + 1, tot));
  if (in.contains("ExclusiveStartKey")) {
    auto position = StartPosition(plan, in);
    if (!position) return std::move(position).error();
    ApplyStart(&plan, *position);
  }
  plan.filter = filter ? &*filter : nullptr;
  plan.projection = projection ? &*projection : nullptr;
  auto out = Execute(state, plan, in);
  if (!out) return std::move(out).error();
  return json::value(std::move(*out));
}

}  // namespace nimbus::dynamodb
