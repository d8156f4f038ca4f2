#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace nimbus {

// An error a client can trigger, carried as a value to the protocol codec, which writes it in
// the service's own envelope (`__type` JSON, `<ErrorResponse>`, S3 `<Error>`).
struct ApiError {
  std::string code;          // AWS error code, e.g. "ResourceNotFoundException".
  int http_status = 400;     // HTTP status the codec answers with.
  bool sender_fault = true;  // Query protocol <Type>Sender</Type> vs Receiver.
  std::string message;
  // Extra top-level fields some errors carry (DynamoDB CancellationReasons, S3 <Key>...).
  boost::json::object extra;
  // Extra response headers (S3 x-amz-delete-marker on 404, Retry-After...).
  std::vector<std::pair<std::string, std::string>> headers;

  ApiError() = default;
  ApiError(std::string c, int status, std::string msg, bool sender = true)
      : code(std::move(c)), http_status(status), sender_fault(sender), message(std::move(msg)) {}
};

namespace errors {
// Generic errors shared by all services (names as AWS uses them across protocols).
ApiError Validation(std::string message);  // ValidationException, 400
ApiError InternalFailure();                // InternalFailure, 500 ("internal error" only)
ApiError NotImplemented(std::string_view service, std::string_view operation);
ApiError UnknownOperation(std::string_view operation);  // UnknownOperationException, 400
ApiError SerializationError(std::string message);       // SerializationException, 400
}  // namespace errors

}  // namespace nimbus
