#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::iam {

// AWS Identity and Access Management (global: state per account).
std::unique_ptr<Service> NewIamService();

}  // namespace nimbus::iam
