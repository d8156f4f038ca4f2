// The TTL sweeper: deletes items whose TTL attribute (epoch seconds) has passed, a chunk at a
// time so foreground requests keep flowing, with stream records marked as service deletions;
// and trims stream records past their 24-hour retention. Reads never filter expired items:
// until the sweeper deletes them they are visible, as in DynamoDB.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/clock.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/dynamodb/ops/item_write.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/table/layout.h"
#include "services/dynamodb/types/item_codec.h"
#include "services/dynamodb/types/number.h"

namespace nimbus::dynamodb {

namespace {

constexpr size_t kSweepChunk = 200;
constexpr auto kSweepInterval = std::chrono::seconds(10);
// DynamoDB leaves alone items whose TTL lies more than five years in the past.
constexpr double kMaxExpiredAgeSeconds = 5.0 * 365 * 24 * 3600;

std::string TtlAttribute(const Table& table) {
  const json::value* ttl = table.record.if_contains("TimeToLive");
  if (!ttl || !ttl->is_object() || !BoolMember(ttl->get_object(), "Enabled")) return {};
  return std::string(StringMember(ttl->get_object(), "AttributeName"));
}

bool Expired(const json::object& item, const std::string& attr, double now) {
  const json::value* v = item.if_contains(attr);
  if (!v || TypeOf(v->get_object()) != AttrType::kN) return false;
  auto n = Number::Parse(PayloadOf(v->get_object()).get_string());
  if (!n) return false;
  double at = std::strtod(n->ToString().c_str(), nullptr);
  return at <= now && at >= now - kMaxExpiredAgeSeconds;
}

// One chunk of `table` from `*cursor` (empty: the start); false when the table is done.
bool SweepChunk(State& state, const std::shared_ptr<const Table>& table_ptr,
                const std::string& attr, std::string* cursor, size_t* deleted) {
  const Table& table = *table_ptr;
  std::string prefix = DataPrefix(table.storage_id);
  storage::ScanOptions opts;
  opts.start = cursor->empty() ? prefix : *cursor;
  opts.end = storage::PrefixEnd(prefix);
  opts.limit = kSweepChunk;
  double now = state.env->clock->NowSeconds();
  std::vector<std::string> expired;
  size_t seen = 0;
  std::string last;
  (void)state.kv().Scan(kKeyspace, opts, [&](std::string_view key, std::string_view value) {
    ++seen;
    last = std::string(key);
    json::object item;
    if (DecodeItem(value, &item) && Expired(item, attr, now)) expired.push_back(last);
    return true;
  });
  for (const auto& key : expired) {
    std::lock_guard lock(state.locks.For(key));
    std::shared_ptr<const Table> current = CurrentTable(state, table_ptr);
    auto item = ReadItem(state.kv(), key);
    if (!item || !*item || !Expired(**item, attr, state.env->clock->NowSeconds())) continue;
    storage::WriteBatch batch;
    StageWrite(state, *current, key, &**item, nullptr, 0, &batch, /*service_deletion=*/true);
    if (state.kv().Write(batch).ok()) ++*deleted;
  }
  if (seen < kSweepChunk) return false;
  *cursor = last + '\0';
  return true;
}

void TrimStream(State& state, const Table& table) {
  if (!table.stream_id) return;
  storage::WriteBatch batch;
  batch.DeleteRange(kKeyspace, StreamPrefix(table.stream_id),
                    StreamRecordKey(table.stream_id, SequenceAt(state.env->clock->NowMillis() -
                                                                kStreamRetentionMs)));
  (void)state.kv().Write(batch);
}

}  // namespace

size_t SweepExpiredItems(State& state) {
  size_t deleted = 0;
  for (const auto& table : state.catalog.All()) {
    TrimStream(state, *table);
    std::string attr = TtlAttribute(*table);
    if (attr.empty()) continue;
    std::string cursor;
    while (SweepChunk(state, table, attr, &cursor, &deleted)) {
    }
  }
  return deleted;
}

Task<void> RunTtlSweeper(State* state) {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor);
  for (;;) {
    timer.expires_after(kSweepInterval);
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (state->stopping) co_return;
    for (const auto& table : state->catalog.All()) {
      TrimStream(*state, *table);
      std::string attr = TtlAttribute(*table);
      if (attr.empty()) continue;
      std::string cursor;
      size_t deleted = 0;
      while (SweepChunk(*state, table, attr, &cursor, &deleted)) {
        co_await boost::asio::post(executor, boost::asio::use_awaitable);
        if (state->stopping) co_return;
      }
    }
  }
}

}  // namespace nimbus::dynamodb
