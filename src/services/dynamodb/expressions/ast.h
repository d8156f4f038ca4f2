#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"

namespace nimbus::dynamodb::expr {

// The syntax tree of DynamoDB expressions (condition, filter, key condition, projection and
// update). A parsed tree keeps placeholders ("#n", ":v") and is immutable and shared (cached by
// expression text); Bind copies it with the request's names and values substituted.

struct PathElement {
  std::string name;    // attribute name or map key; the "#x" placeholder until bound
  int64_t index = -1;  // list index when >= 0
  bool placeholder = false;
  bool is_index() const { return index >= 0; }
};
using Path = std::vector<PathElement>;

enum class NodeKind : uint8_t {
  kPath,
  kValue,
  kFunction,
  kCompare,
  kBetween,
  kIn,
  kAnd,
  kOr,
  kNot,
  kPlus,   // update SET value: a + b
  kMinus,  // update SET value: a - b
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

enum class FunctionId : uint8_t {
  kUnknown,
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains,
  kSize,
  kIfNotExists,
  kListAppend,
};

struct Node {
  NodeKind kind = NodeKind::kPath;
  CompareOp op = CompareOp::kEq;
  FunctionId function = FunctionId::kUnknown;
  std::string name;                     // function name, or ":v" for kValue
  Path path;                            // kPath
  const json::object* value = nullptr;  // kValue once bound: the attribute value
  std::vector<Node> args;               // operands / sub-conditions
};

enum class UpdateKind : uint8_t { kSet, kRemove, kAdd, kDelete };

struct UpdateAction {
  UpdateKind kind = UpdateKind::kSet;
  Path path;
  Node value;  // SET: the value expression; ADD/DELETE: the value; REMOVE: unused
};

enum class ExpressionKind : uint8_t { kCondition, kFilter, kKeyCondition, kProjection, kUpdate };

// "ConditionExpression", "FilterExpression", ... as DynamoDB names them in messages.
std::string_view ExpressionLabel(ExpressionKind kind);

struct ParsedExpression {
  ExpressionKind kind = ExpressionKind::kCondition;
  Node condition;                    // condition, filter and key condition
  std::vector<Path> projection;      // projection
  std::vector<UpdateAction> update;  // update
};

// "[a, b, [0]]": how DynamoDB prints a document path in messages.
std::string PathToString(const Path& path);
std::string_view CompareOpText(CompareOp op);
std::string_view FunctionName(FunctionId f);

}  // namespace nimbus::dynamodb::expr
