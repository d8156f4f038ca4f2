#include "services/lambda/lambda_service.h"

namespace nimbus::lambda {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewLambdaService() { return std::make_unique<Service>("lambda"); }

}  // namespace nimbus::lambda
