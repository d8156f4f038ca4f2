#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/document.h"

namespace nimbus::dynamodb {

// Where DynamoDB state lives in the KvStore, all in keyspace "dynamodb":
//
//   "t" Scope(account, region) OrderedString(table name) -> table record (JSON)
//   "n"                                                  -> last storage id handed out
//   "d" u64 storage id, u32 partition hash, key values    -> items and index entries
//
// Items are keyed by their table's storage id (unique per table incarnation and never reused,
// so DeleteTable + CreateTable cannot see stale items; DeleteTable drops the old range with
// DeleteRange), then a hash of the partition key (parallel Scan segments are hash ranges, and
// Scan order looks like DynamoDB's), then the partition key and the sort key in
// order-preserving encodings, so a Query is one range scan. An index entry is keyed the same
// way under the index's own storage id, by the index's keys followed by the table's keys.

inline constexpr std::string_view kKeyspace = "dynamodb";

std::string TableRecordKey(std::string_view account, std::string_view region,
                           std::string_view table_name);
std::string TableRecordPrefix(std::string_view account, std::string_view region);
inline constexpr std::string_view kStorageIdKey = "n";

// "d" + big-endian storage id.
std::string DataPrefix(uint64_t storage_id);
// Appends a key value (S, N or B) in its order-preserving, self-delimiting encoding: bytes for
// S and B (UTF-8 / unsigned byte order), the decimal encoding for N.
void AppendKeyValue(std::string* out, const json::object& av);
// Appends the big-endian hash of an encoded partition key value.
void AppendPartitionHash(std::string* out, std::string_view encoded_partition_key);
// First hash of parallel-scan segment `segment` of `total` (total > 0).
uint32_t SegmentStartHash(uint32_t segment, uint32_t total);

}  // namespace nimbus::dynamodb
