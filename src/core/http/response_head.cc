#include "core/http/response_head.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

namespace nimbus::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Beast's field value trim: optional whitespace (space, tab) at both ends.
std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

void AppendField(std::string* head, std::string_view name, std::string_view value) {
  head->append(name);
  head->append(": ", 2);
  head->append(value);
  head->append("\r\n", 2);
}

void AppendLength(std::string* head, size_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  AppendField(head, "Content-Length", std::string_view(digits, static_cast<size_t>(end - digits)));
}

}  // namespace

bool AppendResponseHead(const Response& out, unsigned version, bool close, bool head_request,
                        std::string_view date, std::string* head, bool* send_body) {
  if (out.status < 100 || out.status > 999) return false;
  // Fields limited to a 16-bit offset in Beast (name + ": " and value + "\r\n").
  constexpr size_t kMaxPart = 65535 - 2;
  bool has_date = false, has_length = false;
  const auto& headers = out.headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    std::string_view k = headers[i].first;
    if (k.size() > kMaxPart || headers[i].second.size() > kMaxPart) return false;
    if (beast::iequals(k, "connection") || beast::iequals(k, "transfer-encoding")) return false;
    for (size_t j = 0; j < i; ++j)
      if (beast::iequals(k, headers[j].first)) return false;
    if (!has_date && beast::iequals(k, "date")) has_date = true;
    if (!has_length && beast::iequals(k, "content-length")) has_length = true;
  }
  const bool no_body = out.status < 200 || out.status == 204 || out.status == 304;
  // HEAD keeps the handler's Content-Length; everything else replaces or drops it.
  const bool keep_length = head_request && has_length;

  head->append("HTTP/", 5);
  head->push_back(static_cast<char>('0' + version / 10));
  head->push_back('.');
  head->push_back(static_cast<char>('0' + version % 10));
  head->push_back(' ');
  const int s = out.status;
  head->push_back(static_cast<char>('0' + s / 100));
  head->push_back(static_cast<char>('0' + (s / 10) % 10));
  head->push_back(static_cast<char>('0' + s % 10));
  head->push_back(' ');
  auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(s));
  head->append(reason.data(), reason.size());
  head->append("\r\n", 2);
  for (const auto& [k, v] : headers) {
    if (!keep_length && has_length && beast::iequals(k, "content-length")) continue;
    AppendField(head, k, Trim(v));
  }
  if (!has_date) AppendField(head, "Date", date);
  if (version >= 11) {
    if (close) AppendField(head, "Connection", "close");
  } else if (!close) {
    AppendField(head, "Connection", "keep-alive");
  }
  *send_body = false;
  if (head_request) {
    if (!has_length) AppendLength(head, out.body.size());
  } else if (!no_body) {
    AppendLength(head, out.body.size());
    *send_body = true;
  }
  head->append("\r\n", 2);
  return true;
}

}  // namespace nimbus::http
