#pragma once

// The S3 service: its operation table (s3_service.cc) and operation families in
// bucket_ops.cc, bucket_config_ops.cc, object_ops.cc, copy_ops.cc, list_ops.cc and
// multipart_ops.cc. Object bytes live in the BlobStore, everything else in the "s3" keyspace
// (records.h). A new object version becomes visible only when its blob is committed and then its
// record is written in one batch; replaced blobs are deleted after that batch.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/router/service.h"
#include "core/storage/status.h"
#include "services/s3/checksums.h"
#include "services/s3/conditions.h"
#include "services/s3/notifications.h"
#include "services/s3/records.h"

namespace nimbus::storage {
class WriteBatch;
}  // namespace nimbus::storage

namespace nimbus::s3 {

// S3 limits (User Guide, "Amazon S3 multipart upload limits", "Object key naming" and "Object
// metadata"), and the piece size of blob-to-blob copies.
inline constexpr uint64_t kMinPartSize = 5ull << 20;
inline constexpr size_t kMaxKeyLength = 1024;
inline constexpr size_t kMaxMetadataSize = 2048;
inline constexpr uint64_t kCopyChunk = 8ull << 20;
// The largest single PutObject or UploadPart body (User Guide, "Uploading objects": 5 GB).
inline constexpr uint64_t kMaxUploadSize = 5ull << 30;
// GetObject answers larger than this are streamed from the blob, kStreamChunk bytes at a time,
// never whole in memory.
inline constexpr uint64_t kStreamThreshold = 8ull << 20;
inline constexpr uint64_t kStreamChunk = 4ull << 20;
// PutObject and CopyObject bodies up to this size are embedded in the object's record, after
// its JSON (ObjectRecord::ToValue), instead of in a blob file of their own: no file to create,
// sync, open and unlink per small object, and a read of one is the Get of its record. Their blob
// id is kEmbeddedBlob.
inline constexpr uint64_t kInlineMax = 4096;
inline constexpr std::string_view kEmbeddedBlob = "kv";
inline bool IsEmbeddedBlob(std::string_view id) { return id == kEmbeddedBlob; }
// Objects written by earlier versions kept such bytes under a key of their own
// (InlineDataKey(id)), their blob id starting with kInlinePrefix: still read and deleted.
inline constexpr std::string_view kInlinePrefix = "kv:";
inline bool IsInlineBlob(std::string_view id) { return id.starts_with(kInlinePrefix); }

// Read-only access to a handler's input document that never throws on missing or mistyped
// members (the codec validated types, but a defensive reader costs nothing).
class Input {
 public:
  explicit Input(const Document& doc);
  const json::object& object() const { return *obj_; }
  bool Has(std::string_view member) const;
  std::string Str(std::string_view member) const;  // "" when absent
  std::optional<std::string> OptStr(std::string_view member) const;
  std::optional<int64_t> Int(std::string_view member) const;
  std::optional<double> Time(std::string_view member) const;  // timestamps: epoch seconds
  bool Bool(std::string_view member) const;                   // false when absent
  const json::object* Obj(std::string_view member) const;
  const json::array* Arr(std::string_view member) const;

 private:
  const json::object* obj_;
};

// Text of a string member of a JSON object, "" when absent or not a string.
std::string StrOf(const json::object& o, std::string_view member);

// The canonical user id S3 shows for an account, and the Owner structure.
std::string CanonicalUserId(std::string_view account);
json::object OwnerOf(std::string_view account);

// Epoch milliseconds as the document's timestamp form (seconds).
inline double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }
std::string HttpDate(int64_t ms);

// The unquoted form of an entity tag (clients send both).
std::string_view UnquoteEtag(std::string_view etag);

// AccessControlListNotSupported when a write sets an ACL (x-amz-acl other than private or
// bucket-owner-full-control, x-amz-grant-*, an AccessControlPolicy granting others) on a bucket
// whose ownership controls disable ACLs (BucketOwnerEnforced, the default of new buckets).
Status CheckAclAllowed(const BucketRecord& bucket, const Input& in);

