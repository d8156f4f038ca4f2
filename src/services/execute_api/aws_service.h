#pragma once

// API Gateway's AWS service integrations (REST APIs' non-proxy `AWS` type with a service other
// than Lambda): the gateway calls a service's API with a request in that service's own wire
// format (the mapped body, query string and headers), and reads the service's answer (status,
// headers, body in the service's format) like an HTTP backend's.
//
// nimbus does this in process: the request is handed to the service's own codec, exactly as a
// client's would be after routing (no authentication, since the gateway holds the integration's
// credentials), the decoded input runs through registry.Call, and the output or error is encoded
// back by the same codec. No HTTP round trip to ourselves, and nothing the service's codec would
// refuse from a client is accepted from a mapping template.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/task.h"
#include "core/http/http_types.h"
#include "core/router/service.h"

namespace nimbus::execute_api {

// "arn:aws:apigateway:<region>:<subdomain>:action/<Action>" or "...:path/<path>".
struct AwsServiceUri {
  std::string region;
  std::string subdomain;    // the service's endpoint prefix: "sqs", "dynamodb", "sns", "s3"
  std::string host_prefix;  // what comes before it ("<bucket>" of "<bucket>.s3"), usually empty
  bool action = false;      // action/<Action> rather than path/<path>
  std::string target;       // the action, or the path without its leading '/'
};
std::optional<AwsServiceUri> ParseAwsServiceUri(std::string_view uri);

// The nimbus service (its model name) behind an API Gateway service subdomain ("states" →
// "stepfunctions"); the subdomain itself for most.
std::string ServiceForSubdomain(std::string_view subdomain);

// True when nimbus serves `service` (it has operation handlers, not only a model).
bool IsServed(const Registry& registry, std::string_view service);

// Calls `service` with `request` in its wire format as `ctx`'s caller, in process (see above).
// An `X-Amz-Target` header picks the JSON protocol of an awsQueryCompatible service (SQS);
// without one such a service reads the query protocol (Action=...). Every failure (an action
// the service has not, a body its codec cannot read, the operation's own errors) is the
// service's error in its own envelope. nullopt when `timeout` ran out first (the call goes on
// in the background and its answer is dropped).
//
// A query-protocol answer comes as JSON when the request's Accept header names
// application/json (or no Accept is sent): the legacy JSON form of the query API,
// {"<Action>Response": {"<Action>Result": {...members, null when absent...},
// "ResponseMetadata": {"RequestId": "..."}}} and {"Error": {"Code", "Message", "Type"},
// "RequestId"} (the code as the XML form has it), which is what API Gateway gets from SQS and
// SNS; an Accept naming XML gets the XML form.
Task<std::optional<http::Response>> CallServiceWire(ServiceEnv& env, RequestContext ctx,
                                                    std::string service,
                                                    const http::Request& request,
                                                    std::chrono::milliseconds timeout);

}  // namespace nimbus::execute_api
