// Validation of what a sender gives: body characters, message attributes, FIFO parameters.
#include "services/sqs/message_input.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "services/sqs/errors.h"
#include "services/sqs/md5.h"
#include "services/sqs/sqs.h"

namespace nimbus::sqs {

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(p[i])))
      return false;
  return true;
}

bool ValidAttributeName(std::string_view n) {
  if (n.empty() || n.size() > 256 || n.front() == '.' || n.back() == '.') return false;
  if (StartsWithNoCase(n, "aws.") || StartsWithNoCase(n, "amazon.")) return false;
  if (n.find("..") != std::string_view::npos) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

bool IsNumber(std::string_view s) {
  if (s.empty()) return false;
  double d;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && p == s.data() + s.size();
}

// Characters AWS allows in MessageGroupId and MessageDeduplicationId: alphanumerics and
// punctuation, 1 to 128 characters.
bool ValidFifoId(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

ApiError InvalidCharacter(uint32_t c) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "#x%X", c);
  return Error("InvalidMessageContents",
               std::string("Invalid binary character '") + hex +
                   "' was found in the message body, the set of allowed characters is #x9 | #xA "
                   "| #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
}

}  // namespace

std::optional<uint32_t> FirstInvalidCharacter(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80) {  // printable ASCII, most of a typical body: no decoding
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return c;
    }
    if (i + len > s.size()) return c;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return c;
      cp = (cp << 6) | (cc & 0x3f);
    }
    bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong) return c;
    bool ok = cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
              (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return cp;
    i += len;
  }
  return std::nullopt;
}

Status ParseMessageAttributes(const json::object* in, MessageAttributes* out, size_t* bytes) {
  *bytes = 0;
  out->clear();
  if (!in) return Ok{};
  if (in->size() > kMaxAttributes)
    return InvalidParameterValue("Number of message attributes [" + std::to_string(in->size()) +
                                 "] exceeds the allowed maximum [" +
                                 std::to_string(kMaxAttributes) + "].");
  for (const auto& [key, v] : *in) {
    std::string name(key);
    if (!ValidAttributeName(name))
      return InvalidParameterValue("Message (user) attribute name '" + name +
                                   "' is invalid. The attribute name can contain A-Z, a-z, 0-9, "
                                   "underscore (_), hyphen (-), and period (.) characters.");
    std::string_view type = StringMember(v, "DataType");
    if (type.empty())
      return InvalidParameterValue("The message attribute '" + name +
                                   "' must contain non-empty message attribute type.");
    std::string_view base = type.substr(0, type.find('.'));
    if ((base != "String" && base != "Number" && base != "Binary") ||
        (type.size() > base.size() && type.size() == base.size() + 1))
      return InvalidParameterValue(
          "The type of message (user) attribute '" + name +
          "' is invalid. You must use only the following supported type prefixes: Binary, "
          "Number, String.");
    if (HasMember(v, "StringListValues") || HasMember(v, "BinaryListValues")) {
      const json::array* sl = ArrayMember(v, "StringListValues");
      const json::array* bl = ArrayMember(v, "BinaryListValues");
      if ((sl && !sl->empty()) || (bl && !bl->empty()))
        return InvalidParameterValue(
            "Message attribute list values in SendMessage operation "
            "are not supported.");
    }
    MessageAttribute a;
    a.name = name;
    a.data_type = std::string(type);
    a.binary = base == "Binary";
    std::string_view value = StringMember(v, a.binary ? "BinaryValue" : "StringValue");
    if (value.empty())
      return InvalidParameterValue("The message attribute '" + name +
                                   "' must contain non-empty message attribute value for message "
                                   "attribute type '" +
                                   std::string(base) + "'.");
    if (!a.binary) {
      if (auto bad = FirstInvalidCharacter(value))
        return InvalidParameterValue("Message (user) attribute '" + name +
                                     "' value contains invalid characters.");
    }
    if (base == "Number" && !IsNumber(value))
      return InvalidParameterValue("Can't cast the value of message (user) attribute '" + name +
                                   "' to a number.");
    a.value = std::string(value);
    *bytes += a.name.size() + a.data_type.size() + a.value.size();
    out->push_back(std::move(a));
  }
  std::sort(out->begin(), out->end(),
            [](const MessageAttribute& x, const MessageAttribute& y) { return x.name < y.name; });
  return Ok{};
}

