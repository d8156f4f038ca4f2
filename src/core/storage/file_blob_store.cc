#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "core/storage/blob_store.h"

namespace nimbus::storage {
namespace {

constexpr size_t kWriteBufferSize = 64 << 10;

StorageStatus ErrnoStatus(const std::string& what, int error) {
  return StorageStatus::IoError(what + ": " + std::generic_category().message(error));
}

std::string ParentOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Missing directories are fine: they were removed with the blob they held, which leaves nothing
// to make durable.
StorageStatus SyncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? StorageStatus::Ok() : ErrnoStatus("open " + dir, errno);
  int rc = fsync(fd);
  int error = errno;
  close(fd);
  return rc == 0 ? StorageStatus::Ok() : ErrnoStatus("fsync " + dir, error);
}

struct FileBlobShared {
  std::string root;
  std::string tmp_dir;
  FileBlobOptions options;
  // Serializes making directories + renaming into them against removing blobs and pruning their
  // emptied directories, so a Commit never renames into a directory that Delete just removed.
  std::mutex tree_mu;
  std::atomic<uint64_t> next_temp{0};

  std::string PathOf(std::string_view id) const { return root + "/" + std::string(id); }
};

class FileBlobWriter : public BlobWriter {
 public:
  explicit FileBlobWriter(std::shared_ptr<FileBlobShared> shared) : shared_(std::move(shared)) {
    temp_path_ = shared_->tmp_dir + "/" + std::to_string(getpid()) + "-" +
                 std::to_string(shared_->next_temp.fetch_add(1));
    fd_ = open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) status_ = ErrnoStatus("create " + temp_path_, errno);
  }

  ~FileBlobWriter() override { Abort(); }

  StorageStatus Append(std::string_view data) override {
    if (done_) return StorageStatus::InvalidArgument("blob writer already finished");
    if (!status_.ok()) return status_;
    size_ += data.size();
    if (buffer_.size() + data.size() < kWriteBufferSize) {
      buffer_.append(data);
      return status_;
    }
    // A large piece goes straight to the file, not through the buffer (a 64 MiB PutObject
    // would otherwise be copied once more).
    status_ = WriteBuffer();
    if (status_.ok()) status_ = WriteAll(data);
    return status_;
  }

  StorageStatus Commit(std::string_view id) override {
    if (done_) return StorageStatus::InvalidArgument("blob writer already finished");
    if (!status_.ok()) return status_;
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    status_ = WriteBuffer();
    if (!status_.ok()) return status_;
    const bool sync = shared_->options.fsync;
    if (sync && fsync(fd_) != 0) return ErrnoStatus("fsync " + temp_path_, errno);

    const std::string path = shared_->PathOf(id);
    std::vector<std::string> dirs_to_sync;
    {
      std::lock_guard lock(shared_->tree_mu);
      for (size_t slash = id.find('/'); slash != std::string_view::npos;
           slash = id.find('/', slash + 1)) {
        std::string dir = shared_->PathOf(id.substr(0, slash));
        if (mkdir(dir.c_str(), 0755) == 0) {
          dirs_to_sync.push_back(ParentOf(dir));
        } else if (errno != EEXIST) {
          return ErrnoStatus("mkdir " + dir, errno);
        }
      }
      if (rename(temp_path_.c_str(), path.c_str()) != 0) {
        return ErrnoStatus("rename to " + path, errno);
      }
    }
    close(fd_);
    fd_ = -1;
    done_ = true;
    if (!sync) return StorageStatus::Ok();
    // Deepest first: the new entry's own directory, then each directory we had to create.
    dirs_to_sync.push_back(ParentOf(path));
    for (auto it = dirs_to_sync.rbegin(); it != dirs_to_sync.rend(); ++it) {
      StorageStatus status = SyncDirectory(*it);
      if (!status.ok()) return status;
    }
    return StorageStatus::Ok();
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    unlink(temp_path_.c_str());
  }

  uint64_t size() const override { return size_; }

 private:
  StorageStatus WriteBuffer() {
    StorageStatus status = WriteAll(buffer_);
    buffer_.clear();
    return status;
  }

  StorageStatus WriteAll(std::string_view data) {
    size_t written = 0;
    while (written < data.size()) {
      ssize_t n = write(fd_, data.data() + written, data.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write " + temp_path_, errno);
      }
      written += static_cast<size_t>(n);
    }
    return StorageStatus::Ok();
  }

  std::shared_ptr<FileBlobShared> shared_;
  std::string temp_path_;
  int fd_ = -1;
  StorageStatus status_;
  std::string buffer_;
  uint64_t size_ = 0;
  bool done_ = false;
};

