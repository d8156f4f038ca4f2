#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/sqs/model.h"

namespace nimbus::sqs {

// Queue attributes (CreateQueue, SetQueueAttributes, GetQueueAttributes) with AWS's defaults,
// ranges and error words.

// True for names GetQueueAttributes knows (including "All" and the computed ones).
bool IsKnownQueueAttribute(std::string_view name);

// Validates `attributes` (name → string value) and applies them to `config`. `creating` allows
// FifoQueue; `fifo` says whether the queue is (or will be) FIFO. `dead_letter_exists` answers
// whether a RedrivePolicy's target ARN names an existing queue of the right type.
// Errors: InvalidAttributeName (unknown or read-only name), InvalidAttributeValue (bad value),
// InvalidParameterValue (bad RedrivePolicy).
Status ApplyQueueAttributes(const json::object& attributes, bool creating, bool fifo,
                            const std::function<bool(std::string_view arn)>& dead_letter_exists,
                            QueueConfig* config);

// The value GetQueueAttributes answers for a settable attribute `name` of `config`; empty when
// the attribute has no value (Policy unset, FIFO attributes on a standard queue).
std::string ConfigAttribute(const QueueConfig& config, std::string_view name);

// Settable attribute names, in the order GetQueueAttributes(All) lists them.
const std::vector<std::string_view>& SettableAttributeNames();

}  // namespace nimbus::sqs
