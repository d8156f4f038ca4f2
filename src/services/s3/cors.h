#pragma once

// CORS as S3 evaluates a bucket's configuration (S3 User Guide, "How Amazon S3 evaluates the
// CORS configuration on a bucket"): the first rule whose AllowedOrigins match the Origin (one '*'
// wildcard per pattern), whose AllowedMethods hold the method and whose AllowedHeaders match
// every requested header (case-insensitive, '*' wildcards) applies.

#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"
#include "core/http/http_types.h"

namespace nimbus::s3 {

// True when `pattern` (at most one '*', matching any run of characters) matches `text`;
// `ignore_case` for header names.
bool CorsPatternMatches(std::string_view pattern, std::string_view text, bool ignore_case);

// The rule of `config` (the stored PutBucketCors document, {"CORSRules": [...]}) that allows
// `origin` to use `method` with `request_headers`; null when none does.
const json::object* MatchCorsRule(const json::value& config, std::string_view origin,
                                  std::string_view method,
                                  const std::vector<std::string>& request_headers);

// The Access-Control-* headers S3 answers for `rule`: Allow-Origin ("*" when the rule allows
// any origin, else the origin, with Allow-Credentials), Allow-Methods, Expose-Headers, Max-Age,
// Vary; a preflight also gets Allow-Headers (the requested ones).
http::HeaderList CorsHeaders(const json::object& rule, std::string_view origin,
                             const std::vector<std::string>& request_headers, bool preflight);

// "a, b,c" -> {"a", "b", "c"} (Access-Control-Request-Headers).
std::vector<std::string> SplitHeaderNames(std::string_view value);

}  // namespace nimbus::s3
