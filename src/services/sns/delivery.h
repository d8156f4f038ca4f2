#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/task.h"
#include "core/router/service.h"
#include "services/sns/attributes.h"
#include "services/sns/message.h"
#include "services/sns/message_log.h"
#include "services/sns/model.h"

namespace nimbus::sns {

// Delivers published messages to subscribers, asynchronously on the server's executor:
//   - sqs (SendMessage through the registry), lambda (Invoke, InvocationType Event) and firehose
//     (PutRecord): one worker per subscription, so each subscriber sees publish order (FIFO
//     topics to FIFO queues keep their order);
//   - http, https: POSTs with the x-amz-sns-* headers (https over TLS, the endpoint's
//     certificate verified), retried with the delivery policy's backoff on 5xx, connection and
//     certificate errors;
//   - email, email-json, sms, application: kept in the MessageLog.
// Failed deliveries go to the subscription's RedrivePolicy dead-letter queue when it has one.
// Thread-safe; `env` and `log` must outlive it.
class Deliverer {
 public:
  Deliverer(ServiceEnv* env, MessageLog* log);

  // Delivers `n` to each subscription of `subs` (confirmed ones whose filter matched).
  void Publish(std::shared_ptr<const Notification> n,
               const std::vector<std::shared_ptr<const Subscription>>& subs,
               std::shared_ptr<const Topic> topic);

  // Sends a "SubscriptionConfirmation" or "UnsubscribeConfirmation" carrying `token` to an
  // http/https/email/email-json subscription (http and https are POSTed; email is logged).
  void SendConfirmation(std::string_view type, std::shared_ptr<const Subscription> sub,
                        std::shared_ptr<const Topic> topic, const std::string& token);

  // Returns once the deliveries queued for sqs, lambda and firehose subscriptions are at most
  // kMaxQueuedDeliveries and no earlier caller is still waiting, or after 10 s.
  // Publish awaits it, so a publisher that outruns delivery is slowed down instead of queueing
  // without bound (memory, and delivery work spilling into whatever comes next).
  Task<void> WaitForRoom();
  static constexpr size_t kMaxQueuedDeliveries = 20000;

  // Drops queued deliveries and cached queue URLs (/_nimbus/reset).
  void Reset();

  // Where subscribers reach nimbus (SubscribeURL, UnsubscribeURL).
  Links LinksFor(const std::string& region) const;

 private:
  struct Item {
    std::shared_ptr<const Notification> n;
    std::shared_ptr<const Subscription> sub;
  };

  Task<void> Drain(std::string key);
  Task<void> DeliverOne(Item item);
  Task<void> DeliverHttp(Item item, std::shared_ptr<const Topic> topic);
  Task<void> PostConfirmation(std::string url, http::HeaderList headers, std::string body,
                              HttpDeliveryPolicy policy);
  // POSTs with retries; true once the endpoint answered 2xx.
  Task<bool> PostWithRetries(const std::string& url, const http::HeaderList& headers,
                             const std::string& body, const HttpDeliveryPolicy& policy);
  // SendMessage to the queue named by `queue_arn`; "" on success, else the error code.
  Task<std::string> SendToQueue(const std::string& queue_arn, json::object input);
  // Sends what could not be delivered to the subscription's dead-letter queue, if any.
  Task<void> Redrive(const Item& item, const std::string& body, const json::object& attributes);

  RequestContext InternalContext(const std::string& account, const std::string& region) const;
  void Record(const Item& item, std::string_view type, std::string body);

  ServiceEnv* env_;
  MessageLog* log_;
  std::mutex mu_;
  // Subscription ARN → deliveries waiting for its worker; present while the worker runs.
  std::unordered_map<std::string, std::deque<Item>> lanes_;
  std::atomic<size_t> queued_{0};  // items in lanes_
  struct RoomWaiter;               // a Publish in WaitForRoom (delivery.cc)
  // Woken together once a lane worker brings the backlog down to the bound (guarded by mu_).
  std::deque<std::shared_ptr<RoomWaiter>> room_waiters_;
  std::atomic<size_t> waiting_{0};                           // room_waiters_.size()
  std::unordered_map<std::string, std::string> queue_urls_;  // queue ARN → queue URL
};

}  // namespace nimbus::sns
