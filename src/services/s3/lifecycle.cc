// Lifecycle rules executed by a background job (S3 User Guide, "Managing your storage
// lifecycle"): Expiration (Days, Date, ExpiredObjectDeleteMarker), NoncurrentVersionExpiration
// (NoncurrentDays, NewerNoncurrentVersions) and AbortIncompleteMultipartUpload. Transitions are
// stored only. The job runs every few minutes of wall time against the process clock, and on
// demand through POST /_nimbus/s3/lifecycle.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/logging.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

namespace asio = boost::asio;

constexpr auto kLifecycleInterval = std::chrono::minutes(5);
constexpr int64_t kDayMs = 86'400'000;

struct Filter {
  std::string prefix;
  TagList tags;
  std::optional<uint64_t> size_greater, size_less;
};

std::optional<int64_t> IntOf(const json::object& o, std::string_view member) {
  auto* v = o.if_contains(member);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

const json::object* ObjOf(const json::object& o, std::string_view member) {
  auto* v = o.if_contains(member);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

void ReadTag(const json::value& t, TagList* tags) {
  if (t.is_object())
    tags->emplace_back(StrOf(t.get_object(), "Key"), StrOf(t.get_object(), "Value"));
}

Filter ReadFilter(const json::object& rule) {
  Filter f;
  f.prefix = StrOf(rule, "Prefix");  // the pre-Filter form
  const json::object* filter = ObjOf(rule, "Filter");
  if (!filter) return f;
  const json::object* and_ = ObjOf(*filter, "And");
  const json::object& src = and_ ? *and_ : *filter;
  if (src.contains("Prefix")) f.prefix = StrOf(src, "Prefix");
  if (auto* tag = filter->if_contains("Tag")) ReadTag(*tag, &f.tags);
  if (auto* tags = src.if_contains("Tags"); tags && tags->is_array())
    for (const auto& t : tags->get_array()) ReadTag(t, &f.tags);
  if (auto v = IntOf(src, "ObjectSizeGreaterThan")) f.size_greater = static_cast<uint64_t>(*v);
  if (auto v = IntOf(src, "ObjectSizeLessThan")) f.size_less = static_cast<uint64_t>(*v);
  return f;
}

bool Matches(const Filter& f, const ObjectRecord& r) {
  if (r.key.compare(0, f.prefix.size(), f.prefix) != 0) return false;
  if (r.delete_marker) return f.tags.empty() && !f.size_greater && !f.size_less;
  for (const auto& [k, v] : f.tags) {
    bool found = false;
    for (const auto& t : r.tags) found = found || (t.first == k && t.second == v);
    if (!found) return false;
  }
  if (f.size_greater && r.size <= *f.size_greater) return false;
  if (f.size_less && r.size >= *f.size_less) return false;
  return true;
}

// `days` after `from_ms`, rounded up to the next midnight UTC, as S3 counts lifecycle days.
int64_t AfterDays(int64_t from_ms, int64_t days) {
  int64_t t = from_ms + days * kDayMs;
  return (t + kDayMs - 1) / kDayMs * kDayMs;
}

}  // namespace

size_t S3Service::RunLifecycle(int64_t now_ms) {
  std::vector<BucketRecord> buckets;
  storage::ScanOptions bo;
  bo.start = "b";
  bo.end = storage::PrefixEnd(bo.start);
  auto st = env_->kv->Scan(kKeyspace, bo, [&](std::string_view, std::string_view v) {
    if (auto b = BucketRecord::FromJson(v); b && b->config.contains("Lifecycle"))
      buckets.push_back(std::move(*b));
    return true;
  });
  if (!st.ok()) {
    spdlog::warn("s3 lifecycle: cannot list buckets: {}", st.message());
    return 0;
  }
  size_t actions = 0;
  for (const auto& b : buckets) {
    const json::value& cfg = b.config.at("Lifecycle");
    auto* rules = cfg.is_object() ? cfg.get_object().if_contains("Rules") : nullptr;
    if (!rules || !rules->is_array()) continue;
    for (const auto& rv : rules->get_array()) {
      if (!rv.is_object() || StrOf(rv.get_object(), "Status") != "Enabled") continue;
      const json::object& rule = rv.get_object();
      Filter filter = ReadFilter(rule);
      const json::object* expiration = ObjOf(rule, "Expiration");
      const json::object* noncurrent = ObjOf(rule, "NoncurrentVersionExpiration");
      const json::object* abort = ObjOf(rule, "AbortIncompleteMultipartUpload");

      // Gather the decisions first, then act (acting takes the write lock per object).
      struct Action {
        std::string key;
        std::optional<std::string> version;
      };
      std::vector<Action> todo;
      auto decide = [&](std::vector<ObjectRecord>& versions) {
        if (versions.empty()) return;
        const ObjectRecord& current = versions[0];
        if (expiration && Matches(filter, current) && !current.delete_marker) {
          bool due = false;
          if (auto days = IntOf(*expiration, "Days"))
            due = now_ms >= AfterDays(current.last_modified_ms, *days);
          if (auto* date = expiration->if_contains("Date"); date && date->is_number())
            due = due || now_ms >= static_cast<int64_t>(date->to_number<double>() * 1000);
          if (due) todo.push_back({current.key, std::nullopt});
        }
        if (expiration && current.delete_marker && versions.size() == 1 &&
            Matches(filter, current)) {
          auto* dm = expiration->if_contains("ExpiredObjectDeleteMarker");
          if (dm && dm->is_bool() && dm->get_bool())
            todo.push_back({current.key, current.version_id});
        }
        if (noncurrent) {
          auto days = IntOf(*noncurrent, "NoncurrentDays");
          int64_t keep = IntOf(*noncurrent, "NewerNoncurrentVersions").value_or(0);
          int64_t newer_noncurrent = 0;
          for (size_t i = 1; i < versions.size(); ++i) {
            const ObjectRecord& v = versions[i];
            // A version becomes noncurrent when the next one is written.
            int64_t since = versions[i - 1].last_modified_ms;
            bool due = days && now_ms >= AfterDays(since, *days);
            if (due && newer_noncurrent >= keep && Matches(filter, v))
              todo.push_back({v.key, v.version_id});
            ++newer_noncurrent;
          }
        }
      };
      if (expiration || noncurrent) {
        std::string prefix = ObjectsPrefix(b.name);
        storage::ScanOptions oo;
        oo.start = ObjectTextPrefix(b.name, filter.prefix);
        oo.end = storage::PrefixEnd(oo.start);
        std::vector<ObjectRecord> versions;
        st = env_->kv->Scan(kKeyspace, oo, [&](std::string_view k, std::string_view v) {
          std::string key;
          uint64_t seq = 0;
          if (!ParseObjectVersionKey(k, prefix.size(), &key, &seq)) return true;
          if (!versions.empty() && versions[0].key != key) {
            decide(versions);
            versions.clear();
          }
          if (auto rec = ObjectRecord::FromJson(v, key, seq)) versions.push_back(std::move(*rec));
          return true;
        });
        decide(versions);
        if (!st.ok()) spdlog::warn("s3 lifecycle: scan of {} failed: {}", b.name, st.message());
      }
      for (const auto& a : todo) {
        auto r = DeleteOne(b.name, a.key, a.version, std::nullopt);
        if (!r) continue;
        ++actions;
        if (auto event = RemovalEvent("LifecycleExpiration", a.key, a.version.has_value(), *r))
          Notify(b, ServiceOrigin(now_ms), {std::move(*event)});
      }
      if (abort) {
        auto days = IntOf(*abort, "DaysAfterInitiation");
        if (!days) continue;
        std::string base = UploadsPrefix(b.name);
        storage::ScanOptions uo;
        uo.start = base + OrderedPrefix(filter.prefix);
        uo.end = storage::PrefixEnd(uo.start);
        std::vector<std::pair<std::string, std::string>> expired;
        st = env_->kv->Scan(kKeyspace, uo, [&](std::string_view k, std::string_view v) {
          std::string key, id;
          auto u = UploadRecord::FromJson(v);
          if (ParseUploadKey(k, base.size(), &key, &id) && u &&
              now_ms >= AfterDays(u->initiated_ms, *days))
            expired.emplace_back(key, id);
          return true;
        });
        for (const auto& [key, id] : expired)
          if (AbortUpload(b.name, key, id)) ++actions;
      }
    }
  }
  if (actions) spdlog::info("s3 lifecycle: {} objects, versions or uploads expired", actions);
  return actions;
}

Task<void> S3Service::LifecycleLoop() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping_) {
    timer.expires_after(kLifecycleInterval);
    co_await timer.async_wait(asio::use_awaitable);
    if (!stopping_) RunLifecycle(NowMs());
  }
}

Task<std::optional<http::Response>> S3Service::HandleInternal(const http::Request& request) {
  if (request.path != "/_nimbus/s3/lifecycle" || request.method != "POST") co_return std::nullopt;
  size_t actions = RunLifecycle(NowMs());
  http::Response r;
  r.SetHeader("content-type", "application/json");
  r.body = json::serialize(json::object{{"actions", actions}});
  co_return r;
}

}  // namespace nimbus::s3
