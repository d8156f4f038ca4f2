#include "services/sns/errors.h"

namespace nimbus::sns {

ApiError InvalidParameter(std::string message) {
  return ApiError("InvalidParameter", 400, std::move(message));
}

ApiError ParameterValueInvalid(std::string message) {
  return ApiError("ParameterValueInvalid", 400, std::move(message));
}

ApiError TopicNotFound() { return ApiError("NotFound", 404, "Topic does not exist"); }

ApiError SubscriptionNotFound() { return ApiError("NotFound", 404, "Subscription does not exist"); }

ApiError ResourceNotFound() { return ApiError("ResourceNotFound", 404, "Resource does not exist"); }

ApiError AuthorizationError(std::string_view caller, std::string_view action,
                            std::string_view resource) {
  return ApiError("AuthorizationError", 403,
                  "User: " + std::string(caller) + " is not authorized to perform: SNS:" +
                      std::string(action) + " on resource: " + std::string(resource));
}

ApiError TagLimitExceeded() {
  return ApiError("TagLimitExceeded", 400,
                  "Could not complete request: tag quota of per resource exceeded");
}

ApiError EmptyBatchRequest() {
  return ApiError("EmptyBatchRequest", 400, "The batch request doesn't contain any entries.");
}

ApiError TooManyEntriesInBatchRequest() {
  return ApiError("TooManyEntriesInBatchRequest", 400,
                  "The batch request contains more entries than permissible.");
}

ApiError BatchEntryIdsNotDistinct() {
  return ApiError("BatchEntryIdsNotDistinct", 400,
                  "Two or more batch entries in the request have the same Id.");
}

ApiError InvalidBatchEntryId() {
  return ApiError("InvalidBatchEntryId", 400,
                  "The Id of a batch entry in a batch request doesn't abide by the "
                  "specification.");
}

ApiError BatchRequestTooLong() {
  return ApiError("BatchRequestTooLong", 400,
                  "The length of all the messages put together is more than the limit.");
}

}  // namespace nimbus::sns
