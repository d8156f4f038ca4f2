#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/dynamodb/expressions/ast.h"

namespace nimbus::dynamodb::partiql {

// The subset of PartiQL DynamoDB runs: SELECT, INSERT, UPDATE, DELETE and (in transactions)
// EXISTS(SELECT ...). The parser only builds the statement; ops/partiql.cc turns it into the
// inputs of Query, Scan, PutItem, UpdateItem, DeleteItem and the transactions, whose expression
// machinery evaluates it.

struct PathStep {
  std::string name;    // attribute name or map key
  int64_t index = -1;  // list index when >= 0
};
using Path = std::vector<PathStep>;

enum class ExprKind : uint8_t {
  kPath,
  kValue,  // a literal or a parameter: `value` is a template (see below)
  kCompare,
  kBetween,
  kIn,
  kAnd,
  kOr,
  kNot,
  kFunction,  // begins_with, contains, attribute_type, attribute_exists, attribute_not_exists,
              // size, list_append, set_add, set_delete
  kIsMissing,
  kIsNotMissing,
  kIsNull,
  kIsNotNull,
  kPlus,
  kMinus,
};

// A value template is an attribute value in document form ({"S": "x"}, {"L": [...]}), in which
// a parameter stands as {"?": n} (0-based), anywhere a value can (inside lists and maps too).
struct Expr {
  ExprKind kind = ExprKind::kPath;
  expr::CompareOp op = expr::CompareOp::kEq;
  std::string function;  // lower case
  Path path;
  json::value value;
  std::vector<Expr> args;
};

enum class StatementKind : uint8_t { kSelect, kInsert, kUpdate, kDelete, kExists };

struct UpdateClause {
  bool remove = false;
  Path path;
  Expr value;  // SET only
};

struct Statement {
  StatementKind kind = StatementKind::kSelect;
  std::string table;
  std::string index;              // SELECT ... FROM "table"."index"
  std::vector<Path> projection;   // empty: SELECT *
  std::optional<Expr> where;
  json::value item;               // INSERT: the VALUE template
  std::vector<UpdateClause> updates;
  std::string returning;          // ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW or empty
  std::optional<Path> order_by;   // SELECT ... ORDER BY path [ASC|DESC]
  bool descending = false;
  size_t parameters = 0;          // how many `?` the statement has
};

// Parses one statement (comments and one trailing semicolon allowed). Errors are the
// ValidationExceptions DynamoDB answers: "Statement wasn't well formed, can't be processed: ...".
// Bounded: nesting deeper than kMaxDepth is refused, never a stack overflow.
Result<Statement> Parse(std::string_view text);

inline constexpr int kMaxDepth = 100;

// "a.b[0]" as written in an expression (names unquoted).
std::string PathText(const Path& path);

}  // namespace nimbus::dynamodb::partiql
