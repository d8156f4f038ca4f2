#pragma once

#include <string>
#include <string_view>

#include "core/common/api_error.h"

namespace nimbus::dynamodb {

// The errors DynamoDB answers, with its HTTP statuses. Messages are worded by the callers as
// DynamoDB words them.
ApiError ValidationError(std::string message);  // ValidationException, 400
// ResourceNotFoundException "Requested resource not found" (data plane).
ApiError ResourceNotFound();
// ResourceNotFoundException "Requested resource not found: Table: <name> not found".
ApiError TableNotFound(std::string_view table_name);
ApiError ResourceInUse(std::string message);  // ResourceInUseException, 400
ApiError ConditionalCheckFailed();            // ConditionalCheckFailedException, 400
ApiError LimitExceeded(std::string message);  // LimitExceededException, 400

// Messages shared by several operations.
inline constexpr std::string_view kKeySchemaMismatch =
    "The provided key element does not match the schema";
inline constexpr std::string_view kInvalidParams = "One or more parameter values were invalid: ";

}  // namespace nimbus::dynamodb
