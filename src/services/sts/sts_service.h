#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::sts {

// AWS Security Token Service: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity,
// GetSessionToken. Temporary credentials are persisted and accepted by the auth layer until
// they expire.
std::unique_ptr<Service> NewStsService();

}  // namespace nimbus::sts
