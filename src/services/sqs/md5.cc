#include "services/sqs/md5.h"

#include "core/common/encoding.h"
#include "core/common/hashing.h"

namespace nimbus::sqs {

namespace {

void AppendLengthPrefixed(std::string* out, std::string_view bytes) {
  uint32_t n = static_cast<uint32_t>(bytes.size());
  char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                 static_cast<char>(n)};
  out->append(len, 4);
  out->append(bytes);
}

}  // namespace

std::string Md5OfBody(std::string_view body) { return HexEncode(Md5(body)); }

std::string Md5OfAttributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return {};
  std::string buf;
  for (const auto& a : attributes) {
    AppendLengthPrefixed(&buf, a.name);
    AppendLengthPrefixed(&buf, a.data_type);
    buf.push_back(a.binary ? 2 : 1);
    AppendLengthPrefixed(&buf, a.value);
  }
  return HexEncode(Md5(buf));
}

}  // namespace nimbus::sqs
