#pragma once

#include <string>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/protocol/model.h"

namespace nimbus::protocol {

struct ValidationOptions {
  std::string error_code = "ValidationException";  // query services: "ValidationError"
  bool check_enums = true;
  // When set, an input whose only problems are missing required members answers this code and
  // message instead (S3: MalformedXML for an XML body lacking a required element).
  std::string missing_member_code;
  std::string missing_member_message;
  // When set, a body the codec cannot read (SerializationException: malformed JSON, wrong
  // types) answers this code instead, for services whose model declares no such error (API
  // Gateway: BadRequestException).
  std::string serialization_error_code;
};

// Checks `input` against `shape`: required members, string/list/map lengths, numeric ranges and
// enum values, collecting every violation into one error worded as AWS does:
//   "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint:
//    Member must not be null; Value '' at 'key' failed to satisfy constraint: ..."
Status Validate(const Shape& shape, const Document& input, const ValidationOptions& options);

}  // namespace nimbus::protocol
