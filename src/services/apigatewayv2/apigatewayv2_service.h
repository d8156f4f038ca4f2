#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::apigatewayv2 {

// Amazon API Gateway v2: HTTP APIs (control plane and the invocation data plane).
std::unique_ptr<Service> NewApiGatewayV2Service();

}  // namespace nimbus::apigatewayv2
