#include "services/dynamodb/dynamodb_service.h"

namespace nimbus::dynamodb {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewDynamoDbService() { return std::make_unique<Service>("dynamodb"); }

}  // namespace nimbus::dynamodb
