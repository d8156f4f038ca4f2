#include "services/dynamodb/dynamodb_service.h"

#include <boost/json.hpp>

#include "core/http/http_types.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/state.h"
#include "services/dynamodb/streams/streams_ops.h"

namespace nimbus::dynamodb {

namespace {

using Operation = Result<Document> (*)(State&, RequestContext&, Document&);

// The state both services of this folder work on: the streams API reads what the table API
// writes. One per process, like the registry that holds the two services.
std::shared_ptr<State> SharedState() {
  static std::shared_ptr<State> state = std::make_shared<State>();
  return state;
}

// Wraps an operation as a handler. `control_plane`: small inputs, checked whole for nulls
// inside lists (data-plane operations check the lists they read).
SyncOperationHandler Wrap(std::shared_ptr<State> state, Operation op, bool control_plane) {
  return [state = std::move(state), op, control_plane](RequestContext& ctx,
                                                       Document& input) -> Result<Document> {
    if (!input.is_object()) input = json::object();
    if (control_plane) {
      auto st = RejectNullListElements(input);
      if (!st) return std::move(st).error();
    }
    return op(*state, ctx, input);
  };
}

class DynamoDbService final : public Service {
 public:
  DynamoDbService() : Service("dynamodb"), state_(SharedState()) {
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
    Register("ExecuteStatement", &ExecuteStatement, false);
    Register("BatchExecuteStatement", &BatchExecuteStatement, false);
    Register("ExecuteTransaction", &ExecuteTransaction, false);
  }

  void Start(ServiceEnv& env) override {
    state_->env = &env;
    state_->catalog.Attach(env.kv);
    ResumeBackfills(*state_);
    if (env.spawn) env.spawn(RunTtlSweeper(state_.get()));
  }

  void Reset() override {
    state_->catalog.Reset();
    state_->expressions.Clear();
    std::lock_guard lock(state_->tokens_mu);
    state_->tokens.clear();
  }

  void ClockAdvanced() override { SweepExpiredItems(*state_); }

  void Reload() override {
    Reset();
    ResumeBackfills(*state_);
  }

  void Stop() override { state_->stopping = true; }

  // POST /_nimbus/dynamodb/ttl/sweep: runs the TTL sweeper now; answers {"deleted": n}.
  Task<std::optional<http::Response>> HandleInternal(const http::Request& request) override {
    if (request.path != "/_nimbus/dynamodb/ttl/sweep") co_return std::nullopt;
    http::Response response;
    response.SetHeader("content-type", "application/json");
    if (request.method != "POST") {
      response.status = 405;
      response.body = json::serialize(json::object{{"message", "Method Not Allowed"}});
      co_return response;
    }
    size_t deleted = SweepExpiredItems(*state_);
    response.body = json::serialize(json::object{{"deleted", deleted}});
    co_return response;
  }

 private:
  void Register(const char* name, Operation op, bool control_plane = true) {
    HandleSync(name, Wrap(state_, op, control_plane));
  }

  std::shared_ptr<State> state_;
};

class DynamoDbStreamsService final : public Service {
 public:
  DynamoDbStreamsService() : Service("dynamodbstreams"), state_(SharedState()) {
    HandleSync("ListStreams", Wrap(state_, &ListStreams, false));
    HandleSync("DescribeStream", Wrap(state_, &DescribeStream, false));
    HandleSync("GetShardIterator", Wrap(state_, &GetShardIterator, false));
    HandleSync("GetRecords", Wrap(state_, &GetRecords, false));
  }

  void Start(ServiceEnv& env) override {
    if (!state_->env) {
      state_->env = &env;
      state_->catalog.Attach(env.kv);
    }
  }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace

std::unique_ptr<Service> NewDynamoDbService() { return std::make_unique<DynamoDbService>(); }

std::unique_ptr<Service> NewDynamoDbStreamsService() {
  return std::make_unique<DynamoDbStreamsService>();
}

}  // namespace nimbus::dynamodb
