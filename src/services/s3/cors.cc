#include "services/s3/cors.h"

#include <cctype>

namespace nimbus::s3 {

namespace {

bool EqualChars(char a, char b, bool ignore_case) {
  if (!ignore_case) return a == b;
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

bool EqualText(std::string_view a, std::string_view b, bool ignore_case) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!EqualChars(a[i], b[i], ignore_case)) return false;
  return true;
}

std::vector<std::string> Strings(const json::object& rule, std::string_view member) {
  std::vector<std::string> out;
  auto* v = rule.if_contains(member);
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->get_array())
    if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

}  // namespace

bool CorsPatternMatches(std::string_view pattern, std::string_view text, bool ignore_case) {
  auto star = pattern.find('*');
  if (star == std::string_view::npos) return EqualText(pattern, text, ignore_case);
  std::string_view head = pattern.substr(0, star);
  std::string_view tail = pattern.substr(star + 1);
  if (text.size() < head.size() + tail.size()) return false;
  return EqualText(head, text.substr(0, head.size()), ignore_case) &&
         EqualText(tail, text.substr(text.size() - tail.size()), ignore_case);
}

std::vector<std::string> SplitHeaderNames(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

const json::object* MatchCorsRule(const json::value& config, std::string_view origin,
                                  std::string_view method,
                                  const std::vector<std::string>& request_headers) {
  if (!config.is_object()) return nullptr;
  auto* rules = config.get_object().if_contains("CORSRules");
  if (!rules || !rules->is_array()) return nullptr;
  for (const auto& r : rules->get_array()) {
    if (!r.is_object()) continue;
    const json::object& rule = r.get_object();
    bool origin_ok = false;
    for (const auto& o : Strings(rule, "AllowedOrigins"))
      origin_ok = origin_ok || CorsPatternMatches(o, origin, false);
    bool method_ok = false;
    for (const auto& m : Strings(rule, "AllowedMethods")) method_ok = method_ok || m == method;
    if (!origin_ok || !method_ok) continue;
    std::vector<std::string> allowed = Strings(rule, "AllowedHeaders");
    bool headers_ok = true;
    for (const auto& h : request_headers) {
      bool found = false;
      for (const auto& a : allowed) found = found || CorsPatternMatches(a, h, true);
      headers_ok = headers_ok && found;
    }
    if (headers_ok) return &rule;
  }
  return nullptr;
}

http::HeaderList CorsHeaders(const json::object& rule, std::string_view origin,
                             const std::vector<std::string>& request_headers, bool preflight) {
  http::HeaderList out;
  bool any_origin = false;
  for (const auto& o : Strings(rule, "AllowedOrigins")) any_origin = any_origin || o == "*";
  out.emplace_back("Access-Control-Allow-Origin", any_origin ? "*" : std::string(origin));
  out.emplace_back("Access-Control-Allow-Methods", Join(Strings(rule, "AllowedMethods")));
  if (!any_origin) out.emplace_back("Access-Control-Allow-Credentials", "true");
  if (preflight && !request_headers.empty())
    out.emplace_back("Access-Control-Allow-Headers", Join(request_headers));
  if (auto expose = Strings(rule, "ExposeHeaders"); !expose.empty())
    out.emplace_back("Access-Control-Expose-Headers", Join(expose));
  if (auto* age = rule.if_contains("MaxAgeSeconds"); age && age->is_int64())
    out.emplace_back("Access-Control-Max-Age", std::to_string(age->get_int64()));
  out.emplace_back("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
  return out;
}

}  // namespace nimbus::s3
