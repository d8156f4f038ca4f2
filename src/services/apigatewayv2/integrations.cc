// CreateIntegration, GetIntegration(s), UpdateIntegration, DeleteIntegration for HTTP APIs:
// AWS_PROXY (Lambda, payload format 1.0 or 2.0; or an AWS service action with
// IntegrationSubtype) and HTTP_PROXY (a URL).
#include <boost/json.hpp>

#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"
#include "services/apigatewayv2/service_integration.h"

namespace nimbus::apigatewayv2 {

namespace {

bool IsHttpUrl(std::string_view uri) {
  return uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0;
}

// The members an integration takes from CreateIntegration/UpdateIntegration as they are.
constexpr std::string_view kCopied[] = {"ConnectionId",
                                        "ConnectionType",
                                        "CredentialsArn",
                                        "Description",
                                        "IntegrationMethod",
                                        "IntegrationType",
                                        "IntegrationUri",
                                        "IntegrationSubtype",
                                        "PayloadFormatVersion",
                                        "RequestParameters",
                                        "ResponseParameters",
                                        "TimeoutInMillis",
                                        "TlsConfig",
                                        "ContentHandlingStrategy",
                                        "PassthroughBehavior",
                                        "RequestTemplates",
                                        "TemplateSelectionExpression"};

}  // namespace

Result<json::object> IntegrationFromInput(const Document& in, json::object record,
                                          const Registry* registry) {
  for (auto m : kCopied)
    if (HasMember(in, m)) record[m] = in.get_object().at(m);
  auto str = [&](std::string_view m) -> std::string {
    const auto* v = record.if_contains(m);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  std::string type = str("IntegrationType");
  if (type == "AWS" || type == "HTTP" || type == "MOCK")
    return BadRequest("Integration type " + type +
                      " is not supported for HTTP APIs. Supported types: AWS_PROXY, HTTP_PROXY.");
  if (!str("IntegrationSubtype").empty()) {
    if (!registry)
      return BadRequest(
          "IntegrationSubtype is not supported here: create the integration with "
          "CreateIntegration.");
    auto st = CheckServiceIntegration(*registry, record);
    if (!st) return std::move(st).error();
    return record;
  }
  if (str("ConnectionType") == "VPC_LINK")
    return ApiError("NotImplementedException", 501,
                    "VPC_LINK integrations are not implemented in nimbus.");
  if (!record.contains("ConnectionType")) record["ConnectionType"] = "INTERNET";
  if (!record.contains("TimeoutInMillis")) record["TimeoutInMillis"] = 30000;
  std::string uri = str("IntegrationUri");
  if (uri.empty()) return BadRequest("IntegrationUri is required for " + type + " integrations.");
  std::string version = str("PayloadFormatVersion");
  if (version.empty()) record["PayloadFormatVersion"] = version = "1.0";
  if (type == "AWS_PROXY") {
    if (version != "1.0" && version != "2.0")
      return BadRequest("Invalid PayloadFormatVersion specified. Supported versions: 1.0, 2.0");
    if (uri.rfind("arn:", 0) != 0)
      return BadRequest("Invalid IntegrationUri specified for AWS_PROXY: " + uri +
                        ". Use a Lambda function ARN.");
    if (!record.contains("IntegrationMethod")) record["IntegrationMethod"] = "POST";
  } else {  // HTTP_PROXY
    if (version != "1.0")
      return BadRequest(
          "Invalid PayloadFormatVersion specified. Supported versions for "
          "HTTP_PROXY: 1.0");
    if (!IsHttpUrl(uri))
      return BadRequest("Invalid IntegrationUri specified for HTTP_PROXY: " + uri +
                        ". Use an http:// or https:// URL.");
    if (str("IntegrationMethod").empty())
      return BadRequest("IntegrationMethod is required for HTTP_PROXY integrations.");
  }
  return record;
}

HandlerTable IntegrationHandlers() {
  HandlerTable t;
  t.emplace_back("CreateIntegration", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string id = NewChildId();
    auto record = IntegrationFromInput(in, json::object{{"IntegrationId", id}}, ctx.env->registry);
    if (!record) return std::move(record).error();
    auto st = SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id, id),
                         *record);
    if (!st) return std::move(st).error();
    return Document(std::move(*record));
  });
  t.emplace_back("GetIntegration", [](RequestContext& ctx, Document& in) {
    return GetChild(ctx, in, Kind::kIntegration, "IntegrationId", &IntegrationNotFound);
  });
  t.emplace_back("GetIntegrations", [](RequestContext& ctx, Document& in) {
    return ListChildren(ctx, in, Kind::kIntegration, "IntegrationId");
  });
  t.emplace_back("UpdateIntegration", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id,
                               StringMember(in, "IntegrationId"));
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return IntegrationNotFound(StringMember(in, "IntegrationId"));
    if (HasMember(in, "IntegrationType") &&
        StringMember(in, "IntegrationType") !=
            std::string_view((*r)->at("IntegrationType").as_string()))
      return BadRequest("IntegrationType cannot be updated for HTTP APIs.");
    auto record = IntegrationFromInput(in, std::move(**r), ctx.env->registry);
    if (!record) return std::move(record).error();
    auto st = SaveRecord(ctx, key, *record);
    if (!st) return std::move(st).error();
    return Document(std::move(*record));
  });
  t.emplace_back("DeleteIntegration", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string id(StringMember(in, "IntegrationId"));
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id, id);
    auto r = LoadRecord(*ctx.env, key);
    if (!r) return std::move(r).error();
    if (!*r) return IntegrationNotFound(id);
    // AWS refuses to delete an integration a route still targets.
    auto routes = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
    if (!routes) return std::move(routes).error();
    for (const auto& route : *routes) {
      const auto* target = route.if_contains("Target");
      if (target && target->is_string() && target->get_string() == "integrations/" + id)
        return Conflict("Integration " + id + " is in use by route " +
                        std::string(route.at("RouteId").as_string()) +
                        ". Delete the route or "
                        "change its target first.");
    }
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
  return t;
}

}  // namespace nimbus::apigatewayv2
