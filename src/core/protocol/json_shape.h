#pragma once

#include <string>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/protocol/model.h"

namespace nimbus::protocol {

// JSON bodies (json and rest-json protocols) <-> documents, in place.

// Checks JSON types against `shape` and rewrites wire forms into document forms (base64 blobs
// to bytes, ISO timestamps to epoch seconds, wire member names to model names); drops nulls.
// A type mismatch answers SerializationException as AWS does.
Status JsonFromWire(const Shape& shape, json::value& value);

// Rewrites document forms into wire forms (bytes to base64, renamed members, timestamp formats);
// `default_timestamp_format` is "unixTimestamp" for both JSON protocols.
void JsonToWire(const Shape& shape, json::value& value);

// Formats a document timestamp (epoch seconds) in `format` ("iso8601", "rfc822",
// "unixTimestamp") as a string.
std::string FormatTimestamp(double epoch_seconds, std::string_view format);
// Parses a timestamp string in any of the three formats (or a number string); false if malformed.
bool ParseTimestamp(std::string_view text, double* epoch_seconds);

}  // namespace nimbus::protocol
