// Bucket configuration subresources (tagging, CORS, policy, lifecycle, encryption, ownership
// controls, public access block, website, notifications, logging), stored on the bucket record
// as the document the Put operation received and returned by the Get operation; object tagging;
// the fixed owner-only ACLs.
#include <boost/json.hpp>

#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

const json::array* ArrayMember(const json::value& v, std::string_view member) {
  if (!v.is_object()) return nullptr;
  auto* a = v.get_object().if_contains(member);
  return a && a->is_array() ? &a->get_array() : nullptr;
}

Result<TagList> TagSetOf(const json::value& tagging, bool object) {
  const json::array* set = ArrayMember(tagging, "TagSet");
  if (!set) return MalformedXML();
  TagList tags;
  for (const auto& t : *set) {
    if (!t.is_object()) return MalformedXML();
    auto* k = t.get_object().if_contains("Key");
    auto* v = t.get_object().if_contains("Value");
    if (!k || !k->is_string()) return MalformedXML();
    tags.emplace_back(std::string(k->get_string()),
                      v && v->is_string() ? std::string(v->get_string()) : std::string());
  }
  for (const auto& [k, v] : tags)
    if (k.substr(0, 4) == "aws:")
      return InvalidTag("System tags cannot be added/updated by requester");
  auto st = ValidateTags(tags, object);
  if (!st) return std::move(st).error();
  return tags;
}

json::array TagSetJson(const TagList& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

// Every bucket is encrypted with SSE-S3 unless configured otherwise (S3 User Guide, "Setting
// default server-side encryption behavior", January 2023).
json::value DefaultBucketEncryption() {
  return json::object{{"Rules", json::array{json::object{{"ApplyServerSideEncryptionByDefault",
                                                          json::object{{"SSEAlgorithm", "AES256"}}},
                                                         {"BucketKeyEnabled", false}}}}};
}

Status CheckTagging(const json::value& v) {
  auto tags = TagSetOf(v, false);
  if (!tags) return std::move(tags).error();
  return Ok{};
}

Status CheckCors(const json::value& v) {
  const json::array* rules = ArrayMember(v, "CORSRules");
  if (!rules || rules->empty() || rules->size() > 100) return MalformedXML();
  for (const auto& r : *rules) {
    const json::array* methods = ArrayMember(r, "AllowedMethods");
    const json::array* origins = ArrayMember(r, "AllowedOrigins");
    if (!methods || methods->empty() || !origins || origins->empty()) return MalformedXML();
    for (const auto& m : *methods) {
      std::string_view name = m.is_string() ? std::string_view(m.get_string()) : "";
      if (name != "GET" && name != "PUT" && name != "HEAD" && name != "POST" && name != "DELETE")
        return InvalidRequest(
            "Found unsupported HTTP method in CORS config. Unsupported method is " +
            std::string(name));
    }
  }
  return Ok{};
}

Status CheckPolicy(const json::value& v) {
  auto malformed = [] {
    return ApiError("MalformedPolicy", 400,
                    "Policies must be valid JSON and the first byte must be '{'");
  };
  if (!v.is_string()) return malformed();
  json::error_code ec;
  auto doc = json::parse(v.get_string(), ec);
  if (ec || !doc.is_object()) return malformed();
  auto* statement = doc.get_object().if_contains("Statement");
  if (!statement || (!statement->is_array() && !statement->is_object()))
    return ApiError("MalformedPolicy", 400, "Missing required field Statement");
  return Ok{};
}

Status CheckLifecycle(const json::value& v) {
  const json::array* rules = ArrayMember(v, "Rules");
  if (!rules || rules->empty() || rules->size() > 1000) return MalformedXML();
  for (const auto& r : *rules) {
    if (!r.is_object()) return MalformedXML();
    std::string status = StrOf(r.get_object(), "Status");
    if (status != "Enabled" && status != "Disabled") return MalformedXML();
  }
  return Ok{};
}

Status CheckEncryption(const json::value& v) {
  const json::array* rules = ArrayMember(v, "Rules");
  if (!rules || rules->empty()) return MalformedXML();
  for (const auto& r : *rules) {
    if (!r.is_object()) return MalformedXML();
    auto* d = r.get_object().if_contains("ApplyServerSideEncryptionByDefault");
    if (!d) continue;
    std::string alg = d->is_object() ? StrOf(d->get_object(), "SSEAlgorithm") : "";
    if (alg != "AES256" && alg != "aws:kms" && alg != "aws:kms:dsse") return MalformedXML();
  }
  return Ok{};
}

Status CheckOwnership(const json::value& v) {
  const json::array* rules = ArrayMember(v, "Rules");
  if (!rules || rules->size() != 1 || !(*rules)[0].is_object()) return MalformedXML();
  std::string o = StrOf((*rules)[0].get_object(), "ObjectOwnership");
  if (o != "BucketOwnerPreferred" && o != "ObjectWriter" && o != "BucketOwnerEnforced")
    return MalformedXML();
  return Ok{};
}

Status CheckWebsite(const json::value& v) {
  if (!v.is_object()) return MalformedXML();
  const json::object& o = v.get_object();
  if (o.contains("RedirectAllRequestsTo")) return Ok{};
  auto* index = o.if_contains("IndexDocument");
  if (!index || !index->is_object() || StrOf(index->get_object(), "Suffix").empty())
    return InvalidArgument(
        "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty");
  if (StrOf(index->get_object(), "Suffix").find('/') != std::string::npos)
    return InvalidArgument("The IndexDocument Suffix is not well formed");
  return Ok{};
}

}  // namespace

