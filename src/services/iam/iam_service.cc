#include "services/iam/iam_service.h"

namespace nimbus::iam {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewIamService() { return std::make_unique<Service>("iam"); }

}  // namespace nimbus::iam
