#include "services/sns/message.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "services/sns/errors.h"

namespace nimbus::sns {

namespace {

constexpr size_t kMaxAttributeNameBytes = 255;

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The first code point of a UTF-8 sequence (the byte itself when malformed).
uint32_t CodePoint(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0 || i + static_cast<size_t>(extra) >= s.size()) return c;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// SNS's checks of a message attribute name; "" when valid.
std::string CheckName(std::string_view name) {
  if (name.size() > kMaxAttributeNameBytes)
    return "Length of message attribute name must be less than 256 bytes.";
  if (name.empty()) return "The message attribute name can not be empty.";
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') continue;
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%X", CodePoint(name, i));
    return std::string("Invalid non-alphanumeric character '#x") + hex +
           "' was found in the message attribute name. Can only include alphanumeric "
           "characters, hyphens, underscores, or dots.";
  }
  if (name.front() == '.')
    return "Invalid message attribute name starting with character '.' was found.";
  if (name.back() == '.')
    return "Invalid message attribute name ending with character '.' was found.";
  if (name.find("..") != std::string_view::npos)
    return "Message attribute name can not have successive '.' character.";
  return {};
}

// "String", "Number" or "Binary" for a data type with that prefix ("String.Array",
// "Number.float", "Binary.gif"...); "" otherwise.
std::string BaseType(std::string_view type) {
  for (std::string_view base : {"String", "Number", "Binary"}) {
    if (type == base || (StartsWith(type, base) && type.size() > base.size() &&
                         type[base.size()] == '.' && type.size() > base.size() + 1))
      return std::string(base);
  }
  return {};
}

bool IsNumber(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  std::string text(s);
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(d) &&
         !std::isspace(static_cast<unsigned char>(text[0]));
}

bool IsStringArray(std::string_view s) {
  json::error_code ec;
  json::value v = json::parse(s, ec);
  if (ec || !v.is_array()) return false;
  for (const auto& e : v.get_array())
    if (e.is_object() || e.is_array()) return false;
  return true;
}

// Signing key of this process: signatures look like SNS's (base64 of 256 bytes, an RSA-2048
// signature's size) and are stable for a given message, but verify against no certificate.
const std::string& SigningKey() {
  static const std::string key = RandomHex(64);
  return key;
}

std::string Sign(std::string_view string_to_sign) {
  std::string bytes;
  for (int i = 0; bytes.size() < 256; ++i)
    bytes += HmacSha256(SigningKey(), std::string(string_to_sign) + static_cast<char>(i));
  bytes.resize(256);
  return Base64Encode(bytes);
}

std::string SigningCertUrl(const Links& links) {
  return "https://sns." + links.region +
         ".amazonaws.com/SimpleNotificationService-6209c161c6221fdf56ec1eb5c821d112.pem";
}

std::string UnsubscribeUrl(const Links& links, const std::string& subscription_arn) {
  return links.base_url + "/?Action=Unsubscribe&SubscriptionArn=" + subscription_arn;
}

// SNS lays its JSON documents out as {\n  "Key" : value,\n  ...\n}; message attributes one per
// line as "name" : {"Type":"...","Value":"..."}.
std::string Layout(const json::object& doc) {
  std::string out = "{\n";
  size_t i = 0;
  for (const auto& kv : doc) {
    out += "  ";
    out += json::serialize(json::value(json::string(kv.key())));
    out += " : ";
    if (kv.key() == "MessageAttributes" && kv.value().is_object()) {
      out += "{\n";
      size_t j = 0;
      const auto& attrs = kv.value().get_object();
      for (const auto& a : attrs) {
        out += "    ";
        out += json::serialize(json::value(json::string(a.key())));
        out += " : ";
        out += json::serialize(a.value());
        out += ++j < attrs.size() ? ",\n" : "\n";
      }
      out += "  }";
    } else {
      out += json::serialize(kv.value());
    }
    out += ++i < doc.size() ? ",\n" : "\n";
  }
  out += "}";
  return out;
}

std::string NotificationStringToSign(const Notification& n, const std::string& message) {
  std::string s = "Message\n" + message + "\nMessageId\n" + n.message_id + "\n";
  if (n.subject) s += "Subject\n" + *n.subject + "\n";
  s += "Timestamp\n" + n.timestamp + "\nTopicArn\n" + n.topic_arn + "\nType\nNotification\n";
  return s;
}

}  // namespace

