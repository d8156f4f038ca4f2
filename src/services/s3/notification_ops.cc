// PutBucketNotificationConfiguration and the events object writes send (notifications.h).
// GetBucketNotificationConfiguration is a stored configuration like the others
// (bucket_config_ops.cc).
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/s3/errors.h"
#include "services/s3/notifications.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

void S3Service::RegisterNotificationOps() {
  if (const protocol::ServiceModel* m = model())
    if (const protocol::Shape* s = m->FindShape("Event")) notification_events_ = s->enum_values;
  Handle("PutBucketNotificationConfiguration",
         [this](RequestContext& ctx, Document doc) -> Task<Result<Document>> {
           if (ctx.http)
             if (auto expired = PresignedUrlExpired(ctx.http->query, env_->clock->Now()))
               co_return std::move(*expired);
           Input in(doc);
           std::string bucket = in.Str("Bucket");
           auto b = GetBucket(bucket);
           if (!b) co_return std::move(b).error();
           if (auto owner = in.OptStr("ExpectedBucketOwner"); owner && b->account != *owner)
             co_return ApiError("AccessDenied", 403, "Access Denied");
           auto* v = in.object().if_contains("NotificationConfiguration");
           if (!v || v->is_null()) co_return MalformedXML();
           json::value config = *v;
           auto st = CheckNotificationConfiguration(config, notification_events_);
           if (!st) co_return std::move(st).error();
           // S3 checks that each destination exists (and lets S3 in) unless told not to
           // (x-amz-skip-destination-validation).
           if (!in.Bool("SkipDestinationValidation")) {
             st = co_await notifier_->CheckDestinations(ctx, config);
             if (!st) co_return std::move(st).error();
           }
           {
             std::lock_guard lock(mu_);
             b = GetBucket(bucket);
             if (!b) co_return std::move(b).error();
             b->config["Notification"] = config;
             auto put = StoreBucket(*b);
             if (!put) co_return std::move(put).error();
           }
           notifier_->SendTestEvents(*b, config, OriginOf(ctx, NowMs()));
           co_return json::value(json::object());
         });
}

void S3Service::Notify(const BucketRecord& bucket, const EventOrigin& origin,
                       const std::vector<ObjectEvent>& events) {
  if (notifier_ && bucket.config.contains("Notification"))
    notifier_->Notify(bucket, origin, events);
}

void S3Service::Notify(const RequestContext& ctx, const BucketRecord& bucket, ObjectEvent event) {
  if (!notifier_ || !bucket.config.contains("Notification")) return;
  notifier_->Notify(bucket, OriginOf(ctx, NowMs()), {std::move(event)});
}

ObjectEvent S3Service::EventOf(std::string name, const ObjectRecord& rec, bool with_size) {
  ObjectEvent e;
  e.name = std::move(name);
  e.key = rec.key;
  if (with_size) e.size = rec.size;
  e.etag = std::string(UnquoteEtag(rec.etag));
  if (rec.version_id != kNullVersion) e.version_id = rec.version_id;
  e.seq = rec.sequencer ? rec.sequencer : rec.seq;
  return e;
}

std::optional<ObjectEvent> S3Service::RemovalEvent(std::string_view family, std::string_view key,
                                                   bool version_given, const DeleteResult& r) {
  if (!r.removed) return std::nullopt;
  ObjectEvent e;
  // Deleting a version (a delete marker included) removes it; deleting a key of a versioned
  // bucket writes a delete marker.
  bool marker = r.delete_marker && !version_given;
  e.name = std::string(family) + (marker ? ":DeleteMarkerCreated" : ":Delete");
  e.key = std::string(key);
  if (r.version_id != kNullVersion) e.version_id = r.version_id;
  e.seq = r.seq;
  return e;
}

}  // namespace nimbus::s3
