#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/router/service.h"
#include "services/sns/delivery.h"
#include "services/sns/message.h"
#include "services/sns/message_log.h"
#include "services/sns/store.h"

namespace nimbus::sns {

// Amazon SNS: topics, subscriptions, Publish/PublishBatch with filtering and fan-out. Handlers
// are split by operation family: topic_ops.cc, subscription_ops.cc, publish_ops.cc.
class SnsService final : public Service {
 public:
  SnsService();

  void Start(ServiceEnv& env) override;
  void Reset() override;
  void Reload() override;
  // GET /_nimbus/sns/messages[?topic_arn=&protocol=&endpoint=]: what nimbus kept for
  // subscribers it cannot reach; DELETE clears it.
  Task<std::optional<http::Response>> HandleInternal(const http::Request& request) override;

 private:
  // topic_ops.cc
  Result<Document> CreateTopic(RequestContext& ctx, const Document& in);
  Result<Document> DeleteTopic(RequestContext& ctx, const Document& in);
  Result<Document> ListTopics(RequestContext& ctx, const Document& in);
  Result<Document> GetTopicAttributes(RequestContext& ctx, const Document& in);
  Result<Document> SetTopicAttributes(RequestContext& ctx, const Document& in);
  Result<Document> TagResource(RequestContext& ctx, const Document& in);
  Result<Document> UntagResource(RequestContext& ctx, const Document& in);
  Result<Document> ListTagsForResource(RequestContext& ctx, const Document& in);

  // subscription_ops.cc
  Result<Document> Subscribe(RequestContext& ctx, const Document& in);
  Result<Document> ConfirmSubscription(RequestContext& ctx, const Document& in);
  Result<Document> Unsubscribe(RequestContext& ctx, const Document& in);
  Result<Document> ListSubscriptions(RequestContext& ctx, const Document& in);
  Result<Document> ListSubscriptionsByTopic(RequestContext& ctx, const Document& in);
  Result<Document> GetSubscriptionAttributes(RequestContext& ctx, const Document& in);
  Result<Document> SetSubscriptionAttributes(RequestContext& ctx, const Document& in);

  // publish_ops.cc
  Result<Document> Publish(RequestContext& ctx, const Document& in);
  Result<Document> PublishBatch(RequestContext& ctx, const Document& in);
  // Publish or PublishBatch, answered once the delivery backlog has room (Deliverer::WaitForRoom).
  Task<Result<Document>> PublishWhenRoom(RequestContext& ctx, Document in, bool batch);

  // The topic `arn` names, for `action` by the caller: InvalidParameter for a malformed ARN
  // (worded with `param`), NotFound, or AuthorizationError for another account's topic whose
  // policy does not allow the caller.
  Result<std::shared_ptr<const Topic>> TopicFor(const RequestContext& ctx, std::string_view arn,
                                                std::string_view action,
                                                std::string_view param = "TopicArn");
  // The topic a tagging operation names (ResourceNotFound when absent).
  Result<std::shared_ptr<const Topic>> TaggedTopic(const RequestContext& ctx, std::string_view arn,
                                                   std::string_view action);

  // Assigns FIFO ids (deduplicating within 5 minutes), filters and hands `n` to the deliverer.
  // Returns the MessageId/SequenceNumber the publisher sees (the original ones for a duplicate).
  json::object Fanout(std::shared_ptr<Notification> n, std::shared_ptr<const Topic> topic);

  struct FifoState {
    struct Sent {
      std::string message_id, sequence_number;
      int64_t expires_ms = 0;
    };
    std::unordered_map<std::string, Sent> dedup;         // MessageDeduplicationId → first publish
    std::deque<std::pair<int64_t, std::string>> expiry;  // (expires_ms, dedup id), oldest first
    int64_t last_ms = 0;
    int64_t counter = 0;
  };

  ServiceEnv* env_ = nullptr;
  SnsStore store_;
  MessageLog log_;
  std::unique_ptr<Deliverer> deliverer_;
  std::mutex fifo_mu_;
  std::unordered_map<std::string, FifoState> fifo_;  // by topic ARN
};

// Input helpers shared by the handler files: a string member, or "" when absent or not a string.
std::string StringMember(const Document& in, std::string_view key);
// The member when present and not null.
const json::value* Member(const Document& in, std::string_view key);
// A map member ({"k": "v"}) as pairs in document order; null values read as "".
std::vector<std::pair<std::string, std::string>> StringMap(const Document& in,
                                                           std::string_view key);

}  // namespace nimbus::sns
