// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//
// A PartiQL statement is translated into the input of the operation that does the same work
// (Query or Scan for SELECT, PutItem / UpdateItem / DeleteItem for the writes,
// TransactWriteItems / TransactGetItems for transactions): its WHERE clause becomes a key
// condition, filter or condition expression with generated #n / :v placeholders, so the
// expression parser, binder and evaluator of those operations do the work.
#include <boost/json.hpp>
#include <map>

#include "services/dynamodb/errors.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/ops/partiql_translate.h"
#include "services/dynamodb/request.h"

namespace nimbus::dynamodb {

namespace {

using namespace partiql_ops;

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
        if (!st.index.empty()) return ValidationError("Batch read statements cannot use an index");
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
    const char* kind = call->op == "PutItem"      ? "Put"
                       : call->op == "UpdateItem" ? "Update"
                                                  : "Delete";
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
