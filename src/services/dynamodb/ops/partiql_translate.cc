// PartiQL translation (see partiql_translate.h).
//
// A PartiQL statement is translated into the input of the operation that does the same work
// (Query or Scan for SELECT, PutItem / UpdateItem / DeleteItem for the writes,
// TransactWriteItems / TransactGetItems for transactions): its WHERE clause becomes a key
// condition, filter or condition expression with generated #n / :v placeholders, so the
// expression parser, binder and evaluator of those operations do the work.
#include "services/dynamodb/ops/partiql_translate.h"

#include <boost/json.hpp>
#include <map>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"

namespace nimbus::dynamodb::partiql_ops {

void Flatten(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kAnd) {
    for (const auto& a : e.args) Flatten(a, out);
    return;
  }
  out->push_back(&e);
}

bool IsTopAttr(const Expr& e, const std::string& attr) {
  return e.kind == ExprKind::kPath && e.path.size() == 1 && e.path[0].index < 0 &&
         e.path[0].name == attr;
}

// `attr = value` (either side): the value operand, or null.
const Expr* EqualityOn(const Expr& e, const std::string& attr) {
  if (e.kind != ExprKind::kCompare || e.op != expr::CompareOp::kEq) return nullptr;
  if (IsTopAttr(e.args[0], attr) && e.args[1].kind == ExprKind::kValue) return &e.args[1];
  if (IsTopAttr(e.args[1], attr) && e.args[0].kind == ExprKind::kValue) return &e.args[0];
  return nullptr;
}

// Whether the condition names `attr` at the top level anywhere.
bool Mentions(const Expr& e, const std::string& attr) {
  if (e.kind == ExprKind::kPath) return !e.path.empty() && e.path[0].name == attr;
  for (const auto& a : e.args)
    if (Mentions(a, attr)) return true;
  return false;
}

// A condition Query accepts on the sort key: comparison (not <>), BETWEEN, begins_with.
bool IsSortKeyCondition(const Expr& e, const std::string& attr) {
  auto value = [](const Expr& x) { return x.kind == ExprKind::kValue; };
  switch (e.kind) {
    case ExprKind::kCompare:
      return e.op != expr::CompareOp::kNe && ((IsTopAttr(e.args[0], attr) && value(e.args[1])) ||
                                              (IsTopAttr(e.args[1], attr) && value(e.args[0])));
    case ExprKind::kBetween:
      return IsTopAttr(e.args[0], attr) && value(e.args[1]) && value(e.args[2]);
    case ExprKind::kFunction:
      return e.function == "begins_with" && e.args.size() == 2 && IsTopAttr(e.args[0], attr) &&
             value(e.args[1]);
    default:
      return false;
  }
}

Result<std::string> JoinConditions(Renderer& r, const std::vector<const Expr*>& parts) {
  std::string out;
  for (const Expr* p : parts) {
    auto c = r.Condition(*p);
    if (!c) return c;
    out += (out.empty() ? "(" : " AND (") + *c + ")";
  }
  return out;
}

// The statement's table, or ResourceNotFoundException.
Result<std::shared_ptr<const Table>> TableOf(State& state, const RequestContext& ctx,
                                             const Statement& st) {
  auto valid = ValidateTableName(st.table, "tableName");
  if (!valid) return ResourceNotFound();
  return LookupTable(state, ctx, st.table);
}

Result<KeyedWhere> SplitKey(Renderer& r, const Table& table, const Statement& st) {
  KeyedWhere out;
  if (!st.where) return ValidationError(std::string(kNeedFullKey));
  std::vector<const Expr*> parts;
  Flatten(*st.where, &parts);
  std::vector<std::string> attrs{table.key.hash.name};
  if (table.key.range) attrs.push_back(table.key.range->name);
  std::vector<bool> used(parts.size(), false);
  for (const auto& attr : attrs) {
    bool found = false;
    for (size_t i = 0; i < parts.size() && !found; ++i) {
      if (used[i]) continue;
      const Expr* v = EqualityOn(*parts[i], attr);
      if (!v) continue;
      auto value = r.Resolve(v->value);
      if (!value) return std::move(value).error();
      out.key[attr] = std::move(*value);
      used[i] = found = true;
    }
    if (!found) return ValidationError(std::string(kNeedFullKey));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (used[i]) continue;
    for (const auto& attr : attrs)
      if (Mentions(*parts[i], attr)) return ValidationError(std::string(kNeedFullKey));
    out.rest.push_back(parts[i]);
  }
  return out;
}

