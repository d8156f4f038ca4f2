#include "core/storage/blob_store.h"

namespace nimbus::storage {

bool IsValidBlobId(std::string_view id) {
  if (id.empty()) return false;
  bool first = true;
  while (true) {
    size_t slash = id.find('/');
    std::string_view segment = id.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (first && segment == ".tmp") return false;
    for (char c : segment) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) return true;
    id.remove_prefix(slash + 1);
    first = false;
  }
}

namespace {

class ReadThroughBlobReader : public BlobReader {
 public:
  ReadThroughBlobReader(BlobStore* store, std::string id) : store_(store), id_(std::move(id)) {}
  StorageStatus Read(uint64_t offset, uint64_t length, std::string* out) override {
    return store_->Read(id_, offset, length, out);
  }

 private:
  BlobStore* store_;
  std::string id_;
};

}  // namespace

std::unique_ptr<BlobReader> BlobStore::Open(std::string_view id, StorageStatus* status) {
  uint64_t size = 0;
  *status = Size(id, &size);
  if (!status->ok()) return nullptr;
  return std::make_unique<ReadThroughBlobReader>(this, std::string(id));
}

}  // namespace nimbus::storage
