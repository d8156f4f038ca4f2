#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "services/dynamodb/types/attribute_value.h"

namespace nimbus::dynamodb {

struct KeyAttribute {
  std::string name;
  AttrType type = AttrType::kS;  // S, N or B
};

struct KeySchema {
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
};

enum class ProjectionType { kAll, kKeysOnly, kInclude };

struct Index {
  std::string name;
  bool global = false;
  uint64_t storage_id = 0;  // keyspace prefix of this index's entries
  KeySchema key;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;
  bool readable = true;  // false while a new GSI is backfilling
};

// One table as the data plane needs it, derived from the persisted record (a JSON object:
// "Description" is the TableDescription DescribeTable answers minus the live counters, plus
// "StorageId", "IndexStorageIds", "Tags", "TimeToLive"). Immutable once built; a change makes
// a new Table.
struct Table {
  std::string account;
  std::string region;
  std::string name;
  uint64_t storage_id = 0;  // keyspace prefix of this incarnation's items
  KeySchema key;
  std::vector<Index> indexes;
  uint64_t stream_id = 0;        // storage id of the enabled stream's records; 0: no stream
  std::string stream_view_type;  // KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES
  json::object record;

  const Index* FindIndex(std::string_view index_name) const;
  const json::object& description() const { return record.at("Description").get_object(); }
  std::string arn() const;
  bool has_streams() const;
  bool is_key_attribute(std::string_view attr) const {
    return attr == key.hash.name || (key.range && attr == key.range->name);
  }
};

// Builds a Table from its record; false when the record is malformed (corruption).
std::shared_ptr<Table> TableFromRecord(json::object record);

// "arn:aws:dynamodb:<region>:<account>:table/<name>".
std::string TableArn(std::string_view region, std::string_view account, std::string_view name);

}  // namespace nimbus::dynamodb
