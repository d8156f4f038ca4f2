// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//
// A PartiQL statement is translated into the input of the operation that does the same work
// (Query or Scan for SELECT, PutItem / UpdateItem / DeleteItem for the writes,
// TransactWriteItems / TransactGetItems for transactions): its WHERE clause becomes a key
// condition, filter or condition expression with generated #n / :v placeholders, so the
// expression parser, binder and evaluator of those operations do the work.
#include <boost/json.hpp>
#include <map>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/partiql/parser.h"
#include "services/dynamodb/request.h"

namespace nimbus::dynamodb {

namespace {

using partiql::Expr;
using partiql::ExprKind;
using partiql::Statement;
using partiql::StatementKind;

constexpr std::string_view kNeedFullKey =
    "Where clause does not contain a mandatory equality on all key attributes";
constexpr std::string_view kDuplicate = "Duplicate primary key exists in table";

// Builds expression text with placeholders for every name and value.
class Renderer {
 public:
  explicit Renderer(const json::array* params) : params_(params) {}

  json::object names;
  json::object values;

  std::string Name(const std::string& name) {
    auto it = name_ids_.find(name);
    if (it != name_ids_.end()) return it->second;
    std::string id = "#n" + std::to_string(name_ids_.size());
    name_ids_[name] = id;
    names[id] = name;
    return id;
  }

  Result<std::string> Value(const json::value& tmpl) {
    auto v = Resolve(tmpl);
    if (!v) return std::move(v).error();
    std::string id = ":v" + std::to_string(values.size());
    values[id] = std::move(*v);
    return id;
  }

  std::string Path(const partiql::Path& path) {
    std::string out;
    for (const auto& s : path) {
      if (s.index >= 0) {
        out += "[" + std::to_string(s.index) + "]";
      } else {
        if (!out.empty()) out += ".";
        out += Name(s.name);
      }
    }
    return out;
  }

  // The template with its parameters substituted.
  Result<json::value> Resolve(const json::value& tmpl) {
    const json::object& o = tmpl.get_object();
    if (const json::value* p = o.if_contains("?")) {
      size_t i = p->to_number<size_t>();
      if (!params_ || i >= params_->size())
        return ValidationError("Number of parameters in request and statement don't match.");
      return (*params_)[i];
    }
    if (const json::value* l = o.if_contains("L")) {
      json::array out;
      for (const auto& e : l->get_array()) {
        auto v = Resolve(e);
        if (!v) return v;
        out.push_back(std::move(*v));
      }
      return json::value(json::object{{"L", std::move(out)}});
    }
    if (const json::value* m = o.if_contains("M")) {
      json::object out;
      for (const auto& [k, e] : m->get_object()) {
        auto v = Resolve(e);
        if (!v) return v;
        out[k] = std::move(*v);
      }
      return json::value(json::object{{"M", std::move(out)}});
    }
    return tmpl;
  }

  Result<std::string> Operand(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kPath:
        return Path(e.path);
      case ExprKind::kValue:
        return Value(e.value);
      case ExprKind::kFunction: {
        if (e.function != "size" && e.function != "list_append" && e.function != "if_not_exists")
          return ValidationError("Unsupported function in this position: " + e.function);
        std::string out = e.function + "(";
        for (size_t i = 0; i < e.args.size(); ++i) {
          auto a = Operand(e.args[i]);
          if (!a) return a;
          out += (i ? ", " : "") + *a;
        }
        return out + ")";
      }
      case ExprKind::kPlus:
      case ExprKind::kMinus: {
        auto a = Operand(e.args[0]);
        if (!a) return a;
        auto b = Operand(e.args[1]);
        if (!b) return b;
        return *a + (e.kind == ExprKind::kPlus ? " + " : " - ") + *b;
      }
      default:
        return ValidationError(
            "Statement wasn't well formed, can't be processed: Expected an operand");
    }
  }

