// Dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.
// A task runs as a coroutine on the server's executor, moving the messages available when it
// started at up to MaxNumberOfMessagesPerSecond, to DestinationArn or back to each message's
// source queue. Tasks live in memory only (a restart forgets them, as it ends them).
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "services/sqs/errors.h"
#include "services/sqs/records.h"
#include "services/sqs/sqs.h"

namespace nimbus::sqs {

namespace asio = boost::asio;

namespace {

// AWS's ceiling for MaxNumberOfMessagesPerSecond, also the rate used when none is given.
constexpr int kMaxMovesPerSecond = 500;

ApiError SourceNotFound() {
  return Error("ResourceNotFoundException",
               "The resource that you specified for the SourceArn parameter doesn't exist.");
}

}  // namespace

Result<Document> SqsService::StartMessageMoveTask(RequestContext& ctx, Document& in) {
  (void)ctx;
  std::string source_arn(StringMember(in, "SourceArn"));
  std::string destination_arn(StringMember(in, "DestinationArn"));
  auto source = FindByArn(source_arn);
  if (!source) return SourceNotFound();
  int64_t rate = 0;
  if (IntMember(in, "MaxNumberOfMessagesPerSecond", &rate) &&
      (rate < 1 || rate > kMaxMovesPerSecond))
    return InvalidParameterValue("Value " + std::to_string(rate) +
                                 " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: "
                                 "Must be between 1 and 500, if provided.");
  if (!destination_arn.empty() && !FindByArn(destination_arn))
    return Error("ResourceNotFoundException",
                 "The resource that you specified for the DestinationArn parameter doesn't "
                 "exist.");
  // The source must be some queue's dead-letter queue.
  bool is_dead_letter_queue = false;
  {
    std::vector<std::shared_ptr<Queue>> all;
    {
      std::shared_lock lock(mu_);
      for (const auto& [k, q] : queues_) all.push_back(q);
    }
    for (const auto& q : all) {
      std::lock_guard lock(q->mu);
      if (q->config.dead_letter_target_arn == source_arn) is_dead_letter_queue = true;
    }
  }
  if (!is_dead_letter_queue)
    return InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
  auto task = std::make_shared<MoveTask>();
  task->source_arn = source_arn;
  task->destination_arn = destination_arn;
  task->max_per_second = static_cast<int>(rate);
  task->started_ms = env_->clock->NowMillis();
  {
    std::lock_guard lock(source->mu);
    PromoteVisible(*source, task->started_ms);
    task->to_move = static_cast<int64_t>(source->ready.size());
  }
  task->handle =
      Base64Encode(json::serialize(json::object{{"taskId", NewUuid()}, {"sourceArn", source_arn}}));
  {
    std::lock_guard lock(tasks_mu_);
    for (const auto& t : tasks_) {
      std::lock_guard tl(t->mu);
      if (t->source_arn == source_arn && t->status == "RUNNING")
        return InvalidParameterValue(
            "There is already a task running. Only one active task is "
            "allowed for a source queue arn at a given time.");
    }
    tasks_.push_back(task);
  }
  env_->spawn(RunMoveTask(task));
  return json::value{{"TaskHandle", task->handle}};
}

Result<Document> SqsService::ListMessageMoveTasks(RequestContext& ctx, Document& in) {
  (void)ctx;
  std::string_view source_arn = StringMember(in, "SourceArn");
  if (!FindByArn(source_arn)) return SourceNotFound();
  int64_t max_results = 1;
  if (IntMember(in, "MaxResults", &max_results) && (max_results < 1 || max_results > 10))
    return InvalidParameterValue("Value " + std::to_string(max_results) +
                                 " for parameter MaxResults is invalid. Reason: You must enter a "
                                 "number that's between 1 and 10.");
  json::array results;
  std::lock_guard lock(tasks_mu_);
  for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) {
    MoveTask& t = **it;
    if (t.source_arn != source_arn) continue;
    if (static_cast<int64_t>(results.size()) == max_results) break;
    std::lock_guard tl(t.mu);
    json::object r;
    if (t.status == "RUNNING") r["TaskHandle"] = t.handle;
    r["Status"] = t.status;
    r["SourceArn"] = t.source_arn;
    if (!t.destination_arn.empty()) r["DestinationArn"] = t.destination_arn;
    if (t.max_per_second > 0) r["MaxNumberOfMessagesPerSecond"] = t.max_per_second;
    r["ApproximateNumberOfMessagesMoved"] = t.moved.load();
    r["ApproximateNumberOfMessagesToMove"] = t.to_move;
    if (!t.failure.empty()) r["FailureReason"] = t.failure;
    r["StartedTimestamp"] = t.started_ms;
    results.push_back(std::move(r));
  }
  return json::value{{"Results", std::move(results)}};
}

