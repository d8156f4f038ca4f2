#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "core/storage/blob_store.h"
#include "core/storage/kv_store.h"
#include "core/storage/status.h"

namespace nimbus::storage {

// The snapshot format this build writes and the newest it reads. Bump it when the layout of the
// archive or of any service's stored records changes incompatibly. 2: S3 object records may
// carry the object's bytes after their JSON (format 1 archives still import).
inline constexpr int kStateFormat = 2;

// A BlobStore that can hold deletions back while a state export copies blobs: a blob referenced
// by the exported KvStore snapshot cannot vanish before it is copied. Blob ids are never reused
// for other bytes (S3 uses fresh UUIDs, Lambda content hashes), so holding deletes is all a
// consistent export needs. A blob committed again while its delete is held keeps living.
class HoldingBlobStore : public BlobStore {
 public:
  explicit HoldingBlobStore(std::unique_ptr<BlobStore> inner);

  // While at least one hold is alive, Delete records the id and returns ok; the last hold to
  // go applies the recorded deletes.
  class Hold {
   public:
    explicit Hold(HoldingBlobStore* store) : store_(store) {}
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    HoldingBlobStore* store_;
  };
  std::unique_ptr<Hold> HoldDeletes();

  std::unique_ptr<BlobWriter> NewWriter() override;
  StorageStatus Read(std::string_view id, uint64_t offset, uint64_t length,
                     std::string* out) override;
  StorageStatus Size(std::string_view id, uint64_t* size) override;
  StorageStatus Delete(std::string_view id) override;
  StorageStatus Clear() override;
  StorageStatus List(const std::function<bool(std::string_view id)>& visit) override;
  std::string PathOf(std::string_view id) override;

 private:
  friend class HoldingBlobWriter;
  void Release();
  void Committed(std::string_view id);

  std::unique_ptr<BlobStore> inner_;
  std::mutex mu_;
  int holds_ = 0;
  std::set<std::string, std::less<>> held_;
};

struct StateArchiveInfo {
  int format = 0;
  std::string nimbus_version;  // of the nimbus that wrote the archive
  std::string created;         // ISO 8601 UTC
  uint64_t kv_records = 0;
  uint64_t blobs = 0;
  uint64_t blob_bytes = 0;
};

// Writes every key of `kv` (one snapshot) and every blob to a gzip'd tar at `path`, while the
// stores keep serving. Holds blob deletes (when `blobs` is a HoldingBlobStore) for the copy.
StorageStatus ExportState(KvStore& kv, BlobStore& blobs, const std::string& path,
                          std::string_view nimbus_version, StateArchiveInfo* info);

// Reads the archive at `path` through once to check it whole (format, structure, counts), and
// only then replaces everything in `kv` and `blobs` with its contents. A malformed or truncated
// archive, or one of a newer format, is InvalidArgument and leaves the stores untouched.
StorageStatus ImportState(KvStore& kv, BlobStore& blobs, const std::string& path,
                          StateArchiveInfo* info);

}  // namespace nimbus::storage
