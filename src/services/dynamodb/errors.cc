#include "services/dynamodb/errors.h"

namespace nimbus::dynamodb {

ApiError ValidationError(std::string message) {
  return ApiError("ValidationException", 400, std::move(message));
}

ApiError ResourceNotFound() {
  return ApiError("ResourceNotFoundException", 400, "Requested resource not found");
}

ApiError TableNotFound(std::string_view table_name) {
  return ApiError("ResourceNotFoundException", 400,
                  "Requested resource not found: Table: " + std::string(table_name) + " not found");
}

ApiError ResourceInUse(std::string message) {
  return ApiError("ResourceInUseException", 400, std::move(message));
}

ApiError ConditionalCheckFailed() {
  return ApiError("ConditionalCheckFailedException", 400, "The conditional request failed");
}

ApiError LimitExceeded(std::string message) {
  return ApiError("LimitExceededException", 400, std::move(message));
}

}  // namespace nimbus::dynamodb