// AccessDenied "Request has expired" when `query` is a presigned URL's (SigV4 X-Amz-Date and
// X-Amz-Expires, or the legacy Expires) and `now` is past its expiry; nullopt otherwise.
std::optional<ApiError> PresignedUrlExpired(std::string_view query, Clock::TimePoint now);

// What a write learned from its body: where the bytes are and their digests.
struct BodyDigest {
  std::string_view data;  // the bytes, when they are in memory
  std::string blob;       // else a committed blob holding them (a streamed body; empty if none)
  uint64_t size = 0;
  std::string md5;  // raw
  // Checksums computed as a streamed body passed (algorithm, base64 value).
  std::vector<std::pair<const ChecksumAlgorithm*, std::string>> checksums;
  // The base64 checksum of the body for `algorithm`: of `data`, or one of `checksums`; empty
  // when a streamed body's was not computed.
  std::string Checksum(const ChecksumAlgorithm& algorithm) const;
};

using TagList = std::vector<std::pair<std::string, std::string>>;
// Checks a tag set against S3's limits (InvalidTag): at most 10 tags on an object (50 on a
// bucket), keys of 1 to 128 characters, values of up to 256, no key twice.
Status ValidateTags(const TagList& tags, bool object);
// The x-amz-tagging header ("k1=v1&k2=v2", URL-encoded) as a validated tag list.
Result<TagList> ParseTaggingHeader(std::string_view header);

class S3Service final : public Service {
 public:
  S3Service();
  void Start(ServiceEnv& env) override;
  void Reset() override;
  void Stop() override;
  // POST /_nimbus/s3/lifecycle runs the lifecycle rules now (tests move the clock, then ask).
  Task<std::optional<http::Response>> HandleInternal(const http::Request& request) override;
  // CORS preflight (OPTIONS) against the bucket's CORS configuration, before authentication:
  // browsers send it unsigned. Browser form uploads (POST /bucket, multipart/form-data).
  Task<std::optional<http::Response>> HandleBeforeAuth(http::Request& request,
                                                       std::string_view request_id) override;
  // PutObject and UploadPart read bodies over the router's threshold as they arrive.
  bool AcceptsBodyStream(std::string_view operation) const override;

 private:
  using Method = Result<Document> (S3Service::*)(RequestContext&, const Input&);
  using Handler = std::function<Result<Document>(RequestContext&, const Input&)>;
  void Register(std::string operation, Method method);
  void Register(std::string operation, Handler handler);
  // An upload operation: `method` for a body in memory, `streamed` for a body stream.
  using StreamMethod = Task<Result<Document>> (S3Service::*)(RequestContext&, const Input&,
                                                             http::BodyStream&);
  void RegisterUpload(std::string operation, Method method, StreamMethod streamed);
  // The checks every operation makes before its handler: an expired presigned URL, a bucket of
  // another account than x-amz-expected-bucket-owner.
  std::optional<ApiError> CheckRequest(const RequestContext& ctx, const Input& in);

  // upload_stream.cc: streamed bodies of PutObject and UploadPart.
  Task<Result<Document>> PutObjectStreamed(RequestContext& ctx, const Input& in,
                                           http::BodyStream& body);
  Task<Result<Document>> UploadPartStreamed(RequestContext& ctx, const Input& in,
                                            http::BodyStream& body);
  // Writes a streamed body to a new blob as it arrives, computing its MD5 and the checksums of
  // `algorithms` on the way: never whole in memory. EntityTooLarge over kMaxUploadSize (before
  // reading when the length is declared); the stream's error when it fails. Leaves no blob
  // behind on failure.
  Task<Result<BodyDigest>> ReceiveBody(http::BodyStream& body,
                                       std::vector<const ChecksumAlgorithm*> algorithms);

