#pragma once

#include <string>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/protocol/model.h"

namespace nimbus::protocol {

struct ValidationOptions {
  std::string error_code = "ValidationException";  // query services: "ValidationError"
  bool check_enums = true;
};

// Checks `input` against `shape`: required members, string/list/map lengths, numeric ranges and
// enum values, collecting every violation into one error worded as AWS does:
//   "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint:
//    Member must not be null; Value '' at 'key' failed to satisfy constraint: ..."
Status Validate(const Shape& shape, const Document& input, const ValidationOptions& options);

}  // namespace nimbus::protocol
