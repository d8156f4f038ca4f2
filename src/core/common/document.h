#pragma once

// The input/output document every handler sees: a JSON value shaped like the service model's
// input/output structure, whatever the wire protocol. Conventions:
//   - blob members hold raw bytes in a JSON string (codecs do base64 where the wire needs it);
//   - timestamp members hold a number of seconds since the epoch (fractions allowed);
//   - structure members use the model's member names (not locationName / wire names).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

namespace nimbus {
using Document = boost::json::value;
namespace json = boost::json;
}  // namespace nimbus
