#include "services/iam/iam_service.h"

#include <mutex>

#include "services/iam/iam_common.h"

namespace nimbus::iam {

namespace {

class IamService final : public Service {
 public:
  IamService() : Service("iam") {
    validation_.error_code = "ValidationError";
    HandlerTable table;
    AddRoleHandlers(&table);
    AddInlinePolicyHandlers(&table);
    AddManagedPolicyHandlers(&table);
    AddAttachmentHandlers(&table);
    AddUserHandlers(&table);
    AddAccessKeyHandlers(&table);
    AddGroupHandlers(&table);
    AddInstanceProfileHandlers(&table);
    AddAccountHandlers(&table);
    for (auto& [name, handler] : table) {
      HandleSync(
          name,
          [this, h = std::move(handler)](RequestContext& ctx, Document& in) -> Result<Document> {
            static const json::object kEmpty;
            // IAM state is small and changes rarely: one lock makes every read-modify-write of an
            // operation atomic with respect to the others.
            std::lock_guard lock(mu_);
            Call call{ctx, store_};
            return h(call, in.is_object() ? in.get_object() : kEmpty);
          });
    }
  }

  void Start(ServiceEnv& env) override {
    std::lock_guard lock(mu_);
    store_.Bind(&env);
    LoadAccessKeys(store_);
  }

  void Reset() override {
    std::lock_guard lock(mu_);
    store_.UnregisterAll();
  }

  void Reload() override {
    Reset();
    std::lock_guard lock(mu_);
    LoadAccessKeys(store_);
  }

 private:
  std::mutex mu_;
  Store store_;
};

}  // namespace

std::unique_ptr<Service> NewIamService() { return std::make_unique<IamService>(); }

}  // namespace nimbus::iam
