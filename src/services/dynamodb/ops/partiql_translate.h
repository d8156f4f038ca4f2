#pragma once

// PartiQL statements translated into the inputs of the operations that do the same work: the
// shared part of ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (ops/partiql.cc).
// A WHERE clause becomes a key condition, filter or condition expression with generated #n / :v
// placeholders, so the expression parser, binder and evaluator of those operations do the work.

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/partiql/parser.h"
#include "services/dynamodb/state.h"

namespace nimbus::dynamodb::partiql_ops {

using partiql::Expr;
using partiql::ExprKind;
using partiql::Statement;
using partiql::StatementKind;

inline constexpr std::string_view kNeedFullKey =
    "Where clause does not contain a mandatory equality on all key attributes";
inline constexpr std::string_view kDuplicate = "Duplicate primary key exists in table";

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
        static const char* const kConditionFunctions[] = {"begins_with", "contains",
                                                          "attribute_type", "attribute_exists",
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

// The statement's table, or ResourceNotFoundException.
Result<std::shared_ptr<const Table>> TableOf(State& state, const RequestContext& ctx,
                                             const Statement& st);

// The full primary key from the WHERE clause (equalities joined by AND), and the rest of the
// conditions.
struct KeyedWhere {
  json::object key;
  std::vector<const Expr*> rest;
};
Result<KeyedWhere> SplitKey(Renderer& r, const Table& table, const Statement& st);
// Conditions joined by AND, rendered.
Result<std::string> JoinConditions(Renderer& r, const std::vector<const Expr*>& parts);
void AddExpressionMaps(Renderer& r, json::object* in);

// The operation ("PutItem", "UpdateItem", "DeleteItem") and its input for a write statement.
struct WriteCall {
  std::string op;
  json::object in;
};
Result<WriteCall> WriteInput(State& state, const RequestContext& ctx, const Statement& st,
                             const json::array* params);

// A SELECT (`text` is the statement, which a NextToken is tied to) and a write statement, run
// through Query/Scan and PutItem/UpdateItem/DeleteItem: ExecuteStatement's answer.
Result<json::object> RunSelect(State& state, RequestContext& ctx, const Statement& st,
                               const json::object& req, std::string_view text);
Result<json::object> RunWrite(State& state, RequestContext& ctx, const Statement& st,
                              const json::object& req);

// The statement of one request entry ({Statement, Parameters, ...}), parsed and checked.
Result<Statement> ParseRequest(const json::object& req);
// Runs one non-transactional statement: ExecuteStatement's answer (Items, NextToken...).
Result<json::object> RunOne(State& state, RequestContext& ctx, const json::object& req);

}  // namespace nimbus::dynamodb::partiql_ops
