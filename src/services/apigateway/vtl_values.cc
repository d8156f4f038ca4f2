// The values templates work on: Java's rendering of JSON values, truthiness and equality, and
// the string and JSONPath helpers of $input and $util (see vtl.h).
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/common/encoding.h"
#include "services/apigateway/vtl_syntax.h"

namespace nimbus::apigateway::vtl {

namespace syntax {

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double AsDouble(const json::value& v) {
  return v.is_int64()    ? static_cast<double>(v.get_int64())
         : v.is_uint64() ? static_cast<double>(v.get_uint64())
         : v.is_double() ? v.get_double()
                         : 0;
}
std::optional<int64_t> AsInt(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= INT64_MAX) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double())) return static_cast<int64_t>(v.get_double());
  if (v.is_string()) {
    int64_t n = 0;
    std::string_view s = v.get_string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && p == s.data() + s.size()) return n;
  }
  return std::nullopt;
}

std::string JavaDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  double a = std::fabs(d);
  if (a != 0 && (a < 1e-3 || a >= 1e7)) {
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, p);
    auto e = s.find('e');
    std::string mantissa = s.substr(0, e);
    if (mantissa.find('.') == std::string::npos) mantissa += ".0";
    int exp = std::atoi(s.c_str() + e + 1);
    return mantissa + "E" + std::to_string(exp);
  }
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  std::string s(buf, p);
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

void AppendJava(const json::value& v, std::string* out) {
  switch (v.kind()) {
    case json::kind::string:
      *out += v.get_string();
      break;
    case json::kind::int64:
      *out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      *out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      *out += JavaDouble(v.get_double());
      break;
    case json::kind::bool_:
      *out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::null:
      *out += "null";
      break;
    case json::kind::array: {
      *out += '[';
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) *out += ", ";
        first = false;
        AppendJava(x, out);
      }
      *out += ']';
      break;
    }
    case json::kind::object: {
      *out += '{';
      bool first = true;
      for (const auto& [k, x] : v.get_object()) {
        if (!first) *out += ", ";
        first = false;
        *out += k;
        *out += '=';
        AppendJava(x, out);
      }
      *out += '}';
      break;
    }
  }
}

bool Truthy(const json::value& v) { return !v.is_null() && !(v.is_bool() && !v.get_bool()); }

bool Equal(const json::value& a, const json::value& b) {
  if (IsNumber(a) && IsNumber(b)) return AsDouble(a) == AsDouble(b);
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.kind() == b.kind()) return a == b;
  // Velocity compares objects of different classes by their toString().
  return ToJavaString(a) == ToJavaString(b);
}

// Appends the UTF-16 code units of `s` (UTF-8) to `units`; invalid bytes count as themselves.
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) len = 1;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += len;
  }
  return out;
}

}  // namespace syntax

namespace {

using syntax::AppendJava;
using syntax::CodePoints;

// JSONPath: one step at a time over the set of current matches.
bool PathSteps(std::string_view path, std::vector<std::pair<bool, std::string>>* steps) {
  // steps: (is_name, text) — text "*" with is_name false is the wildcard; an index otherwise.
  size_t i = 0;
  if (path.empty() || path[0] != '$') return false;
  i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      if (i < path.size() && path[i] == '*') {
        steps->emplace_back(false, "*");
        ++i;
        continue;
      }
      size_t s = i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      if (i == s) return false;
      steps->emplace_back(true, std::string(path.substr(s, i - s)));
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && (path[i] == '\'' || path[i] == '"')) {
        char q = path[i++];
        auto close = path.find(q, i);
        if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']')
          return false;
        steps->emplace_back(true, std::string(path.substr(i, close - i)));
        i = close + 2;
      } else {
        auto close = path.find(']', i);
        if (close == std::string_view::npos) return false;
        std::string inner(path.substr(i, close - i));
        if (inner != "*") {
          int64_t n = 0;
          auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), n);
          if (ec != std::errc() || p != inner.data() + inner.size()) return false;
        }
        steps->emplace_back(false, inner);
        i = close + 1;
      }
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<json::value> JsonPath(const json::value& doc, std::string_view path) {
  std::vector<std::pair<bool, std::string>> steps;
  std::string p(path);
  while (!p.empty() && std::isspace(static_cast<unsigned char>(p.back()))) p.pop_back();
  if (!PathSteps(p, &steps)) return std::nullopt;
  std::vector<const json::value*> current{&doc};
  bool multi = false;
  for (const auto& [is_name, text] : steps) {
    std::vector<const json::value*> next;
    for (const json::value* v : current) {
      if (is_name) {
        if (v->is_object())
          if (auto* m = v->get_object().if_contains(text)) next.push_back(m);
      } else if (text == "*") {
        multi = true;
        if (v->is_array())
          for (const auto& x : v->get_array()) next.push_back(&x);
        else if (v->is_object())
          for (const auto& [k, x] : v->get_object()) next.push_back(&x);
      } else if (v->is_array()) {
        int64_t n = std::stoll(text);
        const auto& a = v->get_array();
        if (n < 0) n += static_cast<int64_t>(a.size());
        if (n >= 0 && n < static_cast<int64_t>(a.size()))
          next.push_back(&a[static_cast<size_t>(n)]);
      }
    }
    current = std::move(next);
  }
  if (multi) {
    json::array out;
    for (const auto* v : current) out.push_back(*v);
    return json::value(std::move(out));
  }
  if (current.empty()) return std::nullopt;
  return *current[0];
}

std::string ToJavaString(const json::value& v) {
  std::string out;
  AppendJava(v, &out);
  return out;
}

std::string EscapeJavaScript(std::string_view s) {
  std::string out;
  char buf[16];
  for (uint32_t cp : CodePoints(s)) {
    switch (cp) {
      case '\'':
        out += "\\'";
        continue;
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '/':
        out += "\\/";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\r':
        out += "\\r";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7f) {
      out += static_cast<char>(cp);
      continue;
    }
    auto unit = [&](uint32_t u) {
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    };
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      unit(0xD800 + (v >> 10));
      unit(0xDC00 + (v & 0x3ff));
    } else {
      unit(cp);
    }
  }
  return out;
}

std::string UrlEncodeForm(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace nimbus::apigateway::vtl
