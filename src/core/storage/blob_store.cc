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

}  // namespace nimbus::storage
