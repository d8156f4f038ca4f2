#pragma once

#include <string>
#include <string_view>

#include "services/sqs/model.h"

namespace nimbus::sqs {

// Lowercase hex MD5 of the body, as MD5OfMessageBody / MD5OfBody.
std::string Md5OfBody(std::string_view body);

// MD5OfMessageAttributes as AWS computes it (SQS Developer Guide, "Calculating the MD5 message
// digest for message attributes"): for each attribute in ascending name order, the name, the
// data type and the value, each as a 4-byte big-endian length and its bytes, with a transport
// type byte (1 for String and Number, 2 for Binary) before the value. `attributes` must be
// sorted by name. Empty string when there are no attributes.
std::string Md5OfAttributes(const MessageAttributes& attributes);

}  // namespace nimbus::sqs
