#pragma once

#include <cstddef>

namespace nimbus::protocol {

// One model file embedded in the binary at build time (see CMakeLists.txt). The table ends with
// an entry whose name is null.
struct EmbeddedModel {
  const char* name;
  const char* data;
  size_t size;
};
extern const EmbeddedModel kEmbeddedModels[];

}  // namespace nimbus::protocol
