#include "core/router/service.h"

#include "core/common/ids.h"

namespace nimbus {

Service::Service(std::string model_name) : name_(std::move(model_name)) {}

const protocol::ServiceModel* Service::model() const { return protocol::GetModel(name_); }

const OperationHandler* Service::FindHandler(std::string_view operation) const {
  auto it = handlers_.find(std::string(operation));
  return it == handlers_.end() ? nullptr : &it->second;
}

Task<std::optional<http::Response>> Service::HandleBeforeAuth(http::Request&, std::string_view) {
  co_return std::nullopt;
}

Task<std::optional<http::Response>> Service::HandleInternal(const http::Request&) {
  co_return std::nullopt;
}

Task<std::optional<http::Response>> Service::HandleDataPlane(const http::Request&,
                                                             const DataPlaneTarget&,
                                                             std::string_view) {
  co_return std::nullopt;
}

void Service::Handle(std::string operation, OperationHandler handler) {
  handlers_[std::move(operation)] = std::move(handler);
}

void Service::HandleSync(std::string operation, SyncOperationHandler handler) {
  handlers_[std::move(operation)] =
      [h = std::move(handler)](RequestContext& ctx, Document input) -> Task<Result<Document>> {
    co_return h(ctx, input);
  };
}

void Registry::Add(std::unique_ptr<Service> service) {
  by_name_[service->name()] = service.get();
  services_.push_back(std::move(service));
}

Service* Registry::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

Task<Result<Document>> Registry::Call(const RequestContext& parent, std::string_view service,
                                      std::string_view operation, Document input) {
  Service* svc = Find(service);
  if (!svc) co_return errors::NotImplemented(service, operation);
  const auto* model = svc->model();
  const auto* op = model ? model->FindOperation(operation) : nullptr;
  if (!op) co_return errors::UnknownOperation(operation);
  const OperationHandler* handler = svc->FindHandler(operation);
  if (!handler) co_return errors::NotImplemented(service, operation);
  if (op->input) {
    auto st = protocol::Validate(*op->input, input, svc->validation());
    if (!st) co_return std::move(st).error();
  }
  RequestContext ctx;
  ctx.request_id = NewRequestId();
  ctx.account_id = parent.account_id;
  ctx.region = parent.region;
  ctx.access_key_id = parent.access_key_id;
  ctx.caller_arn = parent.caller_arn;
  ctx.caller_user_id = parent.caller_user_id;
  ctx.service = std::string(service);
  ctx.operation = std::string(operation);
  ctx.env = parent.env;
  co_return co_await (*handler)(ctx, std::move(input));
}

}  // namespace nimbus
