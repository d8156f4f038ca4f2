#pragma once

#include <string>
#include <string_view>

#include "core/common/api_error.h"

namespace nimbus::sns {

// SNS's errors, with the codes, statuses and wording SNS answers (query protocol, Sender fault).

// InvalidParameter (400), for example "Invalid parameter: TopicArn".
ApiError InvalidParameter(std::string message);
// ParameterValueInvalid (400): malformed message attributes.
ApiError ParameterValueInvalid(std::string message);
// NotFound (404) "Topic does not exist".
ApiError TopicNotFound();
// NotFound (404) "Subscription does not exist".
ApiError SubscriptionNotFound();
// ResourceNotFound (404) "Resource does not exist" (tagging operations).
ApiError ResourceNotFound();
// AuthorizationError (403): `caller` may not perform SNS:`action` on `resource`.
ApiError AuthorizationError(std::string_view caller, std::string_view action,
                            std::string_view resource);
// TagLimitExceeded (400): more than 50 tags on a topic.
ApiError TagLimitExceeded();
// PublishBatch's request-level errors (400).
ApiError EmptyBatchRequest();
ApiError TooManyEntriesInBatchRequest();
ApiError BatchEntryIdsNotDistinct();
ApiError InvalidBatchEntryId();
ApiError BatchRequestTooLong();

}  // namespace nimbus::sns
