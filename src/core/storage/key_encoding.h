#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nimbus::storage {

// Order-preserving key encodings: for values a < b, Encode(a) < Encode(b) in memcmp order, and
// an encoded component is self-delimiting so composite keys compare component by component.

// Byte string: 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01.
void AppendOrderedString(std::string* out, std::string_view s);
// Reads one component written by AppendOrderedString from the front of `*in`, advancing it;
// false if malformed.
bool ConsumeOrderedString(std::string_view* in, std::string* out);

// Big-endian fixed width.
void AppendUint64(std::string* out, uint64_t v);
bool ConsumeUint64(std::string_view* in, uint64_t* v);

// The smallest key greater than every key that starts with `prefix` (for Scan end bounds);
// empty when no such key exists (prefix all 0xFF).
std::string PrefixEnd(std::string_view prefix);

// Keys namespaced by account and region: OrderedString(account) OrderedString(region).
std::string ScopePrefix(std::string_view account, std::string_view region);

}  // namespace nimbus::storage