Result<Document> SqsService::CancelMessageMoveTask(RequestContext& ctx, Document& in) {
  (void)ctx;
  std::string_view handle = StringMember(in, "TaskHandle");
  std::lock_guard lock(tasks_mu_);
  for (const auto& t : tasks_) {
    if (t->handle != handle) continue;
    std::lock_guard tl(t->mu);
    if (t->status != "RUNNING") break;
    t->cancel = true;
    t->status = "CANCELLING";
    return json::value{{"ApproximateNumberOfMessagesMoved", t->moved.load()}};
  }
  return Error("ResourceNotFoundException", "Task does not exist.");
}

size_t SqsService::MoveSome(MoveTask& task, size_t limit) {
  auto source = FindByArn(task.source_arn);
  if (!source) {
    std::lock_guard tl(task.mu);
    task.failure = "AWS.SimpleQueueService.NonExistentQueue";
    return 0;
  }
  std::vector<std::unique_ptr<Message>> taken;
  storage::WriteBatch batch;
  {
    std::lock_guard lock(source->mu);
    if (source->deleted) return 0;
    PromoteVisible(*source, env_->clock->NowMillis());
    while (taken.size() < limit && !source->ready.empty()) {
      uint64_t seq = *source->ready.begin();
      source->ready.erase(source->ready.begin());
      auto node = source->messages.find(seq);
      if (node == source->messages.end()) continue;
      batch.Delete(kKeyspace, MessageKey(source->id, seq));
      batch.Delete(kKeyspace, StateKey(source->id, seq));
      taken.push_back(std::move(node->second));
      source->messages.erase(node);
    }
  }
  size_t n = taken.size();
  if (n == 0) return 0;
  // Group by destination; a destination that no longer exists keeps its messages in the source.
  std::map<std::string, std::vector<std::unique_ptr<Message>>> by_destination;
  for (auto& m : taken) {
    std::string dest =
        task.destination_arn.empty() ? m->dead_letter_source_arn : task.destination_arn;
    by_destination[dest].push_back(std::move(m));
  }
  size_t moved = 0;
  bool first = true;
  for (auto& [arn, msgs] : by_destination) {
    storage::WriteBatch part;
    if (first) part = std::move(batch);  // the source deletes go with the first write
    first = false;
    auto target = arn.empty() ? nullptr : FindByArn(arn);
    if (!target) {
      std::lock_guard tl(task.mu);
      task.failure = "AWS.SimpleQueueService.NonExistentQueue";
      std::string keep = msgs.front()->dead_letter_source_arn;
      Transfer(std::move(msgs), *source, keep, &part);
      continue;
    }
    moved += msgs.size();
    Transfer(std::move(msgs), *target, {}, &part);
  }
  return moved;
}

Task<void> SqsService::RunMoveTask(std::shared_ptr<MoveTask> task) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  int rate = task->max_per_second > 0 ? task->max_per_second : kMaxMovesPerSecond;
  for (;;) {
    if (task->cancel) break;
    int64_t left = task->to_move - task->moved.load();
    if (left <= 0) break;
    size_t n = MoveSome(*task, static_cast<size_t>(std::min<int64_t>(left, rate)));
    task->moved += static_cast<int64_t>(n);
    bool failed;
    {
      std::lock_guard tl(task->mu);
      failed = !task->failure.empty();
    }
    if (n == 0 || failed || task->moved.load() >= task->to_move) break;
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(asio::use_awaitable);
  }
  std::lock_guard tl(task->mu);
  if (task->cancel)
    task->status = "CANCELLED";
  else if (!task->failure.empty())
    task->status = "FAILED";
  else
    task->status = "COMPLETED";
}

}  // namespace nimbus::sqs
