#pragma once

#include <string>
#include <string_view>

#include "core/common/result.h"

namespace nimbus::sns {

// "arn:<partition>:<service>:<region>:<account>:<resource>"; the resource keeps further ':'.
struct ArnParts {
  std::string partition, service, region, account, resource;
};

// Splits an ARN as SNS does. Fewer than 6 ':'-separated elements: InvalidParameter
// "Invalid parameter: <param> Reason: An ARN must have at least 6 elements, not <n>".
Result<ArnParts> ParseArn(std::string_view arn, std::string_view param);

// A topic ARN usable in `region`: an sns ARN of that region whose resource is a topic name.
// InvalidParameter "Invalid parameter: <param>" otherwise (another region, another service).
Result<ArnParts> ParseTopicArn(std::string_view arn, std::string_view region,
                               std::string_view param = "TopicArn");

// A subscription ARN ("<topic arn>:<id>") usable in `region`; InvalidParameter otherwise
// ("Invalid parameter: SubscriptionId" when the id part is missing).
Result<ArnParts> ParseSubscriptionArn(std::string_view arn, std::string_view region);

// A queue ARN "arn:aws:sqs:<region>:<account>:<name>"; false when `arn` is not one.
bool ParseQueueArn(std::string_view arn, ArnParts* out);

// Topic names: 1-256 of A-Z a-z 0-9 _ -, plus the ".fifo" suffix for FIFO topics.
bool IsValidTopicName(std::string_view name, bool fifo);

}  // namespace nimbus::sns