  // bucket_ops.cc
  Result<Document> CreateBucket(RequestContext& ctx, const Input& in);
  Result<Document> HeadBucket(RequestContext& ctx, const Input& in);
  Result<Document> DeleteBucket(RequestContext& ctx, const Input& in);
  Result<Document> ListBuckets(RequestContext& ctx, const Input& in);
  Result<Document> GetBucketLocation(RequestContext& ctx, const Input& in);
  Result<Document> PutBucketVersioning(RequestContext& ctx, const Input& in);
  Result<Document> GetBucketVersioning(RequestContext& ctx, const Input& in);

  // bucket_config_ops.cc: configuration subresources stored on the bucket record, object
  // tagging and ACLs.
  void RegisterBucketConfigOps();
  // Registers Put<name>/Get<name>/Delete<name> operations storing the Put input's payload as
  // bucket config `name`; `validate` checks it. Get answers `fallback` when unset, else
  // `missing_code` (else an empty answer).
  using ConfigCheck = std::function<Status(const json::value& config)>;
  void RegisterBucketConfig(std::string_view put_op, std::string_view get_op,
                            std::string_view delete_op, std::string name, std::string missing_code,
                            ConfigCheck validate, json::value fallback = nullptr);
  Result<Document> GetObjectTagging(RequestContext& ctx, const Input& in);
  Result<Document> PutObjectTagging(RequestContext& ctx, const Input& in);
  Result<Document> DeleteObjectTagging(RequestContext& ctx, const Input& in);
  Result<Document> GetObjectAcl(RequestContext& ctx, const Input& in);
  Result<Document> GetBucketAcl(RequestContext& ctx, const Input& in);
  Result<Document> GetObjectLockConfiguration(RequestContext& ctx, const Input& in);
  Result<Document> PutBucketAcl(RequestContext& ctx, const Input& in);
  Result<Document> PutObjectAcl(RequestContext& ctx, const Input& in);
  // Sets the tags of one object version (the latest when `version_id` is absent).
  Result<ObjectRecord> SetObjectTags(std::string_view bucket, std::string_view key,
                                     const std::optional<std::string>& version_id, TagList tags);

  // object_ops.cc
  Result<Document> PutObject(RequestContext& ctx, const Input& in);
  // What PutObject checks before it reads the body.
  struct PutPlan {
    std::shared_ptr<const BucketRecord> bucket;
    ObjectRecord rec;          // the key and attributes of the new version
    RequestChecksum checksum;  // what the request names and sends (headers so far)
  };
  Result<PutPlan> PlanPutObject(const Input& in);
  // Verifies the body against Content-MD5 and the request's checksum, stores it and makes it
  // the newest version.
  Result<Document> FinishPutObject(RequestContext& ctx, const Input& in, PutPlan plan,
                                   const BodyDigest& body);
  Result<Document> GetObject(RequestContext& ctx, const Input& in);
  Result<Document> HeadObject(RequestContext& ctx, const Input& in);
  Result<Document> DeleteObject(RequestContext& ctx, const Input& in);
  Result<Document> DeleteObjects(RequestContext& ctx, const Input& in);
  Result<Document> GetObjectAttributes(RequestContext& ctx, const Input& in);
  Result<Document> ReadObject(RequestContext& ctx, const Input& in, bool head);
  struct DeleteResult {
    std::string version_id;  // the version removed or the delete marker's; empty: unversioned
    bool delete_marker = false;
    bool removed = false;   // a version was removed or a delete marker written
    uint64_t seq = 0;       // the write's sequence (the delete marker's)
    bool notifies = false;  // the bucket has a notification configuration
  };
  // DeleteObject of one key (or one version), under the write lock.
  Result<DeleteResult> DeleteOne(std::string_view bucket, std::string_view key,
                                 const std::optional<std::string>& version_id,
                                 const std::optional<std::string>& if_match);

