#include "services/sns/sns_service.h"

namespace nimbus::sns {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewSnsService() { return std::make_unique<Service>("sns"); }

}  // namespace nimbus::sns
