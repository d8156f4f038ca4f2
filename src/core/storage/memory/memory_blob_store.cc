#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/storage/blob_store.h"

namespace nimbus::storage {
namespace {

// Blobs are immutable once committed, so readers pin one and copy from it outside the lock.
struct MemoryBlobState {
  std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>> blobs;

  std::shared_ptr<const std::string> Find(std::string_view id) {
    std::shared_lock lock(mu);
    auto it = blobs.find(id);
    return it == blobs.end() ? nullptr : it->second;
  }
};

class MemoryBlobWriter : public BlobWriter {
 public:
  explicit MemoryBlobWriter(std::shared_ptr<MemoryBlobState> state) : state_(std::move(state)) {}

  StorageStatus Append(std::string_view data) override {
    if (done_) return StorageStatus::InvalidArgument("blob writer already finished");
    data_.append(data);
    size_ += data.size();
    return StorageStatus::Ok();
  }

  StorageStatus Commit(std::string_view id) override {
    if (done_) return StorageStatus::InvalidArgument("blob writer already finished");
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    auto blob = std::make_shared<const std::string>(std::move(data_));
    {
      std::unique_lock lock(state_->mu);
      state_->blobs.insert_or_assign(std::string(id), std::move(blob));
    }
    done_ = true;
    return StorageStatus::Ok();
  }

  void Abort() override {
    done_ = true;
    data_.clear();
    data_.shrink_to_fit();
  }

  uint64_t size() const override { return size_; }

 private:
  std::shared_ptr<MemoryBlobState> state_;
  std::string data_;
  uint64_t size_ = 0;
  bool done_ = false;
};

class MemoryBlobStore : public BlobStore {
 public:
  std::unique_ptr<BlobWriter> NewWriter() override {
    return std::make_unique<MemoryBlobWriter>(state_);
  }

  StorageStatus Read(std::string_view id, uint64_t offset, uint64_t length,
                     std::string* out) override {
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    std::shared_ptr<const std::string> blob = state_->Find(id);
    if (!blob) return StorageStatus::NotFound();
    out->clear();
    if (offset < blob->size()) out->assign(*blob, static_cast<size_t>(offset), length);
    return StorageStatus::Ok();
  }

  StorageStatus Size(std::string_view id, uint64_t* size) override {
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    std::shared_ptr<const std::string> blob = state_->Find(id);
    if (!blob) return StorageStatus::NotFound();
    *size = blob->size();
    return StorageStatus::Ok();
  }

  StorageStatus Delete(std::string_view id) override {
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    std::unique_lock lock(state_->mu);
    auto it = state_->blobs.find(id);
    if (it != state_->blobs.end()) state_->blobs.erase(it);
    return StorageStatus::Ok();
  }

  StorageStatus Clear() override {
    std::unique_lock lock(state_->mu);
    state_->blobs.clear();
    return StorageStatus::Ok();
  }

  StorageStatus List(const std::function<bool(std::string_view)>& visit) override {
    std::vector<std::string> ids;
    {
      std::shared_lock lock(state_->mu);
      for (const auto& [id, blob] : state_->blobs) ids.push_back(id);
    }
    for (const auto& id : ids)
      if (!visit(id)) break;
    return StorageStatus::Ok();
  }

  std::string PathOf(std::string_view) override { return std::string(); }

 private:
  std::shared_ptr<MemoryBlobState> state_ = std::make_shared<MemoryBlobState>();
};

}  // namespace

std::unique_ptr<BlobStore> NewMemoryBlobStore() { return std::make_unique<MemoryBlobStore>(); }

}  // namespace nimbus::storage
