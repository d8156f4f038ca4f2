#include "core/storage/json_store.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/storage/key_encoding.h"

namespace nimbus::storage {

StorageStatus GetJson(KvStore& kv, std::string_view keyspace, std::string_view key,
                      json::value* out) {
  std::string raw;
  auto st = kv.Get(keyspace, key, &raw);
  if (!st.ok()) return st;
  json::error_code ec;
  *out = json::parse(raw, ec);
  if (ec) return StorageStatus::Corruption("stored document is not JSON: " + ec.message());
  return StorageStatus::Ok();
}

void PutJson(WriteBatch& batch, std::string_view keyspace, std::string_view key,
             const json::value& value) {
  batch.Put(keyspace, key, json::serialize(value));
}

StorageStatus PutJson(KvStore& kv, std::string_view keyspace, std::string_view key,
                      const json::value& value) {
  return kv.Put(keyspace, key, json::serialize(value));
}

StorageStatus ScanJson(KvStore& kv, std::string_view keyspace, std::string_view prefix,
                       std::string_view start_after,
                       const std::function<bool(std::string_view key, json::value& doc)>& visit) {
  ScanOptions options;
  options.start = std::string(prefix);
  if (!start_after.empty() && start_after > prefix) {
    options.start = std::string(start_after);
    options.start.push_back('\0');  // the smallest key after start_after
  }
  options.end = PrefixEnd(prefix);
  StorageStatus inner;
  auto st = kv.Scan(keyspace, options, [&](std::string_view k, std::string_view v) {
    json::error_code ec;
    json::value doc = json::parse(v, ec);
    if (ec) {
      inner = StorageStatus::Corruption("stored document is not JSON");
      return false;
    }
    return visit(k, doc);
  });
  return st.ok() ? inner : st;
}

StorageStatus ScanJsonObjects(KvStore& kv, std::string_view keyspace, std::string_view prefix,
                              std::vector<json::object>* out) {
  return ScanJson(kv, keyspace, prefix, "", [out](std::string_view, json::value& doc) {
    if (doc.is_object()) out->push_back(std::move(doc.get_object()));
    return true;
  });
}

ApiError StorageError(const StorageStatus& status) {
  spdlog::error("storage failure: {}", status.message());
  return ApiError("InternalFailure", 500,
                  "The request processing has failed because of an unknown error, exception or "
                  "failure.",
                  false);
}

}  // namespace nimbus::storage
