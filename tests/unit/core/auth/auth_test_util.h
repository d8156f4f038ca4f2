#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "core/auth/sigv4.h"
#include "core/common/clock.h"

namespace nimbus::auth::testing {

// The AWS SigV4 test suite's credentials and time.
inline constexpr std::string_view kSuiteAccessKey = "AKIDEXAMPLE";
inline constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr std::string_view kSuiteDate = "20150830T123600Z";
// The S3 documentation examples' credentials (note the '/' where the suite has '+').
inline constexpr std::string_view kS3DocAccessKey = "AKIAIOSFODNN7EXAMPLE";
inline constexpr std::string_view kS3DocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// An HTTP request as the HTTP layer would hand it to auth: raw path and query, lowercase names.
struct TestRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  HeaderList headers;
  std::string body;

  RequestView View() const { return RequestView{method, path, query, &headers, body}; }
  TestRequest& Header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

inline Clock::TimePoint At(std::string_view amz_date) {
  Clock::TimePoint tp;
  EXPECT_TRUE(ParseAmzDate(amz_date, &tp)) << amz_date;
  return tp;
}

// What the router does: parse the signature, then verify it.
inline AuthResult ParseAndVerify(const TestRequest& request, std::string_view secret,
                                 Clock::TimePoint now) {
  AuthResult failure;
  std::optional<SignatureInfo> info = ParseSignature(request.View(), &failure);
  if (!info) {
    if (failure.ok()) return AuthResult{AuthFailure::kMalformed, "no signature"};
    return failure;
  }
  return Verify(request.View(), *info, secret, now);
}

}  // namespace nimbus::auth::testing
