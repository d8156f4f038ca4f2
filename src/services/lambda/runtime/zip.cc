#include "services/lambda/runtime/zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace nimbus::lambda::runtime {

namespace fs = std::filesystem;

namespace {

// The entry path made relative and free of "." and ".."; empty when nothing is left.
std::string SafeRelativePath(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find_first_of("/\\", i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view part = name.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

UnzipResult Fail(UnzipStatus status, std::string message, const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  UnzipResult r;
  r.status = status;
  r.message = std::move(message);
  return r;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

UnzipResult UnzipTo(std::string_view zip, const std::string& dir, uint64_t max_bytes) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
    return Fail(UnzipStatus::kCorrupt, "not a zip archive", dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(UnzipStatus::kIoError, "cannot create " + dir + ": " + ec.message(), dir);

  UnzipResult result;
  std::vector<char> buffer(1 << 16);
  archive_entry* entry = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      const char* err = archive_error_string(a.get());
      return Fail(UnzipStatus::kCorrupt, err ? err : "corrupt zip archive", dir);
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string rel = SafeRelativePath(raw_name ? raw_name : "");
    if (rel.empty()) continue;
    fs::path target = fs::path(dir) / rel;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Fail(UnzipStatus::kIoError, ec.message(), dir);
    mode_t perm = archive_entry_perm(entry) & 0777;
    switch (archive_entry_filetype(entry)) {
      case AE_IFDIR:
        fs::create_directories(target, ec);
        if (ec) return Fail(UnzipStatus::kIoError, ec.message(), dir);
        continue;
      case AE_IFLNK: {
        const char* link = archive_entry_symlink(entry);
        std::string to = link ? link : "";
        // Only relative links that stay inside the code directory.
        auto normal = (fs::path(rel).parent_path() / to).lexically_normal();
        if (to.empty() || to[0] == '/' || normal.empty() || normal.string().rfind("..", 0) == 0)
          continue;
        fs::remove(target, ec);
        fs::create_symlink(to, target, ec);
        continue;
      }
      case AE_IFREG:
      case 0:
        break;
      default:
        continue;
    }
    int64_t declared = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
    if (declared > 0 && result.unzipped_bytes + static_cast<uint64_t>(declared) > max_bytes)
      return Fail(UnzipStatus::kTooLarge, "unzipped size exceeds the limit", dir);
    if (perm == 0) perm = 0644;
    perm |= 0444;  // readable by the function whoever it runs as
    if (perm & 0111) perm |= 0111;
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, perm);
    if (fd < 0) return Fail(UnzipStatus::kIoError, "cannot write " + target.string(), dir);
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        ::close(fd);
        const char* err = archive_error_string(a.get());
        return Fail(UnzipStatus::kCorrupt, err ? err : "corrupt zip entry", dir);
      }
      result.unzipped_bytes += static_cast<uint64_t>(n);
      if (result.unzipped_bytes > max_bytes) {
        ::close(fd);
        return Fail(UnzipStatus::kTooLarge, "unzipped size exceeds the limit", dir);
      }
      if (!WriteAll(fd, buffer.data(), static_cast<size_t>(n))) {
        ::close(fd);
        return Fail(UnzipStatus::kIoError, "cannot write " + target.string(), dir);
      }
    }
    ::fchmod(fd, perm);
    ::close(fd);
  }
  return result;
}

}  // namespace nimbus::lambda::runtime
