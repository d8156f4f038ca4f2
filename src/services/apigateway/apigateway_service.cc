// The operation table of API Gateway (REST APIs) and its data-plane entry point.
#include "services/apigateway/apigateway_service.h"

#include "services/apigateway/data_plane.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/usage.h"
#include "services/execute_api/authorizer.h"

namespace nimbus::apigateway {

namespace {

class ApiGatewayService final : public Service {
 public:
  ApiGatewayService() : Service("apigateway") {
    // Invalid input answers BadRequestException, as API Gateway does for every kind of it.
    validation_.error_code = "BadRequestException";
    validation_.serialization_error_code = "BadRequestException";
    for (auto table : {RestApiHandlers(), ResourceHandlers(), ResourceUpdateHandlers(),
                       StageHandlers(), ApiKeyHandlers(), UsagePlanHandlers(), AuthorizerHandlers(),
                       ModelHandlers(), OpenApiHandlers(), GatewayResponseHandlers()})
      for (auto& [name, handler] : table) HandleSync(name, std::move(handler));
    Handle("TestInvokeAuthorizer", &TestInvokeAuthorizer);
  }

  void Start(ServiceEnv& env) override { env_ = &env; }

  // Cached Lambda authorizer results go with the state they came from.
  void Reset() override { execute_api::SharedAuthorizerCache().Clear(); }

  Task<std::optional<http::Response>> HandleDataPlane(const http::Request& request,
                                                      const DataPlaneTarget& target,
                                                      std::string_view request_id) override {
    co_return co_await ServeInvocation(*env_, request, target, request_id);
  }

 private:
  ServiceEnv* env_ = nullptr;
};

}  // namespace

std::unique_ptr<Service> NewApiGatewayService() { return std::make_unique<ApiGatewayService>(); }

}  // namespace nimbus::apigateway
