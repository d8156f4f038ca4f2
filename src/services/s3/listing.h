#pragma once

// The walk behind ListObjectsV2, ListObjects and ListObjectVersions: the bucket's object
// versions in key byte order (newest version first within a key), keys rolled up into common
// prefixes by a delimiter. A common prefix is passed by seeking beyond it, and a latest-only walk
// seeks past a key with many versions, so a page costs about one step per entry it returns.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage/kv_store.h"
#include "services/s3/records.h"

namespace nimbus::s3 {

struct ListEntry {
  bool common_prefix = false;
  std::string name;  // key or common prefix
  ObjectRecord rec;  // objects only
  bool is_latest = false;
};

struct WalkOptions {
  std::string prefix;
  std::string delimiter;
  std::string after_key;  // entries (keys and common prefixes) greater than this
  // All-versions walks: start after this version (sequence number) of after_key, when set.
  std::optional<uint64_t> after_seq;
  bool all_versions = false;  // false: the latest version of each key, delete markers skipped
  size_t max = 1000;          // entries (objects, versions and common prefixes) per page
};

struct WalkResult {
  std::vector<ListEntry> entries;
  bool truncated = false;  // more entries follow the last one
  storage::StorageStatus status;
};

WalkResult Walk(storage::KvStore& kv, std::string_view bucket, const WalkOptions& options);

}  // namespace nimbus::s3
