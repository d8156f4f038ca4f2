#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::apigateway {

// API Gateway REST APIs (the `apigateway` model): control plane and invocations.
std::unique_ptr<Service> NewApiGatewayService();

}  // namespace nimbus::apigateway
