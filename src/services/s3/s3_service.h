#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::s3 {

// Amazon S3.
std::unique_ptr<Service> NewS3Service();

}  // namespace nimbus::s3