void AddExpressionMaps(Renderer& r, json::object* in) {
  if (!r.names.empty()) (*in)["ExpressionAttributeNames"] = r.names;
  if (!r.values.empty()) (*in)["ExpressionAttributeValues"] = r.values;
}

Status CheckParameters(const Statement& st, const json::array* params) {
  if (st.parameters > (params ? params->size() : 0))
    return ValidationError("Number of parameters in request and statement don't match.");
  return Ok{};
}

// --- SELECT ----------------------------------------------------------------------------------

// The Query or Scan input for a SELECT.
Result<json::object> SelectInput(State& state, const RequestContext& ctx, const Statement& st,
                                 const json::array* params) {
  auto table = TableOf(state, ctx, st);
  if (!table) return std::move(table).error();
  const Index* index = nullptr;
  if (!st.index.empty()) {
    index = (*table)->FindIndex(st.index);
    if (!index) return ValidationError("The table does not have the specified index: " + st.index);
  }
  const KeySchema& schema = index ? index->key : (*table)->key;
  Renderer r(params);
  json::object in{{"TableName", st.table}};
  if (index) in["IndexName"] = st.index;
  std::vector<const Expr*> parts;
  if (st.where) Flatten(*st.where, &parts);
  // Query when the partition key is compared for equality and nothing else in the clause needs
  // the key attributes; otherwise a Scan filtered by the whole clause.
  const Expr* hash = nullptr;
  for (const Expr* p : parts)
    if (!hash && EqualityOn(*p, schema.hash.name)) hash = p;
  bool query = hash != nullptr;
  std::vector<const Expr*> rest;
  const Expr* sort = nullptr;
  if (query) {
    for (const Expr* p : parts) {
      if (p == hash) continue;
      if (!sort && schema.range && IsSortKeyCondition(*p, schema.range->name)) {
        sort = p;
        continue;
      }
      if (Mentions(*p, schema.hash.name) || (schema.range && Mentions(*p, schema.range->name))) {
        query = false;
        break;
      }
      rest.push_back(p);
    }
  }
  if (query) {
    std::vector<const Expr*> key_parts{hash};
    if (sort) key_parts.push_back(sort);
    std::string kc;
    for (const Expr* p : key_parts) {
      auto c = r.Condition(*p);
      if (!c) return std::move(c).error();
      kc += (kc.empty() ? "" : " AND ") + *c;
    }
    in["KeyConditionExpression"] = kc;
    if (!rest.empty()) {
      auto f = JoinConditions(r, rest);
      if (!f) return std::move(f).error();
      in["FilterExpression"] = *f;
    }
  } else if (st.where) {
    auto f = r.Condition(*st.where);
    if (!f) return std::move(f).error();
    in["FilterExpression"] = *f;
  }
  if (st.order_by) {
    if (!query)
      return ValidationError("Must have WHERE clause in the statement when using ORDER BY clause.");
    if (!schema.range || st.order_by->size() != 1 ||
        st.order_by->front().name != schema.range->name)
      return ValidationError("Variable reference " + partiql::PathText(*st.order_by) +
                             " must refer to the sort key of the table or index");
    if (st.descending) in["ScanIndexForward"] = false;
  }
  if (!st.projection.empty()) {
    std::string proj;
    for (const auto& p : st.projection) proj += (proj.empty() ? "" : ", ") + r.Path(p);
    in["ProjectionExpression"] = proj;
  }
  AddExpressionMaps(r, &in);
  in["__query"] = query;
  return in;
}

std::string TokenFingerprint(std::string_view statement) {
  return HexEncode(Sha256(statement)).substr(0, 16);
}