Result<std::unique_ptr<Message>> BuildMessage(const Document& entry, const SendParams& params,
                                              std::string_view sender_id, int64_t now_ms,
                                              int* delay_seconds) {
  std::string_view body = StringMember(entry, "MessageBody");
  if (body.empty()) return MissingParameter("MessageBody");
  if (auto bad = FirstInvalidCharacter(body)) return InvalidCharacter(*bad);
  auto m = std::make_unique<Message>();
  size_t attr_bytes = 0;
  auto st =
      ParseMessageAttributes(ObjectMember(entry, "MessageAttributes"), &m->attributes, &attr_bytes);
  if (!st) return std::move(st).error();
  if (body.size() + attr_bytes > static_cast<size_t>(params.maximum_message_size))
    return InvalidParameterValue(
        "One or more parameters are invalid. Reason: Message must be "
        "shorter than " +
        std::to_string(params.maximum_message_size) + " bytes.");
  if (const json::object* sys = ObjectMember(entry, "MessageSystemAttributes")) {
    for (const auto& [k, v] : *sys) {
      if (k != "AWSTraceHeader")
        return InvalidParameterValue("Message system attribute name '" + std::string(k) +
                                     "' is invalid.");
      if (StringMember(v, "DataType") != "String" || StringMember(v, "StringValue").empty())
        return InvalidParameterValue(
            "Message system attribute 'AWSTraceHeader' must be of type "
            "String with a non-empty value.");
      m->trace_header = std::string(StringMember(v, "StringValue"));
    }
  }
  int64_t delay = params.delay_seconds;
  if (int64_t d; IntMember(entry, "DelaySeconds", &d)) {
    if (d < 0 || d > 900)
      return InvalidParameterValue("Value " + std::to_string(d) +
                                   " for parameter DelaySeconds is invalid. Reason: DelaySeconds "
                                   "must be >= 0 and <= 900.");
    if (params.fifo && d != 0)
      return InvalidParameterValue("Value " + std::to_string(d) +
                                   " for parameter DelaySeconds is invalid. Reason: The request "
                                   "include parameter that is not valid for this queue type.");
    if (!params.fifo) delay = d;
  }
  std::string_view group = StringMember(entry, "MessageGroupId");
  std::string_view dedup = StringMember(entry, "MessageDeduplicationId");
  if (params.fifo) {
    if (group.empty()) return MissingParameter("MessageGroupId");
    if (!ValidFifoId(group))
      return InvalidParameterValue("Value " + std::string(group) +
                                   " for parameter MessageGroupId is invalid. Reason: "
                                   "MessageGroupId can only include alphanumeric and punctuation "
                                   "characters. 1 to 128 in length.");
    if (dedup.empty() && !params.content_based_deduplication)
      return InvalidParameterValue(
          "The queue should either have ContentBasedDeduplication "
          "enabled or MessageDeduplicationId provided explicitly");
    if (!dedup.empty() && !ValidFifoId(dedup))
      return InvalidParameterValue("Value " + std::string(dedup) +
                                   " for parameter MessageDeduplicationId is invalid. Reason: "
                                   "MessageDeduplicationId can only include alphanumeric and "
                                   "punctuation characters. 1 to 128 in length.");
    m->dedup_id = dedup.empty() ? HexEncode(Sha256(body)) : std::string(dedup);
  } else {
    if (!dedup.empty())
      return InvalidParameterValue("Value " + std::string(dedup) +
                                   " for parameter MessageDeduplicationId is invalid. Reason: The "
                                   "request includes a parameter that is not valid for this "
                                   "queue type.");
    if (!group.empty() && !ValidFifoId(group))
      return InvalidParameterValue("Value " + std::string(group) +
                                   " for parameter MessageGroupId is invalid. Reason: "
                                   "MessageGroupId can only include alphanumeric and punctuation "
                                   "characters. 1 to 128 in length.");
  }
  m->group_id = std::string(group);
  m->id = NewUuid();
  m->body = std::string(body);
  m->md5_body = Md5OfBody(body);
  m->md5_attributes = Md5OfAttributes(m->attributes);
  m->sender_id = std::string(sender_id);
  m->sent_ms = now_ms;
  *delay_seconds = static_cast<int>(delay);
  return m;
}

std::string DedupScopeKey(const Message& m, bool per_group) {
  if (!per_group) return "q" + m.dedup_id;
  std::string k = "g" + m.group_id;
  k.push_back('\0');
  k += m.dedup_id;
  return k;
}

}  // namespace nimbus::sqs
