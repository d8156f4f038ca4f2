#include "core/http/http_types.h"

#include "core/common/encoding.h"

namespace nimbus::http {

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& h : headers)
    if (h.first == name) return true;
  return false;
}

std::string_view Request::HostName() const {
  std::string_view host = Header("host");
  if (!host.empty() && host.front() == '[') {  // [::1]:4566
    auto end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  for (auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      v = std::string(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query,
                                                            bool plus_as_space) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string_view k = part.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      auto dk = UriDecode(k, plus_as_space);
      auto dv = UriDecode(v, plus_as_space);
      out.emplace_back(dk ? *dk : std::string(k), dv ? *dv : std::string(v));
    }
    pos = amp + 1;
    if (amp == query.size()) break;
  }
  return out;
}

}  // namespace nimbus::http
