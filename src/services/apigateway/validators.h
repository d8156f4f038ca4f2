#pragma once

// Models and request validators of REST APIs: their operations (CreateModel, GetModel(s),
// UpdateModel, DeleteModel, CreateRequestValidator, GetRequestValidator(s),
// UpdateRequestValidator, DeleteRequestValidator) and the checks an invocation goes through when
// its method names a request validator (developer guide, "Request validation for REST APIs").

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/http/http_types.h"
#include "core/router/service.h"

namespace nimbus::apigateway {

// "https://apigateway.amazonaws.com/restapis/<apiId>/models/<name>": how one model's schema
// refers to another.
std::string ModelUrl(std::string_view api_id, std::string_view name);

// The model name a "$ref" names ("#/definitions/Pet", "#/components/schemas/Pet" or a model URL),
// or "" when it names none.
std::string ModelNameOfRef(std::string_view ref);

// The models API Gateway gives every new REST API: "Empty" and "Error" (with fresh ids).
std::vector<json::object> DefaultModels();

// PutMethod's checks: requestValidatorId names a validator of the API and every requestModels
// value a model of it (BadRequestException otherwise, in AWS's words).
Status CheckMethodReferences(const RequestContext& ctx, std::string_view api_id,
                             const Document& in);

// Adds the API's models ("_models": name → model) and validators ("_validators": id →
// validator) to a deployment record, which serves them from then on.
Status SnapshotModels(const RequestContext& ctx, std::string_view api_id, json::object& deployment);

// Checks one invocation of `method` (a deployed method record) against its request validator:
// nullopt to go on, else the message of the 400 answer ("Missing required request parameters:
// [x]", "Invalid request body").
std::optional<std::string> ValidateInvocation(const json::object& deployment,
                                              const json::object& method,
                                              const http::Request& request);

}  // namespace nimbus::apigateway
