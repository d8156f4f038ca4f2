#include "services/sns/delivery.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/clock.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "services/sns/arn.h"
#include "services/sns/http_client.h"

namespace nimbus::sns {

namespace {

namespace asio = boost::asio;

constexpr std::chrono::seconds kHttpTimeout(15);
constexpr const char* kUserAgent = "Amazon Simple Notification Service Agent";

bool IsFifoQueue(const ArnParts& queue) {
  const std::string& name = queue.resource;
  return name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
}

// The delay before retry number `retry` (1-based): linear from minDelayTarget to
// maxDelayTarget over the retries, as SNS's default "linear" backoff function.
std::chrono::milliseconds RetryDelay(const HttpDeliveryPolicy& p, int retry) {
  double span = p.max_delay_seconds - p.min_delay_seconds;
  double fraction = p.num_retries > 1 ? static_cast<double>(retry - 1) / (p.num_retries - 1) : 0;
  return std::chrono::milliseconds(
      static_cast<int64_t>((p.min_delay_seconds + span * fraction) * 1000.0));
}

// "arn:aws:firehose:<region>:<account>:deliverystream/<name>" → name.
std::string DeliveryStreamName(const std::string& arn) {
  auto slash = arn.rfind('/');
  return slash == std::string::npos ? std::string() : arn.substr(slash + 1);
}

}  // namespace

// Holds no thread: the Publish coroutine waits on the channel, which Drain (any thread) or the
// waiter's own timer fills. One wake-up is enough; later ones are dropped.
struct Deliverer::RoomWaiter {
  explicit RoomWaiter(const asio::any_io_executor& executor) : channel(executor, 1) {}
  void Wake() { channel.try_send(boost::system::error_code()); }

