#pragma once

// Shared by the API Gateway (HTTP APIs) files: storage layout, errors, record helpers and the
// handlers of each operation family (registered in apigatewayv2_service.cc).

#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/router/service.h"
#include "core/storage/json_store.h"

namespace nimbus::apigatewayv2 {

constexpr std::string_view kKeyspace = "apigatewayv2";

// ---- Errors, in AWS's words ----
ApiError NotFound(std::string message, std::string_view resource_type);  // NotFoundException 404
ApiError BadRequest(std::string message);                                // BadRequestException 400
ApiError Conflict(std::string message);                                  // ConflictException 409
ApiError ApiNotFound(const RequestContext& ctx, std::string_view api_id);
ApiError RouteNotFound(std::string_view route_id);
ApiError IntegrationNotFound(std::string_view integration_id);
ApiError StageNotFound(std::string_view stage_name);
ApiError DeploymentNotFound(std::string_view deployment_id);
ApiError AuthorizerNotFound(std::string_view authorizer_id);

// ---- Storage layout (keyspace "apigatewayv2") ----
//   <scope>a/<apiId>                       API: GetApi's answer (Tags included)
//   <scope>r/<apiId>/<routeId>             route: GetRoute's answer
//   <scope>i/<apiId>/<integrationId>       integration: GetIntegration's answer
//   <scope>s/<apiId>/<stageName>           stage: GetStage's answer (Tags included)
//   <scope>u/<apiId>/<authorizerId>        authorizer: GetAuthorizer's answer
//   <scope>d/<apiId>/<deploymentId>        deployment: GetDeployment's answer plus "_routes",
//                                          "_integrations" and "_authorizers", the API as it was
//                                          deployed
//   x/<apiId>                              {"account", "region"}: who owns an API id (the data
//                                          plane finds an API from its id alone)
enum class Kind : char {
  kApi = 'a',
  kRoute = 'r',
  kIntegration = 'i',
  kStage = 's',
  kDeploy = 'd',
  kAuthorizer = 'u'
};
std::string ApiKey(std::string_view account, std::string_view region, std::string_view api_id);
std::string ChildKey(std::string_view account, std::string_view region, Kind kind,
                     std::string_view api_id, std::string_view child_id);
std::string ChildPrefix(std::string_view account, std::string_view region, Kind kind,
                        std::string_view api_id);
std::string OwnerKey(std::string_view api_id);

// A record under `key`: nullopt when absent, an error when storage fails.
Result<std::optional<json::object>> LoadRecord(ServiceEnv& env, const std::string& key);
// The API the caller names, or NotFoundException.
Result<json::object> LoadApi(const RequestContext& ctx, std::string_view api_id);
// Every child record of one kind of an API, in key order.
Result<std::vector<json::object>> LoadChildren(ServiceEnv& env, std::string_view account,
                                               std::string_view region, Kind kind,
                                               std::string_view api_id);
// Writes `record` under `key` (one batch).
Status SaveRecord(const RequestContext& ctx, const std::string& key, const json::object& record);

// Control-plane writes (read-modify-write of records) hold this lock; reads do not.
std::mutex& WriteMutex();

// ---- Request members ----
// One page of `items` (already in order) after NextToken, at most MaxResults: GetApis, GetRoutes
// and the like. `id_member` names the member whose value the token carries.
// Get<Child> and Get<Children> of the API named by the input's ApiId (which must exist): the
// child named by input member `id_member` (or `not_found(id)`), or every child, paged.
Result<Document> GetChild(const RequestContext& ctx, const Document& in, Kind kind,
                          std::string_view id_member, ApiError (*not_found)(std::string_view));
Result<Document> ListChildren(const RequestContext& ctx, const Document& in, Kind kind,
                              std::string_view id_member);
Result<Document> Page(const Document& in, std::vector<json::object> items,
                      std::string_view id_member);

// ---- Ids and names ----
std::string NewApiId();         // 10 lowercase alphanumerics, as AWS's
std::string NewChildId();       // 7 lowercase alphanumerics (routes, integrations)
std::string NewDeploymentId();  // 6 lowercase alphanumerics
// "http://<apiId>.execute-api.localhost:<port>": where this server answers the API.
std::string ApiEndpoint(const ServiceEnv& env, std::string_view api_id);
std::string ApiArn(std::string_view region, std::string_view api_id);
// Route keys: "$default" or "<METHOD> /<path>" (METHOD one of the HTTP methods or ANY).
bool ValidHttpRouteKey(std::string_view key);

// ---- Handlers (one file per operation family) ----
using HandlerTable = std::vector<std::pair<std::string, SyncOperationHandler>>;
HandlerTable ApiHandlers();
HandlerTable RouteHandlers();
HandlerTable IntegrationHandlers();
HandlerTable StageHandlers();  // stages and deployments
HandlerTable TagHandlers();
HandlerTable AuthorizerHandlers();
HandlerTable OpenApiHandlers();  // ImportApi, ReimportApi, ExportApi

// An integration record from CreateIntegration/UpdateIntegration input merged over `record`,
// with AWS's defaults filled in and HTTP API rules checked (BadRequestException otherwise).
// With an IntegrationSubtype the registry tells which services are served (null: refused).
Result<json::object> IntegrationFromInput(const Document& in, json::object record,
                                          const Registry* registry = nullptr);

// The authorization of a route record (AuthorizationType, AuthorizerId): a JWT or CUSTOM route
// names an authorizer of the API of the matching type (JWT, REQUEST); other types drop
// AuthorizerId.
Status CheckRouteAuthorization(const RequestContext& ctx, std::string_view api_id,
                               json::object& route);

// A deployment of the API as it is now: the record (DeploymentStatus DEPLOYED) with the routes
// and integrations it serves, written under its key.
Result<json::object> Deploy(const RequestContext& ctx, std::string_view api_id,
                            std::string_view description, bool auto_deployed);

// Creates the integration, route and $default stage of a quick-created API (CreateApi with
// Target): an AWS_PROXY integration for a Lambda ARN, HTTP_PROXY for a URL.
Status QuickCreate(const RequestContext& ctx, const json::object& api, std::string_view target,
                   std::string_view route_key);

}  // namespace nimbus::apigatewayv2
