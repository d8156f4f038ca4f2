#include "core/protocol/event_stream.h"

#include <cstdint>

#include "core/common/hashing.h"

namespace nimbus::protocol {

namespace {

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

}  // namespace

std::string EncodeEventStreamMessage(
    const std::vector<std::pair<std::string_view, std::string_view>>& headers,
    std::string_view payload) {
  std::string encoded_headers;
  for (const auto& [name, value] : headers) {
    encoded_headers.push_back(static_cast<char>(name.size()));  // names are at most 255 bytes
    encoded_headers.append(name);
    encoded_headers.push_back(7);  // string
    encoded_headers.push_back(static_cast<char>(value.size() >> 8));
    encoded_headers.push_back(static_cast<char>(value.size()));
    encoded_headers.append(value);
  }
  auto total = static_cast<uint32_t>(12 + encoded_headers.size() + payload.size() + 4);
  std::string out;
  out.reserve(total);
  PutU32(out, total);
  PutU32(out, static_cast<uint32_t>(encoded_headers.size()));
  PutU32(out, Crc32(std::string_view(out.data(), 8)));
  out.append(encoded_headers);
  out.append(payload);
  PutU32(out, Crc32(out));
  return out;
}

std::string EncodeEvent(std::string_view event_type, std::string_view content_type,
                        std::string_view payload) {
  return EncodeEventStreamMessage({{":event-type", event_type},
                                   {":content-type", content_type},
                                   {":message-type", "event"}},
                                  payload);
}

}  // namespace nimbus::protocol
