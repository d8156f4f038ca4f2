#pragma once

#include <string>
#include <string_view>

#include "core/common/api_error.h"

namespace nimbus::sqs {

// SQS's errors. SQS moved from the query protocol to JSON 1.0 with awsQueryCompatible: the JSON
// answer names the modeled shape in __type (QueueDoesNotExist) and carries the legacy query code
// in the header `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`, which boto3
// and the JavaScript SDK report as the error code. Every error built here has `code` = the JSON
// name and that header; the query codec (query_wire.h) answers the header's legacy code.

inline constexpr std::string_view kQueryErrorHeader = "x-amzn-query-error";

// A modeled SQS error by shape name ("QueueDoesNotExist"), with its legacy code and HTTP status
// from the SQS model (awsQueryError traits).
ApiError Error(std::string_view shape, std::string message);

ApiError QueueDoesNotExist();
ApiError InvalidParameterValue(std::string message);
// "The request must contain the parameter <name>."
ApiError MissingParameter(std::string_view name);
ApiError InvalidAttributeName(std::string message);
ApiError InvalidAttributeValue(std::string message);
ApiError ReceiptHandleIsInvalid(std::string_view handle);
ApiError UnsupportedOperation(std::string message);

// The legacy query code carried by `error` (its x-amzn-query-error header), else error.code.
std::string LegacyCode(const ApiError& error);

}  // namespace nimbus::sqs
