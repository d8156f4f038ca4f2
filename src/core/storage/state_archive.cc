#include "core/storage/state_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <boost/json.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

#include "core/common/clock.h"

namespace nimbus::storage {

// ---------------------------------------------------------------------------------------------
// HoldingBlobStore

class HoldingBlobWriter : public BlobWriter {
 public:
  HoldingBlobWriter(HoldingBlobStore* store, std::unique_ptr<BlobWriter> inner)
      : store_(store), inner_(std::move(inner)) {}
  StorageStatus Append(std::string_view data) override { return inner_->Append(data); }
  StorageStatus Commit(std::string_view id) override {
    StorageStatus status = inner_->Commit(id);
    if (status.ok()) store_->Committed(id);
    return status;
  }
  void Abort() override { inner_->Abort(); }
  uint64_t size() const override { return inner_->size(); }

 private:
  HoldingBlobStore* store_;
  std::unique_ptr<BlobWriter> inner_;
};

HoldingBlobStore::HoldingBlobStore(std::unique_ptr<BlobStore> inner) : inner_(std::move(inner)) {}

HoldingBlobStore::Hold::~Hold() { store_->Release(); }

std::unique_ptr<HoldingBlobStore::Hold> HoldingBlobStore::HoldDeletes() {
  std::lock_guard lock(mu_);
  ++holds_;
  return std::make_unique<Hold>(this);
}

void HoldingBlobStore::Release() {
  std::set<std::string, std::less<>> due;
  {
    std::lock_guard lock(mu_);
    if (--holds_ > 0) return;
    due.swap(held_);
  }
  for (const auto& id : due) (void)inner_->Delete(id);
}

void HoldingBlobStore::Committed(std::string_view id) {
  std::lock_guard lock(mu_);
  if (auto it = held_.find(id); it != held_.end()) held_.erase(it);
}

std::unique_ptr<BlobWriter> HoldingBlobStore::NewWriter() {
  return std::make_unique<HoldingBlobWriter>(this, inner_->NewWriter());
}

StorageStatus HoldingBlobStore::Read(std::string_view id, uint64_t offset, uint64_t length,
                                     std::string* out) {
  return inner_->Read(id, offset, length, out);
}

StorageStatus HoldingBlobStore::Size(std::string_view id, uint64_t* size) {
  return inner_->Size(id, size);
}

StorageStatus HoldingBlobStore::Delete(std::string_view id) {
  {
    std::lock_guard lock(mu_);
    if (holds_ > 0) {
      if (!IsValidBlobId(id)) return StorageStatus::InvalidArgument("invalid blob id");
      held_.emplace(id);
      return StorageStatus::Ok();
    }
  }
  return inner_->Delete(id);
}

StorageStatus HoldingBlobStore::Clear() {
  {
    std::lock_guard lock(mu_);
    held_.clear();
  }
  return inner_->Clear();
}

StorageStatus HoldingBlobStore::List(const std::function<bool(std::string_view)>& visit) {
  return inner_->List(visit);
}

std::string HoldingBlobStore::PathOf(std::string_view id) { return inner_->PathOf(id); }

// ---------------------------------------------------------------------------------------------
// The archive: a gzip'd POSIX tar whose entries are, in this order,
//   nimbus-state/manifest.json     {"format": 1, "nimbus": "<version>", "created": "<ISO>"}
//   nimbus-state/kv/NNNNNN         key-value records, each three length-prefixed byte strings
//                                  (keyspace, key, value; lengths as LEB128 varints)
//   nimbus-state/blobs/<blob id>   one entry per blob, its bytes
//   nimbus-state/end.json          {"kv_records": n, "blobs": n, "blob_bytes": n}
// The trailer makes a truncated archive detectable before anything is replaced.

namespace {

namespace json = boost::json;

constexpr std::string_view kRoot = "nimbus-state/";
constexpr std::string_view kManifest = "nimbus-state/manifest.json";
constexpr std::string_view kKvPrefix = "nimbus-state/kv/";
constexpr std::string_view kBlobPrefix = "nimbus-state/blobs/";
constexpr std::string_view kEnd = "nimbus-state/end.json";
constexpr size_t kKvChunkBytes = 16u << 20;
constexpr uint64_t kBlobChunk = 1u << 20;
constexpr size_t kMaxJsonEntry = 1u << 16;

StorageStatus ArchiveError(struct archive* a, std::string_view what) {
  const char* msg = archive_error_string(a);
  return StorageStatus::IoError(std::string(what) + ": " + (msg ? msg : "unknown error"));
}

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool ConsumeVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool ConsumeBytes(std::string_view* in, std::string_view* out) {
  uint64_t n = 0;
  if (!ConsumeVarint(in, &n) || n > in->size()) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

// Calls visit(keyspace, key, value) for each record of one kv chunk; false when malformed.
bool ForEachRecord(
    std::string_view chunk,
    const std::function<void(std::string_view, std::string_view, std::string_view)>& visit) {
  while (!chunk.empty()) {
    std::string_view ks, key, value;
    if (!ConsumeBytes(&chunk, &ks) || !ConsumeBytes(&chunk, &key) ||
        !ConsumeBytes(&chunk, &value))
      return false;
    visit(ks, key, value);
  }
  return true;
}

class TarWriter {
 public:
  TarWriter() : a_(archive_write_new()) {}
  ~TarWriter() {
    if (a_) archive_write_free(a_);
  }
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  StorageStatus Open(const std::string& path) {
    if (archive_write_add_filter_gzip(a_) != ARCHIVE_OK ||
        archive_write_set_filter_option(a_, "gzip", "compression-level", "1") != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(a_) != ARCHIVE_OK)
      return ArchiveError(a_, "state archive");
    if (archive_write_open_filename(a_, path.c_str()) != ARCHIVE_OK)
      return ArchiveError(a_, "cannot write " + path);
    return StorageStatus::Ok();
  }

  StorageStatus Begin(std::string_view name, uint64_t size) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, std::string(name).c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, mtime_, 0);
    int r = archive_write_header(a_, e);
    archive_entry_free(e);
    return r == ARCHIVE_OK ? StorageStatus::Ok() : ArchiveError(a_, "state archive");
  }