const std::string& Notification::MessageFor(std::string_view protocol) const {
  auto it = structured.find(std::string(protocol));
  return it == structured.end() ? message : it->second;
}

Result<json::object> ValidateMessageAttributes(const json::value* in, std::string_view path) {
  json::object out;
  if (!in || in->is_null()) return out;
  if (!in->is_object()) return out;
  for (const auto& kv : in->get_object()) {
    std::string name(kv.key());
    if (std::string problem = CheckName(name); !problem.empty())
      return ParameterValueInvalid(std::move(problem));
    const json::value& v = kv.value();
    const json::value* type = v.is_object() ? v.get_object().if_contains("DataType") : nullptr;
    if (!type || !type->is_string())
      return ApiError("ValidationError", 400,
                      "1 validation error detected: Value null at '" + std::string(path) + "." +
                          name +
                          ".member.dataType' failed to satisfy constraint: Member must "
                          "not be null");
    const auto& o = v.get_object();
    std::string data_type(type->get_string());
    std::string base = BaseType(data_type);
    if (base.empty())
      return ParameterValueInvalid("The message attribute '" + name +
                                   "' has an invalid message attribute type, the set of "
                                   "supported type prefixes is Binary, Number, and String.");
    const json::value* sv = o.if_contains("StringValue");
    const json::value* bv = o.if_contains("BinaryValue");
    bool has_string = sv && sv->is_string();
    bool has_binary = bv && bv->is_string();
    auto empty_error = [&] {
      return ParameterValueInvalid("The message attribute '" + name +
                                   "' must contain non-empty message attribute value for "
                                   "message attribute type '" +
                                   base + "'.");
    };
    json::object normalized{{"DataType", data_type}};
    if (base == "Binary") {
      if (!has_binary && has_string)
        return ParameterValueInvalid("The message attribute '" + name +
                                     "' with type 'Binary' must use field 'Binary'.");
      if (!has_binary || bv->get_string().empty()) return empty_error();
      normalized["BinaryValue"] = bv->get_string();
    } else {
      if (!has_string && has_binary)
        return ParameterValueInvalid("The message attribute '" + name + "' with type '" + base +
                                     "' must use field 'String'.");
      if (!has_string || sv->get_string().empty()) return empty_error();
      std::string_view text = sv->get_string();
      if (!IsValidUtf8(text))
        return ParameterValueInvalid("The message attribute '" + name +
                                     "' contains invalid characters.");
      if (base == "Number" && !IsNumber(text))
        return ParameterValueInvalid("Could not cast message attribute '" + name +
                                     "' value to number.");
      if (data_type == "String.Array" && !IsStringArray(text))
        return ParameterValueInvalid("The message attribute '" + name +
                                     "' with type 'String.Array' must contain a valid JSON "
                                     "array of strings, numbers, true, false or null.");
      normalized["StringValue"] = text;
    }
    out[name] = std::move(normalized);
  }
  return out;
}

size_t AttributesSize(const json::object& attributes) {
  size_t n = 0;
  for (const auto& kv : attributes) {
    n += kv.key().size();
    for (const auto& m : kv.value().get_object())
      if (m.value().is_string()) n += m.value().get_string().size();
  }
  return n;
}

Result<std::map<std::string, std::string>> ParseMessageStructure(std::string_view message) {
  json::error_code ec;
  json::value doc = json::parse(message, ec);
  if (ec || !doc.is_object())
    return InvalidParameter(
        "Invalid parameter: Message Structure - JSON message body failed to parse");
  std::map<std::string, std::string> out;
  for (const auto& kv : doc.get_object())
    if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
  if (!out.count("default"))
    return InvalidParameter(
        "Invalid parameter: Message Structure - No default entry in JSON message body");
  return out;
}

std::string NotificationDocument(const Notification& n, std::string_view protocol,
                                 const std::string& subscription_arn, const Links& links) {
  const std::string& message = n.MessageFor(protocol);
  json::object doc;
  doc["Type"] = "Notification";
  doc["MessageId"] = n.message_id;
  if (n.fifo) doc["SequenceNumber"] = n.sequence_number;
  doc["TopicArn"] = n.topic_arn;
  if (n.subject) doc["Subject"] = *n.subject;
  doc["Message"] = message;
  doc["Timestamp"] = n.timestamp;
  if (!n.fifo) {
    doc["SignatureVersion"] = std::to_string(n.signature_version);
    doc["Signature"] = Sign(NotificationStringToSign(n, message));
    doc["SigningCertURL"] = SigningCertUrl(links);
  }
  doc["UnsubscribeURL"] = UnsubscribeUrl(links, subscription_arn);
  if (!n.attributes.empty()) doc["MessageAttributes"] = EnvelopeAttributes(n.attributes);
  return Layout(doc);
}

