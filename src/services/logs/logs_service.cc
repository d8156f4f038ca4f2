#include "services/logs/logs_service.h"

namespace nimbus::logs {

// Registered with its model only: every operation answers NotImplemented until handlers land.
std::unique_ptr<Service> NewLogsService() { return std::make_unique<Service>("logs"); }

}  // namespace nimbus::logs
