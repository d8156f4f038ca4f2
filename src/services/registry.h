#pragma once

#include "core/router/service.h"

namespace nimbus {

// Adds every service nimbus serves to `registry`: one line per service in registry.cc. Services
// of the mission whose handlers are not written yet are still registered with their model, so
// each of their operations answers a NotImplemented error naming it.
void RegisterServices(Registry& registry);

}  // namespace nimbus
