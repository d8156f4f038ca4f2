#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::sns {

// Amazon SNS.
std::unique_ptr<Service> NewSnsService();

}  // namespace nimbus::sns
