#include "core/http/http_types.h"

#include <cctype>

#include "core/common/encoding.h"

namespace nimbus::http {

const HeaderList& BodyStream::trailers() const {
  static const HeaderList kNone;
  return kNone;
}

Task<bool> ReadWholeBody(BodyStream* stream, uint64_t limit, std::string* out, bool* too_large) {
  *too_large = false;
  out->clear();
  if (auto length = stream->length()) {
    if (*length > limit) {
      *too_large = true;
      co_return false;
    }
    out->reserve(static_cast<size_t>(*length));
  }
  std::string chunk;
  for (;;) {
    if (!co_await stream->Read(&chunk)) co_return false;
    if (chunk.empty()) co_return true;
    if (chunk.size() > limit - out->size()) {
      *too_large = true;
      co_return false;
    }
    if (out->empty() && out->capacity() < chunk.size())
      out->swap(chunk);
    else
      out->append(chunk);
  }
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::vector<std::string_view> Request::HeaderNamesAsSent() const {
  std::vector<std::string_view> names;
  names.reserve(headers.size());
  std::string_view rest = header_names_as_sent;
  for (const auto& h : headers) {
    auto nl = rest.find('\n');
    std::string_view name = nl == std::string_view::npos ? std::string_view() : rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    // A name that is not the same header (not recorded, or the lists differ) falls back.
    bool same = name.size() == h.first.size();
    for (size_t i = 0; same && i < name.size(); ++i)
      same = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i]))) == h.first[i];
    names.push_back(same ? name : std::string_view(h.first));
  }
  return names;
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

namespace {
// Scans `text` for name=value pairs whose decoded name is `name`; sets `*out` to the last value.
void ScanParameter(std::string_view text, std::string_view name, std::string* out, bool* found) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    bool match = k == name;
    if (!match && k.find_first_of("%+") != std::string_view::npos) {
      auto dk = UriDecode(k, true);
      match = dk && *dk == name;
    }
    if (match) {
      std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      auto dv = UriDecode(v, true);
      *out = dv ? *dv : std::string(v);
      *found = true;
    }
    pos = amp + 1;
  }
}
}  // namespace

std::string FormParameter(const Request& request, std::string_view name) {
  std::string value;
  bool found = false;
  ScanParameter(request.query, name, &value, &found);
  std::string_view ct = request.Header("content-type");
  if (request.method == "POST" &&
      (ct.empty() || ct.find("application/x-www-form-urlencoded") != std::string_view::npos))
    ScanParameter(request.body, name, &value, &found);
  return value;
}

}  // namespace nimbus::http