  // copy_ops.cc
  Result<Document> CopyObject(RequestContext& ctx, const Input& in);
  Result<Document> UploadPartCopy(RequestContext& ctx, const Input& in);
  struct CopySource {
    std::string bucket, key, version_id;
  };
  Result<CopySource> ParseCopySource(std::string_view header);
  // Resolves the copy source and applies the x-amz-copy-source-if-* conditions.
  Result<ObjectRecord> ResolveCopySource(const Input& in, const CopySource& source);

  // list_ops.cc
  Result<Document> ListObjectsV2(RequestContext& ctx, const Input& in);
  Result<Document> ListObjects(RequestContext& ctx, const Input& in);
  Result<Document> ListObjectVersions(RequestContext& ctx, const Input& in);

  // multipart_ops.cc
  Result<Document> CreateMultipartUpload(RequestContext& ctx, const Input& in);
  Result<Document> UploadPart(RequestContext& ctx, const Input& in);
  // What UploadPart checks before it reads the body.
  struct PartPlan {
    UploadRecord upload;
    uint32_t part_number = 0;
    RequestChecksum checksum;
  };
  Result<PartPlan> PlanUploadPart(const Input& in);
  Result<Document> FinishUploadPart(const Input& in, const PartPlan& plan, const BodyDigest& body);
  Result<Document> CompleteMultipartUpload(RequestContext& ctx, const Input& in);
  Result<Document> AbortMultipartUpload(RequestContext& ctx, const Input& in);
  Result<Document> ListParts(RequestContext& ctx, const Input& in);
  Result<Document> ListMultipartUploads(RequestContext& ctx, const Input& in);
  Result<UploadRecord> GetUpload(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id);
  // Stores a part (its blob already written as `part.blob`), replacing an earlier one.
  Status CommitPart(const UploadRecord& upload, PartRecord part);

  // Shared state helpers (s3_service.cc).
  // The bucket's record (NoSuchBucket), from a cache of the stored records: every write of a
  // bucket record goes through StoreBucket or CacheBucket, under mu_. Shared, never modified.
  Result<std::shared_ptr<const BucketRecord>> FindBucket(std::string_view bucket);
  // A copy of FindBucket's record, for callers that change it.
  Result<BucketRecord> GetBucket(std::string_view bucket);
  // Writes the bucket's record and updates the cache. Caller holds mu_.
  Status StoreBucket(const BucketRecord& bucket);
  // Tells the cache the stored record of `name` is now `record` (null: deleted), after a write
  // that went another way (a batch). Caller holds mu_.
  void CacheBucket(const std::string& name, std::shared_ptr<const BucketRecord> record);
  // The newest version of `key` (delete markers included); nullopt when the key has none. A point
  // Get of the null slot while `bucket` uses it, else the first of a range scan.
  Result<std::optional<ObjectRecord>> LatestVersion(const BucketRecord& bucket,
                                                    std::string_view key);
  // Every version of `key`, newest first.
  Result<std::vector<ObjectRecord>> AllVersions(std::string_view bucket, std::string_view key);
  // The object a read names: the latest version (NoSuchKey, with x-amz-delete-marker when it is
  // a delete marker) or the given version (NoSuchVersion; MethodNotAllowed for a delete marker).
  Result<ObjectRecord> ResolveObject(std::string_view bucket, std::string_view key,
                                     const std::optional<std::string>& version_id,
                                     std::string_view method);
  // Makes `rec` (its blob already committed) the newest version of rec.key in `bucket`,
  // following the bucket's versioning state. `check` sees the current latest version under the
  // write lock (conditional writes) and may refuse. On any failure the new blob is deleted.
  // `also` joins the same atomic batch (CompleteMultipartUpload removes its upload).
  using WriteCheck = std::function<std::optional<ApiError>(const ObjectRecord* current)>;
  Result<ObjectRecord> CommitObject(std::string_view bucket, ObjectRecord rec,
                                    const WriteCheck& check = {},
                                    const storage::WriteBatch* also = nullptr);
  // The If-Match / If-None-Match check of a conditional write.
  static WriteCheck ConditionalWrite(const Input& in);
  // Writes `data` to a new blob; its id.
  Result<std::string> StoreBlob(std::string_view data);
  // Copies [offset, offset+length) of blob `from` into a new blob in pieces, feeding every piece
  // to `sink` (digests); its id.
  Result<std::string> CopyBlob(std::string_view from, uint64_t offset, uint64_t length,
                               const std::function<void(std::string_view)>& sink);
  Status ReadBlob(const ObjectRecord& rec, uint64_t offset, uint64_t length, std::string* out);
  void DeleteBlobs(const std::vector<std::string>& ids);
  // Bytes [offset, offset + length) of an inline blob (IsInlineBlob).
  storage::StorageStatus ReadInline(std::string_view id, uint64_t offset, uint64_t length,
                                    std::string* out);
  uint64_t NextSeq();
  int64_t NowMs() const;

