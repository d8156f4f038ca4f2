#pragma once

#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/dynamodb/expressions/ast.h"

namespace nimbus::dynamodb::expr {

// Evaluation of bound expressions (see Bindings) against items in document form.

// The attribute value at `path` in `item`, or null when any step is missing or of the wrong
// type.
const json::object* ResolvePath(const json::object& item, const Path& path);

// A condition, filter or key condition. A missing attribute makes comparisons false (and <>
// true), as in DynamoDB; evaluation never fails.
bool EvaluateCondition(const Node& condition, const json::object& item);

// The item restricted to `paths` (nested maps kept as maps, selected list elements kept in
// index order); attributes that do not exist are left out.
json::object Project(const json::object& item, const std::vector<Path>& paths);
json::object Project(const json::object& item, const std::vector<const Path*>& paths);

// Applies an update expression's actions to `item` (which starts as a copy of `old_item`).
// SET values read `old_item`, as DynamoDB reads every operand before writing. Errors are
// DynamoDB's runtime ValidationExceptions ("The provided expression refers to an attribute
// that does not exist in the item", ...).
Status ApplyUpdate(const std::vector<UpdateAction>& actions, const json::object& old_item,
                   json::object* item);

}  // namespace nimbus::dynamodb::expr
