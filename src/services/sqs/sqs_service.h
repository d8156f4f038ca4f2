#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::sqs {

// Amazon SQS (JSON and query protocols on the same queues).
std::unique_ptr<Service> NewSqsService();

}  // namespace nimbus::sqs
