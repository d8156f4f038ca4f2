#pragma once

// Shared by the API Gateway REST API files: storage layout, errors, record helpers and the
// handlers of each operation family (registered in apigateway_service.cc).

#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

constexpr std::string_view kKeyspace = "apigateway";

// ---- Errors, in AWS's words ----
ApiError NotFound(std::string message);    // NotFoundException 404
ApiError BadRequest(std::string message);  // BadRequestException 400
ApiError Conflict(std::string message);    // ConflictException 409
ApiError NotBuilt(std::string message);    // NotImplementedException 501 (nimbus lacks it)
ApiError RestApiNotFound(const RequestContext& ctx, std::string_view api_id);
ApiError ResourceNotFound();     // "Invalid Resource identifier specified"
ApiError MethodNotFound();       // "Invalid Method identifier specified"
ApiError IntegrationNotFound();  // "Invalid Integration identifier specified"
ApiError ResponseNotFound();     // "Invalid Response status code specified"
ApiError StageNotFound();        // "Invalid Stage identifier specified"
ApiError DeploymentNotFound();   // "Invalid Deployment identifier specified"
ApiError AuthorizerNotFound();   // "Invalid Authorizer identifier specified"

// ---- Storage layout (keyspace "apigateway") ----
//   <scope>a/<apiId>                  REST API: GetRestApi's answer (tags included)
//   <scope>r/<apiId>/<resourceId>     resource: GetResource's answer with every method embedded
//                                     ("resourceMethods": {"GET": Method with methodIntegration
//                                     and methodResponses})
//   <scope>s/<apiId>/<stageName>      stage: GetStage's answer (tags included)
//   <scope>u/<apiId>/<authorizerId>   authorizer: GetAuthorizer's answer
//   <scope>d/<apiId>/<deploymentId>   deployment: GetDeployment's answer plus "_resources",
//                                     "_authorizers" (id → record), "_models", "_validators"
//                                     and "_gatewayResponses" (type → record), as deployed
//   x/<apiId>                         {"account", "region"}: who owns an API id (the data plane
//                                     finds an API from its id alone)
//   <scope>m/<apiId>/<modelName>      model: GetModel's answer
//   <scope>v/<apiId>/<validatorId>    request validator: GetRequestValidator's answer
//   <scope>g/<apiId>/<responseType>   customized gateway response (PutGatewayResponse's answer
//                                     without defaultResponse)
//   <scope>k/, h/, p/, q/, n/         API keys, key values, usage plans, plan members and usage
//                                     counts (usage_store.cc)
enum class Kind : char {
  kApi = 'a',
  kResource = 'r',
  kStage = 's',
  kDeploy = 'd',
  kAuthorizer = 'u',
  kModel = 'm',
  kValidator = 'v',
  kGatewayResponse = 'g'
};
std::string ApiKey(std::string_view account, std::string_view region, std::string_view api_id);
std::string ChildKey(std::string_view account, std::string_view region, Kind kind,
                     std::string_view api_id, std::string_view child_id);
std::string ChildPrefix(std::string_view account, std::string_view region, Kind kind,
                        std::string_view api_id);
std::string OwnerKey(std::string_view api_id);

// A record under `key`: nullopt when absent, an error when storage fails.
Result<std::optional<json::object>> LoadRecord(ServiceEnv& env, const std::string& key);
// The REST API the caller names, or NotFoundException.
Result<json::object> LoadApi(const RequestContext& ctx, std::string_view api_id);
// A resource of an API the caller names, or NotFoundException (API or resource).
Result<json::object> LoadResource(const RequestContext& ctx, std::string_view api_id,
                                  std::string_view resource_id);
// Every child record of one kind of an API, in key order.
Result<std::vector<json::object>> LoadChildren(ServiceEnv& env, std::string_view account,
                                               std::string_view region, Kind kind,
                                               std::string_view api_id);
Status SaveRecord(const RequestContext& ctx, const std::string& key, const json::object& record);

// Control-plane writes (read-modify-write of records) hold this lock; reads do not.
std::mutex& WriteMutex();

