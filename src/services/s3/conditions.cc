#include "services/s3/conditions.h"

#include <charconv>

namespace nimbus::s3 {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Unquote(std::string_view tag) {
  tag = Trim(tag);
  if (tag.size() >= 2 && (tag[0] == 'W' || tag[0] == 'w') && tag[1] == '/') tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
    tag = tag.substr(1, tag.size() - 2);
  return tag;
}

}  // namespace

RangeResult ParseRange(std::string_view header, uint64_t size, ByteRange* range) {
  header = Trim(header);
  if (header.substr(0, 6) != "bytes=") return RangeResult::kIgnore;
  std::string_view spec = Trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeResult::kIgnore;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::kIgnore;
  std::string_view a = Trim(spec.substr(0, dash));
  std::string_view b = Trim(spec.substr(dash + 1));
  uint64_t first = 0, last = 0;
  if (a.empty()) {
    // Suffix: the last n bytes.
    if (!ParseNumber(b, &last)) return RangeResult::kIgnore;
    if (last == 0 || size == 0) return RangeResult::kUnsatisfiable;
    range->first = last >= size ? 0 : size - last;
    range->last = size - 1;
    return RangeResult::kSatisfiable;
  }
  if (!ParseNumber(a, &first)) return RangeResult::kIgnore;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else {
    if (!ParseNumber(b, &last)) return RangeResult::kIgnore;
    if (last < first) return RangeResult::kIgnore;
    if (size > 0 && last >= size) last = size - 1;
  }
  if (first >= size) return RangeResult::kUnsatisfiable;
  range->first = first;
  range->last = last;
  return RangeResult::kSatisfiable;
}

std::string ContentRange(const ByteRange& range, uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(size);
}

bool EtagListMatches(std::string_view header, std::string_view etag) {
  std::string_view want = Unquote(etag);
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    if (item == "*") return true;
    if (!item.empty() && Unquote(item) == want) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

PreconditionResult EvaluatePreconditions(const Preconditions& p, std::string_view etag,
                                         int64_t last_modified_ms, std::string* failed_condition) {
  double modified = static_cast<double>(last_modified_ms / 1000);
  if (p.if_match) {
    if (!EtagListMatches(*p.if_match, etag)) {
      *failed_condition = "If-Match";
      return PreconditionResult::kFailed;
    }
  } else if (p.if_unmodified_since && modified > *p.if_unmodified_since) {
    *failed_condition = "If-Unmodified-Since";
    return PreconditionResult::kFailed;
  }
  if (p.if_none_match) {
    if (EtagListMatches(*p.if_none_match, etag)) {
      *failed_condition = "If-None-Match";
      return PreconditionResult::kNotModified;
    }
  } else if (p.if_modified_since && modified <= *p.if_modified_since) {
    *failed_condition = "If-Modified-Since";
    return PreconditionResult::kNotModified;
  }
  return PreconditionResult::kOk;
}

}  // namespace nimbus::s3
