#include "core/common/api_error.h"

#include <string>

namespace nimbus::errors {

ApiError Validation(std::string message) {
  return ApiError("ValidationException", 400, std::move(message));
}

ApiError InternalFailure() {
  return ApiError("InternalFailure", 500,
                  "The request processing has failed because of an "
                  "unknown error, exception or failure.",
                  false);
}

ApiError NotImplemented(std::string_view service, std::string_view operation) {
  return ApiError("NotImplementedException", 501,
                  "The operation " + std::string(operation) + " of service " +
                      std::string(service) + " is not implemented by nimbus yet.",
                  false);
}

ApiError UnknownOperation(std::string_view operation) {
  return ApiError("UnknownOperationException", 400,
                  operation.empty() ? std::string("Unknown operation")
                                    : "Unknown operation " + std::string(operation));
}

ApiError SerializationError(std::string message) {
  return ApiError("SerializationException", 400, std::move(message));
}

}  // namespace nimbus::errors
