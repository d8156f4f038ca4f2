// Buckets: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation and the
// versioning state.
#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/s3/bucket_names.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

// Regions a LocationConstraint may name (the model's BucketLocationConstraint enum).
bool IsKnownConstraint(const protocol::ServiceModel* model, std::string_view constraint) {
  const protocol::Shape* s = model ? model->FindShape("BucketLocationConstraint") : nullptr;
  if (!s) return true;
  for (const auto& v : s->enum_values)
    if (v == constraint) return true;
  return false;
}

}  // namespace

Result<Document> S3Service::CreateBucket(RequestContext& ctx, const Input& in) {
  std::string name = in.Str("Bucket");
  if (!IsValidBucketName(name)) return InvalidBucketName(name);
  std::string constraint;
  if (const json::object* cfg = in.Obj("CreateBucketConfiguration"))
    constraint = StrOf(*cfg, "LocationConstraint");
  // S3 CreateBucket reference: us-east-1 is the default and may not be named; any other
  // endpoint region must be named and match.
  std::string region = "us-east-1";
  if (!constraint.empty()) {
    if (constraint == "us-east-1" || !IsKnownConstraint(model(), constraint))
      return InvalidLocationConstraint(constraint);
    region = constraint == "EU" ? "eu-west-1" : constraint;
    if (ctx.region != "us-east-1" && ctx.region != region)
      return IllegalLocationConstraint(constraint);
  } else if (ctx.region != "us-east-1") {
    return IllegalLocationConstraint("");
  }
  std::string ownership = in.Str("ObjectOwnership");
  if (!ownership.empty() && ownership != "BucketOwnerPreferred" && ownership != "ObjectWriter" &&
      ownership != "BucketOwnerEnforced")
    return InvalidArgument("Invalid x-amz-object-ownership header: " + ownership,
                           "x-amz-object-ownership", ownership);

  // ACLs are disabled by BucketOwnerEnforced, the default (S3 User Guide, "Controlling ownership
  // of objects and disabling ACLs").
  if (ownership.empty() || ownership == "BucketOwnerEnforced") {
    bool sets_acl = in.Has("ACL") && in.Str("ACL") != "private";
    for (std::string_view g :
         {"GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP"})
      sets_acl = sets_acl || in.Has(g);
    if (sets_acl)
      return ApiError("InvalidBucketAclWithObjectOwnership", 400,
                      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced "
                      "setting");
  }

  std::lock_guard lock(mu_);
  auto existing = GetBucket(name);
  if (existing) {
    if (existing->account != ctx.account_id) return BucketAlreadyExists(name);
    // The legacy us-east-1 answer: re-creating an owned bucket there succeeds (S3 CreateBucket
    // reference, "BucketAlreadyOwnedByYou": "except in the North Virginia Region").
    if (existing->region == "us-east-1" && region == "us-east-1")
      return json::value{{"Location", "/" + name}};
    return BucketAlreadyOwnedByYou(name);
  }
  if (existing.error().code != "NoSuchBucket") return std::move(existing).error();

  BucketRecord b;
  b.name = name;
  b.account = ctx.account_id;
  b.region = region;
  b.created_ms = NowMs();
  b.null_slot = true;
  if (in.Bool("ObjectLockEnabledForBucket")) {
    b.object_lock = true;
    b.versioning = "Enabled";
  }
  b.config["OwnershipControls"] = json::object{
      {"Rules", json::array{json::object{
                    {"ObjectOwnership", ownership.empty() ? "BucketOwnerEnforced" : ownership}}}}};
  // New buckets block public access (S3 User Guide, "Blocking public access", April 2023).
  b.config["PublicAccessBlock"] = json::object{{"BlockPublicAcls", true},
                                               {"IgnorePublicAcls", true},
                                               {"BlockPublicPolicy", true},
                                               {"RestrictPublicBuckets", true}};
  if (const json::object* cfg = in.Obj("CreateBucketConfiguration")) {
    if (auto* tags = cfg->if_contains("Tags");
        tags && tags->is_array() && !tags->get_array().empty())
      b.config["Tagging"] = json::object{{"TagSet", *tags}};
  }
  storage::WriteBatch batch;
  batch.Put(kKeyspace, BucketKey(name), json::serialize(b.ToJson()));
  batch.Put(kKeyspace, AccountBucketKey(b.account, name), "");
  auto st = env_->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  CacheBucket(name, std::make_shared<const BucketRecord>(std::move(b)));
  return json::value{{"Location", "/" + name}, {"BucketArn", "arn:aws:s3:::" + name}};
}

Result<Document> S3Service::HeadBucket(RequestContext&, const Input& in) {
  auto b = GetBucket(in.Str("Bucket"));
  if (!b) return std::move(b).error();
  return json::value{{"BucketRegion", b->region}, {"AccessPointAlias", false}};
}