  asio::experimental::concurrent_channel<void(boost::system::error_code)> channel;
};

Deliverer::Deliverer(ServiceEnv* env, MessageLog* log) : env_(env), log_(log) {}

Links Deliverer::LinksFor(const std::string& region) const {
  std::string host = env_->config ? env_->config->host : "127.0.0.1";
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  uint16_t port = env_->config ? env_->config->port : 4566;
  return Links{"http://" + host + ":" + std::to_string(port), region};
}

RequestContext Deliverer::InternalContext(const std::string& account,
                                          const std::string& region) const {
  RequestContext ctx;
  ctx.request_id = NewRequestId();
  ctx.account_id = account;
  ctx.region = region;
  ctx.caller_arn = "arn:aws:iam::" + account + ":root";
  ctx.caller_user_id = account;
  ctx.service = "sns";
  ctx.env = env_;
  return ctx;
}

void Deliverer::Publish(std::shared_ptr<const Notification> n,
                        const std::vector<std::shared_ptr<const Subscription>>& subs,
                        std::shared_ptr<const Topic> topic) {
  std::vector<std::string> start;
  for (const auto& sub : subs) {
    Item item{n, sub};
    const std::string& p = sub->protocol;
    if (p == "sqs" || p == "lambda" || p == "firehose") {
      std::lock_guard lock(mu_);
      auto [lane, created] = lanes_.try_emplace(sub->arn);
      lane->second.push_back(std::move(item));
      queued_.fetch_add(1, std::memory_order_relaxed);
      if (created) start.push_back(sub->arn);
    } else if (p == "http" || p == "https") {
      env_->spawn(DeliverHttp(std::move(item), topic));
    } else {
      Links links = LinksFor(n->region);
      std::string body =
          p == "email-json" ? NotificationDocument(*n, p, sub->arn, links) : n->MessageFor(p);
      Record(item, "Notification", std::move(body));
    }
  }
  for (auto& key : start) env_->spawn(Drain(std::move(key)));
}

void Deliverer::Record(const Item& item, std::string_view type, std::string body) {
  const Notification& n = *item.n;
  const Subscription& sub = *item.sub;
  json::object entry;
  entry["Type"] = type;
  entry["MessageId"] = n.message_id;
  entry["TopicArn"] = n.topic_arn;
  entry["SubscriptionArn"] = sub.arn;
  entry["Protocol"] = sub.protocol;
  entry["Endpoint"] = sub.endpoint;
  if (n.subject) entry["Subject"] = *n.subject;
  entry["Message"] = n.MessageFor(sub.protocol);
  entry["MessageAttributes"] = EnvelopeAttributes(n.attributes);
  entry["Timestamp"] = n.timestamp;
  entry["Body"] = std::move(body);
  entry["Account"] = n.account;
  entry["Region"] = n.region;
  log_->Add(std::move(entry));
}

Task<void> Deliverer::Drain(std::string key) {
  auto executor = co_await asio::this_coro::executor;
  for (size_t delivered = 0;; ++delivered) {
    // A delivery to SQS completes without suspending, so a worker with a long lane would keep
    // its thread from the connections' coroutines (seconds, under a flood of publishes): it
    // goes to the back of the executor's queue every few deliveries.
    if (delivered % 8 == 7) co_await asio::post(executor, asio::use_awaitable);
    Item item;
    {
      std::lock_guard lock(mu_);
      auto it = lanes_.find(key);
      if (it == lanes_.end()) co_return;
      if (it->second.empty()) {
        lanes_.erase(it);
        co_return;
      }
      item = std::move(it->second.front());
      it->second.pop_front();
      if (queued_.fetch_sub(1, std::memory_order_relaxed) - 1 <= kMaxQueuedDeliveries &&
          !room_waiters_.empty()) {
        // All of them: their deliveries are queued already, and a later one may have no
        // delivery behind it left to wake it.
        for (auto& waiter : room_waiters_) waiter->Wake();
        room_waiters_.clear();
        waiting_.store(0, std::memory_order_relaxed);
      }
    }
    try {
      co_await DeliverOne(std::move(item));
    } catch (const std::exception& e) {
      spdlog::error("sns: delivery to {} raised: {}", key, e.what());
    }
  }
}

Task<void> Deliverer::DeliverOne(Item item) {
  const Notification& n = *item.n;
  const Subscription& sub = *item.sub;
  Links links = LinksFor(n.region);
  if (sub.protocol == "sqs") {
    ArnParts queue;
    if (!ParseQueueArn(sub.endpoint, &queue)) co_return;
    json::object input;
    json::object attributes;
    if (sub.raw()) {
      input["MessageBody"] = n.MessageFor("sqs");
      attributes = SqsMessageAttributes(n.attributes);
      if (!attributes.empty()) input["MessageAttributes"] = attributes;
    } else {
      input["MessageBody"] = NotificationDocument(n, "sqs", sub.arn, links);
    }
    if (IsFifoQueue(queue)) {
      if (!n.group_id.empty()) input["MessageGroupId"] = n.group_id;
      if (!n.dedup_id.empty()) input["MessageDeduplicationId"] = n.dedup_id;
    }
    std::string body(input["MessageBody"].as_string());
    std::string error = co_await SendToQueue(sub.endpoint, std::move(input));
    if (error.empty()) co_return;
    spdlog::warn("sns: delivery of {} to {} failed: {}", n.message_id, sub.endpoint, error);
    co_await Redrive(item, body, attributes);
    co_return;
  }
  if (sub.protocol == "lambda") {
    ArnParts fn;
    auto parsed = ParseArn(sub.endpoint, "Endpoint");
    if (!parsed) co_return;
    fn = std::move(*parsed);
    RequestContext ctx = InternalContext(fn.account, fn.region);
    json::object input{{"FunctionName", sub.endpoint},
                       {"InvocationType", "Event"},
                       {"Payload", LambdaEvent(n, sub.arn, links)}};
    auto result = co_await env_->registry->Call(ctx, "lambda", "Invoke", std::move(input));
    if (result) co_return;
    spdlog::warn("sns: delivery of {} to {} failed: {} {}", n.message_id, sub.endpoint,
                 result.error().code, result.error().message);
    co_await Redrive(item, NotificationDocument(n, "lambda", sub.arn, links), {});
    co_return;
  }
  if (sub.protocol == "firehose") {
    auto parsed = ParseArn(sub.endpoint, "Endpoint");
    if (!parsed) co_return;
    RequestContext ctx = InternalContext(parsed->account, parsed->region);
    std::string body =
        sub.raw() ? n.MessageFor("firehose") : NotificationDocument(n, "firehose", sub.arn, links);
    json::object input{{"DeliveryStreamName", DeliveryStreamName(sub.endpoint)},
                       {"Record", json::object{{"Data", body}}}};
    auto result = co_await env_->registry->Call(ctx, "firehose", "PutRecord", std::move(input));
    if (result) co_return;
    spdlog::warn("sns: delivery of {} to {} failed: {} {}", n.message_id, sub.endpoint,
                 result.error().code, result.error().message);
    co_await Redrive(item, body, {});
  }
}

Task<std::string> Deliverer::SendToQueue(const std::string& queue_arn, json::object input) {
  ArnParts queue;
  if (!ParseQueueArn(queue_arn, &queue)) co_return std::string("InvalidQueueArn");
  RequestContext ctx = InternalContext(queue.account, queue.region);
  std::string error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string url;
    {
      std::lock_guard lock(mu_);
      if (auto it = queue_urls_.find(queue_arn); it != queue_urls_.end()) url = it->second;
    }
    bool cached = !url.empty();
    if (!cached) {
      // (Built apart from the co_await: GCC 12 cannot keep a braced list of literals alive
      // across a suspension point.)
      json::object lookup;
      lookup["QueueName"] = queue.resource;
      lookup["QueueOwnerAWSAccountId"] = queue.account;
      auto r = co_await env_->registry->Call(ctx, "sqs", "GetQueueUrl", std::move(lookup));
      if (!r) co_return r.error().code;
      const json::value* u = r->is_object() ? r->get_object().if_contains("QueueUrl") : nullptr;
      if (!u || !u->is_string()) co_return std::string("NoQueueUrl");
      url = std::string(u->get_string());
      std::lock_guard lock(mu_);
      queue_urls_[queue_arn] = url;
    }
    input["QueueUrl"] = url;
    auto r = co_await env_->registry->Call(ctx, "sqs", "SendMessage", input);
    if (r) co_return std::string();
    error = r.error().code + ": " + r.error().message;
    {
      std::lock_guard lock(mu_);
      queue_urls_.erase(queue_arn);
    }
    // A cached URL may name a queue deleted since; look it up once more.
    if (!cached) break;
  }
  co_return error;
}

