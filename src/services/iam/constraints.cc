// The pattern constraints of the IAM model (names, paths, documents, tags, version ids), which
// the shared validator leaves to the service. Patterns are matched by hand: they are simple,
// and the model writes them in Java's regex dialect (\p{L}, \u0009), which std::regex lacks.
#include <algorithm>
#include <boost/json.hpp>
#include <functional>

#include "core/common/encoding.h"
#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

bool IsNameChar(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' ||
         c == '-';
}

bool IsName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsNameChar(c); });
}

// (\u002F)|(\u002F[\u0021-\u007E]+\u002F)
bool IsPath(std::string_view s) {
  if (s == "/") return true;
  if (s.size() < 3 || s.front() != '/' || s.back() != '/') return false;
  return std::all_of(s.begin() + 1, s.end() - 1, [](char c) { return c >= 0x21 && c <= 0x7E; });
}

// ((/[A-Za-z0-9\.,\+@=_-]+)*)/
bool IsPolicyPath(std::string_view s) {
  if (s.empty() || s.front() != '/' || s.back() != '/') return false;
  size_t segment = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '/') {
      if (segment == 0) return false;
      segment = 0;
    } else if (std::isalnum(c) || c == '.' || c == ',' || c == '+' || c == '@' || c == '=' ||
               c == '_' || c == '-') {
      ++segment;
    } else {
      return false;
    }
  }
  return true;
}

// \u002F[\u0021-\u007F]*
bool IsPathPrefix(std::string_view s) {
  if (s.empty() || s.front() != '/') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7F;
  });
}

// Code points of well-formed UTF-8 `s`; false when malformed.
bool ForEachCodePoint(std::string_view s, const std::function<bool(uint32_t)>& visit) {
  if (!IsValidUtf8(s)) return false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1F;
      n = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0F;
      n = 3;
    } else {
      cp = c & 0x07;
      n = 4;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (!visit(cp)) return false;
    i += n;
  }
  return true;
}

// [\u0009\u000A\u000D\u0020-\u00FF]+
bool IsDocumentText(std::string_view s) {
  return !s.empty() && ForEachCodePoint(s, [](uint32_t cp) {
    return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0xFF);
  });
}

// [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*
bool IsDescriptionText(std::string_view s) {
  return ForEachCodePoint(s, [](uint32_t cp) {
    return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) ||
           (cp >= 0xA1 && cp <= 0xFF);
  });
}

// v[1-9][0-9]*(\.[A-Za-z0-9-]*)?
bool IsVersionId(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9') return false;
  size_t i = 2;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  return std::all_of(s.begin() + static_cast<ptrdiff_t>(i) + 1, s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// [\p{L}\p{Z}\p{N}_.:/=+\-@]* : letters, separators and digits of any script.
bool IsTagText(std::string_view s) {
  return ForEachCodePoint(s, [](uint32_t cp) {
    if (cp >= 0x80) return cp != 0x85 && !(cp >= 0x80 && cp < 0xA0);
    unsigned char c = static_cast<unsigned char>(cp);
    return std::isalnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' ||
           c == '=' || c == '+' || c == '-' || c == '@';
  });
}

constexpr std::string_view kTagPattern = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
constexpr std::string_view kTagKeyPattern = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";

}  // namespace

void Constraints::Add(std::string_view value, std::string_view at, std::string_view pattern) {
  if (problems_.size() >= 10) return;
  problems_.push_back("Value '" + std::string(value) + "' at '" + std::string(at) +
                      "' failed to satisfy constraint: Member must satisfy regular expression "
                      "pattern: " +
                      std::string(pattern));
}

// Strings are checked even when empty: an empty value reaches a handler only from an internal
// caller (the shared validator refuses it over HTTP), and it must not become an entity name.
// A member of another type (also only from internal callers) is refused outright.
void Constraints::Check(std::string_view member, bool (*matches)(std::string_view),
                        std::string_view pattern) {
  const json::value* v = in_.if_contains(member);
  if (!v || v->is_null()) return;
  if (!v->is_string()) {
    if (problems_.size() < 10)
      problems_.push_back("Value '" + json::serialize(*v) + "' at '" + LowerFirst(member) +
                          "' failed to satisfy constraint: Member must be a string");
    return;
  }
  if (!matches(v->get_string())) Add(v->get_string(), LowerFirst(member), pattern);
}

Constraints& Constraints::Name(std::string_view member) {
  Check(member, IsName, "[\\w+=,.@-]+");
  return *this;
}

Constraints& Constraints::Path(std::string_view member) {
  Check(member, IsPath, "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  return *this;
}

Constraints& Constraints::PolicyPath(std::string_view member) {
  Check(member, IsPolicyPath, "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
  return *this;
}

Constraints& Constraints::PathPrefix(std::string_view member) {
  Check(member, IsPathPrefix, "\\u002F[\\u0021-\\u007F]*");
  return *this;
}

Constraints& Constraints::Document(std::string_view member) {
  Check(member, IsDocumentText, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  return *this;
}

Constraints& Constraints::Description(std::string_view member) {
  Check(member, IsDescriptionText, "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");
  return *this;
}

Constraints& Constraints::VersionId(std::string_view member) {
  Check(member, IsVersionId, "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
  return *this;
}

Constraints& Constraints::Tags(std::string_view member) {
  const json::array* tags = GetArray(in_, member);
  if (!tags) return *this;
  std::string at = LowerFirst(member);
  int i = 0;
  for (const auto& t : *tags) {
    ++i;
    if (!t.is_object()) continue;
    std::string key = GetString(t.get_object(), "Key");
    std::string value = GetString(t.get_object(), "Value");
    std::string base = at + "." + std::to_string(i) + ".member";
    if (!key.empty() && !IsTagText(key)) Add(key, base + ".key", kTagKeyPattern);
    if (!IsTagText(value)) Add(value, base + ".value", kTagPattern);
  }
  return *this;
}

Constraints& Constraints::TagKeys(std::string_view member) {
  std::string at = LowerFirst(member);
  int i = 0;
  for (const auto& key : GetStrings(in_, member)) {
    ++i;
    if (!key.empty() && !IsTagText(key))
      Add(key, at + "." + std::to_string(i) + ".member", kTagKeyPattern);
  }
  return *this;
}

Status Constraints::Finish() const {
  if (problems_.empty()) return Ok{};
  std::string msg =
      std::to_string(problems_.size()) +
      (problems_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < problems_.size(); ++i) msg += (i ? "; " : "") + problems_[i];
  return ValidationError(std::move(msg));
}

}  // namespace nimbus::iam
