#include "services/sqs/errors.h"

#include <array>

namespace nimbus::sqs {

namespace {

struct ErrorInfo {
  std::string_view shape;
  std::string_view legacy_code;
  int status;
};

// From the awsQueryError traits of the SQS model (the JavaScript SDK's schemas carry them).
constexpr std::array kErrors = {
    ErrorInfo{"BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
    ErrorInfo{"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400},
    ErrorInfo{"EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400},
    ErrorInfo{"InvalidAddress", "InvalidAddress", 404},
    ErrorInfo{"InvalidAttributeName", "InvalidAttributeName", 400},
    ErrorInfo{"InvalidAttributeValue", "InvalidAttributeValue", 400},
    ErrorInfo{"InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400},
    ErrorInfo{"InvalidMessageContents", "InvalidMessageContents", 400},
    ErrorInfo{"InvalidSecurity", "InvalidSecurity", 403},
    ErrorInfo{"MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400},
    ErrorInfo{"OverLimit", "OverLimit", 403},
    ErrorInfo{"PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403},
    ErrorInfo{"QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400},
    ErrorInfo{"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400},
    ErrorInfo{"QueueNameExists", "QueueAlreadyExists", 400},
    ErrorInfo{"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404},
    ErrorInfo{"RequestThrottled", "RequestThrottled", 403},
    ErrorInfo{"ResourceNotFoundException", "ResourceNotFoundException", 404},
    ErrorInfo{"TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
              400},
    ErrorInfo{"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400},
    // Unmodeled errors SQS answers with their query names.
    ErrorInfo{"InvalidParameterValue", "InvalidParameterValue", 400},
    ErrorInfo{"MissingParameter", "MissingParameter", 400},
};

}  // namespace

ApiError Error(std::string_view shape, std::string message) {
  std::string_view legacy = shape;
  int status = 400;
  for (const auto& e : kErrors) {
    if (e.shape == shape) {
      legacy = e.legacy_code;
      status = e.status;
      break;
    }
  }
  ApiError err(std::string(shape), status, std::move(message));
  err.headers.emplace_back(std::string(kQueryErrorHeader), std::string(legacy) + ";Sender");
  return err;
}

ApiError QueueDoesNotExist() {
  return Error("QueueDoesNotExist", "The specified queue does not exist.");
}

ApiError InvalidParameterValue(std::string message) {
  return Error("InvalidParameterValue", std::move(message));
}

ApiError MissingParameter(std::string_view name) {
  return Error("MissingParameter",
               "The request must contain the parameter " + std::string(name) + ".");
}

ApiError InvalidAttributeName(std::string message) {
  return Error("InvalidAttributeName", std::move(message));
}

ApiError InvalidAttributeValue(std::string message) {
  return Error("InvalidAttributeValue", std::move(message));
}

ApiError ReceiptHandleIsInvalid(std::string_view handle) {
  return Error("ReceiptHandleIsInvalid", "The input receipt handle \"" + std::string(handle) +
                                             "\" is not a valid receipt handle.");
}

ApiError UnsupportedOperation(std::string message) {
  return Error("UnsupportedOperation", std::move(message));
}

std::string LegacyCode(const ApiError& error) {
  for (const auto& [k, v] : error.headers) {
    if (k != kQueryErrorHeader) continue;
    auto semi = v.find(';');
    return v.substr(0, semi);
  }
  return error.code;
}

}  // namespace nimbus::sqs