// Reads up to `length` bytes at `offset` of the open regular file `fd`.
StorageStatus ReadOpenFile(int fd, const std::string& path, uint64_t offset, uint64_t length,
                           std::string* out) {
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return StorageStatus::NotFound();
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (offset >= size) {
    out->clear();
    return StorageStatus::Ok();
  }
  // A buffer reused for pieces of the same size is not cleared and zero-filled again.
  const size_t want = static_cast<size_t>(std::min(length, size - offset));
  if (out->size() != want) {
    out->clear();
    out->resize(want);
  }
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n =
        pread(fd, out->data() + done, out->size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read " + path, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  return StorageStatus::Ok();
}

// Holds the blob's file open: what it reads stays the blob as opened.
class FileBlobReader : public BlobReader {
 public:
  FileBlobReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileBlobReader() override { close(fd_); }
  StorageStatus Read(uint64_t offset, uint64_t length, std::string* out) override {
    return ReadOpenFile(fd_, path_, offset, length, out);
  }

 private:
  int fd_;
  std::string path_;
};

class FileBlobStore : public BlobStore {
 public:
  explicit FileBlobStore(std::shared_ptr<FileBlobShared> shared) : shared_(std::move(shared)) {}

  std::unique_ptr<BlobWriter> NewWriter() override {
    return std::make_unique<FileBlobWriter>(shared_);
  }

  StorageStatus Read(std::string_view id, uint64_t offset, uint64_t length,
                     std::string* out) override {
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    const std::string path = shared_->PathOf(id);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return StorageStatus::NotFound();
      return ErrnoStatus("open " + path, errno);
    }
    StorageStatus status = ReadOpenFile(fd, path, offset, length, out);
    close(fd);
    return status;
  }

  std::unique_ptr<BlobReader> Open(std::string_view id, StorageStatus* status) override {
    if (!IsValidBlobId(id)) {
      *status = StorageStatus::InvalidArgument("invalid blob id");
      return nullptr;
    }
    std::string path = shared_->PathOf(id);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *status = errno == ENOENT || errno == ENOTDIR ? StorageStatus::NotFound()
                                                    : ErrnoStatus("open " + path, errno);
      return nullptr;
    }
    *status = StorageStatus::Ok();
    // Readers go through the blob front to back (streamed S3 answers): more read-ahead.
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::make_unique<FileBlobReader>(fd, std::move(path));
  }

  StorageStatus Size(std::string_view id, uint64_t* size) override {
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    const std::string path = shared_->PathOf(id);
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return StorageStatus::NotFound();
      return ErrnoStatus("stat " + path, errno);
    }
    if (!S_ISREG(st.st_mode)) return StorageStatus::NotFound();
    *size = static_cast<uint64_t>(st.st_size);
    return StorageStatus::Ok();
  }

  StorageStatus Delete(std::string_view id) override {
    if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
    std::string path = shared_->PathOf(id);
    {
      std::lock_guard lock(shared_->tree_mu);
      if (unlink(path.c_str()) != 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return StorageStatus::Ok();
        return ErrnoStatus("unlink " + path, errno);
      }
      // Prune directories the blob leaves empty (S3 keys would otherwise leave a trail).
      for (std::string dir = ParentOf(path); dir.size() > shared_->root.size();
           dir = ParentOf(dir)) {
        if (rmdir(dir.c_str()) != 0) break;
      }
    }
    if (!shared_->options.fsync) return StorageStatus::Ok();
    return SyncDirectory(ParentOf(path));
  }

  StorageStatus Clear() override {
    std::lock_guard lock(shared_->tree_mu);
    std::error_code ec;
    std::vector<std::filesystem::path> entries;
    for (std::filesystem::directory_iterator it(shared_->root, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().filename() != ".tmp") entries.push_back(it->path());  // live writers' files
    }
    for (size_t i = 0; !ec && i < entries.size(); ++i) std::filesystem::remove_all(entries[i], ec);
    if (ec) return StorageStatus::IoError("clear " + shared_->root + ": " + ec.message());
    return shared_->options.fsync ? SyncDirectory(shared_->root) : StorageStatus::Ok();
  }

  StorageStatus List(const std::function<bool(std::string_view)>& visit) override {
    namespace fs = std::filesystem;
    std::error_code ec;
    const size_t skip = shared_->root.size() + 1;
    fs::recursive_directory_iterator it(shared_->root, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it.depth() == 0 && it->path().filename() == ".tmp") {
        it.disable_recursion_pending();
        continue;
      }
      std::error_code type_ec;
      if (!it->is_regular_file(type_ec)) continue;
      std::string path = it->path().string();
      if (path.size() <= skip) continue;
      if (!visit(std::string_view(path).substr(skip))) return StorageStatus::Ok();
    }
    // A directory pruned by a concurrent Delete ends the walk early with ENOENT: not an error.
    if (ec && ec != std::errc::no_such_file_or_directory)
      return StorageStatus::IoError("list " + shared_->root + ": " + ec.message());
    return StorageStatus::Ok();
  }

  std::string PathOf(std::string_view id) override {
    return IsValidBlobId(id) ? shared_->PathOf(id) : std::string();
  }

 private:
  std::shared_ptr<FileBlobShared> shared_;
};

}  // namespace

std::unique_ptr<BlobStore> NewFileBlobStore(const std::string& root, const FileBlobOptions& options,
                                            StorageStatus* status) {
  auto shared = std::make_shared<FileBlobShared>();
  shared->root = root;
  while (shared->root.size() > 1 && shared->root.back() == '/') shared->root.pop_back();
  shared->tmp_dir = shared->root + "/.tmp";
  shared->options = options;
  std::error_code ec;
  std::filesystem::create_directories(shared->root, ec);
  // Temp files left here belonged to writers of a process that died before Commit.
  if (!ec) std::filesystem::remove_all(shared->tmp_dir, ec);
  if (!ec) std::filesystem::create_directory(shared->tmp_dir, ec);
  if (ec) {
    *status = StorageStatus::IoError("blob store " + root + ": " + ec.message());
    return nullptr;
  }
  *status = StorageStatus::Ok();
  return std::make_unique<FileBlobStore>(std::move(shared));
}

}  // namespace nimbus::storage
