#pragma once

#include <memory>
#include <string_view>

#include "core/common/result.h"
#include "services/dynamodb/expressions/ast.h"

namespace nimbus::dynamodb::expr {

// Parses `text` as an expression of `kind`: tokenizer, recursive descent to an AST, then the
// checks that need no names or values (unknown and misplaced functions, reserved words), in
// the order DynamoDB reports them. Errors are ValidationExceptions worded as DynamoDB's:
// "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a =\"".
// Thread-safe; no shared state.
Result<std::shared_ptr<const ParsedExpression>> Parse(ExpressionKind kind, std::string_view text);

// Longest expression DynamoDB accepts (4 KB).
inline constexpr size_t kMaxExpressionLength = 4096;

}  // namespace nimbus::dynamodb::expr
