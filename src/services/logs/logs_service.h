#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::logs {

// Amazon CloudWatch Logs.
std::unique_ptr<Service> NewLogsService();

}  // namespace nimbus::logs
