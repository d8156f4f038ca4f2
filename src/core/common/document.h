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
#include <string_view>

namespace nimbus {
using Document = boost::json::value;
namespace json = boost::json;

// The string member `name` of an object document; "" when absent, null or not a string.
inline std::string_view StringMember(const Document& doc, std::string_view name) {
  if (!doc.is_object()) return {};
  const json::value* v = doc.get_object().if_contains(name);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// The string member `name` of an object; "" when absent, null or not a string.
inline std::string_view StringMember(const json::object& obj, std::string_view name) {
  const json::value* v = obj.if_contains(name);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// Whether an object document has member `name` with a value other than null.
inline bool HasMember(const Document& doc, std::string_view name) {
  if (!doc.is_object()) return false;
  const json::value* v = doc.get_object().if_contains(name);
  return v && !v->is_null();
}

}  // namespace nimbus
