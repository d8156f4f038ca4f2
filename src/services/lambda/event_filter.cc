// Lambda event filter patterns: validated once when a mapping is created or updated, matched
// against every record a poller reads.
#include "services/lambda/event_filter.h"

#include <boost/json.hpp>
#include <cctype>

namespace nimbus::lambda {

namespace {

bool IsScalar(const json::value& v) {
  return v.is_string() || v.is_number() || v.is_bool() || v.is_null();
}

bool ValidNumeric(const json::array& a) {
  // [op, n] or [lower-op, n, upper-op, n]
  if (a.size() != 2 && a.size() != 4) return false;
  for (size_t i = 0; i < a.size(); i += 2) {
    if (!a[i].is_string() || !a[i + 1].is_number()) return false;
    std::string_view op = a[i].get_string();
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") return false;
    if (a.size() == 4) {
      bool lower = op == ">" || op == ">=";
      if (lower != (i == 0)) return false;
    }
  }
  return true;
}

bool ValidStringMatcher(const json::object& o) {
  if (o.size() != 1) return false;
  std::string_view k = o.begin()->key();
  return (k == "prefix" || k == "suffix" || k == "equals-ignore-case") &&
         o.begin()->value().is_string();
}

bool ValidCondition(const json::value& c) {
  if (IsScalar(c)) return true;
  if (!c.is_object() || c.get_object().size() != 1) return false;
  const auto& o = c.get_object();
  std::string_view op = o.begin()->key();
  const json::value& v = o.begin()->value();
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") return v.is_string();
  if (op == "exists") return v.is_bool();
  if (op == "numeric") return v.is_array() && ValidNumeric(v.get_array());
  if (op == "anything-but") {
    if (v.is_object()) return ValidStringMatcher(v.get_object());
    if (v.is_array()) {
      if (v.get_array().empty()) return false;
      for (const auto& e : v.get_array())
        if (!e.is_string() && !e.is_number()) return false;
      return true;
    }
    return v.is_string() || v.is_number();
  }
  return false;
}

bool ValidPattern(const json::object& pattern) {
  if (pattern.empty()) return false;
  for (const auto& kv : pattern) {
    const json::value& v = kv.value();
    if (kv.key() == "$or") {
      if (!v.is_array() || v.get_array().size() < 2) return false;
      for (const auto& alt : v.get_array())
        if (!alt.is_object() || !ValidPattern(alt.get_object())) return false;
    } else if (v.is_object()) {
      if (!ValidPattern(v.get_object())) return false;
    } else if (v.is_array()) {
      if (v.get_array().empty()) return false;
      for (const auto& c : v.get_array())
        if (!ValidCondition(c)) return false;
    } else {
      return false;  // a leaf must be an array of conditions
    }
  }
  return true;
}

double Number(const json::value& v) { return v.to_number<double>(); }

bool Equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return Number(a) == Number(b);
  return a == b;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool StringMatch(std::string_view op, std::string_view operand, const json::value& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.get_string();
  if (op == "prefix") return s.substr(0, operand.size()) == operand;
  if (op == "suffix")
    return s.size() >= operand.size() && s.substr(s.size() - operand.size()) == operand;
  return EqualsIgnoreCase(s, operand);
}

bool NumericMatch(const json::array& ranges, const json::value& v) {
  if (!v.is_number()) return false;
  double x = Number(v);
  for (size_t i = 0; i < ranges.size(); i += 2) {
    std::string_view op = ranges[i].get_string();
    double n = Number(ranges[i + 1]);
    bool ok = op == "="    ? x == n
              : op == "<"  ? x < n
              : op == "<=" ? x <= n
              : op == ">"  ? x > n
                           : x >= n;
    if (!ok) return false;
  }
  return true;
}

// One condition against one present value (an element when the field is an array).
bool MatchValue(const json::value& c, const json::value& v) {
  if (IsScalar(c)) return Equal(c, v);
  const auto& o = c.get_object();
  std::string_view op = o.begin()->key();
  const json::value& arg = o.begin()->value();
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case")
    return StringMatch(op, arg.get_string(), v);
  if (op == "numeric") return NumericMatch(arg.get_array(), v);
  if (op == "exists") return arg.get_bool();
  // anything-but
  if (arg.is_object()) {
    const auto& m = *arg.get_object().begin();
    return v.is_string() && !StringMatch(m.key(), m.value().get_string(), v);
  }
  if (arg.is_array()) {
    for (const auto& e : arg.get_array())
      if (Equal(e, v)) return false;
    return true;
  }
  return !Equal(arg, v);
}

// A leaf's conditions against a field: `field` is null when the key is absent.
bool MatchLeaf(const json::array& conditions, const json::value* field) {
  for (const auto& c : conditions) {
    bool exists_check = c.is_object() && c.get_object().begin()->key() == "exists";
    if (!field) {
      if (exists_check && !c.get_object().begin()->value().get_bool()) return true;
      continue;
    }
    if (exists_check) {
      if (c.get_object().begin()->value().get_bool()) return true;
      continue;
    }
    if (field->is_array()) {
      for (const auto& e : field->get_array())
        if (MatchValue(c, e)) return true;
    } else if (MatchValue(c, *field)) {
      return true;
    }
  }
  return false;
}

bool MatchObject(const json::object& pattern, const json::value* event) {
  const json::object* obj = event && event->is_object() ? &event->get_object() : nullptr;
  for (const auto& kv : pattern) {
    const json::value& p = kv.value();
    if (kv.key() == "$or") {
      bool any = false;
      for (const auto& alt : p.get_array())
        if (MatchObject(alt.get_object(), event)) {
          any = true;
          break;
        }
      if (!any) return false;
      continue;
    }
    const json::value* field = obj ? obj->if_contains(kv.key()) : nullptr;
    if (p.is_object()) {
      if (!MatchObject(p.get_object(), field)) return false;
    } else if (!MatchLeaf(p.get_array(), field)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool EventFilter::Parse(const std::vector<std::string_view>& patterns) {
  patterns_.clear();
  for (std::string_view text : patterns) {
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object() || !ValidPattern(v.get_object())) {
      patterns_.clear();
      return false;
    }
    patterns_.push_back(std::move(v.get_object()));
  }
  return true;
}

bool EventFilter::Matches(const json::value& record) const {
  if (patterns_.empty()) return true;
  for (const auto& p : patterns_)
    if (MatchObject(p, &record)) return true;
  return false;
}

}  // namespace nimbus::lambda
