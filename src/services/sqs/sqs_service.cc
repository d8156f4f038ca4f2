#include "services/sqs/sqs_service.h"

#include <boost/json.hpp>

#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/sqs/attributes.h"
#include "services/sqs/errors.h"
#include "services/sqs/query_wire.h"
#include "services/sqs/records.h"
#include "services/sqs/sqs.h"

namespace nimbus::sqs {

std::string ScopedName(std::string_view account, std::string_view region, std::string_view name) {
  std::string k;
  k.reserve(account.size() + region.size() + name.size() + 2);
  k.append(account).append(1, '\n').append(region).append(1, '\n').append(name);
  return k;
}

const json::object* ObjectMember(const Document& in, std::string_view key) {
  if (!in.is_object()) return nullptr;
  auto* v = in.get_object().if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* ArrayMember(const Document& in, std::string_view key) {
  if (!in.is_object()) return nullptr;
  auto* v = in.get_object().if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

bool IntMember(const Document& in, std::string_view key, int64_t* out) {
  if (!in.is_object()) return false;
  auto* v = in.get_object().if_contains(key);
  if (!v) return false;
  if (v->is_int64()) return *out = v->get_int64(), true;
  if (v->is_uint64()) {
    *out = v->get_uint64() > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v->get_uint64());
    return true;
  }
  return false;
}

SqsService::SqsService() : Service("sqs") {
  validation_.error_code = "MissingParameter";
  validation_.check_enums = false;
#define SQS_SYNC(op) \
  HandleSync(#op, [this](RequestContext& ctx, Document& in) { return op(ctx, in); })
  SQS_SYNC(CreateQueue);
  SQS_SYNC(GetQueueUrl);
  SQS_SYNC(ListQueues);
  SQS_SYNC(GetQueueAttributes);
  SQS_SYNC(SetQueueAttributes);
  SQS_SYNC(DeleteQueue);
  SQS_SYNC(PurgeQueue);
  SQS_SYNC(TagQueue);
  SQS_SYNC(UntagQueue);
  SQS_SYNC(ListQueueTags);
  SQS_SYNC(ListDeadLetterSourceQueues);
  SQS_SYNC(SendMessage);
  SQS_SYNC(SendMessageBatch);
  SQS_SYNC(DeleteMessage);
  SQS_SYNC(DeleteMessageBatch);
  SQS_SYNC(ChangeMessageVisibility);
  SQS_SYNC(ChangeMessageVisibilityBatch);
  SQS_SYNC(AddPermission);
  SQS_SYNC(RemovePermission);
  SQS_SYNC(StartMessageMoveTask);
  SQS_SYNC(ListMessageMoveTasks);
  SQS_SYNC(CancelMessageMoveTask);
#undef SQS_SYNC
  Handle("ReceiveMessage",
         [this](RequestContext& ctx, Document in) { return ReceiveMessage(ctx, std::move(in)); });
}

const protocol::Codec* SqsService::QueryCodec() const { return SqsQueryCodec(); }

void SqsService::Start(ServiceEnv& env) {
  env_ = &env;
  LoadFromStorage();
}

void SqsService::Reset() {
  {
    std::lock_guard lock(tasks_mu_);
    for (auto& t : tasks_) t->cancel = true;
    tasks_.clear();
  }
  std::unique_lock lock(mu_);
  for (auto& [k, q] : queues_) {
    std::lock_guard ql(q->mu);
    q->deleted = true;
    WakeWaiters(*q, q->waiters.size());
  }
  queues_.clear();
}

std::shared_ptr<Queue> SqsService::FindByName(std::string_view account, std::string_view region,
                                              std::string_view name) {
  std::string key = ScopedName(account, region, name);
  std::shared_lock lock(mu_);
  auto it = queues_.find(key);
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<Queue> SqsService::FindByArn(std::string_view arn) {
  // arn:aws:sqs:<region>:<account>:<name>
  constexpr std::string_view kPrefix = "arn:aws:sqs:";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  auto rest = arn.substr(kPrefix.size());
  auto c1 = rest.find(':');
  if (c1 == std::string_view::npos) return nullptr;
  auto c2 = rest.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return nullptr;
  return FindByName(rest.substr(c1 + 1, c2 - c1 - 1), rest.substr(0, c1), rest.substr(c2 + 1));
}

Result<std::shared_ptr<Queue>> SqsService::FindQueue(const RequestContext& ctx,
                                                     const Document& in) {
  std::string_view url = StringMember(in, "QueueUrl");
  std::string_view path = url;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    auto slash = url.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // LocalStack's path-style form: /queue/<region>/<account>/<name>.
  std::string_view region = ctx.region;
  if (path.substr(0, 6) == "queue/") {
    auto region_end = path.find('/', 6);
    if (region_end != std::string_view::npos && region_end > 6) {
      region = path.substr(6, region_end - 6);
      path = path.substr(region_end + 1);
    }
  }
  auto slash = path.find('/');
  if (path.empty() || slash == std::string_view::npos || slash == 0 ||
      path.find('/', slash + 1) != std::string_view::npos)
    return Error("InvalidAddress",
                 "The address " + std::string(url) + " is not valid for this endpoint.");
  auto q = FindByName(path.substr(0, slash), region, path.substr(slash + 1));
  if (!q) return QueueDoesNotExist();
  return q;
}

std::string SqsService::QueueUrl(const RequestContext& ctx, const Queue& q) const {
  std::string url = "http://";
  std::string_view host = ctx.http ? ctx.http->Header("host") : std::string_view();
  if (host.empty())
    url += "127.0.0.1:" + std::to_string(env_->config->port);
  else
    url += host;
  url.append(1, '/').append(q.account).append(1, '/').append(q.name);
  return url;
}

Status SqsService::PersistQueue(const Queue& q) {
  json::object attrs;
  for (const auto& [k, v] : q.config.explicit_values) attrs[k] = v;
  json::object tags;
  for (const auto& [k, v] : q.tags) tags[k] = v;
  json::object record{{"id", q.id},
                      {"account", q.account},
                      {"region", q.region},
                      {"name", q.name},
                      {"attributes", std::move(attrs)},
                      {"tags", std::move(tags)},
                      {"created_ms", q.created_ms},
                      {"last_modified_ms", q.last_modified_ms},
                      {"last_purge_ms", q.last_purge_ms}};
  auto st = storage::PutJson(*env_->kv, kKeyspace, QueueKey(q.account, q.region, q.name), record);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

void SqsService::LoadFromStorage() {
  std::unordered_map<uint64_t, std::shared_ptr<Queue>> by_id;
  std::map<std::string, std::shared_ptr<Queue>> queues;
  auto st = storage::ScanJson(
      *env_->kv, kKeyspace, QueueKeyPrefix(), {}, [&](std::string_view, json::value& doc) {
        if (!doc.is_object()) return true;
        auto q = std::make_shared<Queue>();
        int64_t n = 0;
        if (!IntMember(doc, "id", &n)) return true;
        q->id = static_cast<uint64_t>(n);
        q->account = std::string(StringMember(doc, "account"));
        q->region = std::string(StringMember(doc, "region"));
        q->name = std::string(StringMember(doc, "name"));
        q->arn = "arn:aws:sqs:" + q->region + ":" + q->account + ":" + q->name;
        q->fifo = q->name.ends_with(".fifo");
        IntMember(doc, "created_ms", &q->created_ms);
        IntMember(doc, "last_modified_ms", &q->last_modified_ms);
        IntMember(doc, "last_purge_ms", &q->last_purge_ms);
        static const json::object kNone;
        const json::object* attrs = ObjectMember(doc, "attributes");
        auto applied = ApplyQueueAttributes(
            attrs ? *attrs : kNone, true, q->fifo, [](std::string_view) { return true; },
            &q->config);
        if (!applied) spdlog::warn("sqs: queue {} has invalid stored attributes", q->name);
        if (const json::object* tags = ObjectMember(doc, "tags"))
          for (const auto& [k, v] : *tags)
            if (v.is_string()) q->tags[k] = std::string(v.get_string());
        by_id[q->id] = q;
        queues[ScopedName(q->account, q->region, q->name)] = q;
        return true;
      });
  if (!st.ok()) spdlog::error("sqs: loading queues failed: {}", st.message());

  std::set<uint64_t> orphans;
  auto scan = [&](char kind, const std::function<void(Queue&, uint64_t, std::string_view)>& fn) {
    storage::ScanOptions opts;
    opts.start = std::string(1, kind);
    opts.end = std::string(1, static_cast<char>(kind + 1));
    auto s = env_->kv->Scan(kKeyspace, opts, [&](std::string_view key, std::string_view value) {
      uint64_t qid = 0, seq = 0;
      std::string_view k = key;
      k.remove_prefix(1);
      if (!storage::ConsumeUint64(&k, &qid)) return true;
      auto it = by_id.find(qid);
      if (it == by_id.end()) {
        orphans.insert(qid);
        return true;
      }
      if (kind != 'd') {
        if (!ParseMessageKey(key, &qid, &seq)) return true;
        fn(*it->second, seq, value);
      } else {
        fn(*it->second, 0, key.substr(9));
        (void)value;
      }
      return true;
    });
    if (!s.ok()) spdlog::error("sqs: loading messages failed: {}", s.message());
  };
  scan('m', [&](Queue& q, uint64_t seq, std::string_view value) {
    auto m = std::make_unique<Message>();
    if (!DecodeMessage(value, m.get())) return;
    m->seq = seq;
    if (seq >= q.next_seq) q.next_seq = seq + 1;
    if (!m->sequence_number.empty()) {
      uint64_t n = std::strtoull(m->sequence_number.c_str(), nullptr, 10);
      if (n > q.next_sequence_number) q.next_sequence_number = n;
    }
    q.messages[seq] = std::move(m);
  });
  scan('s', [&](Queue& q, uint64_t seq, std::string_view value) {
    auto it = q.messages.find(seq);
    if (it != q.messages.end()) DecodeState(value, it->second.get());
  });
  int64_t now = env_->clock->NowMillis();
  std::vector<std::string> expired_dedup;
  {
    storage::ScanOptions opts;
    opts.start = "d";
    opts.end = "e";
    (void)env_->kv->Scan(kKeyspace, opts, [&](std::string_view key, std::string_view value) {
      if (key.size() < 9) return true;
      std::string_view k = key.substr(1);
      uint64_t qid;
      if (!storage::ConsumeUint64(&k, &qid)) return true;
      auto it = by_id.find(qid);
      Dedup d;
      if (it == by_id.end() || !DecodeDedup(value, &d) || d.expires_ms <= now) {
        expired_dedup.emplace_back(key);
        return true;
      }
      Queue& q = *it->second;
      q.dedup[std::string(k)] = d;
      q.dedup_expiry.emplace_back(d.expires_ms, std::string(k));
      return true;
    });
  }
  for (auto& [id, q] : by_id) {
    std::sort(q->dedup_expiry.begin(), q->dedup_expiry.end());
    for (auto& [seq, m] : q->messages) {
      if (m->visible_at_ms > now) {
        m->in_flight = m->receive_count > 0 && m->receipt != 0;
        q->hidden.emplace(m->visible_at_ms, seq);
        if (m->in_flight) {
          ++q->in_flight;
          if (q->fifo) ++q->group_in_flight[m->group_id];
        }
      } else {
        q->ready.insert(seq);
      }
    }
  }
  storage::WriteBatch cleanup;
  for (uint64_t id : orphans) {
    for (char kind : {'m', 's', 'd'}) {
      std::string p = QueueDataPrefix(kind, id);
      cleanup.DeleteRange(kKeyspace, p, storage::PrefixEnd(p));
    }
  }
  for (const auto& k : expired_dedup) cleanup.Delete(kKeyspace, k);
  if (!cleanup.empty()) (void)env_->kv->Write(cleanup);
  std::unique_lock lock(mu_);
  queues_ = std::move(queues);
}

std::unique_ptr<Service> NewSqsService() { return std::make_unique<SqsService>(); }

}  // namespace nimbus::sqs
