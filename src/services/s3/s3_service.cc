#include "services/s3/s3_service.h"

#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/protocol/codec.h"
#include "core/protocol/rest_binding.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/s3/checksums.h"
#include "services/s3/cors.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

Input::Input(const Document& doc) {
  static const json::object kEmpty;
  obj_ = doc.is_object() ? &doc.get_object() : &kEmpty;
}

bool Input::Has(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  return v && !v->is_null();
}

std::string Input::Str(std::string_view member) const { return StrOf(*obj_, member); }

std::optional<std::string> Input::OptStr(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<int64_t> Input::Int(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<double> Input::Time(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

bool Input::Bool(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  return v && v->is_bool() && v->get_bool();
}

const json::object* Input::Obj(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* Input::Arr(std::string_view member) const {
  auto* v = obj_->if_contains(member);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string StrOf(const json::object& o, std::string_view member) {
  auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string CanonicalUserId(std::string_view account) {
  return HexEncode(Sha256("nimbus-canonical-user:" + std::string(account)));
}

json::object OwnerOf(std::string_view account) {
  return json::object{{"DisplayName", "nimbus"}, {"ID", CanonicalUserId(account)}};
}

std::string HttpDate(int64_t ms) {
  return FormatHttpDate(Clock::TimePoint(std::chrono::milliseconds(ms / 1000 * 1000)));
}

std::string_view UnquoteEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    return etag.substr(1, etag.size() - 2);
  return etag;
}

namespace {

bool ParseSeconds(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<ApiError> PresignedUrlExpired(std::string_view query, Clock::TimePoint now) {
  std::string amz_date, amz_expires, expires;
  bool legacy_signature = false;
  for (auto& [k, v] : http::ParseQuery(query, true)) {
    if (k == "X-Amz-Date") amz_date = v;
    if (k == "X-Amz-Expires") amz_expires = v;
    if (k == "Expires") expires = v;
    if (k == "Signature") legacy_signature = true;
  }
  Clock::TimePoint deadline;
  if (!amz_date.empty() && !amz_expires.empty()) {
    Clock::TimePoint signed_at;
    int64_t seconds = 0;
    if (!ParseAmzDate(amz_date, &signed_at)) return std::nullopt;
    if (!ParseSeconds(amz_expires, &seconds))
      return InvalidArgument("X-Amz-Expires should be a number", "X-Amz-Expires", amz_expires);
    deadline = signed_at + std::chrono::seconds(seconds);
  } else if (legacy_signature && !expires.empty()) {
    int64_t epoch = 0;
    if (!ParseSeconds(expires, &epoch)) return std::nullopt;
    deadline = Clock::TimePoint(std::chrono::seconds(epoch));
  } else {
    return std::nullopt;
  }
  if (now <= deadline) return std::nullopt;
  return RequestExpired(FormatIso8601(deadline), FormatIso8601(now));
}

S3Service::S3Service() : Service("s3") {
  // S3 answers its own codes for bad enum values (InvalidStorageClass, MalformedXML...).
  validation_.check_enums = false;
  validation_.error_code = "InvalidArgument";
  // A required element missing from an XML body (<Delete> without <Object>...).
  validation_.missing_member_code = "MalformedXML";
  validation_.missing_member_message =
      "The XML you provided was not well-formed or did not validate against our published "
      "schema";

  Register("CreateBucket", &S3Service::CreateBucket);
  Register("HeadBucket", &S3Service::HeadBucket);
  Register("DeleteBucket", &S3Service::DeleteBucket);
  Register("ListBuckets", &S3Service::ListBuckets);
  Register("GetBucketLocation", &S3Service::GetBucketLocation);
  Register("PutBucketVersioning", &S3Service::PutBucketVersioning);
  Register("GetBucketVersioning", &S3Service::GetBucketVersioning);

  RegisterUpload("PutObject", &S3Service::PutObject, &S3Service::PutObjectStreamed);
  Register("GetObject", &S3Service::GetObject);
  Register("HeadObject", &S3Service::HeadObject);
  Register("DeleteObject", &S3Service::DeleteObject);
  Register("DeleteObjects", &S3Service::DeleteObjects);
  Register("GetObjectAttributes", &S3Service::GetObjectAttributes);
  Register("CopyObject", &S3Service::CopyObject);

  Register("ListObjectsV2", &S3Service::ListObjectsV2);
  Register("ListObjects", &S3Service::ListObjects);
  Register("ListObjectVersions", &S3Service::ListObjectVersions);

  Register("CreateMultipartUpload", &S3Service::CreateMultipartUpload);
  RegisterUpload("UploadPart", &S3Service::UploadPart, &S3Service::UploadPartStreamed);
  Register("UploadPartCopy", &S3Service::UploadPartCopy);
  Register("CompleteMultipartUpload", &S3Service::CompleteMultipartUpload);
  Register("AbortMultipartUpload", &S3Service::AbortMultipartUpload);
  Register("ListParts", &S3Service::ListParts);
  Register("ListMultipartUploads", &S3Service::ListMultipartUploads);

  RegisterBucketConfigOps();
  RegisterNotificationOps();
}

void S3Service::Register(std::string operation, Method method) {
  Register(std::move(operation), Handler([this, method](RequestContext& ctx, const Input& in) {
             return (this->*method)(ctx, in);
           }));
}

std::optional<ApiError> S3Service::CheckRequest(const RequestContext& ctx, const Input& in) {
  // A presigned URL past its expiry is refused in every auth mode (strict mode's SigV4 check
  // already does; permissive mode checks here): SigV4's X-Amz-Date + X-Amz-Expires, or the
  // legacy query signature's Expires (epoch seconds).
  if (ctx.http) {
    auto expired = PresignedUrlExpired(ctx.http->query, env_->clock->Now());
    if (expired) return expired;
  }
  // x-amz-expected-bucket-owner: a bucket of another account is AccessDenied.
  if (auto owner = in.OptStr("ExpectedBucketOwner")) {
    auto b = FindBucket(in.Str("Bucket"));
    if (b && (*b)->account != *owner) return ApiError("AccessDenied", 403, "Access Denied");
  }
  return std::nullopt;
}

void S3Service::Register(std::string operation, Handler handler) {
  HandleSync(std::move(operation),
             [this, handler](RequestContext& ctx, Document& doc) -> Result<Document> {
               Input in(doc);
               if (auto refused = CheckRequest(ctx, in)) return std::move(*refused);
               auto result = handler(ctx, in);
               if (result && ctx.http && ctx.http->HasHeader("origin")) AddCorsHeaders(ctx, in);
               return result;
             });
}

void S3Service::RegisterUpload(std::string operation, Method method, StreamMethod streamed) {
  Handle(std::move(operation),
         [this, method, streamed](RequestContext& ctx, Document doc) -> Task<Result<Document>> {
           Input in(doc);
           if (auto refused = CheckRequest(ctx, in)) co_return std::move(*refused);
           Result<Document> result = errors::InternalFailure();
           if (ctx.http && ctx.http->body_stream)
             result = co_await (this->*streamed)(ctx, in, *ctx.http->body_stream);
           else
             result = (this->*method)(ctx, in);
           if (result && ctx.http && ctx.http->HasHeader("origin")) AddCorsHeaders(ctx, in);
           co_return result;
         });
}

bool S3Service::AcceptsBodyStream(std::string_view operation) const {
  return operation == "PutObject" || operation == "UploadPart";
}

void S3Service::Start(ServiceEnv& env) {
  env_ = &env;
  notifier_ = std::make_unique<Notifier>(&env);
  {
    std::lock_guard lock(mu_);
    last_seq_ = static_cast<uint64_t>(env.clock->NowMillis()) * 1000;
  }
  if (env.spawn) env.spawn(LifecycleLoop());
}

void S3Service::Reset() {
  if (notifier_) notifier_->Clear();
  std::lock_guard lock(bucket_cache_mu_);
  ++bucket_cache_gen_;
  bucket_cache_.clear();
}

void S3Service::Stop() { stopping_ = true; }

void S3Service::AddCorsHeaders(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  if (bucket.empty()) return;
  auto b = FindBucket(bucket);
  if (!b) return;
  auto* cfg = (*b)->config.if_contains("Cors");
  if (!cfg) return;
  std::string_view origin = ctx.http->Header("origin");
  const json::object* rule = MatchCorsRule(*cfg, origin, ctx.http->method, {});
  if (!rule) return;
  for (auto& h : CorsHeaders(*rule, origin, {}, false)) ctx.response_headers.push_back(h);
}

Task<std::optional<http::Response>> S3Service::HandleBeforeAuth(http::Request& request,
                                                                std::string_view request_id) {
  if ((request.method != "OPTIONS" && request.method != "POST") || !env_ || !model())
    co_return std::nullopt;
  std::string path = protocol::rest::EffectivePath(*model(), request);
  std::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  auto slash = rest.find('/');
  auto bucket = UriDecode(rest.substr(0, slash));
  if (!bucket || bucket->empty()) co_return std::nullopt;
  bool bucket_only = slash == std::string_view::npos || slash + 1 == rest.size();
  if (request.method == "OPTIONS") co_return Preflight(request, *bucket, bucket_only, request_id);
  // POST /bucket with a form body and no subresource is a browser upload.
  if (!bucket_only || !request.query.empty() ||
      request.Header("content-type").find("multipart/form-data") == std::string_view::npos)
    co_return std::nullopt;
  co_return co_await PostObject(request, std::move(*bucket), std::string(request_id));
}

http::Response S3Service::Preflight(const http::Request& request, const std::string& bucket,
                                    bool bucket_only, std::string_view request_id) {
  std::string resource = bucket_only ? "BUCKET" : "OBJECT";
  std::string origin(request.Header("origin"));
  std::string method(request.Header("access-control-request-method"));
  std::vector<std::string> headers =
      SplitHeaderNames(request.Header("access-control-request-headers"));
  http::Response r;
  auto fail = [&](ApiError e) {
    protocol::CodecFor("rest-xml")->EncodeError(*model(), e, request_id, &r);
    return r;
  };
  auto forbidden = [&](std::string message) {
    ApiError e("AccessForbidden", 403, std::move(message));
    e.extra["Method"] = method;
    e.extra["ResourceType"] = resource;
    return fail(std::move(e));
  };
  // S3 User Guide, "Troubleshooting CORS": the answers of a preflight S3 refuses.
  if (origin.empty() || method.empty())
    return fail(
        ApiError("BadRequest", 400, "Insufficient information. Origin request header needed."));
  auto b = GetBucket(bucket);
  if (!b) return forbidden("CORSResponse: Bucket not found");
  auto* cfg = b->config.if_contains("Cors");
  if (!cfg) return forbidden("CORSResponse: CORS is not enabled for this bucket.");
  const json::object* rule = MatchCorsRule(*cfg, origin, method, headers);
  if (!rule)
    return forbidden(
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution "
        "of Origin, request method / Access-Control-Request-Method or "
        "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
  r.status = 200;
  for (auto& [k, v] : CorsHeaders(*rule, origin, headers, true)) r.SetHeader(k, v);
  r.SetHeader("x-amz-request-id", request_id);
  r.SetHeader("x-amz-id-2", Base64Encode(Sha256(request_id)));
  return r;
}

int64_t S3Service::NowMs() const { return env_->clock->NowMillis(); }

uint64_t S3Service::NextSeq() {
  // Microseconds, strictly increasing (callers hold mu_ or only need uniqueness).
  static std::mutex seq_mu;
  std::lock_guard lock(seq_mu);
  uint64_t now = static_cast<uint64_t>(env_->clock->NowMillis()) * 1000;
  last_seq_ = std::max(last_seq_ + 1, now);
  return last_seq_;
}

Result<std::shared_ptr<const BucketRecord>> S3Service::FindBucket(std::string_view bucket) {
  uint64_t gen = 0;
  {
    std::lock_guard lock(bucket_cache_mu_);
    auto it = bucket_cache_.find(bucket);
    if (it != bucket_cache_.end()) return it->second;
    gen = bucket_cache_gen_;
  }
  std::string value;
  auto st = env_->kv->Get(kKeyspace, BucketKey(bucket), &value);
  if (st.IsNotFound()) return NoSuchBucket(bucket);
  if (!st.ok()) return storage::StorageError(st);
  auto rec = BucketRecord::FromJson(value);
  if (!rec) return storage::StorageError(storage::StorageStatus::Corruption("bucket record"));
  auto shared = std::make_shared<const BucketRecord>(std::move(*rec));
  std::lock_guard lock(bucket_cache_mu_);
  if (gen == bucket_cache_gen_) bucket_cache_.emplace(std::string(bucket), shared);
  return shared;
}

Result<BucketRecord> S3Service::GetBucket(std::string_view bucket) {
  auto b = FindBucket(bucket);
  if (!b) return std::move(b).error();
  return BucketRecord(**b);
}

Status S3Service::StoreBucket(const BucketRecord& bucket) {
  auto st = env_->kv->Put(kKeyspace, BucketKey(bucket.name), json::serialize(bucket.ToJson()));
  if (!st.ok()) {
    // What storage holds now is unknown: the next read goes to it.
    CacheBucket(bucket.name, nullptr);
    return storage::StorageError(st);
  }
  CacheBucket(bucket.name, std::make_shared<const BucketRecord>(bucket));
  return Ok{};
}

void S3Service::CacheBucket(const std::string& name, std::shared_ptr<const BucketRecord> record) {
  std::lock_guard lock(bucket_cache_mu_);
  ++bucket_cache_gen_;
  if (record)
    bucket_cache_[name] = std::move(record);
  else
    bucket_cache_.erase(name);
}

Result<std::vector<ObjectRecord>> S3Service::AllVersions(std::string_view bucket,
                                                         std::string_view key) {
  std::vector<ObjectRecord> out;
  std::string prefix = ObjectsPrefix(bucket);
  storage::ScanOptions opts;
  opts.start = ObjectKeyPrefix(bucket, key);
  opts.end = storage::PrefixEnd(opts.start);
  bool corrupt = false;
  auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view k, std::string_view v) {
    std::string name;
    uint64_t seq = 0;
    if (!ParseObjectVersionKey(k, prefix.size(), &name, &seq)) return true;
    auto rec = ObjectRecord::FromValue(v, std::move(name), seq);
    if (!rec) {
      corrupt = true;
      return false;
    }
    out.push_back(std::move(*rec));
    return true;
  });
  if (!st.ok()) return storage::StorageError(st);
  if (corrupt) return storage::StorageError(storage::StorageStatus::Corruption("object record"));
  return out;
}

Result<std::optional<ObjectRecord>> S3Service::LatestVersion(const BucketRecord& b,
                                                             std::string_view key) {
  std::optional<ObjectRecord> out;
  std::string_view bucket = b.name;
  if (b.null_slot && b.versioning.empty()) {
    std::string value;
    auto st = env_->kv->Get(kKeyspace, ObjectVersionKey(bucket, key, kNullSlotSeq), &value);
    if (st.IsNotFound()) return out;
    if (!st.ok()) return storage::StorageError(st);
    auto rec = ObjectRecord::FromValue(value, std::string(key), kNullSlotSeq);
    if (!rec) return storage::StorageError(storage::StorageStatus::Corruption("object record"));
    out = std::move(*rec);
    return out;
  }
  std::string prefix = ObjectsPrefix(bucket);
  storage::ScanOptions opts;
  opts.start = ObjectKeyPrefix(bucket, key);
  opts.end = storage::PrefixEnd(opts.start);
  opts.limit = 1;
  auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view k, std::string_view v) {
    std::string name;
    uint64_t seq = 0;
    if (ParseObjectVersionKey(k, prefix.size(), &name, &seq))
      if (auto rec = ObjectRecord::FromValue(v, std::move(name), seq)) out = std::move(*rec);
    return false;
  });
  if (!st.ok()) return storage::StorageError(st);
  return out;
}

Result<ObjectRecord> S3Service::ResolveObject(std::string_view bucket, std::string_view key,
                                              const std::optional<std::string>& version_id,
                                              std::string_view method) {
  if (!version_id) {
    auto b = FindBucket(bucket);
    if (!b) return std::move(b).error();
    auto latest = LatestVersion(**b, key);
    if (!latest) return std::move(latest).error();
    if (!*latest) return NoSuchKey(key);
    if ((*latest)->delete_marker) {
      ApiError e = NoSuchKey(key);
      e.headers.emplace_back("x-amz-delete-marker", "true");
      e.headers.emplace_back("x-amz-version-id", (*latest)->version_id);
      return e;
    }
    return std::move(**latest);
  }
  std::optional<ObjectRecord> found;
  uint64_t seq = 0;
  if (*version_id == kNullVersion) {
    auto all = AllVersions(bucket, key);
    if (!all) return std::move(all).error();
    for (auto& r : *all)
      if (r.version_id == kNullVersion) found = std::move(r);
  } else if (VersionIdSeq(*version_id, &seq)) {
    std::string value;
    auto st = env_->kv->Get(kKeyspace, ObjectVersionKey(bucket, key, seq), &value);
    if (!st.ok() && !st.IsNotFound()) return storage::StorageError(st);
    if (st.ok()) {
      auto rec = ObjectRecord::FromValue(value, std::string(key), seq);
      if (rec && rec->version_id == *version_id) found = std::move(*rec);
    }
  } else {
    return InvalidVersionId(*version_id);
  }
  if (!found) return NoSuchVersion(key, *version_id);
  if (found->delete_marker) {
    ApiError e = MethodNotAllowed(method, "DeleteMarker");
    e.headers.emplace_back("x-amz-delete-marker", "true");
    e.headers.emplace_back("x-amz-version-id", found->version_id);
    e.headers.emplace_back("Last-Modified", HttpDate(found->last_modified_ms));
    return e;
  }
  return std::move(*found);
}

Result<ObjectRecord> S3Service::CommitObject(std::string_view bucket, ObjectRecord rec,
                                             const WriteCheck& check,
                                             const storage::WriteBatch* also) {
  std::vector<std::string> stale;
  auto fail = [&](ApiError e) -> Result<ObjectRecord> {
    DeleteBlobs({rec.blob});
    return e;
  };
  {
    std::lock_guard lock(mu_);
    auto found = FindBucket(bucket);
    if (!found) return fail(std::move(found).error());
    const BucketRecord* b = found->get();
    bool enabled = b->versioning == "Enabled";
    std::optional<ObjectRecord> current;
    std::optional<ObjectRecord> null_version;
    if (enabled || b->versioning.empty()) {
      auto latest = LatestVersion(*b, rec.key);
      if (!latest) return fail(std::move(latest).error());
      current = std::move(*latest);
      if (current && current->version_id == kNullVersion) null_version = current;
    } else {
      auto all = AllVersions(bucket, rec.key);
      if (!all) return fail(std::move(all).error());
      if (!all->empty()) current = (*all)[0];
      for (auto& r : *all)
        if (r.version_id == kNullVersion) null_version = std::move(r);
    }
    if (check) {
      const ObjectRecord* cur = current && !current->delete_marker ? &*current : nullptr;
      if (auto err = check(cur)) return fail(std::move(*err));
    }
    rec.sequencer = NextSeq();
    rec.seq = b->null_slot && b->versioning.empty() ? kNullSlotSeq : rec.sequencer;
    rec.version_id = enabled ? NewVersionId(rec.seq) : std::string(kNullVersion);
    storage::WriteBatch batch;
    batch.Put(kKeyspace, ObjectVersionKey(bucket, rec.key, rec.seq), rec.ToValue());
    if (!enabled && null_version) {
      // The null slot is overwritten in place by the Put above.
      if (null_version->seq != rec.seq)
        batch.Delete(kKeyspace, ObjectVersionKey(bucket, rec.key, null_version->seq));
      if (IsInlineBlob(null_version->blob))
        batch.Delete(kKeyspace, InlineDataKey(null_version->blob));
      else if (!null_version->blob.empty())
        stale.push_back(null_version->blob);
    }
    if (also) {
      for (const auto& op : also->ops()) {
        switch (op.type) {
          case storage::WriteBatch::OpType::kPut:
            batch.Put(op.keyspace, op.key, op.value);
            break;
          case storage::WriteBatch::OpType::kDelete:
            batch.Delete(op.keyspace, op.key);
            break;
          case storage::WriteBatch::OpType::kDeleteRange:
            batch.DeleteRange(op.keyspace, op.key, op.value);
            break;
        }
      }
    }
    auto st = env_->kv->Write(batch);
    if (!st.ok()) return fail(storage::StorageError(st));
  }
  DeleteBlobs(stale);
  return rec;
}

S3Service::WriteCheck S3Service::ConditionalWrite(const Input& in) {
  auto if_match = in.OptStr("IfMatch");
  auto if_none_match = in.OptStr("IfNoneMatch");
  if (!if_match && !if_none_match) return {};
  std::string key = in.Str("Key");
  return [if_match, if_none_match, key](const ObjectRecord* current) -> std::optional<ApiError> {
    if (if_none_match && current) return PreconditionFailed("If-None-Match");
    if (if_match) {
      if (!current) return NoSuchKey(key);
      if (!EtagListMatches(*if_match, current->etag)) return PreconditionFailed("If-Match");
    }
    return std::nullopt;
  };
}

Result<std::string> S3Service::StoreBlob(std::string_view data) {
  if (data.empty()) return std::string();
  auto writer = env_->blobs->NewWriter();
  auto st = writer->Append(data);
  std::string id = "s3/" + NewUuid();
  if (st.ok()) st = writer->Commit(id);
  if (!st.ok()) return storage::StorageError(st);
  return id;
}

Result<std::string> S3Service::CopyBlob(std::string_view from, uint64_t offset, uint64_t length,
                                        const std::function<void(std::string_view)>& sink) {
  if (length == 0) return std::string();
  auto writer = env_->blobs->NewWriter();
  std::string chunk;
  uint64_t done = 0;
  while (done < length) {
    uint64_t n = std::min(kCopyChunk, length - done);
    auto st = IsInlineBlob(from) ? ReadInline(from, offset + done, n, &chunk)
                                 : env_->blobs->Read(from, offset + done, n, &chunk);
    if (!st.ok()) return storage::StorageError(st);
    if (chunk.size() != n)
      return storage::StorageError(storage::StorageStatus::Corruption("blob shorter than record"));
    if (sink) sink(chunk);
    st = writer->Append(chunk);
    if (!st.ok()) return storage::StorageError(st);
    done += n;
  }
  std::string id = "s3/" + NewUuid();
  auto st = writer->Commit(id);
  if (!st.ok()) return storage::StorageError(st);
  return id;
}

Status S3Service::ReadBlob(const ObjectRecord& rec, uint64_t offset, uint64_t length,
                           std::string* out) {
  out->clear();
  if (rec.blob.empty() || length == 0) return Ok{};
  if (IsEmbeddedBlob(rec.blob)) {
    if (offset < rec.data.size()) out->assign(rec.data, offset, length);
    return Ok{};
  }
  auto st = IsInlineBlob(rec.blob) ? ReadInline(rec.blob, offset, length, out)
                                   : env_->blobs->Read(rec.blob, offset, length, out);
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

storage::StorageStatus S3Service::ReadInline(std::string_view id, uint64_t offset, uint64_t length,
                                             std::string* out) {
  auto st = env_->kv->Get(kKeyspace, InlineDataKey(id), out);
  if (!st.ok()) return st;
  if (offset >= out->size()) {
    out->clear();
  } else {
    out->erase(0, offset);
    if (out->size() > length) out->resize(length);
  }
  return st;
}

void S3Service::DeleteBlobs(const std::vector<std::string>& ids) {
  storage::WriteBatch inline_data;
  for (const auto& id : ids)
    if (IsInlineBlob(id)) inline_data.Delete(kKeyspace, InlineDataKey(id));
  if (!inline_data.empty()) {
    auto st = env_->kv->Write(inline_data);
    if (!st.ok()) spdlog::warn("s3: could not delete inline object data: {}", st.message());
  }
  for (const auto& id : ids) {
    // Embedded bytes go with their record.
    if (id.empty() || IsInlineBlob(id) || IsEmbeddedBlob(id)) continue;
    auto st = env_->blobs->Delete(id);
    if (!st.ok()) spdlog::warn("s3: could not delete blob {}: {}", id, st.message());
  }
}

void S3Service::DescribeObject(const ObjectRecord& rec, const BucketRecord& bucket,
                               bool checksum_mode, json::object* out) const {
  (*out)["ETag"] = rec.etag;
  (*out)["LastModified"] = Seconds(rec.last_modified_ms / 1000 * 1000);
  (*out)["ContentLength"] = rec.size;
  (*out)["AcceptRanges"] = "bytes";
  for (const auto& [k, v] : rec.headers) (*out)[k] = v;
  if (!out->contains("ContentType")) (*out)["ContentType"] = "binary/octet-stream";
  if (!out->contains("ServerSideEncryption")) (*out)["ServerSideEncryption"] = "AES256";
  if (!rec.metadata.empty()) (*out)["Metadata"] = rec.metadata;
  if (!rec.storage_class.empty() && rec.storage_class != "STANDARD")
    (*out)["StorageClass"] = rec.storage_class;
  if (!bucket.versioning.empty()) (*out)["VersionId"] = rec.version_id;
  if (checksum_mode && !rec.checksum_algorithm.empty()) {
    if (const ChecksumAlgorithm* a = FindChecksumAlgorithm(rec.checksum_algorithm))
      (*out)[a->member] = rec.checksum;
    (*out)["ChecksumType"] = rec.checksum_type;
  }
  if (!rec.tags.empty()) (*out)["TagCount"] = static_cast<int64_t>(rec.tags.size());
}

std::unique_ptr<Service> NewS3Service() { return std::make_unique<S3Service>(); }

}  // namespace nimbus::s3
