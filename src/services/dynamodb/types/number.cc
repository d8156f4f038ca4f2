#include "services/dynamodb/types/number.h"

#include <algorithm>
#include <vector>

#include "services/dynamodb/errors.h"

namespace nimbus::dynamodb {

namespace {

constexpr size_t kMaxDigits = 38;
// 0.d x 10^e: 1E-130 is 0.1E-129; 9.99..E+125 is 0.999..E+126.
constexpr int64_t kMinExponent = -129;
constexpr int64_t kMaxExponent = 126;
constexpr int kExponentBias = 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

ApiError NotNumeric(std::string_view text) {
  if (text.empty()) return ValidationError("The parameter cannot be converted to a numeric value");
  return ValidationError("The parameter cannot be converted to a numeric value: " +
                         std::string(text));
}

ApiError Overflow() {
  return ValidationError(
      "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

}  // namespace

Result<Number> Number::Normalize(bool negative, std::string digits, int64_t exponent) {
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') ++lead;
  if (lead == digits.size()) return Number();
  exponent -= static_cast<int64_t>(lead);
  size_t end = digits.size();
  while (end > lead && digits[end - 1] == '0') --end;
  if (exponent > kMaxExponent) return Overflow();
  if (exponent < kMinExponent)
    return ValidationError(
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range");
  if (end - lead > kMaxDigits)
    return ValidationError("Attempting to store more than 38 significant digits in a Number");
  Number n;
  n.negative_ = negative;
  n.digits_ = digits.substr(lead, end - lead);
  n.exponent_ = static_cast<int32_t>(exponent);
  return n;
}

Result<Number> Number::Parse(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  bool negative = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string digits;
  bool any_digit = false;
  while (i < n && IsDigit(s[i])) {
    // Leading zeros carry no information; dropping them here keeps the buffer small.
    if (!(digits.empty() && s[i] == '0')) digits.push_back(s[i]);
    any_digit = true;
    ++i;
  }
  int64_t exponent = static_cast<int64_t>(digits.size());
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsDigit(s[i])) {
      if (digits.empty() && s[i] == '0') {
        --exponent;
      } else {
        digits.push_back(s[i]);
      }
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit) return NotNumeric(s);
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    if (i == n || !IsDigit(s[i])) return NotNumeric(s);
    int64_t e = 0;
    while (i < n && IsDigit(s[i])) {
      if (e < 1000000000) e = e * 10 + (s[i] - '0');
      ++i;
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != n) return NotNumeric(s);
  return Normalize(negative, std::move(digits), exponent);
}

std::string Number::ToString() const {
  if (digits_.empty()) return "0";
  std::string out;
  if (negative_) out.push_back('-');
  const int64_t len = static_cast<int64_t>(digits_.size());
  if (exponent_ <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_), '0');
    out += digits_;
  } else if (exponent_ >= len) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - len), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out.push_back('.');
    out.append(digits_, static_cast<size_t>(exponent_));
  }
  return out;
}

