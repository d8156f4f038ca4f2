#pragma once

// AWS_IAM authorization of REST API methods and HTTP API routes: the caller signs the request
// with SigV4 for the signing name "execute-api" (developer guide, "Control access to a REST API
// with IAM permissions", "Control access to HTTP APIs with IAM authorization").

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/http_types.h"
#include "core/router/service.h"

namespace nimbus::execute_api {

// Who signed the request.
struct IamCaller {
  std::string access_key_id;
  std::string account_id;
  std::string arn;      // "arn:aws:iam::<account>:root" unless the credential names another
  std::string user_id;  // the account id for root credentials
};

// Why a request is refused: always 403, with {"message": message} and x-amzn-ErrorType
// `error_type`; `response_type` is the REST API gateway response it renders through.
struct IamRefusal {
  bool missing = false;  // no signature at all (HTTP APIs answer {"message":"Forbidden"})
  std::string message;
  std::string error_type;
  std::string_view response_type;
};

struct IamAuthentication {
  std::optional<IamCaller> caller;
  std::optional<IamRefusal> refusal;
};

// Checks the signature of `request` as the client sent it (its method, path, query, headers and
// body; the Host it named), whichever URL form reached the API. A signature must be present and
// well formed, by header or presigned query, scoped to "execute-api". Under --auth strict it is
// verified against the key's secret (unknown keys refused, a 5-minute window for the date,
// temporary credentials' expiry); in permissive mode any signature passes, as for AWS APIs.
IamAuthentication AuthenticateIam(ServiceEnv& env, const http::Request& request);

// requestContext.identity members of a REST or payload 1.0 event: accessKey, accountId, caller,
// user, userArn.
json::object IamIdentity(const IamCaller& caller);
// requestContext.authorizer of a payload 2.0 event: {"iam": {accessKey, accountId, callerId,
// cognitoIdentity, principalOrgId, userArn, userId}}.
json::object IamAuthorizerV2(const IamCaller& caller);

}  // namespace nimbus::execute_api
