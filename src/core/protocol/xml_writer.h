#pragma once

#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/protocol/model.h"

namespace nimbus::protocol {

// Serializes document values as XML the way the query and rest-xml protocols do: lists wrapped
// in <member> (or the list member's locationName) unless flattened, maps as
// <entry><key/><value/></entry>, timestamps ISO 8601, blobs base64, booleans "true"/"false".

// Appends the members of structure `shape` taken from object `value` (no enclosing element).
void AppendXmlMembers(std::string* out, const Shape& shape, const json::value& value);

// Appends one element named `name` holding `value` of `shape` (used for members and roots).
// `xmlns` is written as the default namespace attribute when non-empty.
void AppendXmlElement(std::string* out, std::string_view name, const Shape& shape,
                      const json::value& value, std::string_view xmlns = {});

}  // namespace nimbus::protocol
