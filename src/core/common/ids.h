#pragma once

#include <string>
#include <string_view>

namespace nimbus {

// Random identifiers in the shapes AWS uses. Thread-safe (thread-local generators).
std::string NewUuid();                 // "8f0e4c2a-3b1d-4e5f-9a6b-7c8d9e0f1a2b"
std::string NewRequestId();            // uuid form, as most services send
std::string RandomHex(size_t length);  // lowercase hex digits
std::string RandomAlnum(size_t length, bool upper_only = false);
std::string NewAccessKeyId(std::string_view prefix = "AKIA");  // 20 chars, AKIA/ASIA + upper alnum
std::string NewSecretKey();                                    // 40 chars base64-ish

// "arn:aws:<service>:<region>:<account>:<resource>"
std::string Arn(std::string_view service, std::string_view region, std::string_view account,
                std::string_view resource);

}  // namespace nimbus
