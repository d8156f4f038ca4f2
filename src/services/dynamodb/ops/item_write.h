#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/dynamodb/state.h"
#include "services/dynamodb/table/table.h"

namespace nimbus::dynamodb {

// The newest version of `table` (same incarnation) for a write that holds an item lock: an
// UpdateTable that added an index since the request looked the table up must see the write.
std::shared_ptr<const Table> CurrentTable(State& state, std::shared_ptr<const Table> table);

// Adds to `batch` the writes turning `old_item` into `new_item` (either null) at `key`: the
// item, its index entries and its stream record. The caller holds the item's lock.
void StageWrite(State& state, const Table& table, const std::string& key,
                const json::object* old_item, const json::object* new_item, size_t new_size,
                storage::WriteBatch* batch, bool service_deletion = false);

// Writes `new_item` (null: deletes) over `old_item` at `key`, with index maintenance and the
// stream record, in one atomic batch. The caller holds the item's lock.
Status CommitItem(State& state, const Table& table, const std::string& key,
                  const json::object* old_item, const json::object* new_item, size_t new_size);

// "ItemCollectionMetrics" for tables with local secondary indexes when asked for (SIZE).
void AddItemCollectionMetrics(const json::object& in, const Table& table, const json::object& item,
                              json::object* out);

// The ConditionalCheckFailedException, carrying the old item when the request asked for it
// (ReturnValuesOnConditionCheckFailure = ALL_OLD).
ApiError ConditionFailed(const json::object& in, const std::optional<json::object>& old_item);

}  // namespace nimbus::dynamodb
