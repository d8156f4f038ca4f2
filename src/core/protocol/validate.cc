#include "core/protocol/validate.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace nimbus::protocol {

namespace {

std::string FormatNumber(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

std::string ShowValue(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "'" + std::string(v.get_string()) + "'";
  return "'" + json::serialize(v) + "'";
}

std::string ShowValue(std::string_view s) { return "'" + std::string(s) + "'"; }

// The path of the value being checked ("requestItems.t.member.1.putRequest.item") lives in one
// buffer that grows and shrinks with the walk: it is only read when a problem is found, so a valid
// input costs no string building per member.
class Validator {
 public:
  explicit Validator(const ValidationOptions& o) : options_(o) { path_.reserve(128); }

  void Check(const Shape& shape, const json::value& v) {
    if (problems_.size() >= 10) return;
    switch (shape.type) {
      case ShapeType::kStructure: {
        if (!v.is_object()) return;
        const auto& o = v.get_object();
        for (const auto& m : shape.members) {
          auto* mv = o.if_contains(m.name);
          if (!mv || mv->is_null()) {
            if (m.required && m.location != Location::kStatusCode) {
              if (problems_.size() < 10) ++missing_;
              size_t mark = PushMember(m.name);
              Add("null", "Member must not be null");
              path_.resize(mark);
            }
            continue;
          }
          if (m.shape) {
            size_t mark = PushMember(m.name);
            Check(*m.shape, *mv);
            path_.resize(mark);
          }
        }
        return;
      }
      case ShapeType::kList: {
        if (!v.is_array()) return;
        const auto& a = v.get_array();
        CheckLength(shape, static_cast<double>(a.size()), v);
        if (!shape.member.shape) return;
        size_t i = 1;
        for (const auto& e : a) {
          size_t mark = path_.size();
          path_ += '.';
          AppendNumber(i++);
          path_ += ".member";
          Check(*shape.member.shape, e);
          path_.resize(mark);
        }
        return;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return;
        const auto& o = v.get_object();
        CheckLength(shape, static_cast<double>(o.size()), v);
        for (const auto& [k, e] : o) {
          size_t mark = path_.size();
          if (shape.key.shape) {
            path_ += ".key";
            CheckKey(*shape.key.shape, k);
            path_.resize(mark);
          }
          if (shape.value.shape) {
            path_ += '.';
            path_.append(k.data(), k.size());
            path_ += ".value";
            Check(*shape.value.shape, e);
            path_.resize(mark);
          }
        }
        return;
      }
      case ShapeType::kString: {
        if (!v.is_string()) return;
        CheckString(shape, v.get_string(), v);
        return;
      }
      case ShapeType::kBlob:
        if (v.is_string()) CheckLength(shape, static_cast<double>(v.get_string().size()), v);
        return;
      case ShapeType::kInteger:
      case ShapeType::kLong:
      case ShapeType::kFloat:
      case ShapeType::kDouble: {
        if (!v.is_number()) return;
        if (!shape.min && !shape.max) return;
        double d = v.to_number<double>();
        if (shape.min && d < *shape.min)
          Add(ShowValue(v),
              "Member must have value greater than or equal to " + FormatNumber(*shape.min));
        else if (shape.max && d > *shape.max)
          Add(ShowValue(v),
              "Member must have value less than or equal to " + FormatNumber(*shape.max));
        return;
      }
      default:
        return;
    }
  }

  Status Finish() {
    if (problems_.empty()) return Ok{};
    std::string msg =
        std::to_string(problems_.size()) +
        (problems_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < problems_.size(); ++i) msg += (i ? "; " : "") + problems_[i];
    if (!options_.missing_member_code.empty() && missing_ == problems_.size())
      return ApiError(
          options_.missing_member_code, 400,
          options_.missing_member_message.empty() ? msg : options_.missing_member_message);
    return ApiError(options_.error_code, 400, msg);
  }

 private:
  // Appends ".name" (or "name" at the top) with the first letter lowered; returns the size to
  // restore.
  size_t PushMember(std::string_view name) {
    size_t mark = path_.size();
    if (!path_.empty()) path_ += '.';
    if (!name.empty()) {
      path_ += static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
      path_.append(name.data() + 1, name.size() - 1);
    }
    return mark;
  }

  void AppendNumber(size_t n) {
    char buf[24];
    int len = std::snprintf(buf, sizeof buf, "%zu", n);
    path_.append(buf, static_cast<size_t>(len));
  }

  // A string value (or a map key, shown as the value it is).
  template <typename Show>
  void CheckString(const Shape& shape, std::string_view s, const Show& shown) {
    if (shape.min || shape.max) {
      // Lengths count characters (code points), as AWS does.
      size_t chars = 0;
      for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++chars;
      CheckLength(shape, static_cast<double>(chars), shown);
    }
    if (options_.check_enums && !shape.enum_values.empty()) {
      bool found = false;
      for (const auto& e : shape.enum_values)
        if (e == s) found = true;
      if (!found) {
        std::string set = "[";
        for (size_t i = 0; i < shape.enum_values.size(); ++i)
          set += (i ? ", " : "") + shape.enum_values[i];
        Add(ShowValue(shown), "Member must satisfy enum value set: " + set + "]");
      }
    }
  }

  void CheckKey(const Shape& shape, std::string_view k) {
    if (problems_.size() >= 10) return;
    if (shape.type == ShapeType::kString) {
      CheckString(shape, k, k);
    } else {
      Check(shape, json::value(json::string_view(k.data(), k.size())));
    }
  }

  template <typename Show>
  void CheckLength(const Shape& shape, double n, const Show& shown) {
    if (shape.min && n < *shape.min)
      Add(ShowValue(shown),
          "Member must have length greater than or equal to " + FormatNumber(*shape.min));
    else if (shape.max && n > *shape.max)
      Add(ShowValue(shown),
          "Member must have length less than or equal to " + FormatNumber(*shape.max));
  }

  void Add(const std::string& value, const std::string& constraint) {
    if (problems_.size() < 10)
      problems_.push_back("Value " + value + " at '" + path_ +
                          "' failed to satisfy constraint: " + constraint);
  }

  const ValidationOptions& options_;
  std::string path_;
  std::vector<std::string> problems_;
  size_t missing_ = 0;  // problems that are missing required members
};

}  // namespace

Status Validate(const Shape& shape, const Document& input, const ValidationOptions& options) {
  Validator v(options);
  v.Check(shape, input);
  return v.Finish();
}

}  // namespace nimbus::protocol