  StorageStatus Data(std::string_view bytes) {
    if (bytes.empty()) return StorageStatus::Ok();
    la_ssize_t n = archive_write_data(a_, bytes.data(), bytes.size());
    if (n < 0 || static_cast<size_t>(n) != bytes.size()) return ArchiveError(a_, "state archive");
    return StorageStatus::Ok();
  }

  StorageStatus File(std::string_view name, std::string_view bytes) {
    StorageStatus status = Begin(name, bytes.size());
    return status.ok() ? Data(bytes) : status;
  }

  StorageStatus Close() {
    if (archive_write_close(a_) != ARCHIVE_OK) return ArchiveError(a_, "state archive");
    return StorageStatus::Ok();
  }

 private:
  struct archive* a_;
  time_t mtime_ = time(nullptr);
};

class TarReader {
 public:
  TarReader() : a_(archive_read_new()) {
    archive_read_support_filter_gzip(a_);
    archive_read_support_format_tar(a_);
  }
  ~TarReader() { archive_read_free(a_); }
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  StorageStatus Open(const std::string& path) {
    if (archive_read_open_filename(a_, path.c_str(), 1 << 16) != ARCHIVE_OK)
      return StorageStatus::InvalidArgument(std::string("not a nimbus state archive: ") +
                                            Message());
    return StorageStatus::Ok();
  }

  // Ok with *name set, NotFound at the end, InvalidArgument when the archive is damaged.
  StorageStatus Next(std::string* name, uint64_t* size) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a_, &e);
    if (r == ARCHIVE_EOF) return StorageStatus::NotFound();
    if (r != ARCHIVE_OK)
      return StorageStatus::InvalidArgument(std::string("damaged state archive: ") + Message());
    const char* p = archive_entry_pathname(e);
    *name = p ? p : "";
    *size = archive_entry_size_is_set(e) ? static_cast<uint64_t>(archive_entry_size(e)) : 0;
    if (archive_entry_filetype(e) != AE_IFREG)
      return StorageStatus::InvalidArgument("unexpected entry in state archive: " + *name);
    return StorageStatus::Ok();
  }

  // Streams the current entry's bytes to `sink` in chunks.
  StorageStatus Read(const std::function<StorageStatus(std::string_view)>& sink) {
    std::vector<char> buf(1 << 20);
    for (;;) {
      la_ssize_t n = archive_read_data(a_, buf.data(), buf.size());
      if (n < 0)
        return StorageStatus::InvalidArgument(std::string("damaged state archive: ") + Message());
      if (n == 0) return StorageStatus::Ok();
      StorageStatus status = sink(std::string_view(buf.data(), static_cast<size_t>(n)));
      if (!status.ok()) return status;
    }
  }

  StorageStatus ReadAll(size_t limit, std::string* out) {
    out->clear();
    return Read([&](std::string_view chunk) {
      if (out->size() + chunk.size() > limit)
        return StorageStatus::InvalidArgument("state archive entry too large");
      out->append(chunk);
      return StorageStatus::Ok();
    });
  }

 private:
  std::string Message() {
    const char* msg = archive_error_string(a_);
    return msg ? msg : "unreadable";
  }
  struct archive* a_;
};

