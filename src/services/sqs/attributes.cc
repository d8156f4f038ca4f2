#include "services/sqs/attributes.h"

#include <boost/json.hpp>
#include <charconv>

#include "services/sqs/errors.h"

namespace nimbus::sqs {

namespace {

constexpr std::string_view kComputed[] = {"All",
                                          "ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible",
                                          "ApproximateNumberOfMessagesDelayed",
                                          "CreatedTimestamp",
                                          "LastModifiedTimestamp",
                                          "QueueArn"};

struct IntRange {
  std::string_view name;
  int min, max;
  int QueueConfig::*field;
};

constexpr IntRange kIntAttributes[] = {
    {"DelaySeconds", 0, 900, &QueueConfig::delay_seconds},
    {"MaximumMessageSize", 1024, kMaxMessageSize, &QueueConfig::maximum_message_size},
    {"MessageRetentionPeriod", 60, 1209600, &QueueConfig::message_retention_period},
    {"ReceiveMessageWaitTimeSeconds", 0, 20, &QueueConfig::receive_message_wait_time_seconds},
    {"VisibilityTimeout", 0, 43200, &QueueConfig::visibility_timeout},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400, &QueueConfig::kms_data_key_reuse_period_seconds},
};

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseBool(std::string_view s, bool* out) {
  auto lower = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
  };
  if (lower(s, "true")) return *out = true, true;
  if (lower(s, "false")) return *out = false, true;
  return false;
}

ApiError BadValue(std::string_view name) {
  return InvalidAttributeValue("Invalid value for the parameter " + std::string(name) + ".");
}

ApiError BadRedrive(std::string_view value, std::string_view reason) {
  return InvalidParameterValue(
      "Value " + std::string(value) +
      " for parameter RedrivePolicy is invalid. Reason: " + std::string(reason));
}

Status ApplyRedrivePolicy(std::string_view value, bool fifo,
                          const std::function<bool(std::string_view)>& dead_letter_exists,
                          QueueConfig* config) {
  if (value.empty()) {
    config->redrive_policy.clear();
    config->dead_letter_target_arn.clear();
    config->max_receive_count = 0;
    return Ok{};
  }
  json::error_code ec;
  auto doc = json::parse(value, ec);
  if (ec || !doc.is_object()) return BadRedrive(value, "Redrive policy is not a valid JSON map.");
  const auto& o = doc.get_object();
  auto* arn = o.if_contains("deadLetterTargetArn");
  auto* count = o.if_contains("maxReceiveCount");
  if (!arn || !count)
    return BadRedrive(value, "Redrive policy does not contain mandatory attribute: " +
                                 std::string(!arn ? "deadLetterTargetArn" : "maxReceiveCount") +
                                 ".");
  for (const auto& [k, v] : o) {
    (void)v;
    if (k != "deadLetterTargetArn" && k != "maxReceiveCount")
      return BadRedrive(value,
                        "Only following attributes are supported: [deadLetterTargetArn, "
                        "maxReceiveCount].");
  }
  int max_receive = 0;
  if (count->is_int64()) {
    max_receive = count->get_int64() > 100000 ? 100000 : static_cast<int>(count->get_int64());
  } else if (count->is_string()) {
    if (!ParseInt(count->get_string(), &max_receive)) max_receive = 0;
  }
  if (max_receive < 1 || max_receive > 1000)
    return BadRedrive(value, "Invalid value for maxReceiveCount: " +
                                 (count->is_string() ? std::string(count->get_string())
                                                     : json::serialize(*count)) +
                                 ", valid values are from 1 to 1000 both inclusive.");
  if (!arn->is_string() || !dead_letter_exists(arn->get_string()))
    return BadRedrive(value, "Dead letter target does not exist.");
  std::string target(arn->get_string());
  bool target_fifo = target.size() > 5 && target.compare(target.size() - 5, 5, ".fifo") == 0;
  if (target_fifo != fifo)
    return BadRedrive(value, fifo ? "Dead-letter queue must be same type of queue as the source.."
                                  : "Dead-letter queue must be same type of queue as the source.");
  config->dead_letter_target_arn = target;
  config->max_receive_count = max_receive;
  config->redrive_policy = json::serialize(
      json::object{{"deadLetterTargetArn", target}, {"maxReceiveCount", max_receive}});
  return Ok{};
}

}  // namespace

const std::vector<std::string_view>& SettableAttributeNames() {
  static const std::vector<std::string_view> names = {"VisibilityTimeout",
                                                      "MaximumMessageSize",
                                                      "MessageRetentionPeriod",
                                                      "DelaySeconds",
                                                      "ReceiveMessageWaitTimeSeconds",
                                                      "Policy",
                                                      "RedrivePolicy",
                                                      "RedriveAllowPolicy",
                                                      "KmsMasterKeyId",
                                                      "KmsDataKeyReusePeriodSeconds",
                                                      "SqsManagedSseEnabled",
                                                      "FifoQueue",
                                                      "ContentBasedDeduplication",
                                                      "DeduplicationScope",
                                                      "FifoThroughputLimit"};
  return names;
}

