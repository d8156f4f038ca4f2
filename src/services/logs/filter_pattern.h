#pragma once

// CloudWatch Logs filter and pattern syntax (FilterLogEvents, metric and subscription filters,
// TestMetricFilter), parsed once into a tree and then matched against many messages.
//
// Supported forms (AWS "Filter pattern syntax for metric filters, subscription filters, filter
// log events, and Live Tail"):
//   - ""                         every event matches;
//   - terms                      ERROR "exact phrase" -> every term appears (case-sensitive
//                                substring); ?ERROR ?WARN -> at least one of the ?-terms
//                                appears; -DEBUG -> the term must not appear;
//   - JSON                       { $.level = "ERROR" && ($.latency > 500 || $.retry IS TRUE) }
//                                with =, !=, <, <=, >, >= (strings: = and != with * wildcards),
//                                IS NULL, NOT EXISTS, IS TRUE, IS FALSE, &&, ||, parentheses,
//                                selectors $.a.b, $.a[0], $.a[0].b;
//   - space-delimited            [ip, user, ..., status = 4*, bytes > 1000] where "..." stands
//                                for any number of fields and a field may carry conditions
//                                joined by && or ||.
// Regular-expression patterns (%...%) are not supported: Parse reports them as invalid.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::logs {

class FilterPattern {
 public:
  // Named values a space-delimited pattern extracted from a message ("$ip" -> "127.0.0.1").
  using ExtractedValues = std::vector<std::pair<std::string, std::string>>;

  // Parses `text`. On failure returns null and sets `*error` to the message AWS answers with
  // (InvalidParameterException): "Invalid filter pattern", "If a filter pattern starts with '{'
  // it must end with '}'", "Invalid character(s) in term '...'". Never throws on any input.
  static std::shared_ptr<const FilterPattern> Parse(std::string_view text, std::string* error);

  ~FilterPattern();
  FilterPattern(const FilterPattern&) = delete;
  FilterPattern& operator=(const FilterPattern&) = delete;

  // True when the pattern selects `message`. Thread-safe (the tree is immutable).
  bool Matches(std::string_view message) const;
  // As Matches, also filling `*extracted` with the named fields of a space-delimited pattern.
  bool Matches(std::string_view message, ExtractedValues* extracted) const;
  // True for the empty pattern (callers skip matching altogether).
  bool MatchesEverything() const;

  struct Impl;

 private:
  explicit FilterPattern(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// '*' matches any run of characters (also none); every other character matches itself.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace nimbus::logs
