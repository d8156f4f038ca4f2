#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/result.h"
#include "core/storage/kv_store.h"
#include "services/sns/model.h"

namespace nimbus::sns {

// Topics and subscriptions of every account and region: held in memory (Publish fans out
// without touching storage) and written through to the "sns" keyspace, keyed by
// ScopePrefix(account, region) so state stays namespaced as in AWS. Values are shared as
// immutable snapshots; writers replace them. Thread-safe. Errors are storage failures
// (InternalFailure), memory unchanged.
class SnsStore {
 public:
  // Loads everything from `kv` (which must outlive the store).
  void Open(storage::KvStore* kv);
  // Forgets the in-memory state (after /_nimbus/reset wiped storage).
  void Clear();

  std::shared_ptr<const Topic> FindTopic(std::string_view arn) const;
  // Creates or replaces a topic.
  Status PutTopic(std::shared_ptr<const Topic> topic);
  // Deletes a topic and all its subscriptions atomically; ok when it does not exist.
  Status DeleteTopic(const std::string& arn);
  // Topics whose ARN starts with `arn_prefix` ("arn:aws:sns:<region>:<account>:"), in ARN order,
  // after `after` (exclusive, "" = from the start), at most `limit`; `*more` when others follow.
  std::vector<std::shared_ptr<const Topic>> ListTopics(std::string_view arn_prefix,
                                                       std::string_view after, size_t limit,
                                                       bool* more) const;

  std::shared_ptr<const Subscription> FindSubscription(std::string_view arn) const;
  std::shared_ptr<const Subscription> FindSubscriptionByToken(std::string_view token) const;
  // Creates or replaces a subscription (its topic must exist).
  Status PutSubscription(std::shared_ptr<const Subscription> sub);
  // Deletes a subscription and counts it in its topic's SubscriptionsDeleted; ok when absent.
  Status DeleteSubscription(const std::string& arn);
  // The topic's subscriptions in ARN order.
  std::vector<std::shared_ptr<const Subscription>> SubscriptionsOf(
      std::string_view topic_arn) const;
  // Subscriptions whose ARN starts with `arn_prefix`, paged like ListTopics.
  std::vector<std::shared_ptr<const Subscription>> ListSubscriptions(std::string_view arn_prefix,
                                                                     std::string_view after,
                                                                     size_t limit,
                                                                     bool* more) const;

 private:
  static std::string TopicKey(const Topic& t);
  static std::string SubscriptionKey(const Subscription& s);

  mutable std::mutex mu_;
  storage::KvStore* kv_ = nullptr;
  std::map<std::string, std::shared_ptr<const Topic>, std::less<>> topics_;
  std::map<std::string, std::shared_ptr<const Subscription>, std::less<>> subscriptions_;
  std::unordered_map<std::string, std::string> by_token_;  // token → subscription ARN
};

}  // namespace nimbus::sns