StorageStatus Invalid(std::string message) {
  return StorageStatus::InvalidArgument(std::move(message));
}

const json::object* ParseObject(const std::string& text, json::value* holder) {
  json::error_code ec;
  *holder = json::parse(text, ec);
  if (ec || !holder->is_object()) return nullptr;
  return &holder->get_object();
}

uint64_t UintField(const json::object& o, std::string_view name, bool* ok) {
  const json::value* v = o.if_contains(name);
  if (!v || !(v->is_uint64() || (v->is_int64() && v->get_int64() >= 0))) {
    *ok = false;
    return 0;
  }
  return v->is_uint64() ? v->get_uint64() : static_cast<uint64_t>(v->get_int64());
}

// One pass over an archive: checks it, and when `kv`/`blobs` are set also loads it into them.
StorageStatus Walk(const std::string& path, KvStore* kv, BlobStore* blobs,
                   StateArchiveInfo* info) {
  TarReader reader;
  StorageStatus status = reader.Open(path);
  if (!status.ok()) return status;
  std::string name;
  uint64_t size = 0;
  status = reader.Next(&name, &size);
  if (status.IsNotFound() || (status.ok() && name != kManifest))
    return Invalid("not a nimbus state archive: it must begin with " + std::string(kManifest));
  if (!status.ok()) return status;
  std::string text;
  if (status = reader.ReadAll(kMaxJsonEntry, &text); !status.ok()) return status;
  json::value holder;
  const json::object* manifest = ParseObject(text, &holder);
  const json::value* format = manifest ? manifest->if_contains("format") : nullptr;
  if (!format || !format->is_int64())
    return Invalid("not a nimbus state archive: its manifest has no format number");
  if (format->get_int64() > kStateFormat)
    return Invalid("this snapshot has format " + std::to_string(format->get_int64()) +
                   ", newer than this nimbus understands (format " +
                   std::to_string(kStateFormat) + "); import it with a newer nimbus");
  if (format->get_int64() < 1)
    return Invalid("not a nimbus state archive: unknown format " +
                   std::to_string(format->get_int64()));
  info->format = static_cast<int>(format->get_int64());
  if (auto* v = manifest->if_contains("nimbus"); v && v->is_string())
    info->nimbus_version = std::string(v->get_string());
  if (auto* v = manifest->if_contains("created"); v && v->is_string())
    info->created = std::string(v->get_string());
  info->kv_records = info->blobs = info->blob_bytes = 0;

  bool ended = false;
  while (!ended) {
    status = reader.Next(&name, &size);
    if (status.IsNotFound()) return Invalid("truncated state archive: no " + std::string(kEnd));
    if (!status.ok()) return status;
    std::string_view n(name);
    if (n.rfind(kKvPrefix, 0) == 0) {
      std::string chunk;
      if (status = reader.ReadAll(kKvChunkBytes * 2, &chunk); !status.ok()) return status;
      WriteBatch batch;
      bool ok = ForEachRecord(chunk, [&](auto ks, auto key, auto value) {
        ++info->kv_records;
        if (kv) batch.Put(ks, key, value);
      });
      if (!ok) return Invalid("damaged state archive: malformed records in " + name);
      if (kv && !batch.empty()) {
        if (status = kv->Write(batch); !status.ok()) return status;
      }
    } else if (n.rfind(kBlobPrefix, 0) == 0) {
      std::string_view id = n.substr(kBlobPrefix.size());
      if (!IsValidBlobId(id)) return Invalid("damaged state archive: bad blob name " + name);
      std::unique_ptr<BlobWriter> writer = blobs ? blobs->NewWriter() : nullptr;
      uint64_t got = 0;
      status = reader.Read([&](std::string_view bytes) {
        got += bytes.size();
        return writer ? writer->Append(bytes) : StorageStatus::Ok();
      });
      if (!status.ok()) return status;
      if (got != size) return Invalid("truncated state archive: short blob " + name);
      if (writer) {
        if (status = writer->Commit(id); !status.ok()) return status;
      }
      ++info->blobs;
      info->blob_bytes += got;
    } else if (n == kEnd) {
      if (status = reader.ReadAll(kMaxJsonEntry, &text); !status.ok()) return status;
      const json::object* end = ParseObject(text, &holder);
      bool ok = end != nullptr;
      uint64_t records = ok ? UintField(*end, "kv_records", &ok) : 0;
      uint64_t nblobs = ok ? UintField(*end, "blobs", &ok) : 0;
      uint64_t bytes = ok ? UintField(*end, "blob_bytes", &ok) : 0;
      if (!ok || records != info->kv_records || nblobs != info->blobs ||
          bytes != info->blob_bytes)
        return Invalid("damaged state archive: its contents do not match " + std::string(kEnd));
      ended = true;
    } else if (n.rfind(kRoot, 0) != 0) {
      return Invalid("unexpected entry in state archive: " + name);
    }
    // Other entries under nimbus-state/ are from a later minor revision of this format: skipped.
  }
  return StorageStatus::Ok();
}

}  // namespace