void S3Service::RegisterBucketConfig(std::string_view put_op, std::string_view get_op,
                                     std::string_view delete_op, std::string name,
                                     std::string missing_code, ConfigCheck validate,
                                     json::value fallback) {
  const protocol::ServiceModel* m = model();
  const protocol::Operation* put = m ? m->FindOperation(put_op) : nullptr;
  const protocol::Operation* get = m ? m->FindOperation(get_op) : nullptr;
  std::string in_member = put && put->input ? put->input->payload : std::string();
  std::string out_member = get && get->output ? get->output->payload : std::string();

  Register(std::string(put_op), Handler([this, name, in_member, validate](
                                            RequestContext&, const Input& in) -> Result<Document> {
             auto* v = in.object().if_contains(in_member);
             if (!v || v->is_null()) return MalformedXML();
             if (validate) {
               auto st = validate(*v);
               if (!st) return std::move(st).error();
             }
             std::lock_guard lock(mu_);
             auto b = GetBucket(in.Str("Bucket"));
             if (!b) return std::move(b).error();
             b->config[name] = *v;
             auto st = StoreBucket(*b);
             if (!st) return std::move(st).error();
             return json::value(json::object());
           }));
  Register(std::string(get_op), Handler([this, name, missing_code, out_member, fallback](
                                            RequestContext&, const Input& in) -> Result<Document> {
             auto b = GetBucket(in.Str("Bucket"));
             if (!b) return std::move(b).error();
             const json::value* v = b->config.if_contains(name);
             if (!v && !fallback.is_null()) v = &fallback;
             if (!v) {
               if (missing_code.empty()) return json::value(json::object());
               return NoSuchConfiguration(missing_code, b->name);
             }
             if (!out_member.empty()) return json::value{{out_member, *v}};
             return v->is_object() ? *v : json::value(json::object());
           }));
  if (delete_op.empty()) return;
  Register(std::string(delete_op),
           Handler([this, name](RequestContext&, const Input& in) -> Result<Document> {
             std::lock_guard lock(mu_);
             auto b = GetBucket(in.Str("Bucket"));
             if (!b) return std::move(b).error();
             b->config.erase(name);
             auto st = StoreBucket(*b);
             if (!st) return std::move(st).error();
             return json::value(json::object());
           }));
}

