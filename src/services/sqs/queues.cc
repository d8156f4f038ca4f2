// Queue operations: CreateQueue, GetQueueUrl, ListQueues, Get/SetQueueAttributes, DeleteQueue,
// PurgeQueue, tags, ListDeadLetterSourceQueues.
#include <boost/json.hpp>
#include <random>

#include "core/common/encoding.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/sqs/attributes.h"
#include "services/sqs/errors.h"
#include "services/sqs/records.h"
#include "services/sqs/sqs.h"

namespace nimbus::sqs {

namespace {

// Alphanumerics, hyphens and underscores, 1 to 80 characters (".fifo" included for FIFO).
bool ValidQueueName(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  if (fifo) name.remove_suffix(5);
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

uint64_t NewQueueId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t id = 0;
  while (id == 0) id = rng() & 0x7fffffffffffffffULL;
  return id;
}

std::string Seconds(int64_t ms) { return std::to_string(ms / 1000); }

}  // namespace

Result<Document> SqsService::CreateQueue(RequestContext& ctx, Document& in) {
  std::string name(StringMember(in, "QueueName"));
  static const json::object kNone;
  const json::object* attrs = ObjectMember(in, "Attributes");
  if (!attrs) attrs = &kNone;
  bool fifo = name.ends_with(".fifo");
  if (auto* f = attrs->if_contains("FifoQueue");
      f && f->is_string() && (f->get_string() == "true" || f->get_string() == "True")) {
    if (!fifo)
      return InvalidParameterValue(
          "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
          "underscores, must end with .fifo suffix and be 1 to 80 in length.");
  } else if (fifo) {
    return InvalidParameterValue(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
        "underscores, must end with .fifo suffix and be 1 to 80 in length.");
  }
  if (!ValidQueueName(name, fifo))
    return InvalidParameterValue(
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  QueueConfig config;
  auto applied = ApplyQueueAttributes(
      *attrs, true, fifo, [this](std::string_view arn) { return FindByArn(arn) != nullptr; },
      &config);
  if (!applied) return std::move(applied).error();

  std::string key = ScopedName(ctx.account_id, ctx.region, name);
  std::unique_lock lock(mu_);
  if (auto it = queues_.find(key); it != queues_.end()) {
    Queue& q = *it->second;
    std::lock_guard ql(q.mu);
    // Idempotent when every attribute given matches the existing queue's value.
    for (const auto& [k, v] : *attrs) {
      (void)v;
      std::string existing = ConfigAttribute(q.config, k);
      std::string wanted = ConfigAttribute(config, k);
      if (existing != wanted)
        return Error("QueueNameExists",
                     "A queue already exists with the same name and a different value for "
                     "attribute " +
                         std::string(k));
    }
    return json::value{{"QueueUrl", QueueUrl(ctx, q)}};
  }
  auto q = std::make_shared<Queue>();
  q->account = ctx.account_id;
  q->region = ctx.region;
  q->name = name;
  q->arn = "arn:aws:sqs:" + ctx.region + ":" + ctx.account_id + ":" + name;
  q->id = NewQueueId();
  q->fifo = fifo;
  q->config = std::move(config);
  q->created_ms = q->last_modified_ms = env_->clock->NowMillis();
  if (const json::object* tags = ObjectMember(in, "tags")) {
    for (const auto& [k, v] : *tags)
      if (v.is_string()) q->tags[k] = std::string(v.get_string());
  }
  auto st = PersistQueue(*q);
  if (!st) return std::move(st).error();
  queues_[key] = q;
  return json::value{{"QueueUrl", QueueUrl(ctx, *q)}};
}

Result<Document> SqsService::GetQueueUrl(RequestContext& ctx, Document& in) {
  std::string_view owner = StringMember(in, "QueueOwnerAWSAccountId");
  auto q = FindByName(owner.empty() ? std::string_view(ctx.account_id) : owner, ctx.region,
                      StringMember(in, "QueueName"));
  if (!q) return QueueDoesNotExist();
  return json::value{{"QueueUrl", QueueUrl(ctx, *q)}};
}

Result<Document> SqsService::ListQueues(RequestContext& ctx, Document& in) {
  int64_t max_results = 0;
  bool paged = IntMember(in, "MaxResults", &max_results);
  if (paged && (max_results < 1 || max_results > 1000))
    return InvalidParameterValue("Value " + std::to_string(max_results) +
                                 " for parameter MaxResults is invalid. Reason: MaxResults must "
                                 "be an integer between 1 and 1000.");
  std::string_view prefix = StringMember(in, "QueueNamePrefix");
  std::string scope = ScopedName(ctx.account_id, ctx.region, "");
  std::string start = scope + std::string(prefix);
  std::string_view token = StringMember(in, "NextToken");
  if (!token.empty()) {
    auto after = Base64Decode(token);
    if (!after || after->compare(0, prefix.size(), prefix) != 0)
      return InvalidParameterValue("Invalid NextToken value.");
    start = scope + *after;
    start.push_back('\0');
  }
  json::array urls;
  std::string last;
  bool more = false;
  {
    std::shared_lock lock(mu_);
    for (auto it = queues_.lower_bound(start); it != queues_.end(); ++it) {
      if (it->first.compare(0, scope.size(), scope) != 0) break;
      std::string_view name = std::string_view(it->first).substr(scope.size());
      if (name.substr(0, prefix.size()) != prefix) break;
      if (paged && static_cast<int64_t>(urls.size()) == max_results) {
        more = true;
        break;
      }
      if (!paged && urls.size() == 1000) break;
      urls.emplace_back(QueueUrl(ctx, *it->second));
      last = std::string(name);
    }
  }
  json::object out;
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (more) out["NextToken"] = Base64Encode(last);
  return json::value(std::move(out));
}

Result<Document> SqsService::GetQueueAttributes(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  std::vector<std::string> names;
  if (const json::array* list = ArrayMember(in, "AttributeNames")) {
    for (const auto& v : *list) {
      if (!v.is_string()) continue;
      std::string_view n = v.get_string();
      if (!IsKnownQueueAttribute(n))
        return InvalidAttributeName("Unknown Attribute " + std::string(n) + ".");
      names.emplace_back(n);
    }
  }
  bool all = std::find(names.begin(), names.end(), "All") != names.end();
  auto wanted = [&](std::string_view n) {
    return all || std::find(names.begin(), names.end(), n) != names.end();
  };
  json::object out;
  int64_t now = env_->clock->NowMillis();
  storage::WriteBatch batch;
  {
    std::lock_guard lock(q.mu);
    if (q.deleted) return QueueDoesNotExist();
    ExpireMessages(q, now, &batch);
    size_t visible = q.ready.size(), delayed = 0;
    for (const auto& [at, seq] : q.hidden) {
      const Message& m = *q.messages.at(seq);
      if (at <= now)
        ++visible;
      else if (!m.in_flight)
        ++delayed;
    }
    size_t not_visible = q.hidden.size() - delayed - (visible - q.ready.size());
    if (wanted("QueueArn")) out["QueueArn"] = q.arn;
    if (wanted("ApproximateNumberOfMessages"))
      out["ApproximateNumberOfMessages"] = std::to_string(visible);
    if (wanted("ApproximateNumberOfMessagesNotVisible"))
      out["ApproximateNumberOfMessagesNotVisible"] = std::to_string(not_visible);
    if (wanted("ApproximateNumberOfMessagesDelayed"))
      out["ApproximateNumberOfMessagesDelayed"] = std::to_string(delayed);
    if (wanted("CreatedTimestamp")) out["CreatedTimestamp"] = Seconds(q.created_ms);
    if (wanted("LastModifiedTimestamp")) out["LastModifiedTimestamp"] = Seconds(q.last_modified_ms);
    for (auto n : SettableAttributeNames()) {
      if (!wanted(n)) continue;
      std::string v = ConfigAttribute(q.config, n);
      if (!v.empty()) out[n] = std::move(v);
    }
  }
  if (!batch.empty()) (void)env_->kv->Write(batch);
  json::object result;
  if (!out.empty()) result["Attributes"] = std::move(out);
  return json::value(std::move(result));
}

Result<Document> SqsService::SetQueueAttributes(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  static const json::object kNone;
  const json::object* attrs = ObjectMember(in, "Attributes");
  QueueConfig config;
  {
    std::lock_guard lock(q.mu);
    config = q.config;
  }
  auto applied = ApplyQueueAttributes(
      attrs ? *attrs : kNone, false, q.fifo,
      [this](std::string_view arn) { return FindByArn(arn) != nullptr; }, &config);
  if (!applied) return std::move(applied).error();
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  // Attributes set by another request in the meantime stay: apply ours on top of theirs.
  auto merged = ApplyQueueAttributes(
      attrs ? *attrs : kNone, false, q.fifo, [](std::string_view) { return true; }, &q.config);
  if (!merged) return std::move(merged).error();
  q.last_modified_ms = env_->clock->NowMillis();
  auto st = PersistQueue(q);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SqsService::DeleteQueue(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  std::shared_ptr<Queue> q = *found;
  {
    std::unique_lock lock(mu_);
    auto it = queues_.find(ScopedName(q->account, q->region, q->name));
    if (it == queues_.end() || it->second != q) return QueueDoesNotExist();
    queues_.erase(it);
  }
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, QueueKey(q->account, q->region, q->name));
  for (char kind : {'m', 's', 'd'}) {
    std::string p = QueueDataPrefix(kind, q->id);
    batch.DeleteRange(kKeyspace, p, storage::PrefixEnd(p));
  }
  auto st = env_->kv->Write(batch);
  {
    std::lock_guard lock(q->mu);
    q->deleted = true;
    q->messages.clear();
    q->ready.clear();
    q->hidden.clear();
    WakeWaiters(*q, q->waiters.size());
  }
  if (!st.ok()) return storage::StorageError(st);
  return json::value(json::object());
}

Result<Document> SqsService::PurgeQueue(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  int64_t now = env_->clock->NowMillis();
  storage::WriteBatch batch;
  {
    std::lock_guard lock(q.mu);
    if (q.deleted) return QueueDoesNotExist();
    if (q.last_purge_ms != 0 && now - q.last_purge_ms < kPurgeWindowMs)
      return Error("PurgeQueueInProgress",
                   "Only one PurgeQueue operation on " + q.name + " is allowed every 60 seconds.");
    q.last_purge_ms = now;
    q.purged_below = q.next_seq;
    for (char kind : {'m', 's'}) {
      std::string p = QueueDataPrefix(kind, q.id);
      batch.DeleteRange(kKeyspace, p, storage::PrefixEnd(p));
    }
    q.messages.clear();
    q.ready.clear();
    q.hidden.clear();
    q.in_flight = 0;
    q.group_in_flight.clear();
    auto st = env_->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    auto pst = PersistQueue(q);
    if (!pst) return std::move(pst).error();
  }
  return json::value(json::object());
}

Result<Document> SqsService::TagQueue(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  const json::object* tags = ObjectMember(in, "Tags");
  if (!tags || tags->empty())
    return InvalidParameterValue("The request must contain a non-empty list of tags.");
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  auto next = q.tags;
  for (const auto& [k, v] : *tags) {
    if (k.empty() || k.size() > 128 || !v.is_string() || v.get_string().size() > 256)
      return InvalidParameterValue(
          "Tag keys must be 1 to 128 characters and values at most "
          "256 characters.");
    next[k] = std::string(v.get_string());
  }
  if (next.size() > 50)
    return InvalidParameterValue("Too many tags added for queue " + q.name + ".");
  q.tags = std::move(next);
  auto st = PersistQueue(q);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SqsService::UntagQueue(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  const json::array* keys = ArrayMember(in, "TagKeys");
  if (!keys || keys->empty())
    return InvalidParameterValue("The request must contain a non-empty list of tag keys.");
  std::lock_guard lock(q.mu);
  if (q.deleted) return QueueDoesNotExist();
  for (const auto& k : *keys)
    if (k.is_string()) q.tags.erase(std::string(k.get_string()));
  auto st = PersistQueue(q);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> SqsService::ListQueueTags(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  Queue& q = **found;
  json::object tags;
  {
    std::lock_guard lock(q.mu);
    for (const auto& [k, v] : q.tags) tags[k] = v;
  }
  json::object out;
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return json::value(std::move(out));
}

Result<Document> SqsService::ListDeadLetterSourceQueues(RequestContext& ctx, Document& in) {
  auto found = FindQueue(ctx, in);
  if (!found) return std::move(found).error();
  const std::string& arn = (*found)->arn;
  int64_t max_results = 0;
  bool paged = IntMember(in, "MaxResults", &max_results);
  if (paged && (max_results < 1 || max_results > 1000))
    return InvalidParameterValue("Value " + std::to_string(max_results) +
                                 " for parameter MaxResults is invalid. Reason: MaxResults must "
                                 "be an integer between 1 and 1000.");
  std::string after;
  if (std::string_view token = StringMember(in, "NextToken"); !token.empty()) {
    auto decoded = Base64Decode(token);
    if (!decoded) return InvalidParameterValue("Invalid NextToken value.");
    after = *decoded;
  }
  std::vector<std::shared_ptr<Queue>> all;
  {
    std::shared_lock lock(mu_);
    for (const auto& [k, q] : queues_)
      if (k > after) all.push_back(q);
  }
  json::array urls;
  std::string last;
  bool more = false;
  for (const auto& q : all) {
    bool source;
    {
      std::lock_guard lock(q->mu);
      source = q->config.dead_letter_target_arn == arn;
    }
    if (!source) continue;
    if (paged && static_cast<int64_t>(urls.size()) == max_results) {
      more = true;
      break;
    }
    urls.emplace_back(QueueUrl(ctx, *q));
    last = ScopedName(q->account, q->region, q->name);
  }
  json::object out{{"queueUrls", std::move(urls)}};
  if (more) out["NextToken"] = Base64Encode(last);
  return json::value(std::move(out));
}

}  // namespace nimbus::sqs
