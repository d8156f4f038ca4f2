#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/dynamodb/expressions/ast.h"

namespace nimbus::dynamodb::expr {

// The ExpressionAttributeNames and ExpressionAttributeValues of one request, and which of them
// the request's expressions used. Bind* copy a parsed expression with placeholders replaced
// (value nodes point into `values`, which must outlive the bound tree) and run the checks that
// need the values' types, worded as DynamoDB's ("Invalid FilterExpression: ...").
class Bindings {
 public:
  // Either map may be null (absent). The values must already be validated.
  Bindings(const json::object* names, const json::object* values)
      : names_(names), values_(values) {}

  Result<Node> BindCondition(const ParsedExpression& parsed);
  Result<std::vector<Path>> BindProjection(const ParsedExpression& parsed);
  Result<std::vector<UpdateAction>> BindUpdate(const ParsedExpression& parsed);

  // "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}", then the
  // same for values; Ok when everything was used. Call after binding every expression.
  Status CheckAllUsed() const;

 private:
  bool ResolvePath(Path* path, std::string* error);
  bool ResolveNode(Node* node, std::string* error);

  const json::object* names_;
  const json::object* values_;
  std::unordered_set<std::string> used_names_;
  std::unordered_set<std::string> used_values_;
};

// Checks a set of paths for overlaps and conflicts as DynamoDB does for projections and
// update actions; the message without the "Invalid ...:" prefix, or empty when fine.
std::string CheckPathOverlaps(const std::vector<const Path*>& paths);

}  // namespace nimbus::dynamodb::expr