StorageStatus ExportState(KvStore& kv, BlobStore& blobs, const std::string& path,
                          std::string_view nimbus_version, StateArchiveInfo* info) {
  std::unique_ptr<HoldingBlobStore::Hold> hold;
  if (auto* holding = dynamic_cast<HoldingBlobStore*>(&blobs)) hold = holding->HoldDeletes();
  std::unique_ptr<Snapshot> snapshot = kv.GetSnapshot();
  *info = StateArchiveInfo{};
  info->format = kStateFormat;
  info->nimbus_version = std::string(nimbus_version);
  info->created = FormatIso8601(std::chrono::system_clock::now());

  TarWriter tar;
  StorageStatus status = tar.Open(path);
  if (!status.ok()) return status;
  json::object manifest{{"format", kStateFormat},
                        {"nimbus", info->nimbus_version},
                        {"created", info->created}};
  if (status = tar.File(kManifest, json::serialize(manifest)); !status.ok()) return status;

  std::string chunk;
  int chunks = 0;
  auto flush = [&]() -> StorageStatus {
    char name[32];
    std::snprintf(name, sizeof(name), "%06d", chunks++);
    StorageStatus s = tar.File(std::string(kKvPrefix) + name, chunk);
    chunk.clear();
    return s;
  };
  StorageStatus write_status;
  status = kv.ScanAll(snapshot.get(), [&](auto ks, auto key, auto value) {
    AppendVarint(&chunk, ks.size());
    chunk.append(ks);
    AppendVarint(&chunk, key.size());
    chunk.append(key);
    AppendVarint(&chunk, value.size());
    chunk.append(value);
    ++info->kv_records;
    if (chunk.size() >= kKvChunkBytes) write_status = flush();
    return write_status.ok();
  });
  if (!status.ok()) return status;
  if (!write_status.ok()) return write_status;
  if (!chunk.empty()) {
    if (status = flush(); !status.ok()) return status;
  }
  snapshot.reset();

  std::vector<std::string> ids;
  status = blobs.List([&](std::string_view id) {
    ids.emplace_back(id);
    return true;
  });
  if (!status.ok()) return status;
  std::string bytes;
  for (const auto& id : ids) {
    uint64_t size = 0;
    status = blobs.Size(id, &size);
    if (status.IsNotFound()) continue;  // an orphan removed before the hold
    if (!status.ok()) return status;
    if (status = tar.Begin(std::string(kBlobPrefix) + id, size); !status.ok()) return status;
    for (uint64_t done = 0; done < size; done += bytes.size()) {
      status = blobs.Read(id, done, std::min(kBlobChunk, size - done), &bytes);
      if (!status.ok()) return status;
      if (bytes.empty()) return StorageStatus::Corruption("blob " + id + " shrank during export");
      if (status = tar.Data(bytes); !status.ok()) return status;
    }
    ++info->blobs;
    info->blob_bytes += size;
  }
  json::object end{{"kv_records", info->kv_records},
                   {"blobs", info->blobs},
                   {"blob_bytes", info->blob_bytes}};
  if (status = tar.File(kEnd, json::serialize(end)); !status.ok()) return status;
  return tar.Close();
}

StorageStatus ImportState(KvStore& kv, BlobStore& blobs, const std::string& path,
                          StateArchiveInfo* info) {
  StorageStatus status = Walk(path, nullptr, nullptr, info);
  if (!status.ok()) return status;
  if (status = kv.Clear(); !status.ok()) return status;
  if (status = blobs.Clear(); !status.ok()) return status;
  return Walk(path, &kv, &blobs, info);
}

}  // namespace nimbus::storage
