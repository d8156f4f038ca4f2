#pragma once

// Gateway responses of REST APIs: what API Gateway answers itself when it refuses or fails a
// request (developer guide, "Gateway responses for REST APIs in API Gateway" and "Gateway
// response types"). The control plane (PutGatewayResponse, GetGatewayResponse(s),
// UpdateGatewayResponse, DeleteGatewayResponse) keeps the customized ones; CreateDeployment
// snapshots them; the data plane renders every error of its own through them.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/common/result.h"
#include "core/http/http_types.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

// One error API Gateway answers itself.
struct GatewayError {
  std::string_view type;   // a GatewayResponseType: "MISSING_AUTHENTICATION_TOKEN", ...
  int status = 500;        // answered unless a gateway response sets statusCode
  json::value message;     // $context.error.message: a string, or null (authorizer errors)
  std::string error_type;  // x-amzn-ErrorType ("MissingAuthenticationTokenException")
};

// What an integration call ends in: the method response, or an error of the gateway's own.
using Outcome = std::variant<http::Response, GatewayError>;

// The request a gateway response describes ($context, method.request.*, stageVariables).
struct GatewayRequest {
  const http::Request* request = nullptr;
  std::string_view request_id;
  std::string_view api_id;
  std::string_view stage;          // empty before the stage is known
  std::string_view resource_path;  // empty before a resource matched
  std::string_view resource_id;
  const json::object* stage_variables = nullptr;
  const std::vector<std::pair<std::string, std::string>>* path_parameters = nullptr;
  // The deployment's customized gateway responses (type → record), or nullptr for none.
  const json::object* responses = nullptr;
};

// `error` as the client gets it: the status, headers (Content-Type of the chosen template,
// x-amzn-ErrorType, the responseParameters' gatewayresponse.header.*) and body (the template,
// by default {"message":$context.error.messageString}) of the effective gateway response for
// its type, falling back to DEFAULT_4XX or DEFAULT_5XX by its status. Request ids are the
// caller's to stamp.
http::Response RenderGatewayResponse(const GatewayError& error, const GatewayRequest& request);

// Adds the API's customized gateway responses ("_gatewayResponses": type → record) to a
// deployment record.
Status SnapshotGatewayResponses(const RequestContext& ctx, std::string_view api_id,
                                json::object& deployment);

// The customized gateway responses of an API (type → record), for OpenAPI export.
Result<json::object> LoadGatewayResponses(const RequestContext& ctx, std::string_view api_id);
// Stores a gateway response read from OpenAPI (x-amazon-apigateway-gateway-responses): `type`
// and its record's statusCode, responseParameters and responseTemplates, checked as
// PutGatewayResponse checks them. Writes nothing on error.
Result<json::object> GatewayResponseFromInput(std::string_view type, const json::object& in);
std::string GatewayResponseKey(const RequestContext& ctx, std::string_view api_id,
                               std::string_view type);

}  // namespace nimbus::apigateway
