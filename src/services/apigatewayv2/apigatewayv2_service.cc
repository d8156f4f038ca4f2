// The operation table of API Gateway v2 and its data-plane entry point.
#include "services/apigatewayv2/apigatewayv2_service.h"

#include "services/apigatewayv2/apigw.h"
#include "services/apigatewayv2/data_plane.h"
#include "services/execute_api/authorizer.h"

namespace nimbus::apigatewayv2 {

namespace {

class ApiGatewayV2Service final : public Service {
 public:
  ApiGatewayV2Service() : Service("apigatewayv2") {
    // Invalid input answers BadRequestException, as API Gateway does for every kind of it.
    validation_.error_code = "BadRequestException";
    validation_.serialization_error_code = "BadRequestException";
    for (auto table : {ApiHandlers(), RouteHandlers(), IntegrationHandlers(), StageHandlers(),
                       TagHandlers(), AuthorizerHandlers(), OpenApiHandlers()})
      for (auto& [name, handler] : table) HandleSync(name, Invalidating(name, std::move(handler)));
  }

  void Start(ServiceEnv& env) override { env_ = &env; }

  // Cached JWKS and Lambda authorizer results go with the state they came from.
  void Reset() override {
    deployed_.Invalidate();
    execute_api::SharedJwks().Clear();
    execute_api::SharedAuthorizerCache().Clear();
  }

  Task<std::optional<http::Response>> HandleDataPlane(const http::Request& request,
                                                      const DataPlaneTarget& target,
                                                      std::string_view request_id) override {
    co_return co_await ServeInvocation(*env_, deployed_, request, target, request_id);
  }

 private:
  // An operation that may write (all but Get* and ExportApi) drops the data plane's cached APIs
  // once it has run.
  SyncOperationHandler Invalidating(const std::string& name, SyncOperationHandler handler) {
    if (name.rfind("Get", 0) == 0 || name == "ExportApi") return handler;
    return [this, handler = std::move(handler)](RequestContext& ctx, Document& in) {
      auto out = handler(ctx, in);
      deployed_.Invalidate();
      return out;
    };
  }

  ServiceEnv* env_ = nullptr;
  DeployedApiCache deployed_;
};

}  // namespace

std::unique_ptr<Service> NewApiGatewayV2Service() {
  return std::make_unique<ApiGatewayV2Service>();
}

}  // namespace nimbus::apigatewayv2