int Number::Compare(const Number& a, const Number& b) {
  auto sign = [](const Number& x) { return x.digits_.empty() ? 0 : (x.negative_ ? -1 : 1); };
  int sa = sign(a), sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int magnitude;
  if (a.exponent_ != b.exponent_) {
    magnitude = a.exponent_ < b.exponent_ ? -1 : 1;
  } else {
    int c = a.digits_.compare(b.digits_);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? magnitude : -magnitude;
}

Result<Number> Number::Add(const Number& other) const {
  if (other.is_zero()) return *this;
  if (is_zero()) return other;
  // Position p holds the digit of 10^p; digit k of x sits at x.exponent_ - 1 - k.
  auto low_of = [](const Number& x) {
    return static_cast<int64_t>(x.exponent_) - static_cast<int64_t>(x.digits_.size());
  };
  const int64_t low = std::min(low_of(*this), low_of(other));
  const int64_t high = std::max<int64_t>(exponent_, other.exponent_);  // exclusive
  const size_t width = static_cast<size_t>(high - low) + 1;
  auto spread = [&](const Number& x) {
    std::vector<int> v(width, 0);
    for (size_t k = 0; k < x.digits_.size(); ++k)
      v[static_cast<size_t>(x.exponent_ - 1 - static_cast<int64_t>(k) - low)] = x.digits_[k] - '0';
    return v;
  };
  std::vector<int> a = spread(*this), b = spread(other), r(width, 0);
  bool negative;
  if (negative_ == other.negative_) {
    negative = negative_;
    int carry = 0;
    for (size_t p = 0; p < width; ++p) {
      int d = a[p] + b[p] + carry;
      r[p] = d % 10;
      carry = d / 10;
    }
  } else {
    int cmp = 0;
    for (size_t p = width; p-- > 0;) {
      if (a[p] != b[p]) {
        cmp = a[p] < b[p] ? -1 : 1;
        break;
      }
    }
    if (cmp == 0) return Number();
    if (cmp < 0) std::swap(a, b);
    negative = cmp > 0 ? negative_ : other.negative_;
    int borrow = 0;
    for (size_t p = 0; p < width; ++p) {
      int d = a[p] - b[p] - borrow;
      borrow = d < 0 ? 1 : 0;
      r[p] = d + borrow * 10;
    }
  }
  std::string digits;
  digits.reserve(width);
  for (size_t p = width; p-- > 0;) digits.push_back(static_cast<char>('0' + r[p]));
  // digits[0] is the digit of 10^(high); the value is 0.digits x 10^(high + 1).
  auto result = Normalize(negative, std::move(digits), high + 1);
  // DynamoDB answers an overflow for a result that cannot be held in 38 digits (1E50 + 1).
  if (!result && result.error().message.find("38 significant") != std::string::npos)
    return Overflow();
  return result;
}

Result<Number> Number::Subtract(const Number& other) const {
  Number negated = other;
  if (!negated.is_zero()) negated.negative_ = !negated.negative_;
  return Add(negated);
}

void Number::AppendOrderedKey(std::string* out) const {
  if (digits_.empty()) {
    out->push_back('\x02');
    return;
  }
  const bool neg = negative_;
  out->push_back(neg ? '\x01' : '\x03');
  uint16_t e = static_cast<uint16_t>(exponent_ + kExponentBias);
  if (neg) e = static_cast<uint16_t>(0xFFFF - e);
  out->push_back(static_cast<char>(e >> 8));
  out->push_back(static_cast<char>(e & 0xFF));
  // Two digits per byte as 1..100; a terminator below (positive) or above (negative) them.
  for (size_t k = 0; k < digits_.size(); k += 2) {
    int pair = (digits_[k] - '0') * 10 + (k + 1 < digits_.size() ? digits_[k + 1] - '0' : 0);
    int byte = pair + 1;
    out->push_back(static_cast<char>(neg ? 255 - byte : byte));
  }
  out->push_back(neg ? '\xFF' : '\x00');
}

bool Number::ConsumeOrderedKey(std::string_view* in, Number* out) {
  if (in->empty()) return false;
  uint8_t tag = static_cast<uint8_t>((*in)[0]);
  if (tag == 2) {
    *out = Number();
    in->remove_prefix(1);
    return true;
  }
  if ((tag != 1 && tag != 3) || in->size() < 4) return false;
  const bool neg = tag == 1;
  uint16_t e =
      static_cast<uint16_t>((static_cast<uint8_t>((*in)[1]) << 8) | static_cast<uint8_t>((*in)[2]));
  if (neg) e = static_cast<uint16_t>(0xFFFF - e);
  std::string digits;
  size_t i = 3;
  for (;; ++i) {
    if (i >= in->size()) return false;
    int byte = static_cast<uint8_t>((*in)[i]);
    if (byte == (neg ? 0xFF : 0x00)) break;
    int pair = (neg ? 255 - byte : byte) - 1;
    if (pair < 0 || pair > 99) return false;
    digits.push_back(static_cast<char>('0' + pair / 10));
    digits.push_back(static_cast<char>('0' + pair % 10));
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return false;
  out->negative_ = neg;
  out->digits_ = std::move(digits);
  out->exponent_ = static_cast<int32_t>(e) - kExponentBias;
  in->remove_prefix(i + 1);
  return true;
}

size_t Number::StorageSize() const {
  // Two digits per byte plus one or two bytes of exponent and sign, as DynamoDB counts them.
  if (digits_.empty()) return 3;
  size_t pairs = (digits_.size() + 1) / 2;
  int64_t sci = static_cast<int64_t>(exponent_) - 1;  // exponent in d.ddd x 10^sci form
  return pairs + ((sci % 2 != 0) ? 1 : 2);
}

Result<std::string> CanonicalNumber(std::string_view text) {
  auto n = Number::Parse(text);
  if (!n) return std::move(n).error();
  return n->ToString();
}

}  // namespace nimbus::dynamodb
