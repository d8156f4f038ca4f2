#pragma once

// Helpers shared by the SigV4 sources; not part of the auth contract.

#include <string>
#include <string_view>

#include "core/auth/sigv4.h"

namespace nimbus::auth::internal {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);
bool IsHex(std::string_view s);

// The first value of header `name` (lowercase), or nullptr.
const std::string* FindHeader(const HeaderList* headers, std::string_view name);

// "date/region/service/aws4_request".
std::string Scope(std::string_view date, std::string_view region, std::string_view service);

}  // namespace nimbus::auth::internal
