#include "services/sqs/sqs_service.h"

namespace nimbus::sqs {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewSqsService() { return std::make_unique<Service>("sqs"); }

}  // namespace nimbus::sqs
