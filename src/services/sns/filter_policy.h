#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/document.h"

namespace nimbus::sns {

// Where a subscription's filter policy looks (the FilterPolicyScope attribute).
enum class FilterScope { kMessageAttributes, kMessageBody };

// A parsed, validated SNS subscription filter policy
// (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html): exact
// strings/numbers/booleans/null, prefix, suffix, equals-ignore-case, anything-but (value, list or
// prefix), numeric ranges, exists, cidr, $or, and nested keys in the MessageBody scope.
// Immutable after Parse; safe to share between threads.
class FilterPolicy {
 public:
  // One match expression of a key's list.
  struct Condition {
    enum class Kind {
      kEquals,             // "value", 5, true, null
      kPrefix,             // {"prefix": "x"}
      kSuffix,             // {"suffix": "x"}
      kEqualsIgnoreCase,   // {"equals-ignore-case": "x"}
      kAnythingBut,        // {"anything-but": "x" | 5 | [...]}
      kAnythingButPrefix,  // {"anything-but": {"prefix": "x"}}
      kNumeric,            // {"numeric": [">", 0, "<=", 5]}
      kExists,             // {"exists": true}
      kCidr,               // {"cidr": "10.0.0.0/24"}
    };
    Kind kind = Kind::kEquals;
    json::value value;                                   // kEquals
    std::string text;                                    // string operand of the string kinds
    std::vector<json::value> values;                     // kAnythingBut
    std::vector<std::pair<std::string, double>> ranges;  // kNumeric: (operator, operand)
    bool exists = true;                                  // kExists
    int cidr_family = 0;                                 // kCidr: 4 or 6
    unsigned char cidr_net[16] = {};
    int cidr_bits = 0;
  };
  // One alternative of the policy ($or expanded): every key must match one of its conditions.
  struct Branch {
    std::vector<std::pair<std::string, std::vector<Condition>>> keys;  // dotted key path
  };

  // Parses `text` for `scope`, applying AWS's validation in AWS's order (JSON, at most 5 keys,
  // structure, at most 150 combinations, then each match expression). Null on failure, with
  // `*error` set to AWS's reason without the "Invalid parameter: " prefix, for example
  // "FilterPolicy: Filter policy is too complex".
  static std::unique_ptr<FilterPolicy> Parse(std::string_view text, FilterScope scope,
                                             std::string* error);

  FilterScope scope() const { return scope_; }

  // Matches SNS message attributes as Publish received them: {name: {"DataType": ...,
  // "StringValue": ... | "BinaryValue": ...}}. String.Array values are JSON arrays whose
  // elements match individually; Number values match numerically; Binary values only `exists`.
  bool MatchAttributes(const json::object& attributes) const;

  // Matches a message body, which must be a JSON object (anything else never matches). Nested
  // objects and dotted keys are equivalent ({"a":{"b":1}} and {"a.b":1}); array elements
  // match individually.
  bool MatchBody(std::string_view body) const;

  ~FilterPolicy();
  FilterPolicy(const FilterPolicy&) = delete;
  FilterPolicy& operator=(const FilterPolicy&) = delete;

 private:
  FilterPolicy();

  FilterScope scope_ = FilterScope::kMessageAttributes;
  std::vector<Branch> branches_;
};

}  // namespace nimbus::sns
