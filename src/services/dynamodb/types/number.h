#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace nimbus::dynamodb {

// A DynamoDB number: a decimal with at most 38 significant digits and a magnitude between
// 1E-130 and 9.9999999999999999999999999999999999999E+125 (or zero). Exact: never a double.
//
// Held as sign, significant digits (no leading or trailing zeros) and exponent, so that the
// value is 0.d1d2d3... x 10^exponent. Zero has no digits.
class Number {
 public:
  Number() = default;

  // Parses DynamoDB's number syntax ("-17.4E37", "+3", ".123", "0001.23"); on failure the
  // ValidationException DynamoDB answers (not numeric, overflow, underflow, > 38 digits).
  static Result<Number> Parse(std::string_view text);

  // The canonical text DynamoDB returns: plain notation without exponent, no leading or trailing
  // zeros ("1.50" -> "1.5", "-0" -> "0", "1e3" -> "1000").
  std::string ToString() const;

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }

  // <0, 0, >0 as a is less than, equal to or greater than b (numerically).
  static int Compare(const Number& a, const Number& b);
  bool operator==(const Number& o) const { return Compare(*this, o) == 0; }

  // Exact sum and difference; ValidationException when the result needs more than 38 digits or
  // leaves the supported range.
  Result<Number> Add(const Number& other) const;
  Result<Number> Subtract(const Number& other) const;

  // Appends an encoding whose memcmp order is numeric order; self-delimiting.
  void AppendOrderedKey(std::string* out) const;
  // Reads one encoding written by AppendOrderedKey from the front of `*in`; false if malformed.
  static bool ConsumeOrderedKey(std::string_view* in, Number* out);

  // The bytes DynamoDB counts for this number in an item's size.
  size_t StorageSize() const;

 private:
  static Result<Number> Normalize(bool negative, std::string digits, int64_t exponent);

  bool negative_ = false;
  std::string digits_;  // '1'..'9' first, no trailing '0'; empty for zero
  int32_t exponent_ = 0;
};

// Parses `text` and returns its canonical form, or the ValidationException.
Result<std::string> CanonicalNumber(std::string_view text);

}  // namespace nimbus::dynamodb
