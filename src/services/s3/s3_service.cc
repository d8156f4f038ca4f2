#include "services/s3/s3_service.h"

namespace nimbus::s3 {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewS3Service() { return std::make_unique<Service>("s3"); }

}  // namespace nimbus::s3