bool IsKnownQueueAttribute(std::string_view name) {
  for (auto n : kComputed)
    if (n == name) return true;
  for (auto n : SettableAttributeNames())
    if (n == name) return true;
  return false;
}

Status ApplyQueueAttributes(const json::object& attributes, bool creating, bool fifo,
                            const std::function<bool(std::string_view)>& dead_letter_exists,
                            QueueConfig* config) {
  QueueConfig next = *config;
  next.fifo = fifo;
  for (const auto& [key, v] : attributes) {
    std::string_view name = key;
    std::string value = v.is_string() ? std::string(v.get_string()) : std::string();
    if (!v.is_string()) {
      if (v.is_int64())
        value = std::to_string(v.get_int64());
      else if (v.is_bool())
        value = v.get_bool() ? "true" : "false";
      else
        return BadValue(name);
    }
    bool handled = false;
    for (const auto& r : kIntAttributes) {
      if (r.name != name) continue;
      int n;
      if (!ParseInt(value, &n) || n < r.min || n > r.max) return BadValue(name);
      next.*r.field = n;
      handled = true;
    }
    if (handled) {
    } else if (name == "Policy") {
      if (!value.empty()) {
        json::error_code ec;
        auto doc = json::parse(value, ec);
        if (ec || !doc.is_object()) return BadValue(name);
      }
      next.policy = value;
    } else if (name == "RedrivePolicy") {
      auto st = ApplyRedrivePolicy(value, fifo, dead_letter_exists, &next);
      if (!st) return st;
    } else if (name == "RedriveAllowPolicy") {
      if (!value.empty()) {
        json::error_code ec;
        auto doc = json::parse(value, ec);
        const json::value* perm =
            doc.is_object() ? doc.get_object().if_contains("redrivePermission") : nullptr;
        if (ec || !perm || !perm->is_string() ||
            (perm->get_string() != "allowAll" && perm->get_string() != "denyAll" &&
             perm->get_string() != "byQueue"))
          return InvalidParameterValue("Value " + value +
                                       " for parameter RedriveAllowPolicy is invalid. Reason: "
                                       "Amazon SQS can't create the redrive allow policy, as it's "
                                       "in an unsupported format.");
      }
      next.redrive_allow_policy = value;
    } else if (name == "KmsMasterKeyId") {
      next.kms_master_key_id = value;
      if (!value.empty()) next.sqs_managed_sse_enabled = false;
    } else if (name == "SqsManagedSseEnabled") {
      if (!ParseBool(value, &next.sqs_managed_sse_enabled)) return BadValue(name);
    } else if (name == "FifoQueue") {
      bool b;
      if (!ParseBool(value, &b)) return BadValue(name);
      if (!creating) return InvalidAttributeValue("Invalid value for the parameter FifoQueue.");
      if (b != fifo) return BadValue(name);
    } else if (name == "ContentBasedDeduplication" && fifo) {
      if (!ParseBool(value, &next.content_based_deduplication)) return BadValue(name);
    } else if (name == "DeduplicationScope" && fifo) {
      if (value != "queue" && value != "messageGroup") return BadValue(name);
      next.deduplication_scope = value;
    } else if (name == "FifoThroughputLimit" && fifo) {
      if (value != "perQueue" && value != "perMessageGroupId") return BadValue(name);
      next.fifo_throughput_limit = value;
    } else {
      return InvalidAttributeName("Unknown Attribute " + std::string(name) + ".");
    }
    next.explicit_values[std::string(name)] = value;
  }
  if (fifo && next.deduplication_scope == "messageGroup" &&
      next.fifo_throughput_limit == "perQueue" && attributes.contains("FifoThroughputLimit") &&
      attributes.contains("DeduplicationScope"))
    return InvalidAttributeValue(
        "Invalid value for the parameter FifoThroughputLimit. Reason: To set FifoThroughputLimit "
        "to perQueue, DeduplicationScope must be set to queue.");
  *config = std::move(next);
  return Ok{};
}

std::string ConfigAttribute(const QueueConfig& c, std::string_view name) {
  for (const auto& r : kIntAttributes) {
    if (r.name != name) continue;
    if (name == "KmsDataKeyReusePeriodSeconds" && c.kms_master_key_id.empty()) return {};
    return std::to_string(c.*r.field);
  }
  if (name == "Policy") return c.policy;
  if (name == "RedrivePolicy") return c.redrive_policy;
  if (name == "RedriveAllowPolicy") return c.redrive_allow_policy;
  if (name == "KmsMasterKeyId") return c.kms_master_key_id;
  if (name == "SqsManagedSseEnabled") return c.sqs_managed_sse_enabled ? "true" : "false";
  if (!c.fifo) return {};
  if (name == "FifoQueue") return "true";
  if (name == "ContentBasedDeduplication") return c.content_based_deduplication ? "true" : "false";
  if (name == "DeduplicationScope") return c.deduplication_scope;
  if (name == "FifoThroughputLimit") return c.fifo_throughput_limit;
  return {};
}

}  // namespace nimbus::sqs
