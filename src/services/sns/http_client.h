#pragma once

#include <chrono>
#include <string>

#include "core/common/task.h"
#include "core/http/http_types.h"

namespace nimbus::sns {

struct HttpPostResult {
  int status = 0;     // HTTP status; 0 when no response arrived
  std::string error;  // why no response arrived
};

// POSTs `body` to an http:// or https:// `url` with `headers` on the calling coroutine's
// executor, giving up after `timeout`. Never throws and never blocks a thread.
Task<HttpPostResult> HttpPost(std::string url, http::HeaderList headers, std::string body,
                              std::chrono::seconds timeout);

}  // namespace nimbus::sns
