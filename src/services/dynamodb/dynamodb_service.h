#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::dynamodb {

// Amazon DynamoDB.
std::unique_ptr<Service> NewDynamoDbService();

}  // namespace nimbus::dynamodb
