#pragma once

// The one logging call: spdlog. Include this only from .cc files.
#include <spdlog/spdlog.h>

#include <string_view>

namespace nimbus {
// Sets up the process logger (stderr) at `level` ("trace".."critical", "off"); false if the
// level name is unknown.
bool InitLogging(std::string_view level);
}  // namespace nimbus
