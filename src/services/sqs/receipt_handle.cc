#include "services/sqs/receipt_handle.h"

#include "core/common/encoding.h"

namespace nimbus::sqs {

namespace {

constexpr char kVersion = 'R';
constexpr size_t kEncodedSize = 1 + 3 * 8 + 3;  // version, three u64, check bytes

void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

uint64_t GetU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// A short checksum so that a mangled handle is rejected rather than naming another message.
std::string Check(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) h = (h ^ c) * 16777619u;
  return std::string{static_cast<char>(h >> 16), static_cast<char>(h >> 8), static_cast<char>(h)};
}

}  // namespace

std::string EncodeReceiptHandle(const ReceiptHandle& handle) {
  std::string raw;
  raw.reserve(kEncodedSize);
  raw.push_back(kVersion);
  PutU64(&raw, handle.queue_id);
  PutU64(&raw, handle.seq);
  PutU64(&raw, handle.nonce);
  raw += Check(raw);
  return Base64Encode(raw);
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  auto raw = Base64Decode(text);
  if (!raw || raw->size() != kEncodedSize || (*raw)[0] != kVersion) return std::nullopt;
  std::string_view r(*raw);
  if (Check(r.substr(0, kEncodedSize - 3)) != r.substr(kEncodedSize - 3)) return std::nullopt;
  ReceiptHandle h;
  h.queue_id = GetU64(r.substr(1));
  h.seq = GetU64(r.substr(9));
  h.nonce = GetU64(r.substr(17));
  if (h.nonce == 0) return std::nullopt;
  return h;
}

}  // namespace nimbus::sqs
