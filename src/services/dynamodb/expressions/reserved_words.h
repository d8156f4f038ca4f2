#pragma once

#include <string_view>

namespace nimbus::dynamodb::expr {

// True when `name` (any case) is one of DynamoDB's reserved words, which may not appear as bare
// attribute names in expressions.
bool IsReservedWord(std::string_view name);

}  // namespace nimbus::dynamodb::expr
