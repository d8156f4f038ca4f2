#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/storage/status.h"

namespace nimbus::storage {

// Receives the bytes of one new blob. Nothing is visible under the blob's id until Commit
// returns ok; a writer destroyed without Commit (or after Abort) leaves nothing behind.
// A failed Append makes the writer fail every later call; a failed Commit leaves the writer as
// it was (retry or drop it). After a successful Commit or an Abort, Append and Commit return
// InvalidArgument. Not thread-safe: one writer is used by one coroutine/thread at a time.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual StorageStatus Append(std::string_view data) = 0;
  // Makes the blob durable and visible as `id` (replacing any blob with that id).
  virtual StorageStatus Commit(std::string_view id) = 0;
  virtual void Abort() = 0;
  virtual uint64_t size() const = 0;
};

// Reads one blob as it was when opened: the file store keeps the file open, so a Delete or a
// replacing Commit after Open does not change what the reader sees (a response streamed from a
// blob finishes even if the object is overwritten meanwhile). Not thread-safe.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Reads up to `length` bytes from `offset` into `*out` (replacing its contents).
  virtual StorageStatus Read(uint64_t offset, uint64_t length, std::string* out) = 0;
};

// Large byte strings (S3 objects, Lambda code) addressed by id. Ids are chosen by the caller and
// consist of [A-Za-z0-9._-] and '/' (directories are made as needed; ".." is rejected).
// Methods given an id that is not IsValidBlobId return InvalidArgument (PathOf: empty).
// Callers must not use an id that is a directory of another ("a" and "a/b"): the file store
// cannot hold both and fails the second Commit with IoError. Thread-safe; writers may outlive
// the store.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::unique_ptr<BlobWriter> NewWriter() = 0;
  // Reads up to `length` bytes from `offset` into `*out` (replacing its contents; empty when
  // `offset` is at or past the end); NotFound if the blob does not exist.
  virtual StorageStatus Read(std::string_view id, uint64_t offset, uint64_t length,
                             std::string* out) = 0;
  virtual StorageStatus Size(std::string_view id, uint64_t* size) = 0;
  // A reader of blob `id`; null with `*status` NotFound when it does not exist. The default
  // reads through Read (so it sees later replacements); the file store holds the file open.
  virtual std::unique_ptr<BlobReader> Open(std::string_view id, StorageStatus* status);
  virtual StorageStatus Delete(std::string_view id) = 0;  // ok if already absent
  // Removes every blob (POST /_nimbus/reset).
  virtual StorageStatus Clear() = 0;
  // Calls `visit(id)` for every committed blob, in no particular order (state export); stops
  // early when visit returns false. Blobs committed or deleted during the call may be missed.
  virtual StorageStatus List(const std::function<bool(std::string_view id)>& visit) = 0;
  // A filesystem path holding the blob's bytes, when the store keeps blobs on disk (lets Lambda
  // unzip code in place); empty for the in-memory store.
  virtual std::string PathOf(std::string_view id) = 0;
};

// True for a non-empty id of '/'-separated segments of [A-Za-z0-9._-], with no empty, "." or
// ".." segment, whose first segment is not ".tmp" (the file store's temp directory).
bool IsValidBlobId(std::string_view id);

struct FileBlobOptions {
  bool fsync = false;  // fsync file and directory before Commit returns
};

// Blobs as files under `root` (written to a temp file in root/.tmp, then renamed into place).
// Creates `root` if needed and removes temp files left by a crash, so only one store may use a
// root at a time. Null and `*status` set on failure.
std::unique_ptr<BlobStore> NewFileBlobStore(const std::string& root, const FileBlobOptions& options,
                                            StorageStatus* status);
std::unique_ptr<BlobStore> NewMemoryBlobStore();

}  // namespace nimbus::storage