Result<json::object> RunSelect(State& state, RequestContext& ctx, const Statement& st,
                               const json::object& req, std::string_view text) {
  const json::array* params =
      req.contains("Parameters") ? &req.at("Parameters").get_array() : nullptr;
  auto in_r = SelectInput(state, ctx, st, params);
  if (!in_r) return std::move(in_r).error();
  json::object in = std::move(*in_r);
  bool query = in["__query"].as_bool();
  in.erase("__query");
  for (const char* m : {"Limit", "ConsistentRead", "ReturnConsumedCapacity"})
    if (const json::value* v = req.if_contains(m)) in[m] = *v;
  if (const json::value* tok = req.if_contains("NextToken"); tok && tok->is_string()) {
    auto invalid = [] { return ValidationError("Invalid NextToken"); };
    auto raw = Base64Decode(tok->get_string());
    if (!raw) return invalid();
    boost::system::error_code ec;
    json::value parsed = json::parse(*raw, ec);
    if (ec || !parsed.is_object() || !parsed.get_object().contains("k") ||
        !parsed.get_object().contains("s") || !parsed.at("k").is_object() ||
        parsed.at("s") != json::value(TokenFingerprint(text)))
      return invalid();
    // Binary key values travel base64-encoded in the token.
    json::object key = parsed.at("k").get_object();
    for (auto& [k, v] : key) {
      if (!v.is_object()) return invalid();
      if (json::value* b = v.get_object().if_contains("B"); b && b->is_string()) {
        auto bytes = Base64Decode(b->get_string());
        if (!bytes) return invalid();
        *b = *bytes;
      }
    }
    in["ExclusiveStartKey"] = std::move(key);
  }
  Document doc = json::value(std::move(in));
  auto out = query ? Query(state, ctx, doc) : Scan(state, ctx, doc);
  if (!out) return std::move(out).error();
  json::object& o = out->get_object();
  json::object result{{"Items", o["Items"]}};
  if (const json::value* last = o.if_contains("LastEvaluatedKey")) {
    json::object token{{"k", ItemToWire(last->get_object())}, {"s", TokenFingerprint(text)}};
    result["NextToken"] = Base64Encode(json::serialize(token));
    result["LastEvaluatedKey"] = *last;
  }
  if (const json::value* cc = o.if_contains("ConsumedCapacity")) result["ConsumedCapacity"] = *cc;
  return result;
}

// --- writes ----------------------------------------------------------------------------------

Result<WriteCall> WriteInput(State& state, const RequestContext& ctx, const Statement& st,
                             const json::array* params) {
  auto table = TableOf(state, ctx, st);
  if (!table) return std::move(table).error();
  Renderer r(params);
  WriteCall call;
  json::object& in = call.in;
  in["TableName"] = st.table;
  if (st.kind == StatementKind::kInsert) {
    auto item = r.Resolve(st.item);
    if (!item) return std::move(item).error();
    if (!item->is_object() || !item->get_object().contains("M") || !item->at("M").is_object())
      return ValidationError(
          "Statement wasn't well formed, can't be processed: Expected a tuple in VALUE");
    call.op = "PutItem";
    in["Item"] = item->at("M");
    in["ConditionExpression"] = "attribute_not_exists(" + r.Name((*table)->key.hash.name) + ")";
    AddExpressionMaps(r, &in);
    return call;
  }
  auto keyed = SplitKey(r, **table, st);
  if (!keyed) return std::move(keyed).error();
  in["Key"] = keyed->key;
  std::string condition;
  if (st.kind == StatementKind::kUpdate) {
    call.op = "UpdateItem";
    // The item must exist: UPDATE never creates one.
    condition = "attribute_exists(" + r.Name((*table)->key.hash.name) + ")";
    std::vector<std::string> sets, removes, adds, deletes;
    for (const auto& u : st.updates) {
      std::string path = r.Path(u.path);
      if (u.remove) {
        removes.push_back(path);
        continue;
      }
      const Expr& v = u.value;
      if (v.kind == ExprKind::kFunction &&
          (v.function == "set_add" || v.function == "set_delete")) {
        if (v.args.size() != 2 || v.args[0].kind != ExprKind::kPath ||
            r.Path(v.args[0].path) != path || v.args[1].kind != ExprKind::kValue)
          return ValidationError(v.function + " needs the updated attribute and a set value: " +
                                 partiql::PathText(u.path) + " = " + v.function + "(" +
                                 partiql::PathText(u.path) + ", <<...>>)");
        auto val = r.Value(v.args[1].value);
        if (!val) return std::move(val).error();
        (v.function == "set_add" ? adds : deletes).push_back(path + " " + *val);
        continue;
      }
      auto val = r.Operand(v);
      if (!val) return std::move(val).error();
      sets.push_back(path + " = " + *val);
    }
    std::string update;
    auto clause = [&](const char* kw, const std::vector<std::string>& parts) {
      if (parts.empty()) return;
      if (!update.empty()) update += " ";
      update += kw;
      for (size_t i = 0; i < parts.size(); ++i) update += (i ? ", " : " ") + parts[i];
    };
    clause("SET", sets);
    clause("REMOVE", removes);
    clause("ADD", adds);
    clause("DELETE", deletes);
    in["UpdateExpression"] = update;
  } else {
    call.op = "DeleteItem";
    if (!st.returning.empty() && st.returning != "ALL_OLD")
      return ValidationError("DELETE supports only RETURNING ALL OLD *");
  }
  if (!keyed->rest.empty()) {
    auto rest = JoinConditions(r, keyed->rest);
    if (!rest) return std::move(rest).error();
    condition = condition.empty() ? *rest : "(" + condition + ") AND " + *rest;
  }
  if (!condition.empty()) in["ConditionExpression"] = condition;
  if (!st.returning.empty()) in["ReturnValues"] = st.returning;
  AddExpressionMaps(r, &in);
  return call;
}

