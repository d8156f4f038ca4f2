#include "services/dynamodb/dynamodb_service.h"

#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/state.h"

namespace nimbus::dynamodb {

namespace {

class DynamoDbService final : public Service {
 public:
  DynamoDbService() : Service("dynamodb") {
    Register("CreateTable", &CreateTable);
    Register("DescribeTable", &DescribeTable);
    Register("ListTables", &ListTables);
    Register("DeleteTable", &DeleteTable);
    Register("UpdateTable", &UpdateTable);
    Register("TagResource", &TagResource);
    Register("UntagResource", &UntagResource);
    Register("ListTagsOfResource", &ListTagsOfResource);
    Register("DescribeLimits", &DescribeLimits);
    Register("DescribeEndpoints", &DescribeEndpoints);
    Register("DescribeTimeToLive", &DescribeTimeToLive);
    Register("UpdateTimeToLive", &UpdateTimeToLive);
    Register("PutItem", &PutItem, false);
    Register("GetItem", &GetItem, false);
    Register("DeleteItem", &DeleteItem, false);
    Register("UpdateItem", &UpdateItem, false);
    Register("Query", &Query, false);
    Register("Scan", &Scan, false);
    Register("BatchGetItem", &BatchGetItem, false);
    Register("BatchWriteItem", &BatchWriteItem, false);
    Register("TransactWriteItems", &TransactWriteItems, false);
    Register("TransactGetItems", &TransactGetItems, false);
  }

  void Start(ServiceEnv& env) override {
    state_.env = &env;
    state_.catalog.Attach(env.kv);
    ResumeBackfills(state_);
  }

  void Reset() override {
    state_.catalog.Reset();
    state_.expressions.Clear();
    std::lock_guard lock(state_.tokens_mu);
    state_.tokens.clear();
  }

 private:
  using Operation = Result<Document> (*)(State&, RequestContext&, Document&);

  // `control_plane`: small inputs, checked whole for nulls inside lists (data-plane
  // operations check the lists they read).
  void Register(const char* name, Operation op, bool control_plane = true) {
    HandleSync(name,
               [this, op, control_plane](RequestContext& ctx, Document& input) -> Result<Document> {
                 if (!input.is_object()) input = json::object();
                 if (control_plane) {
                   auto st = RejectNullListElements(input);
                   if (!st) return std::move(st).error();
                 }
                 return op(state_, ctx, input);
               });
  }

  State state_;
};

}  // namespace

std::unique_ptr<Service> NewDynamoDbService() { return std::make_unique<DynamoDbService>(); }

}  // namespace nimbus::dynamodb
