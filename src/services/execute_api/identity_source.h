#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "services/execute_api/lambda_proxy.h"

namespace nimbus::execute_api {

// How an API type spells its identity sources: REST APIs "method.request.header.X",
// "method.request.querystring.X", "stageVariables.X", "context.X"; HTTP APIs the same with
// "$request.header.", "$request.querystring.", "$stageVariables.", "$context.", whose context
// also names routeKey, domainName, domainPrefix and the http.* fields.
struct IdentitySyntax {
  std::string_view header, query, stage, context;
  bool http_api = false;
};
inline constexpr IdentitySyntax kRestIdentity{
    "method.request.header.", "method.request.querystring.", "stageVariables.", "context.", false};
inline constexpr IdentitySyntax kHttpIdentity{"$request.header.", "$request.querystring.",
                                              "$stageVariables.", "$context.", true};

// The value of one identity source of the request (repeated headers or parameters joined with
// commas); nullopt when the request has none, or an empty one.
std::optional<std::string> IdentityValue(const Invocation& inv, std::string_view source,
                                         const IdentitySyntax& syntax);

}  // namespace nimbus::execute_api
