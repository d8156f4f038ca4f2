#pragma once

// HTTP range and precondition rules as S3 applies them (RFC 9110 sections 13 and 14, and the
// S3 GetObject/HeadObject/PutObject/CopyObject references).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/api_error.h"

namespace nimbus::s3 {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeResult {
  kIgnore,         // no Range, or one S3 ignores (malformed, several ranges): the whole object
  kSatisfiable,    // `*range` set
  kUnsatisfiable,  // 416 InvalidRange
};

// "bytes=a-b", "bytes=a-" and "bytes=-n" against an object of `size` bytes.
RangeResult ParseRange(std::string_view header, uint64_t size, ByteRange* range);

// "bytes a-b/size"
std::string ContentRange(const ByteRange& range, uint64_t size);

// True when `header` (If-Match / If-None-Match: "*", or a comma-separated list of entity tags,
// quoted or not, weak or strong) names `etag` (quoted).
bool EtagListMatches(std::string_view header, std::string_view etag);

// The preconditions of a read (GET, HEAD) or of a copy source. Absent members are nullopt.
struct Preconditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<double> if_modified_since;    // epoch seconds
  std::optional<double> if_unmodified_since;  // epoch seconds
};

enum class PreconditionResult { kOk, kNotModified, kFailed };

// RFC 9110 section 13.2.2 order: If-Match, else If-Unmodified-Since; then If-None-Match, else
// If-Modified-Since. `failed_condition` names the header that failed ("If-Match"...).
// `last_modified_ms` is compared at one-second precision, as HTTP dates carry.
PreconditionResult EvaluatePreconditions(const Preconditions& p, std::string_view etag,
                                         int64_t last_modified_ms, std::string* failed_condition);

}  // namespace nimbus::s3