std::string SubscribeUrl(const Links& links, const std::string& topic_arn,
                         const std::string& token) {
  return links.base_url + "/?Action=ConfirmSubscription&TopicArn=" + topic_arn + "&Token=" + token;
}

std::string ConfirmationDocument(std::string_view type, const std::string& message_id,
                                 const std::string& token, const std::string& topic_arn,
                                 const std::string& subscription_arn, const std::string& timestamp,
                                 const Links& links) {
  std::string message =
      type == "SubscriptionConfirmation"
          ? "You have chosen to subscribe to the topic " + topic_arn +
                ".\nTo confirm the subscription, visit the SubscribeURL included in this "
                "message."
          : "You have chosen to deactivate subscription " + subscription_arn +
                ".\nTo cancel this operation and restore the subscription, visit the "
                "SubscribeURL included in this message.";
  std::string url = SubscribeUrl(links, topic_arn, token);
  json::object doc;
  doc["Type"] = type;
  doc["MessageId"] = message_id;
  doc["Token"] = token;
  doc["TopicArn"] = topic_arn;
  doc["Message"] = message;
  doc["SubscribeURL"] = url;
  doc["Timestamp"] = timestamp;
  doc["SignatureVersion"] = "1";
  doc["Signature"] =
      Sign("Message\n" + message + "\nMessageId\n" + message_id + "\nSubscribeURL\n" + url +
           "\nTimestamp\n" + timestamp + "\nToken\n" + token + "\nTopicArn\n" + topic_arn +
           "\nType\n" + std::string(type) + "\n");
  doc["SigningCertURL"] = SigningCertUrl(links);
  return Layout(doc);
}

std::string LambdaEvent(const Notification& n, const std::string& subscription_arn,
                        const Links& links) {
  const std::string& message = n.MessageFor("lambda");
  json::object sns;
  sns["Type"] = "Notification";
  sns["MessageId"] = n.message_id;
  sns["TopicArn"] = n.topic_arn;
  sns["Subject"] = n.subject ? json::value(*n.subject) : json::value(nullptr);
  sns["Message"] = message;
  sns["Timestamp"] = n.timestamp;
  sns["SignatureVersion"] = std::to_string(n.signature_version);
  sns["Signature"] = Sign(NotificationStringToSign(n, message));
  sns["SigningCertUrl"] = SigningCertUrl(links);
  sns["UnsubscribeUrl"] = UnsubscribeUrl(links, subscription_arn);
  sns["MessageAttributes"] = EnvelopeAttributes(n.attributes);
  json::object record{{"EventSource", "aws:sns"},
                      {"EventVersion", "1.0"},
                      {"EventSubscriptionArn", subscription_arn},
                      {"Sns", std::move(sns)}};
  return json::serialize(json::object{{"Records", json::array{std::move(record)}}});
}

json::object SqsMessageAttributes(const json::object& attributes) {
  json::object out;
  for (const auto& kv : attributes) {
    const auto& a = kv.value().get_object();
    json::object v{{"DataType", a.at("DataType")}};
    if (const json::value* s = a.if_contains("StringValue")) v["StringValue"] = *s;
    if (const json::value* b = a.if_contains("BinaryValue")) v["BinaryValue"] = *b;
    out[kv.key()] = std::move(v);
  }
  return out;
}

json::object EnvelopeAttributes(const json::object& attributes) {
  json::object out;
  for (const auto& kv : attributes) {
    const auto& a = kv.value().get_object();
    json::object v{{"Type", a.at("DataType")}};
    if (const json::value* b = a.if_contains("BinaryValue"); b && b->is_string()) {
      v["Value"] = Base64Encode(b->get_string());
    } else if (const json::value* s = a.if_contains("StringValue")) {
      v["Value"] = *s;
    }
    out[kv.key()] = std::move(v);
  }
  return out;
}

}  // namespace nimbus::sns
