#include "core/protocol/validate.h"

#include <boost/json.hpp>
#include <cmath>
#include <string>
#include <vector>

namespace nimbus::protocol {

namespace {

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

std::string FormatNumber(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

std::string ShowValue(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "'" + std::string(v.get_string()) + "'";
  return "'" + json::serialize(v) + "'";
}

class Validator {
 public:
  explicit Validator(const ValidationOptions& o) : options_(o) {}

  void Check(const Shape& shape, const json::value& v, const std::string& path) {
    if (problems_.size() >= 10) return;
    switch (shape.type) {
      case ShapeType::kStructure: {
        if (!v.is_object()) return;
        const auto& o = v.get_object();
        for (const auto& m : shape.members) {
          std::string p = path.empty() ? LowerFirst(m.name) : path + "." + LowerFirst(m.name);
          auto* mv = o.if_contains(m.name);
          if (!mv || mv->is_null()) {
            if (m.required && m.location != Location::kStatusCode) {
              if (problems_.size() < 10) ++missing_;
              Add("null", p, "Member must not be null");
            }
            continue;
          }
          if (m.shape) Check(*m.shape, *mv, p);
        }
        return;
      }
      case ShapeType::kList: {
        if (!v.is_array()) return;
        const auto& a = v.get_array();
        CheckLength(shape, static_cast<double>(a.size()), v, path);
        if (!shape.member.shape) return;
        int i = 1;
        for (const auto& e : a)
          Check(*shape.member.shape, e, path + "." + std::to_string(i++) + ".member");
        return;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return;
        const auto& o = v.get_object();
        CheckLength(shape, static_cast<double>(o.size()), v, path);
        for (const auto& [k, e] : o) {
          if (shape.key.shape) Check(*shape.key.shape, json::value(k), path + ".key");
          if (shape.value.shape)
            Check(*shape.value.shape, e, path + "." + std::string(k) + ".value");
        }
        return;
      }
      case ShapeType::kString: {
        if (!v.is_string()) return;
        const auto& s = v.get_string();
        // Lengths count characters (code points), as AWS does.
        size_t chars = 0;
        for (unsigned char c : s)
          if ((c & 0xC0) != 0x80) ++chars;
        CheckLength(shape, static_cast<double>(chars), v, path);
        if (options_.check_enums && !shape.enum_values.empty()) {
          bool found = false;
          for (const auto& e : shape.enum_values)
            if (e == s) found = true;
          if (!found) {
            std::string set = "[";
            for (size_t i = 0; i < shape.enum_values.size(); ++i)
              set += (i ? ", " : "") + shape.enum_values[i];
            Add(ShowValue(v), path, "Member must satisfy enum value set: " + set + "]");
          }
        }
        return;
      }
      case ShapeType::kBlob:
        if (v.is_string()) CheckLength(shape, static_cast<double>(v.get_string().size()), v, path);
        return;
      case ShapeType::kInteger:
      case ShapeType::kLong:
      case ShapeType::kFloat:
      case ShapeType::kDouble: {
        if (!v.is_number()) return;
        double d = v.to_number<double>();
        if (shape.min && d < *shape.min)
          Add(ShowValue(v), path,
              "Member must have value greater than or equal to " + FormatNumber(*shape.min));
        else if (shape.max && d > *shape.max)
          Add(ShowValue(v), path,
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
  void CheckLength(const Shape& shape, double n, const json::value& v, const std::string& path) {
    if (shape.min && n < *shape.min)
      Add(ShowValue(v), path,
          "Member must have length greater than or equal to " + FormatNumber(*shape.min));
    else if (shape.max && n > *shape.max)
      Add(ShowValue(v), path,
          "Member must have length less than or equal to " + FormatNumber(*shape.max));
  }

  void Add(const std::string& value, const std::string& path, const std::string& constraint) {
    if (problems_.size() < 10)
      problems_.push_back("Value " + value + " at '" + path +
                          "' failed to satisfy constraint: " + constraint);
  }

  const ValidationOptions& options_;
  std::vector<std::string> problems_;
  size_t missing_ = 0;  // problems that are missing required members
};

}  // namespace

Status Validate(const Shape& shape, const Document& input, const ValidationOptions& options) {
  Validator v(options);
  v.Check(shape, input, "");
  return v.Finish();
}

}  // namespace nimbus::protocol
