#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"

namespace nimbus::sns {

// One published message, shared by all of its deliveries.
struct Notification {
  std::string message_id, topic_arn, account, region;
  std::optional<std::string> subject;
  std::string message;  // the message, or the "default" entry with MessageStructure=json
  std::map<std::string, std::string> structured;  // MessageStructure=json: protocol → message
  // Validated message attributes: name → {"DataType", "StringValue" | "BinaryValue" (raw bytes)}.
  json::object attributes;
  std::string group_id, dedup_id, sequence_number;  // FIFO topics
  std::string timestamp;                            // ISO 8601 with milliseconds
  int signature_version = 1;
  bool fifo = false;

  // The message a subscriber of `protocol` receives.
  const std::string& MessageFor(std::string_view protocol) const;
};

// Validates Publish's MessageAttributes as SNS does (names, data types, values), answering
// ParameterValueInvalid with SNS's wording; `in` may be null or of any JSON type. On success the
// normalized attributes (see Notification::attributes).
Result<json::object> ValidateMessageAttributes(const json::value* in, std::string_view path);

// The bytes SNS counts against the 256 KB limit: names, data types and values.
size_t AttributesSize(const json::object& attributes);

// Parses a MessageStructure=json message: a JSON object with a string "default" entry; the
// string entries by protocol. InvalidParameter "Invalid parameter: Message Structure - ..."
// otherwise.
Result<std::map<std::string, std::string>> ParseMessageStructure(std::string_view message);

// Where subscribers reach nimbus (SubscribeURL/UnsubscribeURL), e.g. "http://127.0.0.1:4566".
struct Links {
  std::string base_url;
  std::string region;
};

// The JSON document SNS delivers to SQS, HTTP/S and email-json subscribers
// ("Type": "Notification"), laid out as SNS writes it ("Key" : value, one member per line).
// FIFO topics leave out the signature members and add SequenceNumber, as SNS does.
std::string NotificationDocument(const Notification& n, std::string_view protocol,
                                 const std::string& subscription_arn, const Links& links);

// "SubscriptionConfirmation" / "UnsubscribeConfirmation" documents for HTTP/S and email.
std::string ConfirmationDocument(std::string_view type, const std::string& message_id,
                                 const std::string& token, const std::string& topic_arn,
                                 const std::string& subscription_arn, const std::string& timestamp,
                                 const Links& links);
// The URL that confirms a subscription with `token`.
std::string SubscribeUrl(const Links& links, const std::string& topic_arn,
                         const std::string& token);

// The event a Lambda subscriber is invoked with ({"Records":[{"EventSource":"aws:sns",...}]}).
std::string LambdaEvent(const Notification& n, const std::string& subscription_arn,
                        const Links& links);

// Message attributes as SQS SendMessage takes them (raw message delivery).
json::object SqsMessageAttributes(const json::object& attributes);

// {"name": {"Type": ..., "Value": ...}} as notifications carry them (binary values base64).
json::object EnvelopeAttributes(const json::object& attributes);

}  // namespace nimbus::sns
