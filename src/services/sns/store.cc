#include "services/sns/store.h"

#include <boost/json.hpp>

#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"

namespace nimbus::sns {

namespace {

constexpr std::string_view kKeyspace = "sns";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

template <class Map>
auto Page(const Map& m, std::string_view prefix, std::string_view after, size_t limit, bool* more) {
  std::vector<typename Map::mapped_type> out;
  *more = false;
  auto it = after.empty() ? m.lower_bound(prefix) : m.upper_bound(after);
  for (; it != m.end() && StartsWith(it->first, prefix); ++it) {
    if (out.size() == limit) {
      *more = true;
      break;
    }
    out.push_back(it->second);
  }
  return out;
}

}  // namespace

std::string SnsStore::TopicKey(const Topic& t) {
  std::string key = storage::ScopePrefix(t.account, t.region);
  key += 't';
  storage::AppendOrderedString(&key, t.arn);
  return key;
}

std::string SnsStore::SubscriptionKey(const Subscription& s) {
  std::string key = storage::ScopePrefix(s.account, s.region);
  key += 's';
  storage::AppendOrderedString(&key, s.arn);
  return key;
}

void SnsStore::Open(storage::KvStore* kv) {
  std::lock_guard lock(mu_);
  kv_ = kv;
  topics_.clear();
  subscriptions_.clear();
  by_token_.clear();
  auto st = storage::ScanJson(*kv_, kKeyspace, "", "", [&](std::string_view, json::value& doc) {
    if (!doc.is_object()) return true;
    Topic t;
    Subscription s;
    if (Topic::FromJson(doc.get_object(), &t)) {
      std::string arn = t.arn;
      topics_[arn] = std::make_shared<const Topic>(std::move(t));
    } else if (Subscription::FromJson(doc.get_object(), &s)) {
      if (!s.token.empty()) by_token_[s.token] = s.arn;
      std::string arn = s.arn;
      subscriptions_[arn] = std::make_shared<const Subscription>(std::move(s));
    }
    return true;
  });
  if (!st.ok()) spdlog::error("sns: loading topics and subscriptions failed: {}", st.message());
}

void SnsStore::Clear() {
  std::lock_guard lock(mu_);
  topics_.clear();
  subscriptions_.clear();
  by_token_.clear();
}

std::shared_ptr<const Topic> SnsStore::FindTopic(std::string_view arn) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(arn);
  return it == topics_.end() ? nullptr : it->second;
}

Status SnsStore::PutTopic(std::shared_ptr<const Topic> topic) {
  std::lock_guard lock(mu_);
  auto st = storage::PutJson(*kv_, kKeyspace, TopicKey(*topic), topic->ToJson());
  if (!st.ok()) return storage::StorageError(st);
  const std::string arn = topic->arn;
  topics_[arn] = std::move(topic);
  return Ok{};
}

Status SnsStore::DeleteTopic(const std::string& arn) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(arn);
  if (it == topics_.end()) return Ok{};
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, TopicKey(*it->second));
  std::string prefix = arn + ":";
  std::vector<std::string> doomed;
  for (auto s = subscriptions_.lower_bound(prefix);
       s != subscriptions_.end() && StartsWith(s->first, prefix); ++s) {
    batch.Delete(kKeyspace, SubscriptionKey(*s->second));
    doomed.push_back(s->first);
  }
  auto st = kv_->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  for (const auto& d : doomed) {
    auto s = subscriptions_.find(d);
    by_token_.erase(s->second->token);
    subscriptions_.erase(s);
  }
  topics_.erase(it);
  return Ok{};
}

std::vector<std::shared_ptr<const Topic>> SnsStore::ListTopics(std::string_view arn_prefix,
                                                               std::string_view after, size_t limit,
                                                               bool* more) const {
  std::lock_guard lock(mu_);
  return Page(topics_, arn_prefix, after, limit, more);
}

std::shared_ptr<const Subscription> SnsStore::FindSubscription(std::string_view arn) const {
  std::lock_guard lock(mu_);
  auto it = subscriptions_.find(arn);
  return it == subscriptions_.end() ? nullptr : it->second;
}

std::shared_ptr<const Subscription> SnsStore::FindSubscriptionByToken(
    std::string_view token) const {
  std::lock_guard lock(mu_);
  auto it = by_token_.find(std::string(token));
  if (it == by_token_.end()) return nullptr;
  auto s = subscriptions_.find(it->second);
  return s == subscriptions_.end() ? nullptr : s->second;
}

Status SnsStore::PutSubscription(std::shared_ptr<const Subscription> sub) {
  std::lock_guard lock(mu_);
  auto st = storage::PutJson(*kv_, kKeyspace, SubscriptionKey(*sub), sub->ToJson());
  if (!st.ok()) return storage::StorageError(st);
  if (!sub->token.empty()) by_token_[sub->token] = sub->arn;
  const std::string arn = sub->arn;
  subscriptions_[arn] = std::move(sub);
  return Ok{};
}

Status SnsStore::DeleteSubscription(const std::string& arn) {
  std::lock_guard lock(mu_);
  auto it = subscriptions_.find(arn);
  if (it == subscriptions_.end()) return Ok{};
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, SubscriptionKey(*it->second));
  std::shared_ptr<const Topic> updated;
  if (auto t = topics_.find(it->second->topic_arn); t != topics_.end()) {
    auto copy = std::make_shared<Topic>(*t->second);
    ++copy->subscriptions_deleted;
    storage::PutJson(batch, kKeyspace, TopicKey(*copy), copy->ToJson());
    updated = std::move(copy);
  }
  auto st = kv_->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  by_token_.erase(it->second->token);
  subscriptions_.erase(it);
  if (updated) {
    const std::string topic_arn = updated->arn;
    topics_[topic_arn] = std::move(updated);
  }
  return Ok{};
}

std::vector<std::shared_ptr<const Subscription>> SnsStore::SubscriptionsOf(
    std::string_view topic_arn) const {
  std::string prefix = std::string(topic_arn) + ":";
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const Subscription>> out;
  for (auto it = subscriptions_.lower_bound(prefix);
       it != subscriptions_.end() && StartsWith(it->first, prefix); ++it)
    out.push_back(it->second);
  return out;
}

std::vector<std::shared_ptr<const Subscription>> SnsStore::ListSubscriptions(
    std::string_view arn_prefix, std::string_view after, size_t limit, bool* more) const {
  std::lock_guard lock(mu_);
  return Page(subscriptions_, arn_prefix, after, limit, more);
}

}  // namespace nimbus::sns
