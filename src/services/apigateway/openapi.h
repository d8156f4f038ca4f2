#pragma once

// OpenAPI (3.0) and Swagger (2.0) definitions of REST APIs: ImportRestApi and PutRestApi read
// them (openapi_import.cc), GetExport writes them (openapi_export.cc).

#include "core/common/result.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

// GetExport: the definition of what a stage serves, as JSON or YAML.
Result<Document> GetExport(RequestContext& ctx, Document& in);

}  // namespace nimbus::apigateway