  Result<std::string> Condition(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kCompare: {
        auto a = Operand(e.args[0]);
        if (!a) return a;
        auto b = Operand(e.args[1]);
        if (!b) return b;
        return *a + " " + std::string(expr::CompareOpText(e.op)) + " " + *b;
      }
      case ExprKind::kBetween: {
        auto a = Operand(e.args[0]);
        if (!a) return a;
        auto lo = Operand(e.args[1]);
        if (!lo) return lo;
        auto hi = Operand(e.args[2]);
        if (!hi) return hi;
        return *a + " BETWEEN " + *lo + " AND " + *hi;
      }
      case ExprKind::kIn: {
        auto a = Operand(e.args[0]);
        if (!a) return a;
        std::string out = *a + " IN (";
        for (size_t i = 1; i < e.args.size(); ++i) {
          auto v = Operand(e.args[i]);
          if (!v) return v;
          out += (i > 1 ? ", " : "") + *v;
        }
        return out + ")";
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        auto a = Condition(e.args[0]);
        if (!a) return a;
        auto b = Condition(e.args[1]);
        if (!b) return b;
        return "(" + *a + (e.kind == ExprKind::kAnd ? ") AND (" : ") OR (") + *b + ")";
      }
      case ExprKind::kNot: {
        auto a = Condition(e.args[0]);
        if (!a) return a;
        return "NOT (" + *a + ")";
      }
      case ExprKind::kIsMissing:
      case ExprKind::kIsNotMissing: {
        if (e.args[0].kind != ExprKind::kPath)
          return ValidationError("IS MISSING needs an attribute path");
        return std::string(e.kind == ExprKind::kIsMissing ? "attribute_not_exists("
                                                          : "attribute_exists(") +
               Path(e.args[0].path) + ")";
      }
      case ExprKind::kIsNull:
      case ExprKind::kIsNotNull: {
        if (e.args[0].kind != ExprKind::kPath)
          return ValidationError("IS NULL needs an attribute path");
        auto v = Value(json::object{{"S", "NULL"}});
        if (!v) return v;
        std::string t = "attribute_type(" + Path(e.args[0].path) + ", " + *v + ")";
        return e.kind == ExprKind::kIsNull ? t : "NOT (" + t + ")";
      }
      case ExprKind::kFunction: {
        static const char* const kConditionFunctions[] = {
            "begins_with", "contains", "attribute_type", "attribute_exists",
            "attribute_not_exists"};
        bool known = false;
        for (const char* f : kConditionFunctions) known = known || e.function == f;
        if (!known) return ValidationError("Unsupported function in WHERE clause: " + e.function);
        std::string out = e.function + "(";
        for (size_t i = 0; i < e.args.size(); ++i) {
          auto a = Operand(e.args[i]);
          if (!a) return a;
          out += (i ? ", " : "") + *a;
        }
        return out + ")";
      }
      default:
        return ValidationError(
            "Statement wasn't well formed, can't be processed: Expected a condition in WHERE "
            "clause");
    }
  }