void S3Service::RegisterBucketConfigOps() {
  RegisterBucketConfig("PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "Tagging",
                       "NoSuchTagSet", CheckTagging);
  RegisterBucketConfig("PutBucketCors", "GetBucketCors", "DeleteBucketCors", "Cors",
                       "NoSuchCORSConfiguration", CheckCors);
  RegisterBucketConfig("PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "Policy",
                       "NoSuchBucketPolicy", CheckPolicy);
  RegisterBucketConfig("PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration",
                       "DeleteBucketLifecycle", "Lifecycle", "NoSuchLifecycleConfiguration",
                       CheckLifecycle);
  RegisterBucketConfig("PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
                       "Encryption", "", CheckEncryption, DefaultBucketEncryption());
  RegisterBucketConfig("PutBucketOwnershipControls", "GetBucketOwnershipControls",
                       "DeleteBucketOwnershipControls", "OwnershipControls",
                       "OwnershipControlsNotFoundError", CheckOwnership);
  RegisterBucketConfig("PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
                       "PublicAccessBlock", "NoSuchPublicAccessBlockConfiguration", {});
  RegisterBucketConfig("PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite", "Website",
                       "NoSuchWebsiteConfiguration", CheckWebsite);
  // PutBucketNotificationConfiguration is replaced by RegisterNotificationOps (it checks the
  // destinations through other services).
  RegisterBucketConfig("PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration",
                       "", "Notification", "", {});
  RegisterBucketConfig("PutBucketLogging", "GetBucketLogging", "", "Logging", "", {});

  Register("GetObjectTagging", &S3Service::GetObjectTagging);
  Register("PutObjectTagging", &S3Service::PutObjectTagging);
  Register("DeleteObjectTagging", &S3Service::DeleteObjectTagging);
  Register("GetObjectAcl", &S3Service::GetObjectAcl);
  Register("GetBucketAcl", &S3Service::GetBucketAcl);
  Register("GetObjectLockConfiguration", &S3Service::GetObjectLockConfiguration);
  Register("PutBucketAcl", &S3Service::PutBucketAcl);
  Register("PutObjectAcl", &S3Service::PutObjectAcl);
  Register("GetBucketRequestPayment",
           Handler([this](RequestContext&, const Input& in) -> Result<Document> {
             auto b = GetBucket(in.Str("Bucket"));
             if (!b) return std::move(b).error();
             return json::value{{"Payer", "BucketOwner"}};
           }));
  Register("GetBucketAccelerateConfiguration",
           Handler([this](RequestContext&, const Input& in) -> Result<Document> {
             auto b = GetBucket(in.Str("Bucket"));
             if (!b) return std::move(b).error();
             return json::value(json::object());
           }));
}

Result<ObjectRecord> S3Service::SetObjectTags(std::string_view bucket, std::string_view key,
                                              const std::optional<std::string>& version_id,
                                              TagList tags) {
  std::lock_guard lock(mu_);
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto rec = ResolveObject(bucket, key, version_id, "PUT");
  if (!rec) return std::move(rec).error();
  rec->tags = std::move(tags);
  auto st = env_->kv->Put(kKeyspace, ObjectVersionKey(bucket, key, rec->seq), rec->ToValue());
  if (!st.ok()) return storage::StorageError(st);
  return rec;
}

Result<Document> S3Service::GetObjectTagging(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto rec = ResolveObject(bucket, in.Str("Key"), in.OptStr("VersionId"), "GET");
  if (!rec) return std::move(rec).error();
  json::object out{{"TagSet", TagSetJson(rec->tags)}};
  if (!b->versioning.empty()) out["VersionId"] = rec->version_id;
  return json::value(std::move(out));
}

Result<Document> S3Service::PutObjectTagging(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto* tagging = in.object().if_contains("Tagging");
  if (!tagging) return MalformedXML();
  auto tags = TagSetOf(*tagging, true);
  if (!tags) return std::move(tags).error();
  auto rec = SetObjectTags(bucket, in.Str("Key"), in.OptStr("VersionId"), std::move(*tags));
  if (!rec) return std::move(rec).error();
  auto b = GetBucket(bucket);
  if (b) {
    ObjectEvent event = EventOf("ObjectTagging:Put", *rec, false);
    event.seq = NextSeq();
    Notify(ctx, *b, std::move(event));
  }
  json::object out;
  if (b && !b->versioning.empty()) out["VersionId"] = rec->version_id;
  return json::value(std::move(out));
}