Task<void> Deliverer::Redrive(const Item& item, const std::string& body,
                              const json::object& attributes) {
  std::string policy_text = item.sub->Attribute("RedrivePolicy");
  if (policy_text.empty()) co_return;
  json::error_code ec;
  json::value policy = json::parse(policy_text, ec);
  const json::value* target =
      !ec && policy.is_object() ? policy.get_object().if_contains("deadLetterTargetArn") : nullptr;
  if (!target || !target->is_string()) co_return;
  std::string dlq(target->get_string());
  ArnParts queue;
  if (!ParseQueueArn(dlq, &queue)) co_return;
  json::object input{{"MessageBody", body}};
  if (!attributes.empty()) input["MessageAttributes"] = attributes;
  if (IsFifoQueue(queue)) {
    input["MessageGroupId"] = item.n->group_id.empty() ? item.n->topic_arn : item.n->group_id;
    input["MessageDeduplicationId"] =
        item.n->dedup_id.empty() ? item.n->message_id : item.n->dedup_id;
  }
  std::string error = co_await SendToQueue(dlq, std::move(input));
  if (!error.empty())
    spdlog::warn("sns: moving {} to dead-letter queue {} failed: {}", item.n->message_id, dlq,
                 error);
}

Task<bool> Deliverer::PostWithRetries(const std::string& url, const http::HeaderList& headers,
                                      const std::string& body, const HttpDeliveryPolicy& policy) {
  auto executor = co_await asio::this_coro::executor;
  for (int attempt = 0; attempt <= policy.num_retries; ++attempt) {
    if (attempt > 0) {
      asio::steady_timer timer(executor, RetryDelay(policy, attempt));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    HttpPostResult r = co_await HttpPost(url, headers, body, kHttpTimeout);
    if (r.status >= 200 && r.status < 300) co_return true;
    // SNS retries server errors and unreachable endpoints; a 4xx is final.
    if (r.status >= 400 && r.status < 500) {
      spdlog::warn("sns: {} answered {}; not retried", url, r.status);
      co_return false;
    }
    spdlog::warn("sns: POST to {} failed (attempt {}): {}", url, attempt + 1,
                 r.status ? std::to_string(r.status) : r.error);
  }
  co_return false;
}

Task<void> Deliverer::DeliverHttp(Item item, std::shared_ptr<const Topic> topic) {
  const Notification& n = *item.n;
  const Subscription& sub = *item.sub;
  HttpDeliveryPolicy policy = EffectiveHttpPolicy(topic.get(), sub);
  std::string body = sub.raw() ? n.MessageFor(sub.protocol)
                               : NotificationDocument(n, sub.protocol, sub.arn, LinksFor(n.region));
  http::HeaderList headers{
      {"content-type", policy.content_type},  {"user-agent", kUserAgent},
      {"accept-encoding", "gzip,deflate"},    {"x-amz-sns-message-type", "Notification"},
      {"x-amz-sns-message-id", n.message_id}, {"x-amz-sns-topic-arn", n.topic_arn},
      {"x-amz-sns-subscription-arn", sub.arn}};
  if (sub.raw()) headers.emplace_back("x-amz-sns-rawdelivery", "true");
  bool ok = co_await PostWithRetries(sub.endpoint, headers, body, policy);
  if (!ok) co_await Redrive(item, body, {});
}

Task<void> Deliverer::PostConfirmation(std::string url, http::HeaderList headers, std::string body,
                                       HttpDeliveryPolicy policy) {
  co_await PostWithRetries(url, headers, body, policy);
}

void Deliverer::SendConfirmation(std::string_view type, std::shared_ptr<const Subscription> sub,
                                 std::shared_ptr<const Topic> topic, const std::string& token) {
  std::string message_id = NewUuid();
  std::string timestamp = FormatIso8601(env_->clock->Now(), true);
  Links links = LinksFor(sub->region);
  std::string body =
      ConfirmationDocument(type, message_id, token, sub->topic_arn, sub->arn, timestamp, links);
  if (sub->protocol == "http" || sub->protocol == "https") {
    http::HeaderList headers{{"content-type", "text/plain; charset=UTF-8"},
                             {"user-agent", kUserAgent},
                             {"accept-encoding", "gzip,deflate"},
                             {"x-amz-sns-message-type", std::string(type)},
                             {"x-amz-sns-message-id", message_id},
                             {"x-amz-sns-topic-arn", sub->topic_arn}};
    if (type != "SubscriptionConfirmation")
      headers.emplace_back("x-amz-sns-subscription-arn", sub->arn);
    env_->spawn(PostConfirmation(sub->endpoint, std::move(headers), std::move(body),
                                 EffectiveHttpPolicy(topic.get(), *sub)));
    return;
  }
  json::object entry;
  entry["Type"] = type;
  entry["MessageId"] = message_id;
  entry["TopicArn"] = sub->topic_arn;
  entry["SubscriptionArn"] = sub->arn;
  entry["Protocol"] = sub->protocol;
  entry["Endpoint"] = sub->endpoint;
  entry["Token"] = token;
  entry["SubscribeURL"] = SubscribeUrl(links, sub->topic_arn, token);
  entry["Timestamp"] = timestamp;
  entry["Body"] = std::move(body);
  entry["Account"] = sub->account;
  entry["Region"] = sub->region;
  log_->Add(std::move(entry));
}

Task<void> Deliverer::WaitForRoom() {
  // Nobody passes those already waiting, or they could wait for as long as others keep coming.
  if (queued_.load(std::memory_order_relaxed) <= kMaxQueuedDeliveries &&
      waiting_.load(std::memory_order_relaxed) == 0)
    co_return;
  auto executor = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<RoomWaiter>(executor);
  {
    std::lock_guard lock(mu_);
    if (queued_.load(std::memory_order_relaxed) <= kMaxQueuedDeliveries && room_waiters_.empty())
      co_return;
    room_waiters_.push_back(waiter);
    waiting_.store(room_waiters_.size(), std::memory_order_relaxed);
  }
  asio::steady_timer timer(executor, std::chrono::seconds(10));
  timer.async_wait([waiter](boost::system::error_code ec) {
    if (!ec) waiter->Wake();
  });
  co_await waiter->channel.async_receive(asio::as_tuple(asio::use_awaitable));
  timer.cancel();
  std::lock_guard lock(mu_);
  std::erase(room_waiters_, waiter);  // still there when the timer woke it
  waiting_.store(room_waiters_.size(), std::memory_order_relaxed);
}

void Deliverer::Reset() {
  std::lock_guard lock(mu_);
  for (auto& [key, lane] : lanes_) {
    queued_.fetch_sub(lane.size(), std::memory_order_relaxed);
    lane.clear();
  }
  for (auto& waiter : room_waiters_) waiter->Wake();
  room_waiters_.clear();
  waiting_.store(0, std::memory_order_relaxed);
  queue_urls_.clear();
}

}  // namespace nimbus::sns
