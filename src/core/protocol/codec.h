#pragma once

#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/http/http_types.h"
#include "core/protocol/model.h"

namespace nimbus::protocol {

// One codec per wire protocol (json, query, rest-json, rest-xml). A codec turns an HTTP request
// into the operation it names and a validated input document, and an output document or an
// ApiError into the protocol's HTTP response. Stateless and thread-safe.
class Codec {
 public:
  virtual ~Codec() = default;

  // The operation the request names (X-Amz-Target, Action, or method + URI); an ApiError
  // (UnknownOperationException / InvalidAction / 404...) when it names none.
  virtual Result<const Operation*> ResolveOperation(const ServiceModel& model,
                                                    const http::Request& request) const = 0;

  // Input document for `op` (shape conventions in core/common/document.h). Type errors answer
  // the protocol's serialization error; constraint checks are done by Validate (validate.h).
  virtual Result<Document> DecodeInput(const ServiceModel& model, const Operation& op,
                                       const http::Request& request) const = 0;

  // Writes the output document (may be modified/moved from) as the protocol's response.
  virtual void EncodeOutput(const ServiceModel& model, const Operation& op, Document& output,
                            std::string_view request_id, http::Response* response) const = 0;

  // Writes the error in the protocol's envelope (status, headers, body).
  virtual void EncodeError(const ServiceModel& model, const ApiError& error,
                           std::string_view request_id, http::Response* response) const = 0;
};

// The codec for a model protocol name ("json", "query", "rest-json", "rest-xml"); null if none.
const Codec* CodecFor(std::string_view protocol);

}  // namespace nimbus::protocol
