#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"

namespace nimbus::dynamodb {

// Attribute values are kept in the document form the codec hands over: a JSON object with one
// member named after the data type, {"S": "x"}, {"N": "1.5"}, {"B": <raw bytes>}, {"L": [...]},
// {"M": {...}}, {"SS": [...]}; an item is an object from attribute name to attribute value.
// Once validated, numbers are canonical (so equal numbers are equal strings) and sets hold no
// duplicates and are never empty.

enum class AttrType : uint8_t { kS, kN, kB, kBool, kNull, kL, kM, kSS, kNS, kBS };

std::string_view TypeName(AttrType type);
// "S" -> kS ... ; false for anything else.
bool ParseTypeName(std::string_view name, AttrType* type);

// The type of a validated attribute value.
AttrType TypeOf(const json::object& av);
inline const json::value& PayloadOf(const json::object& av) { return av.begin()->value(); }
inline bool IsSet(AttrType t) {
  return t == AttrType::kSS || t == AttrType::kNS || t == AttrType::kBS;
}

// DynamoDB's limit on nested levels of L and M.
inline constexpr int kMaxNestingDepth = 32;

// Checks a client-supplied attribute value and canonicalizes it in place (numbers, NULL). On
// failure the ValidationException DynamoDB answers; messages carry no "One or more parameter
// values were invalid" prefix when DynamoDB's carry none.
Status ValidateAttributeValue(json::value& av);
// Every value of an item (or key) map.
Status ValidateAttributeMap(json::value& map);

// Deep equality (sets compare as sets).
bool ValuesEqual(const json::object& a, const json::object& b);
// Ordering of two S, N or B values of the same type; nullopt for any other pair.
std::optional<int> CompareScalars(const json::object& a, const json::object& b);
// Ordering for sort keys of one type (S, N or B): <0, 0, >0.
int CompareKeyValues(const json::object& a, const json::object& b);

// Sizes as DynamoDB counts them toward the 400 KB item limit and capacity units.
size_t AttributeValueSize(const json::object& av);
size_t ItemSize(const json::object& item);
inline constexpr size_t kMaxItemSize = 400 * 1024;

// Value helpers.
json::value MakeS(std::string_view s);
json::value MakeN(std::string_view canonical);

// Renders a value the way DynamoDB quotes it in messages: {S:abc}, {N:1}.
std::string DescribeValue(const json::object& av);

}  // namespace nimbus::dynamodb
