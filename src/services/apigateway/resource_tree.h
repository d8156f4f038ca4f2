#pragma once

// Lookups and checks of the resource tree shared by resources.cc (its Put/Get/Delete operations)
// and resource_updates.cc (its Update* operations).

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

// A resource's record and its key.
struct LocatedResource {
  std::string key;
  json::object resource;
};
// The resource `in` names (restApiId, resourceId), or NotFoundException.
Result<LocatedResource> LocateResource(const RequestContext& ctx, const Document& in);
// The method `in` names (httpMethod) in `resource` (pointing into it), or NotFoundException.
Result<json::object*> FindMethod(json::object& resource, const Document& in);
// That method's integration, or NotFoundException.
Result<json::object*> FindIntegration(json::object& resource, const Document& in);
// Whose responses FindResponse looks in: the method's methodResponses or its integration's
// integrationResponses.
enum class ResponseOwner { kMethod, kIntegration };
// The response `in` names (statusCode) of the method or integration `in` names in `resource`
// (pointing into it), nullptr when there is none; NotFoundException when the method or
// integration is missing. Callers check the response's shape and answer ResponseNotFound().
Result<json::value*> FindResponse(json::object& resource, const Document& in, ResponseOwner owner);

// A resource as GetResource(s) and UpdateResource answer it: methods listed by name only unless
// `embed`.
json::object ResourceView(json::object record, bool embed);

// "{name}" or "{name+}"; "{name+}".
bool IsVariablePathPart(std::string_view part);
bool IsGreedyPathPart(std::string_view part);
// One of GET, PUT, POST, DELETE, PATCH, OPTIONS, HEAD, ANY, or BadRequestException.
Status CheckHttpMethod(std::string_view method);
// The model's StatusCode pattern, [1-5]\d\d, or BadRequestException.
Status CheckStatusCode(std::string_view code);
// An integration record from PutIntegration's input (type, uri, integrationHttpMethod,
// timeoutInMillis, ...), with AWS's defaults and checks.
Result<json::object> IntegrationFromInput(const Document& in, std::string_view resource_id,
                                          const Registry* registry = nullptr);

}  // namespace nimbus::apigateway