Result<json::object> RunWrite(State& state, RequestContext& ctx, const Statement& st,
                              const json::object& req) {
  const json::array* params =
      req.contains("Parameters") ? &req.at("Parameters").get_array() : nullptr;
  auto call = WriteInput(state, ctx, st, params);
  if (!call) return std::move(call).error();
  for (const char* m : {"ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure"})
    if (const json::value* v = req.if_contains(m)) call->in[m] = *v;
  if (st.kind == StatementKind::kInsert) call->in.erase("ReturnValuesOnConditionCheckFailure");
  Document doc = json::value(std::move(call->in));
  auto out = call->op == "PutItem"      ? PutItem(state, ctx, doc)
             : call->op == "UpdateItem" ? UpdateItem(state, ctx, doc)
                                        : DeleteItem(state, ctx, doc);
  if (!out) {
    if (st.kind == StatementKind::kInsert && out.error().code == "ConditionalCheckFailedException")
      return ApiError("DuplicateItemException", 400, std::string(kDuplicate));
    return std::move(out).error();
  }
  json::object& o = out->get_object();
  json::object result{{"Items", json::array()}};
  if (const json::value* a = o.if_contains("Attributes")) result["Items"].get_array().push_back(*a);
  if (const json::value* cc = o.if_contains("ConsumedCapacity")) result["ConsumedCapacity"] = *cc;
  return result;
}

Result<Statement> ParseRequest(const json::object& req) {
  const json::value* text = req.if_contains("Statement");
  if (!text || !text->is_string()) return ValidationError("Statement is required");
  auto st = partiql::Parse(text->get_string());
  if (!st) return st;
  const json::array* params = req.contains("Parameters") && req.at("Parameters").is_array()
                                  ? &req.at("Parameters").get_array()
                                  : nullptr;
  auto ok = CheckParameters(*st, params);
  if (!ok) return std::move(ok).error();
  return st;
}

Result<json::object> RunOne(State& state, RequestContext& ctx, const json::object& req) {
  auto st = ParseRequest(req);
  if (!st) return std::move(st).error();
  if (st->kind == StatementKind::kExists)
    return ValidationError("EXISTS can only be used in ExecuteTransaction");
  if (st->kind == StatementKind::kSelect)
    return RunSelect(state, ctx, *st, req, req.at("Statement").get_string());
  return RunWrite(state, ctx, *st, req);
}

}  // namespace nimbus::dynamodb::partiql_ops
