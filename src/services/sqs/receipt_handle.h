#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::sqs {

// What a receipt handle names: one receive of one message. A new receive of the same message
// draws a new nonce, so older handles stop matching.
struct ReceiptHandle {
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  uint64_t nonce = 0;
};

// Opaque base64 text, as SQS's handles look.
std::string EncodeReceiptHandle(const ReceiptHandle& handle);
// nullopt for anything EncodeReceiptHandle did not produce.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace nimbus::sqs