  // lifecycle.cc: applies the enabled lifecycle rules of every bucket as of `now_ms`
  // (expiration of current and noncurrent versions, expired delete markers, incomplete
  // multipart uploads); the number of objects, versions and uploads it removed or marked.
  size_t RunLifecycle(int64_t now_ms);
  Task<void> LifecycleLoop();
  // Removes an in-progress upload and its parts (AbortMultipartUpload).
  Status AbortUpload(std::string_view bucket, std::string_view key, std::string_view upload_id);

  // notification_ops.cc: PutBucketNotificationConfiguration (checks destinations through other
  // services, so a coroutine) and the events of object writes.
  void RegisterNotificationOps();
  // Sends `events` to the bucket's matching notification destinations in the background.
  void Notify(const BucketRecord& bucket, const EventOrigin& origin,
              const std::vector<ObjectEvent>& events);
  void Notify(const RequestContext& ctx, const BucketRecord& bucket, ObjectEvent event);
  // The ObjectCreated:* / ObjectTagging:* event of a written version.
  static ObjectEvent EventOf(std::string name, const ObjectRecord& rec, bool with_size);
  // The event of a DeleteObject (ObjectRemoved:*) or lifecycle expiration
  // (LifecycleExpiration:*) of `key`; nullopt when nothing was removed.
  static std::optional<ObjectEvent> RemovalEvent(std::string_view family, std::string_view key,
                                                 bool version_given, const DeleteResult& r);

  // A CORS preflight against the bucket's CORS configuration.
  http::Response Preflight(const http::Request& request, const std::string& bucket,
                           bool bucket_only, std::string_view request_id);
  // post_ops.cc: a browser form upload (POST /bucket, multipart/form-data), answered before
  // authentication because the form carries its own signature (the policy's). The file streams
  // to a blob as it arrives, so it may be as large as a PutObject body.
  Task<http::Response> PostObject(http::Request& request, std::string bucket,
                                  std::string request_id);

  // Adds the Access-Control-* headers of the bucket's matching CORS rule to a successful answer
  // to a request carrying Origin.
  void AddCorsHeaders(RequestContext& ctx, const Input& in);

  // Fills the headers of a GetObject/HeadObject answer from `rec`.
  void DescribeObject(const ObjectRecord& rec, const BucketRecord& bucket, bool checksum_mode,
                      json::object* out) const;
  // Reads Content-Type & co, metadata, storage class and tagging of a write into `rec`.
  Status ReadObjectAttributes(const Input& in, ObjectRecord* rec) const;

  ServiceEnv* env_ = nullptr;
  std::unique_ptr<Notifier> notifier_;
  std::vector<std::string> notification_events_;  // the model's Event enum
  // Serializes read-modify-write of records (bucket creation and deletion, version commits).
  std::mutex mu_;
  // FindBucket's cache. A reader that missed inserts what it read only if no write came since it
  // looked (bucket_cache_gen_ unchanged), so a record read before a write never outlives it.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::mutex bucket_cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const BucketRecord>, NameHash, std::equal_to<>>
      bucket_cache_;
  uint64_t bucket_cache_gen_ = 0;
  uint64_t last_seq_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace nimbus::s3