Result<Document> S3Service::DeleteBucket(RequestContext&, const Input& in) {
  std::string name = in.Str("Bucket");
  std::vector<std::string> blobs;
  {
    std::lock_guard lock(mu_);
    auto b = GetBucket(name);
    if (!b) return std::move(b).error();
    storage::ScanOptions opts;
    opts.start = ObjectsPrefix(name);
    opts.end = storage::PrefixEnd(opts.start);
    opts.limit = 1;
    bool empty = true;
    auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view, std::string_view) {
      empty = false;
      return false;
    });
    if (!st.ok()) return storage::StorageError(st);
    if (!empty) return BucketNotEmpty(name, !b->versioning.empty());

    storage::WriteBatch batch;
    batch.Delete(kKeyspace, BucketKey(name));
    batch.Delete(kKeyspace, AccountBucketKey(b->account, name));
    // In-progress multipart uploads go with the bucket.
    std::string uploads = UploadsPrefix(name);
    storage::ScanOptions uo;
    uo.start = uploads;
    uo.end = storage::PrefixEnd(uploads);
    std::vector<std::string> upload_ids;
    st = env_->kv->Scan(kKeyspace, uo, [&](std::string_view k, std::string_view) {
      std::string key, id;
      if (ParseUploadKey(k, uploads.size(), &key, &id)) upload_ids.push_back(id);
      return true;
    });
    if (!st.ok()) return storage::StorageError(st);
    for (const auto& id : upload_ids) {
      storage::ScanOptions po;
      po.start = PartsPrefix(id);
      po.end = storage::PrefixEnd(po.start);
      st = env_->kv->Scan(kKeyspace, po, [&](std::string_view, std::string_view v) {
        if (auto p = PartRecord::FromJson(v)) blobs.push_back(p->blob);
        return true;
      });
      if (!st.ok()) return storage::StorageError(st);
      batch.DeleteRange(kKeyspace, po.start, po.end);
    }
    batch.DeleteRange(kKeyspace, uo.start, uo.end);
    st = env_->kv->Write(batch);
    CacheBucket(name, nullptr);
    if (!st.ok()) return storage::StorageError(st);
  }
  DeleteBlobs(blobs);
  return json::value(json::object());
}

Result<Document> S3Service::ListBuckets(RequestContext& ctx, const Input& in) {
  std::optional<int64_t> max = in.Int("MaxBuckets");
  if (max && (*max < 1 || *max > 10000))
    return InvalidArgument("Argument max-buckets must be an integer between 1 and 10000",
                           "max-buckets", std::to_string(*max));
  std::string prefix = in.Str("Prefix");
  std::string region = in.Str("BucketRegion");
  std::string base = AccountBucketsPrefix(ctx.account_id);
  storage::ScanOptions opts;
  opts.start = base + OrderedPrefix(prefix);
  opts.end = storage::PrefixEnd(opts.start);
  if (auto token = in.OptStr("ContinuationToken")) {
    auto after = Base64Decode(*token);
    if (!after || token->empty())
      return InvalidArgument("The continuation token provided is incorrect", "continuation-token",
                             *token);
    std::string from = storage::PrefixEnd(AccountBucketKey(ctx.account_id, *after));
    if (from > opts.start) opts.start = from;
  }
  json::array buckets;
  std::string last;
  bool truncated = false;
  auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view k, std::string_view) {
    std::string_view rest = k.substr(base.size());
    std::string name;
    if (!storage::ConsumeOrderedString(&rest, &name)) return true;
    auto b = GetBucket(name);
    if (!b) return true;
    if (!region.empty() && b->region != region) return true;
    if (max && static_cast<int64_t>(buckets.size()) >= *max) {
      truncated = true;
      return false;
    }
    buckets.push_back(json::object{{"Name", name},
                                   {"CreationDate", Seconds(b->created_ms)},
                                   {"BucketRegion", b->region},
                                   {"BucketArn", "arn:aws:s3:::" + name}});
    last = name;
    return true;
  });
  if (!st.ok()) return storage::StorageError(st);
  json::object out{{"Buckets", std::move(buckets)}, {"Owner", OwnerOf(ctx.account_id)}};
  if (in.Has("Prefix")) out["Prefix"] = prefix;
  if (truncated) out["ContinuationToken"] = Base64Encode(last);
  return json::value(std::move(out));
}

Result<Document> S3Service::GetBucketLocation(RequestContext&, const Input& in) {
  auto b = GetBucket(in.Str("Bucket"));
  if (!b) return std::move(b).error();
  return json::value{{"LocationConstraint", b->region == "us-east-1" ? "" : b->region}};
}

Result<Document> S3Service::PutBucketVersioning(RequestContext&, const Input& in) {
  std::string name = in.Str("Bucket");
  const json::object* cfg = in.Obj("VersioningConfiguration");
  std::string status = cfg ? StrOf(*cfg, "Status") : std::string();
  std::string mfa = cfg ? StrOf(*cfg, "MFADelete") : std::string();
  if (!status.empty() && status != "Enabled" && status != "Suspended") return MalformedXML();
  if (!mfa.empty() && mfa != "Enabled" && mfa != "Disabled") return MalformedXML();
  std::lock_guard lock(mu_);
  auto b = GetBucket(name);
  if (!b) return std::move(b).error();
  if (b->object_lock && status == "Suspended")
    return ApiError("InvalidBucketState", 409,
                    "An Object Lock configuration is present on this bucket, so the versioning "
                    "state cannot be changed.");
  if (!status.empty()) b->versioning = status;
  if (!mfa.empty()) b->mfa_delete = mfa;
  auto st = StoreBucket(*b);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> S3Service::GetBucketVersioning(RequestContext&, const Input& in) {
  auto b = GetBucket(in.Str("Bucket"));
  if (!b) return std::move(b).error();
  json::object out;
  if (!b->versioning.empty()) out["Status"] = b->versioning;
  if (!b->mfa_delete.empty()) out["MFADelete"] = b->mfa_delete;
  return json::value(std::move(out));
}

}  // namespace nimbus::s3
