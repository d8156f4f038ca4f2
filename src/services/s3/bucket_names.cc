#include "services/s3/bucket_names.h"

#include <cctype>

namespace nimbus::s3 {

namespace {

bool IsIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t n = 0;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
    if (n == 0 || n > 3) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) return parts == 4;
    if (s.front() != '.') return false;
    s.remove_prefix(1);
  }
}

}  // namespace

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return false;
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string_view::npos) return false;
  if (IsIpv4(name)) return false;
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (name.substr(0, p.size()) == p) return false;
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"})
    if (name.size() >= s.size() && name.substr(name.size() - s.size()) == s) return false;
  return true;
}

}  // namespace nimbus::s3
