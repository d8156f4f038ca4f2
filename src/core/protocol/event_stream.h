#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::protocol {

// One message of AWS's binary event stream (application/vnd.amazon.eventstream): a 12-byte
// prelude (total length, headers length, prelude CRC32), the headers, the payload and a CRC32 of
// everything before it. Every header is a string (type 7), as the event headers AWS sends are
// (":event-type", ":message-type", ":content-type").
std::string EncodeEventStreamMessage(
    const std::vector<std::pair<std::string_view, std::string_view>>& headers,
    std::string_view payload);

// An ":message-type" event message named `event_type` carrying `payload` of `content_type`.
std::string EncodeEvent(std::string_view event_type, std::string_view content_type,
                        std::string_view payload);

}  // namespace nimbus::protocol
