#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/common/api_error.h"
#include "core/common/document.h"
#include "core/storage/kv_store.h"

namespace nimbus::storage {

// JSON documents under keys of a keyspace: the form control-plane state takes (roles, queues'
// attributes, table descriptions). Data-plane hot paths use their own compact encodings.

// Ok with `*out` set, NotFound, or Corruption when the stored bytes are not JSON.
StorageStatus GetJson(KvStore& kv, std::string_view keyspace, std::string_view key,
                      json::value* out);
void PutJson(WriteBatch& batch, std::string_view keyspace, std::string_view key,
             const json::value& value);
StorageStatus PutJson(KvStore& kv, std::string_view keyspace, std::string_view key,
                      const json::value& value);
// Visits documents whose keys start with `prefix`, in key order, from the first key greater
// than `start_after` (when non-empty); stops when `visit` returns false.
StorageStatus ScanJson(KvStore& kv, std::string_view keyspace, std::string_view prefix,
                       std::string_view start_after,
                       const std::function<bool(std::string_view key, json::value& doc)>& visit);
// Every object document whose key starts with `prefix`, in key order (other JSON values are
// skipped): a parent's children (an API's routes, a REST API's resources...).
StorageStatus ScanJsonObjects(KvStore& kv, std::string_view keyspace, std::string_view prefix,
                              std::vector<json::object>* out);

// The ApiError a service answers when storage fails under it (InternalFailure, logged).
ApiError StorageError(const StorageStatus& status);

}  // namespace nimbus::storage