Result<Document> S3Service::DeleteObjectTagging(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto rec = SetObjectTags(bucket, in.Str("Key"), in.OptStr("VersionId"), {});
  if (!rec) return std::move(rec).error();
  auto b = GetBucket(bucket);
  if (b) {
    ObjectEvent event = EventOf("ObjectTagging:Delete", *rec, false);
    event.seq = NextSeq();
    Notify(ctx, *b, std::move(event));
  }
  json::object out;
  if (b && !b->versioning.empty()) out["VersionId"] = rec->version_id;
  return json::value(std::move(out));
}

namespace {

json::object OwnerAcl(std::string_view account) {
  json::object grantee = OwnerOf(account);
  grantee["Type"] = "CanonicalUser";
  return json::object{
      {"Owner", OwnerOf(account)},
      {"Grants", json::array{json::object{{"Grantee", grantee}, {"Permission", "FULL_CONTROL"}}}}};
}

}  // namespace

Status CheckAclAllowed(const BucketRecord& bucket, const Input& in) {
  std::string ownership = "ObjectWriter";  // ACLs are on when ownership controls are deleted
  if (auto* oc = bucket.config.if_contains("OwnershipControls"); oc && oc->is_object())
    if (auto* rules = oc->get_object().if_contains("Rules"); rules && rules->is_array() &&
                                                             !rules->get_array().empty() &&
                                                             rules->get_array()[0].is_object())
      ownership = StrOf(rules->get_array()[0].get_object(), "ObjectOwnership");
  if (ownership != "BucketOwnerEnforced") return Ok{};
  bool sets_acl = false;
  if (auto acl = in.OptStr("ACL"))
    sets_acl = *acl != "private" && *acl != "bucket-owner-full-control";
  for (std::string_view g :
       {"GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP"})
    sets_acl = sets_acl || in.Has(g);
  // An AccessControlPolicy is accepted when it grants nothing beyond the owner's FULL_CONTROL.
  if (const json::object* policy = in.Obj("AccessControlPolicy")) {
    if (auto* grants = policy->if_contains("Grants"); grants && grants->is_array()) {
      for (const auto& g : grants->get_array()) {
        if (!g.is_object()) continue;
        auto* grantee = g.get_object().if_contains("Grantee");
        std::string id =
            grantee && grantee->is_object() ? StrOf(grantee->get_object(), "ID") : std::string();
        if (id != CanonicalUserId(bucket.account) ||
            StrOf(g.get_object(), "Permission") != "FULL_CONTROL")
          sets_acl = true;
      }
    }
  }
  if (!sets_acl) return Ok{};
  return ApiError("AccessControlListNotSupported", 400, "The bucket does not allow ACLs");
}

Result<Document> S3Service::PutBucketAcl(RequestContext&, const Input& in) {
  auto b = GetBucket(in.Str("Bucket"));
  if (!b) return std::move(b).error();
  auto st = CheckAclAllowed(*b, in);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> S3Service::PutObjectAcl(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto rec = ResolveObject(bucket, in.Str("Key"), in.OptStr("VersionId"), "PUT");
  if (!rec) return std::move(rec).error();
  auto st = CheckAclAllowed(*b, in);
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> S3Service::GetBucketAcl(RequestContext&, const Input& in) {
  auto b = GetBucket(in.Str("Bucket"));
  if (!b) return std::move(b).error();
  return json::value(OwnerAcl(b->account));
}

Result<Document> S3Service::GetObjectAcl(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto rec = ResolveObject(bucket, in.Str("Key"), in.OptStr("VersionId"), "GET");
  if (!rec) return std::move(rec).error();
  return json::value(OwnerAcl(rec->owner.empty() ? b->account : rec->owner));
}

Result<Document> S3Service::GetObjectLockConfiguration(RequestContext&, const Input& in) {
  auto b = GetBucket(in.Str("Bucket"));
  if (!b) return std::move(b).error();
  if (!b->object_lock) {
    ApiError e("ObjectLockConfigurationNotFoundError", 404,
               "Object Lock configuration does not exist for this bucket");
    e.extra["BucketName"] = b->name;
    return e;
  }
  return json::value{{"ObjectLockConfiguration", json::object{{"ObjectLockEnabled", "Enabled"}}}};
}

}  // namespace nimbus::s3
