#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus {

std::string Base64Encode(std::string_view bytes);
// Standard alphabet, padding optional; nullopt on characters outside the alphabet.
std::optional<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view bytes);  // lowercase
std::optional<std::string> HexDecode(std::string_view hex);

// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - _ . ~);
// '/' kept when `keep_slash` (SigV4 canonical URI, S3 keys).
std::string UriEncode(std::string_view s, bool keep_slash = false);
// Decodes %XX (and '+' as space when `plus_as_space`); nullopt on a malformed escape.
std::optional<std::string> UriDecode(std::string_view s, bool plus_as_space = false);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// XML 1.0 text escaping for element content and attribute values.
std::string XmlEscape(std::string_view s);

}  // namespace nimbus
