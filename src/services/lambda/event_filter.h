#pragma once

// Lambda event filtering (FilterCriteria of an event source mapping): the pattern syntax of
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html. A pattern is a
// JSON object whose leaves are arrays of conditions: exact values ("x", 5, true, null, ""),
// {"prefix"}, {"suffix"}, {"equals-ignore-case"}, {"anything-but": value | [values] |
// {"prefix"|"suffix"|"equals-ignore-case": "x"}}, {"numeric": [op, n (, op, n)]},
// {"exists": bool}, and "$or": [pattern, ...].
//
// SNS's filter policies (services/sns/filter_policy.h) differ enough not to share code: they
// type message attributes, cap keys and combinations with SNS's own wording, and allow cidr.

#include <string_view>
#include <vector>

#include "core/common/document.h"

namespace nimbus::lambda {

class EventFilter {
 public:
  // Parses the Pattern strings of FilterCriteria.Filters; false when one is not a valid pattern
  // (AWS answers "Invalid filter pattern definition.").
  bool Parse(const std::vector<std::string_view>& patterns);
  // True when there are no filters or `record` matches at least one of them.
  bool Matches(const json::value& record) const;
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<json::object> patterns_;
};

}  // namespace nimbus::lambda
