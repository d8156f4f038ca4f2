#include "services/sns/arn.h"

#include <cctype>
#include <cstdint>
#include <vector>

#include "services/sns/errors.h"

namespace nimbus::sns {

namespace {

std::vector<std::string_view> Split(std::string_view s, char sep, size_t max_parts) {
  std::vector<std::string_view> parts;
  size_t from = 0;
  while (parts.size() + 1 < max_parts) {
    auto pos = s.find(sep, from);
    if (pos == std::string_view::npos) break;
    parts.push_back(s.substr(from, pos - from));
    from = pos + 1;
  }
  parts.push_back(s.substr(from));
  return parts;
}

bool IsTopicNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

}  // namespace

Result<ArnParts> ParseArn(std::string_view arn, std::string_view param) {
  auto parts = Split(arn, ':', 6);
  if (parts.size() < 6) {
    // SNS counts every ':'-separated element of the whole string.
    size_t elements = Split(arn, ':', SIZE_MAX).size();
    return InvalidParameter("Invalid parameter: " + std::string(param) +
                            " Reason: An ARN must have at least 6 elements, not " +
                            std::to_string(elements));
  }
  if (parts[0] != "arn") return InvalidParameter("Invalid parameter: " + std::string(param));
  return ArnParts{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
                  std::string(parts[4]), std::string(parts[5])};
}

Result<ArnParts> ParseTopicArn(std::string_view arn, std::string_view region,
                               std::string_view param) {
  auto parts = ParseArn(arn, param);
  if (!parts) return parts;
  if (parts->service != "sns" || parts->region != region || parts->resource.empty() ||
      parts->resource.find(':') != std::string::npos)
    return InvalidParameter("Invalid parameter: " + std::string(param));
  return parts;
}

Result<ArnParts> ParseSubscriptionArn(std::string_view arn, std::string_view region) {
  auto parts = ParseArn(arn, "SubscriptionArn");
  if (!parts) return parts;
  if (parts->service != "sns") return InvalidParameter("Invalid parameter: SubscriptionArn");
  auto colon = parts->resource.find(':');
  if (colon == std::string::npos || colon + 1 == parts->resource.size())
    return InvalidParameter("Invalid parameter: SubscriptionId");
  if (parts->region != region) return InvalidParameter("Invalid parameter: SubscriptionArn");
  return parts;
}

bool ParseQueueArn(std::string_view arn, ArnParts* out) {
  auto parts = Split(arn, ':', 6);
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[3].empty() ||
      parts[4].empty() || parts[5].empty() || parts[5].find(':') != std::string_view::npos)
    return false;
  *out = ArnParts{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
                  std::string(parts[4]), std::string(parts[5])};
  return true;
}

bool IsValidTopicName(std::string_view name, bool fifo) {
  if (fifo) {
    if (name.size() < 6 || name.substr(name.size() - 5) != ".fifo") return false;
    name.remove_suffix(5);
  }
  if (name.empty() || name.size() > (fifo ? 251 : 256)) return false;
  for (char c : name)
    if (!IsTopicNameChar(c)) return false;
  return true;
}

}  // namespace nimbus::sns
