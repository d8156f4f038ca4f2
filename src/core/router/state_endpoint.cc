// /_nimbus/state: export all state as one archive (GET) and replace all state with an archive
// (POST), for seeding environments and resetting CI to a known state.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/common/logging.h"
#include "core/router/internal_response.h"
#include "core/router/router.h"
#include "core/storage/blob_store.h"
#include "core/storage/kv_store.h"
#include "core/storage/state_archive.h"
#include "nimbus_version.h"

namespace nimbus {

namespace {

namespace json = boost::json;

// A temporary file removed when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "nimbus-state-XXXXXX").string();
    int fd = ::mkstemp(pattern.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = pattern;
    }
  }
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

json::object Summary(const storage::StateArchiveInfo& info) {
  return json::object{{"format", info.format},
                      {"nimbus", info.nimbus_version},
                      {"created", info.created},
                      {"kv_records", info.kv_records},
                      {"blobs", info.blobs},
                      {"blob_bytes", info.blob_bytes}};
}

}  // namespace

http::Response Router::HandleState(const http::Request& request) {
  TempFile file;
  if (file.path().empty())
    return JsonResponse(500, json::object{{"message", "cannot create a temporary file"}});
  storage::StateArchiveInfo info;
  if (request.method == "GET") {
    auto st = storage::ExportState(*env_->kv, *env_->blobs, file.path(), NIMBUS_VERSION, &info);
    if (!st.ok()) {
      spdlog::error("state export failed: {}", st.message());
      return JsonResponse(500, json::object{{"message", "state export failed: " + st.message()}});
    }
    std::ifstream in(file.path(), std::ios::binary);
    http::Response r;
    r.SetHeader("content-type", "application/gzip");
    r.SetHeader("content-disposition", "attachment; filename=\"nimbus-state.tar.gz\"");
    r.body.assign(std::istreambuf_iterator<char>(in), {});
    spdlog::info("state exported: {} records, {} blobs ({} bytes)", info.kv_records, info.blobs,
                 info.blob_bytes);
    return r;
  }
  if (request.method != "POST")
    return JsonResponse(405, json::object{{"message", "use GET (export) or POST (import)"}});
  {
    std::ofstream out(file.path(), std::ios::binary | std::ios::trunc);
    out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    if (!out) return JsonResponse(500, json::object{{"message", "cannot stage the archive"}});
  }
  auto st = storage::ImportState(*env_->kv, *env_->blobs, file.path(), &info);
  if (!st.ok()) {
    // A bad archive is refused before anything changes; a storage failure midway is not.
    bool refused = st.code() == storage::StorageStatus::Code::kInvalidArgument;
    spdlog::error("state import failed: {}", st.message());
    if (!refused)
      for (const auto& svc : registry_->services()) svc->Reload();
    return JsonResponse(refused ? 400 : 500,
                        json::object{{"imported", false}, {"message", st.message()}});
  }
  for (const auto& svc : registry_->services()) svc->Reload();
  spdlog::info("state imported: {} records, {} blobs ({} bytes) from a snapshot by nimbus {}",
               info.kv_records, info.blobs, info.blob_bytes, info.nimbus_version);
  json::object body = Summary(info);
  body["imported"] = true;
  return JsonResponse(200, body);
}

}  // namespace nimbus
