#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/sqs/model.h"

namespace nimbus::sqs {

// What SendMessage needs of its queue, read once per request.
struct SendParams {
  int delay_seconds = 0;
  int maximum_message_size = kMaxMessageSize;
  bool fifo = false;
  bool content_based_deduplication = false;
  bool deduplicate_per_group = false;
};

// The first character SQS does not allow in a message (allowed: #x9 | #xA | #xD | #x20 to
// #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF, as UTF-8); nullopt when all are allowed.
// Malformed UTF-8 reports its first byte.
std::optional<uint32_t> FirstInvalidCharacter(std::string_view text);

// Validates and sorts the MessageAttributes of a send; `bytes` gets their size as SQS counts it
// toward the message size (name + type + value).
Status ParseMessageAttributes(const json::object* in, MessageAttributes* out, size_t* bytes);

// Builds a message from a SendMessage input or a SendMessageBatch entry (without seq, sequence
// number and visibility, which the queue assigns). Errors are the ones AWS answers for the send.
Result<std::unique_ptr<Message>> BuildMessage(const Document& entry, const SendParams& params,
                                              std::string_view sender_id, int64_t now_ms,
                                              int* delay_seconds);

// The deduplication key of a FIFO message (scope per queue or per message group).
std::string DedupScopeKey(const Message& m, bool per_group);

}  // namespace nimbus::sqs
