#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::lambda {

// AWS Lambda.
std::unique_ptr<Service> NewLambdaService();

}  // namespace nimbus::lambda
