#include "services/sqs/records.h"

#include "core/storage/key_encoding.h"

namespace nimbus::sqs {

namespace {

constexpr char kMessageVersion = 1;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      auto b = static_cast<unsigned char>(in_[0]);
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Int(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool String(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size()) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::string Prefixed(char kind, uint64_t queue_id) {
  std::string k(1, kind);
  storage::AppendUint64(&k, queue_id);
  return k;
}

}  // namespace

std::string QueuePrefix(std::string_view account, std::string_view region) {
  return "q" + storage::ScopePrefix(account, region);
}

std::string QueueKey(std::string_view account, std::string_view region, std::string_view name) {
  std::string k = QueuePrefix(account, region);
  storage::AppendOrderedString(&k, name);
  return k;
}

std::string QueueKeyPrefix() { return "q"; }

std::string QueueDataPrefix(char kind, uint64_t queue_id) { return Prefixed(kind, queue_id); }

std::string MessageKey(uint64_t queue_id, uint64_t seq) {
  std::string k = Prefixed('m', queue_id);
  storage::AppendUint64(&k, seq);
  return k;
}

std::string StateKey(uint64_t queue_id, uint64_t seq) {
  std::string k = Prefixed('s', queue_id);
  storage::AppendUint64(&k, seq);
  return k;
}

std::string DedupKey(uint64_t queue_id, std::string_view key) {
  std::string k = Prefixed('d', queue_id);
  k.append(key);
  return k;
}

bool ParseMessageKey(std::string_view key, uint64_t* queue_id, uint64_t* seq) {
  if (key.size() != 17) return false;
  key.remove_prefix(1);
  return storage::ConsumeUint64(&key, queue_id) && storage::ConsumeUint64(&key, seq);
}

std::string EncodeMessage(const Message& m) {
  std::string out;
  out.reserve(m.body.size() + 96);
  out.push_back(kMessageVersion);
  PutString(&out, m.id);
  PutVarint(&out, static_cast<uint64_t>(m.sent_ms));
  PutVarint(&out, static_cast<uint64_t>(m.visible_at_ms));
  PutString(&out, m.body);
  PutString(&out, m.md5_body);
  PutString(&out, m.md5_attributes);
  PutString(&out, m.sender_id);
  PutString(&out, m.group_id);
  PutString(&out, m.dedup_id);
  PutString(&out, m.sequence_number);
  PutString(&out, m.trace_header);
  PutString(&out, m.dead_letter_source_arn);
  PutVarint(&out, m.attributes.size());
  for (const auto& a : m.attributes) {
    PutString(&out, a.name);
    PutString(&out, a.data_type);
    out.push_back(a.binary ? 1 : 0);
    PutString(&out, a.value);
  }
  return out;
}

bool DecodeMessage(std::string_view bytes, Message* m) {
  if (bytes.empty() || bytes[0] != kMessageVersion) return false;
  Reader r(bytes.substr(1));
  int64_t sent, visible;
  uint64_t n;
  if (!r.String(&m->id) || !r.Int(&sent) || !r.Int(&visible) || !r.String(&m->body) ||
      !r.String(&m->md5_body) || !r.String(&m->md5_attributes) || !r.String(&m->sender_id) ||
      !r.String(&m->group_id) || !r.String(&m->dedup_id) || !r.String(&m->sequence_number) ||
      !r.String(&m->trace_header) || !r.String(&m->dead_letter_source_arn) || !r.Varint(&n) ||
      n > kMaxAttributes * 4)
    return false;
  m->sent_ms = sent;
  m->visible_at_ms = visible;
  m->attributes.resize(n);
  for (auto& a : m->attributes) {
    uint64_t binary;
    if (!r.String(&a.name) || !r.String(&a.data_type) || !r.Varint(&binary) || !r.String(&a.value))
      return false;
    a.binary = binary != 0;
  }
  return r.empty();
}

std::string EncodeState(const Message& m) {
  std::string out;
  PutVarint(&out, static_cast<uint64_t>(m.receive_count));
  PutVarint(&out, static_cast<uint64_t>(m.first_receive_ms));
  PutVarint(&out, static_cast<uint64_t>(m.visible_at_ms));
  PutVarint(&out, m.receipt);
  return out;
}

bool DecodeState(std::string_view bytes, Message* m) {
  Reader r(bytes);
  uint64_t count, receipt;
  int64_t first, visible;
  if (!r.Varint(&count) || !r.Int(&first) || !r.Int(&visible) || !r.Varint(&receipt) || !r.empty())
    return false;
  m->receive_count = static_cast<int32_t>(count);
  m->first_receive_ms = first;
  m->visible_at_ms = visible;
  m->receipt = receipt;
  return true;
}

std::string EncodeDedup(const Dedup& d) {
  std::string out;
  PutVarint(&out, static_cast<uint64_t>(d.expires_ms));
  PutString(&out, d.message_id);
  PutString(&out, d.sequence_number);
  return out;
}

bool DecodeDedup(std::string_view bytes, Dedup* d) {
  Reader r(bytes);
  return r.Int(&d->expires_ms) && r.String(&d->message_id) && r.String(&d->sequence_number) &&
         r.empty();
}

}  // namespace nimbus::sqs
