#pragma once

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"
#include "services/dynamodb/state.h"

namespace nimbus::dynamodb {

// The DynamoDB Streams API ("dynamodbstreams"): one shard per stream, records read straight
// from the keys the table's writes add (stream_records.h). Shard iterators are opaque tokens
// carrying the stream, the position and an expiry (15 minutes, as AWS).
Result<Document> ListStreams(State& state, RequestContext& ctx, Document& input);
Result<Document> DescribeStream(State& state, RequestContext& ctx, Document& input);
Result<Document> GetShardIterator(State& state, RequestContext& ctx, Document& input);
Result<Document> GetRecords(State& state, RequestContext& ctx, Document& input);

}  // namespace nimbus::dynamodb
