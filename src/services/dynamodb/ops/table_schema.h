#pragma once

#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"

namespace nimbus::dynamodb {

// Table and index definitions as CreateTable and UpdateTable take them: DynamoDB's checks and
// the description documents DescribeTable returns.

// Every check CreateTable makes on its input, in DynamoDB's order and wording.
Status ValidateCreateTable(const json::object& in);

// Checks one index definition (LocalSecondaryIndex / GlobalSecondaryIndex / Create action)
// against the attribute definitions and the table's key schema.
Status ValidateIndexDefinition(const json::object& index, const json::array& definitions,
                               const json::array& table_key_schema, bool global,
                               std::string_view billing_mode);

// ProvisionedThroughputDescription for a ProvisionedThroughput input (null: on-demand zeros).
json::object ThroughputDescription(const json::value* throughput);
// The description of an index definition: status (GSI only), projection, sizes, ARN.
json::object IndexDescription(const json::object& index, std::string_view table_arn, bool global,
                              std::string_view status);
// SSEDescription for an SSESpecification; empty when SSE is not enabled.
json::object SseDescription(const json::object& sse, const RequestContext& ctx);

}  // namespace nimbus::dynamodb