// ---- Request members ----
// One page of `items` (in order) after `position`, at most `limit` (default 25, at most 500):
// {"items": [...], "position"?}. Members starting with '_' are left out.
Result<Document> Page(const Document& in, std::vector<json::object> items);

// One operation of a PATCH request's patchOperations.
struct PatchOp {
  std::string op;  // add, remove, replace, move, copy, test
  std::string path;
  std::optional<std::string> value;
  std::optional<std::string> from;  // move and copy
};
// The request's patchOperations (an empty list when absent).
std::vector<PatchOp> PatchOps(const Document& in);
// "Invalid patch path '<path>' specified for op '<op>'..."
ApiError InvalidPatchPath(const PatchOp& p);
// "Invalid patch path '<path>' specified for op '<op>'. Must be one of: <paths>" (a resource whose
// updatable paths are few, e.g. UpdateResource's "[/parentId, /pathPart]").
ApiError InvalidPatchPathMustBe(const PatchOp& p, std::string_view paths);
// "Invalid patch path <path>": a path the resource has no such member for (UpdateMethod,
// UpdateIntegration and their responses).
ApiError UnknownPatchPath(const PatchOp& p);
// The key of a "/<member>/<key>" path (unescaped), or nullopt when `p` names another member or
// no key.
std::optional<std::string> PatchMapKey(const PatchOp& p, std::string_view member);
// Applies add/replace (key = value, or null without one when `null_ok`) or remove (the key
// goes) of a "/<member>/<key>" path to the string map record[member]; an empty map is dropped.
// Other ops: InvalidPatchPath.
Status PatchStringMap(const PatchOp& p, json::object& record, std::string_view member,
                      std::string_view key, bool null_ok);
// A patch value as a whole number in [lo, hi], else BadRequestException `message`.
Result<int64_t> PatchInt(const PatchOp& p, int64_t lo, int64_t hi, std::string_view message);
// A JSON pointer segment as API Gateway escapes it: "~1" is '/', "~0" is '~'.
std::string UnescapePatchSegment(std::string_view s);
// A patch value as a boolean ("true"/"false") or BadRequestException.
Result<bool> PatchBool(const PatchOp& p);

// ---- Ids ----
std::string NewRestApiId();     // 10 lowercase alphanumerics, as AWS's
std::string NewResourceId();    // 10 lowercase alphanumerics
std::string NewDeploymentId();  // 6 lowercase alphanumerics
std::string RestApiArn(std::string_view region, std::string_view api_id);
double NowSeconds(const RequestContext& ctx);

// ---- Handlers (one file per operation family) ----
using HandlerTable = std::vector<std::pair<std::string, SyncOperationHandler>>;
HandlerTable RestApiHandlers();   // rest APIs and tags
HandlerTable ResourceHandlers();  // resources, methods, integrations and their responses
// UpdateResource, UpdateMethod, UpdateMethodResponse, UpdateIntegration,
// UpdateIntegrationResponse (resource_updates.cc)
HandlerTable ResourceUpdateHandlers();
HandlerTable StageHandlers();  // stages and deployments
HandlerTable AuthorizerHandlers();
// TestInvokeAuthorizer: runs an authorizer (never its cache) on the request the input describes.
Task<Result<Document>> TestInvokeAuthorizer(RequestContext& ctx, Document in);

// The authorizer a method of authorizationType `auth` (CUSTOM or COGNITO_USER_POOLS) names:
// BadRequestException "Invalid authorizer ID specified" unless `authorizer_id` names an
// authorizer of the API of a matching type (TOKEN or REQUEST for CUSTOM).
Status CheckMethodAuthorizer(const RequestContext& ctx, std::string_view api_id,
                             std::string_view auth, std::string_view authorizer_id);

HandlerTable ModelHandlers();    // models and request validators (validators.cc)
HandlerTable OpenApiHandlers();  // ImportRestApi, PutRestApi, GetExport (openapi.cc)
// PutGatewayResponse, GetGatewayResponse(s), UpdateGatewayResponse, DeleteGatewayResponse
// (gateway_responses.cc)
HandlerTable GatewayResponseHandlers();

// A resource path part: "name", "{name}" or "{name+}" of [a-zA-Z0-9._-].
bool ValidPathPart(std::string_view part);

}  // namespace nimbus::apigateway
