#pragma once

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"
#include "services/dynamodb/state.h"

namespace nimbus::dynamodb {

// One function per DynamoDB operation. Each takes the validated input document (which it may
// rewrite: values are canonicalized in place) and answers the output document or the error.
// Safe to call from any handler thread.

// tables.cc
Result<Document> CreateTable(State& state, RequestContext& ctx, Document& input);
Result<Document> DescribeTable(State& state, RequestContext& ctx, Document& input);
Result<Document> ListTables(State& state, RequestContext& ctx, Document& input);
Result<Document> DeleteTable(State& state, RequestContext& ctx, Document& input);
// table_update.cc
Result<Document> UpdateTable(State& state, RequestContext& ctx, Document& input);
// table_misc.cc
Result<Document> TagResource(State& state, RequestContext& ctx, Document& input);
Result<Document> UntagResource(State& state, RequestContext& ctx, Document& input);
Result<Document> ListTagsOfResource(State& state, RequestContext& ctx, Document& input);
Result<Document> DescribeLimits(State& state, RequestContext& ctx, Document& input);
Result<Document> DescribeEndpoints(State& state, RequestContext& ctx, Document& input);
Result<Document> DescribeTimeToLive(State& state, RequestContext& ctx, Document& input);
Result<Document> UpdateTimeToLive(State& state, RequestContext& ctx, Document& input);
// items.cc
Result<Document> PutItem(State& state, RequestContext& ctx, Document& input);
Result<Document> GetItem(State& state, RequestContext& ctx, Document& input);
Result<Document> DeleteItem(State& state, RequestContext& ctx, Document& input);
Result<Document> UpdateItem(State& state, RequestContext& ctx, Document& input);
// query.cc
Result<Document> Query(State& state, RequestContext& ctx, Document& input);
Result<Document> Scan(State& state, RequestContext& ctx, Document& input);
// batch.cc
Result<Document> BatchGetItem(State& state, RequestContext& ctx, Document& input);
Result<Document> BatchWriteItem(State& state, RequestContext& ctx, Document& input);
// transact.cc
Result<Document> TransactWriteItems(State& state, RequestContext& ctx, Document& input);
Result<Document> TransactGetItems(State& state, RequestContext& ctx, Document& input);
// partiql.cc
Result<Document> ExecuteStatement(State& state, RequestContext& ctx, Document& input);
Result<Document> BatchExecuteStatement(State& state, RequestContext& ctx, Document& input);
Result<Document> ExecuteTransaction(State& state, RequestContext& ctx, Document& input);

// ttl.cc: deletes every expired item now (and trims stream records past retention); how many
// items were deleted.
size_t SweepExpiredItems(State& state);
// The background sweeper: SweepExpiredItems every few seconds, a chunk at a time.
Task<void> RunTtlSweeper(State* state);

// A copy of the table's description with the live ItemCount/TableSizeBytes of the table and
// of each index.
json::object DescribeWithCounts(State& state, const Table& table);

// Backfills every index that is still CREATING, in the background (after UpdateTable added a
// GSI, or at startup after a restart interrupted a backfill).
void ResumeBackfills(State& state);

}  // namespace nimbus::dynamodb
