#pragma once

// OpenAPI (3.0) and Swagger (2.0) definitions of REST APIs: openapi_read.cc reads them,
// ImportRestApi and PutRestApi write what they say (openapi_import.cc), GetExport writes what a
// stage serves as one (openapi_export.cc).

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

// What a definition says, ready to be written for one API id.
struct RestDefinition {
  json::object api_fields;  // name, description, version, binaryMediaTypes, ...
  std::vector<json::object> models;
  std::map<std::string, json::object> validators;  // by name: {name, validate...}
  // path → method name → method record (validator named by "_validator", filled in on write)
  std::map<std::string, json::object> paths;
  // x-amazon-apigateway-gateway-responses: type → record (as PutGatewayResponse stores it)
  std::map<std::string, json::object> gateway_responses;
  std::vector<std::string> warnings;
};

// BadRequestException "Invalid OpenAPI input: <what>".
ApiError InvalidDefinition(std::string what);

// The definition in ImportRestApi's or PutRestApi's input (body, parameters basepath and
// endpointConfigurationTypes, failOnWarnings) for API `api_id` (model URLs name it):
// BadRequestException when it cannot be imported, or has warnings and failOnWarnings is set.
Result<RestDefinition> ReadRestDefinition(const Document& in, std::string_view api_id);

// GetExport: the definition of what a stage serves, as JSON or YAML.
Result<Document> GetExport(RequestContext& ctx, Document& in);

}  // namespace nimbus::apigateway
