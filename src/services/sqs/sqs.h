#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/router/service.h"
#include "core/storage/kv_store.h"
#include "services/sqs/model.h"

namespace nimbus::sqs {

// A redrive of a dead-letter queue's messages (StartMessageMoveTask). Kept in memory only.
struct MoveTask {
  std::string handle;
  std::string source_arn;
  std::string destination_arn;  // empty: each message back to its source queue
  int max_per_second = 0;       // 0: not given (AWS's system-optimized rate)
  int64_t started_ms = 0;
  int64_t to_move = 0;
  std::atomic<int64_t> moved{0};
  std::atomic<bool> cancel{false};
  std::mutex mu;  // guards status and failure
  std::string status = "RUNNING";
  std::string failure;
};

// Amazon SQS. Queues and their messages live in memory (model.h) for speed and are written
// through to the KvStore (records.h) before a request is acknowledged; Start() rebuilds memory
// from storage. Thread-safe: handlers run on the server's threads, the queue map is guarded by
// `mu_`, each queue by its own mutex, and no code holds two queue mutexes at once.
class SqsService final : public Service {
 public:
  SqsService();

  void Start(ServiceEnv& env) override;
  void Reset() override;
  void Reload() override {
    Reset();
    LoadFromStorage();
  }
  const protocol::Codec* QueryCodec() const override;

 private:
  // queues.cc
  Result<Document> CreateQueue(RequestContext& ctx, Document& in);
  Result<Document> GetQueueUrl(RequestContext& ctx, Document& in);
  Result<Document> ListQueues(RequestContext& ctx, Document& in);
  Result<Document> GetQueueAttributes(RequestContext& ctx, Document& in);
  Result<Document> SetQueueAttributes(RequestContext& ctx, Document& in);
  Result<Document> DeleteQueue(RequestContext& ctx, Document& in);
  Result<Document> PurgeQueue(RequestContext& ctx, Document& in);
  Result<Document> TagQueue(RequestContext& ctx, Document& in);
  Result<Document> UntagQueue(RequestContext& ctx, Document& in);
  Result<Document> ListQueueTags(RequestContext& ctx, Document& in);
  Result<Document> ListDeadLetterSourceQueues(RequestContext& ctx, Document& in);

  // permissions.cc
  Result<Document> AddPermission(RequestContext& ctx, Document& in);
  Result<Document> RemovePermission(RequestContext& ctx, Document& in);

  // messages.cc
  Result<Document> SendMessage(RequestContext& ctx, Document& in);
  Result<Document> SendMessageBatch(RequestContext& ctx, Document& in);
  Task<Result<Document>> ReceiveMessage(RequestContext& ctx, Document in);
  Result<Document> DeleteMessage(RequestContext& ctx, Document& in);
  Result<Document> DeleteMessageBatch(RequestContext& ctx, Document& in);
  Result<Document> ChangeMessageVisibility(RequestContext& ctx, Document& in);
  Result<Document> ChangeMessageVisibilityBatch(RequestContext& ctx, Document& in);

  // The queue a request's QueueUrl names (QueueDoesNotExist / InvalidAddress otherwise).
  Result<std::shared_ptr<Queue>> FindQueue(const RequestContext& ctx, const Document& in);
  std::shared_ptr<Queue> FindByName(std::string_view account, std::string_view region,
                                    std::string_view name);
  std::shared_ptr<Queue> FindByArn(std::string_view arn);
  // "http://<host the client reached>/<account>/<name>".
  std::string QueueUrl(const RequestContext& ctx, const Queue& q) const;
  // Writes the queue record (caller holds q.mu).
  Status PersistQueue(const Queue& q);
  // Moves messages whose receive count passed the source's maxReceiveCount to its dead-letter
  // queue (messages.cc). `moved` were removed from `source` by the caller.
  void MoveToDeadLetterQueue(Queue& source, std::vector<std::unique_ptr<Message>> moved,
                             const std::string& target_arn, storage::WriteBatch* batch);
  // Appends `moved` (already removed from their queue, whose deletes are in `batch`) to
  // `target` as new, never-received messages, writing `batch` first. The caller holds no queue
  // mutex.
  void Transfer(std::vector<std::unique_ptr<Message>> moved, Queue& target,
                const std::string& dead_letter_source_arn, storage::WriteBatch* batch);

  // move_tasks.cc: StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask.
  Result<Document> StartMessageMoveTask(RequestContext& ctx, Document& in);
  Result<Document> ListMessageMoveTasks(RequestContext& ctx, Document& in);
  Result<Document> CancelMessageMoveTask(RequestContext& ctx, Document& in);
  Task<void> RunMoveTask(std::shared_ptr<MoveTask> task);
  // Moves up to `limit` available messages of the task's source; how many moved.
  size_t MoveSome(MoveTask& task, size_t limit);
  void LoadFromStorage();

  ServiceEnv* env_ = nullptr;
  std::mutex tasks_mu_;
  std::vector<std::shared_ptr<MoveTask>> tasks_;  // newest last
  std::shared_mutex mu_;
  // Key: account '\n' region '\n' name, so one scope's queues are adjacent and sorted by name.
  std::map<std::string, std::shared_ptr<Queue>> queues_;
};

// Queue state helpers (queue_state.cc); the caller holds q.mu.
// Moves messages whose delay or visibility ended to the ready set.
void PromoteVisible(Queue& q, int64_t now);
// Removes message `seq` from memory and adds the deletes of its records to `batch`.
void RemoveMessage(Queue& q, uint64_t seq, storage::WriteBatch* batch);
// Drops messages older than the retention period.
void ExpireMessages(Queue& q, int64_t now, storage::WriteBatch* batch);
// Wakes up to `n` long-polling receivers (ReceiveMessage with WaitTimeSeconds).
void WakeWaiters(Queue& q, size_t n);

// "account\nregion\nname"
std::string ScopedName(std::string_view account, std::string_view region, std::string_view name);

// Hostile-input-safe accessors over input documents.
const json::object* ObjectMember(const Document& in, std::string_view key);
const json::array* ArrayMember(const Document& in, std::string_view key);
// Set when the member is an integer.
bool IntMember(const Document& in, std::string_view key, int64_t* out);

}  // namespace nimbus::sqs
