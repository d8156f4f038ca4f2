#pragma once

#include <optional>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/dynamodb/expressions/ast.h"

namespace nimbus::dynamodb {

// The pre-expression parameters (Expected, QueryFilter, ScanFilter, KeyConditions,
// AttributeUpdates, AttributesToGet), translated into the same bound trees the expressions
// produce, so one evaluator serves both. Value nodes point into `in`. Absent parameters give
// nullopt.

Result<std::optional<expr::Node>> ConditionFromExpected(json::object& in);
// `member`: "QueryFilter", "ScanFilter" or "KeyConditions".
Result<std::optional<expr::Node>> ConditionFromFilter(json::object& in, std::string_view member);
Result<std::optional<std::vector<expr::UpdateAction>>> ActionsFromAttributeUpdates(
    json::object& in);
Result<std::optional<std::vector<expr::Path>>> ProjectionFromAttributesToGet(
    const json::object& in);

}  // namespace nimbus::dynamodb