 private:
  const json::array* params_;
  std::map<std::string, std::string> name_ids_;
};

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
      return e.op != expr::CompareOp::kNe &&
             ((IsTopAttr(e.args[0], attr) && value(e.args[1])) ||
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

// The full primary key from the WHERE clause (equalities joined by AND), and the rest of the
// conditions.
struct KeyedWhere {
  json::object key;
  std::vector<const Expr*> rest;
};

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
    if (!index)
      return ValidationError("The table does not have the specified index: " + st.index);
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
      if (Mentions(*p, schema.hash.name) ||
          (schema.range && Mentions(*p, schema.range->name))) {
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
      return ValidationError(
          "Must have WHERE clause in the statement when using ORDER BY clause.");
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

// The operation ("PutItem", "UpdateItem", "DeleteItem") and its input for a write statement.
struct WriteCall {
  std::string op;
  json::object in;
};

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
    if (!item->is_object() || !item->get_object().contains("M") ||
        !item->at("M").is_object())
      return ValidationError(
          "Statement wasn't well formed, can't be processed: Expected a tuple in VALUE");
    call.op = "PutItem";
    in["Item"] = item->at("M");
    in["ConditionExpression"] =
        "attribute_not_exists(" + r.Name((*table)->key.hash.name) + ")";
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
      if (v.kind == ExprKind::kFunction && (v.function == "set_add" || v.function == "set_delete")) {
        if (v.args.size() != 2 || v.args[0].kind != ExprKind::kPath ||
            r.Path(v.args[0].path) != path || v.args[1].kind != ExprKind::kValue)
          return ValidationError(v.function +
                                 " needs the updated attribute and a set value: " +
                                 partiql::PathText(u.path) + " = " + v.function +
                                 "(" + partiql::PathText(u.path) + ", <<...>>)");
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
  if (const json::value* a = o.if_contains("Attributes"))
    result["Items"].get_array().push_back(*a);
  if (const json::value* cc = o.if_contains("ConsumedCapacity")) result["ConsumedCapacity"] = *cc;
  return result;
}

Result<Statement> ParseRequest(const json::object& req) {
  const json::value* text = req.if_contains("Statement");
  if (!text || !text->is_string()) return ValidationError("Statement is required");
  auto st = partiql::Parse(text->get_string());
  if (!st) return st;
  const json::array* params =
      req.contains("Parameters") && req.at("Parameters").is_array()
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

// "ConditionalCheckFailedException" -> "ConditionalCheckFailed" (BatchStatementErrorCodeEnum).
std::string BatchCode(const std::string& code) {
  if (code == "ValidationException") return "ValidationError";
  if (code == "ConditionalCheckFailedException") return "ConditionalCheckFailed";
  if (code == "ResourceNotFoundException") return "ResourceNotFound";
  if (code == "DuplicateItemException") return "DuplicateItem";
  if (code == "ProvisionedThroughputExceededException") return "ProvisionedThroughputExceeded";
  if (code == "TransactionConflictException") return "TransactionConflict";
  if (code == "ItemCollectionSizeLimitExceededException") return "ItemCollectionSizeLimitExceeded";
  if (code == "AccessDeniedException") return "AccessDenied";
  if (code == "ThrottlingException") return "ThrottlingError";
  if (code == "RequestLimitExceeded") return "RequestLimitExceeded";
  return "InternalServerError";
}

// Sums ConsumedCapacity entries by table.
void AddCapacity(const json::value* cc, std::map<std::string, json::object>* by_table) {
  if (!cc || !cc->is_object()) return;
  const json::object& c = cc->get_object();
  std::string table(c.at("TableName").get_string());
  auto [it, fresh] = by_table->emplace(table, c);
  if (fresh) return;
  json::object& sum = it->second;
  for (const char* m : {"CapacityUnits", "ReadCapacityUnits", "WriteCapacityUnits"})
    if (c.contains(m) && sum.contains(m))
      sum[m] = sum[m].to_number<double>() + c.at(m).to_number<double>();
}

}  // namespace

Result<Document> ExecuteStatement(State& state, RequestContext& ctx, Document& input) {
  auto out = RunOne(state, ctx, input.get_object());
  if (!out) return std::move(out).error();
  return json::value(std::move(*out));
}

Result<Document> BatchExecuteStatement(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  json::array& statements = in["Statements"].get_array();
  // Every statement parsed first: a batch is all reads or all writes.
  std::vector<Result<Statement>> parsed;
  bool reads = false, writes = false;
  for (auto& s : statements) {
    if (!s.is_object()) return ValidationError("Invalid Statements entry");
    parsed.push_back(ParseRequest(s.get_object()));
    if (!parsed.back()) continue;
    (parsed.back()->kind == StatementKind::kSelect ? reads : writes) = true;
  }
  if (reads && writes)
    return ValidationError(
        "BatchExecuteStatement API does not support both read and write operations in the same "
        "request.");
  json::array responses;
  std::map<std::string, json::object> capacity;
  for (size_t i = 0; i < statements.size(); ++i) {
    json::object& req = statements[i].get_object();
    json::object response;
    Result<json::object> result = [&]() -> Result<json::object> {
      if (!parsed[i]) return std::move(parsed[i]).error();
      const Statement& st = *parsed[i];
      if (st.kind == StatementKind::kExists)
        return ValidationError("EXISTS can only be used in ExecuteTransaction");
      json::object one = req;
      if (const json::value* rcc = in.if_contains("ReturnConsumedCapacity"))
        one["ReturnConsumedCapacity"] = *rcc;
      if (st.kind == StatementKind::kSelect) {
        // A batch read gets one item: the WHERE clause must name the full primary key.
        auto table = TableOf(state, ctx, st);
        if (!table) return std::move(table).error();
        if (!st.index.empty())
          return ValidationError("Batch read statements cannot use an index");
        Renderer r(req.contains("Parameters") ? &req.at("Parameters").get_array() : nullptr);
        auto keyed = SplitKey(r, **table, st);
        if (!keyed) return std::move(keyed).error();
        return RunSelect(state, ctx, st, one, req.at("Statement").get_string());
      }
      return RunWrite(state, ctx, st, one);
    }();
    std::string table_name = parsed[i] ? parsed[i]->table : "";
    if (result) {
      if (!table_name.empty()) response["TableName"] = table_name;
      if (parsed[i]->kind == StatementKind::kSelect) {
        json::array& items = (*result)["Items"].get_array();
        if (!items.empty()) response["Item"] = items[0];
      }
      AddCapacity(result->if_contains("ConsumedCapacity"), &capacity);
    } else {
      const ApiError& e = result.error();
      json::object error{{"Code", BatchCode(e.code)}, {"Message", e.message}};
      if (const json::value* item = e.extra.if_contains("Item")) error["Item"] = *item;
      response["Error"] = std::move(error);
      if (!table_name.empty() && e.code != "ValidationException")
        response["TableName"] = table_name;
    }
    responses.push_back(std::move(response));
  }
  json::object out{{"Responses", std::move(responses)}};
  if (!capacity.empty()) {
    json::array cc;
    for (auto& [name, c] : capacity) cc.push_back(std::move(c));
    out["ConsumedCapacity"] = std::move(cc);
  }
  return json::value(std::move(out));
}

Result<Document> ExecuteTransaction(State& state, RequestContext& ctx, Document& input) {
  json::object& in = input.get_object();
  json::array& statements = in["TransactStatements"].get_array();
  std::vector<Statement> parsed;
  bool reads = false, writes = false;
  for (auto& s : statements) {
    if (!s.is_object()) return ValidationError("Invalid TransactStatements entry");
    auto st = ParseRequest(s.get_object());
    if (!st) return std::move(st).error();
    if (!st->returning.empty())
      return ValidationError("ExecuteTransaction does not support RETURNING");
    (st->kind == StatementKind::kSelect ? reads : writes) = true;
    parsed.push_back(std::move(*st));
  }
  if (reads && writes)
    return ValidationError(
        "ExecuteTransaction API does not support both read and write operations in the same "
        "request.");
  json::array items;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const Statement& st = parsed[i];
    const json::object& req = statements[i].get_object();
    const json::array* params =
        req.contains("Parameters") ? &req.at("Parameters").get_array() : nullptr;
    if (st.kind == StatementKind::kSelect || st.kind == StatementKind::kExists) {
      auto table = TableOf(state, ctx, st);
      if (!table) return std::move(table).error();
      if (!st.index.empty())
        return ValidationError("Transaction read statements cannot use an index");
      Renderer r(params);
      auto keyed = SplitKey(r, **table, st);
      if (!keyed) return std::move(keyed).error();
      json::object spec{{"TableName", st.table}, {"Key", keyed->key}};
      if (st.kind == StatementKind::kSelect) {
        if (!keyed->rest.empty())
          return ValidationError(
              "Transaction read statements can only contain key conditions in WHERE clause");
        if (!st.projection.empty()) {
          std::string proj;
          for (const auto& p : st.projection) proj += (proj.empty() ? "" : ", ") + r.Path(p);
          spec["ProjectionExpression"] = proj;
        }
        AddExpressionMaps(r, &spec);
        items.push_back(json::object{{"Get", std::move(spec)}});
      } else {
        if (keyed->rest.empty())
          return ValidationError("EXISTS needs a condition besides the primary key");
        auto cond = JoinConditions(r, keyed->rest);
        if (!cond) return std::move(cond).error();
        spec["ConditionExpression"] = *cond;
        if (const json::value* rv = req.if_contains("ReturnValuesOnConditionCheckFailure"))
          spec["ReturnValuesOnConditionCheckFailure"] = *rv;
        AddExpressionMaps(r, &spec);
        items.push_back(json::object{{"ConditionCheck", std::move(spec)}});
      }
      continue;
    }
    auto call = WriteInput(state, ctx, st, params);
    if (!call) return std::move(call).error();
    if (const json::value* rv = req.if_contains("ReturnValuesOnConditionCheckFailure");
        rv && st.kind != StatementKind::kInsert)
      call->in["ReturnValuesOnConditionCheckFailure"] = *rv;
    const char* kind = call->op == "PutItem" ? "Put" : call->op == "UpdateItem" ? "Update" : "Delete";
    items.push_back(json::object{{kind, std::move(call->in)}});
  }
  json::object tx{{"TransactItems", std::move(items)}};
  for (const char* m : {"ReturnConsumedCapacity", "ClientRequestToken"})
    if (const json::value* v = in.if_contains(m)) tx[m] = *v;
  Document doc = json::value(std::move(tx));
  if (reads && !writes) {
    auto out = TransactGetItems(state, ctx, doc);
    if (!out) return std::move(out).error();
    return out;
  }
  auto out = TransactWriteItems(state, ctx, doc);
  if (!out) {
    ApiError e = std::move(out).error();
    if (e.code == "TransactionCanceledException" && e.extra.contains("CancellationReasons")) {
      // An INSERT whose item exists fails as a duplicate, not as a failed condition.
      json::array& reasons = e.extra["CancellationReasons"].get_array();
      std::string codes;
      for (size_t i = 0; i < reasons.size() && i < parsed.size(); ++i) {
        json::object& reason = reasons[i].get_object();
        if (parsed[i].kind == StatementKind::kInsert &&
            reason["Code"] == json::value("ConditionalCheckFailed")) {
          reason["Code"] = "DuplicateItem";
          reason["Message"] = kDuplicate;
          reason.erase("Item");
        }
        codes += (codes.empty() ? "" : ", ") + std::string(reason["Code"].get_string());
      }
      e.message =
          "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
          codes + "]";
    }
    return e;
  }
  return out;
}

}  // namespace nimbus::dynamodb
