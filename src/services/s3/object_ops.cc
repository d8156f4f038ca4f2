// Objects: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects and
// GetObjectAttributes.
#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/http/http_types.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/s3/checksums.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

// Header members a write stores and a read returns as they were sent.
constexpr std::string_view kStoredHeaders[] = {"ContentType",
                                               "ContentDisposition",
                                               "ContentLanguage",
                                               "CacheControl",
                                               "Expires",
                                               "WebsiteRedirectLocation",
                                               "ServerSideEncryption",
                                               "SSEKMSKeyId",
                                               "BucketKeyEnabled",
                                               "ObjectLockMode",
                                               "ObjectLockLegalHoldStatus",
                                               "ObjectLockRetainUntilDate"};

bool IsStorageClass(const protocol::ServiceModel* model, std::string_view value) {
  const protocol::Shape* s = model ? model->FindShape("StorageClass") : nullptr;
  if (!s) return true;
  for (const auto& v : s->enum_values)
    if (v == value) return true;
  return false;
}

// Content-Encoding without the "aws-chunked" the SDKs add for streamed uploads (S3 removes it:
// PutObject reference, "Content-Encoding").
std::string StoredContentEncoding(std::string_view value) {
  std::string out;
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty() && item != "aws-chunked") {
      if (!out.empty()) out += ",";
      out += item;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

std::string_view BodyOf(const Input& in) {
  auto* v = in.object().if_contains("Body");
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

Status ValidateTags(const TagList& tags, bool object) {
  size_t limit = object ? 10 : 50;
  if (tags.size() > limit)
    return InvalidTag(object ? "Object tags cannot be greater than 10"
                             : "Bucket tag count cannot be greater than 50");
  for (size_t i = 0; i < tags.size(); ++i) {
    const auto& [k, v] = tags[i];
    if (k.empty() || k.size() > 128) return InvalidTag("The TagKey you have provided is invalid");
    if (v.size() > 256) return InvalidTag("The TagValue you have provided is invalid");
    for (size_t j = 0; j < i; ++j)
      if (tags[j].first == k) return InvalidTag("Cannot provide multiple Tags with the same key");
  }
  return Ok{};
}

Result<TagList> ParseTaggingHeader(std::string_view header) {
  TagList tags;
  for (auto& [k, v] : http::ParseQuery(header, true)) tags.emplace_back(k, v);
  auto st = ValidateTags(tags, true);
  if (!st) return std::move(st).error();
  return tags;
}

Status S3Service::ReadObjectAttributes(const Input& in, ObjectRecord* rec) const {
  for (std::string_view m : kStoredHeaders) {
    auto* v = in.object().if_contains(m);
    if (v && !v->is_null()) rec->headers[m] = *v;
  }
  if (auto enc = in.OptStr("ContentEncoding")) {
    std::string stored = StoredContentEncoding(*enc);
    if (!stored.empty()) rec->headers["ContentEncoding"] = stored;
  }
  if (const json::object* meta = in.Obj("Metadata")) {
    size_t size = 0;
    for (const auto& [k, v] : *meta) size += k.size() + (v.is_string() ? v.get_string().size() : 0);
    if (size > kMaxMetadataSize) return MetadataTooLarge(size);
    rec->metadata = *meta;
  }
  if (auto sc = in.OptStr("StorageClass")) {
    if (!IsStorageClass(model(), *sc)) return InvalidStorageClass();
    rec->storage_class = *sc;
  }
  if (auto tagging = in.OptStr("Tagging")) {
    auto tags = ParseTaggingHeader(*tagging);
    if (!tags) return std::move(tags).error();
    rec->tags = std::move(*tags);
  }
  return Ok{};
}

std::string BodyDigest::Checksum(const ChecksumAlgorithm& algorithm) const {
  if (blob.empty()) return ComputeChecksum(algorithm, data);
  for (const auto& [a, value] : checksums)
    if (a == &algorithm) return value;
  return {};
}

Result<S3Service::PutPlan> S3Service::PlanPutObject(const Input& in) {
  PutPlan plan;
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = FindBucket(bucket);
  if (!b) return std::move(b).error();
  plan.bucket = std::move(*b);
  if (key.size() > kMaxKeyLength) return KeyTooLong(key.size());
  if (auto acl = CheckAclAllowed(*plan.bucket, in); !acl) return std::move(acl).error();
  if (auto none_match = in.OptStr("IfNoneMatch"); none_match && *none_match != "*")
    return ApiError("NotImplemented", 501,
                    "A header you provided implies functionality that is not implemented");
  plan.rec.key = key;
  auto st = ReadObjectAttributes(in, &plan.rec);
  if (!st) return std::move(st).error();
  if (auto content_md5 = in.OptStr("ContentMD5"); content_md5 && !DecodeContentMd5(*content_md5))
    return InvalidDigest();
  auto cs = ReadRequestChecksum(in.object());
  if (!cs) return std::move(cs).error();
  plan.checksum = std::move(*cs);
  return plan;
}

Result<Document> S3Service::PutObject(RequestContext& ctx, const Input& in) {
  auto plan = PlanPutObject(in);
  if (!plan) return std::move(plan).error();
  BodyDigest body;
  body.data = BodyOf(in);
  body.size = body.data.size();
  body.md5 = Md5(body.data);
  return FinishPutObject(ctx, in, std::move(*plan), body);
}

Result<Document> S3Service::FinishPutObject(RequestContext& ctx, const Input& in, PutPlan plan,
                                            const BodyDigest& body) {
  if (auto content_md5 = in.OptStr("ContentMD5"))
    if (DecodeContentMd5(*content_md5) != body.md5) return BadDigest();
  const RequestChecksum& cs = plan.checksum;
  // Objects uploaded without a checksum get a CRC64NVME one (S3 User Guide, "Checking object
  // integrity": default data integrity protections since December 2024).
  const ChecksumAlgorithm* algorithm =
      cs.algorithm ? cs.algorithm : FindChecksumAlgorithm("CRC64NVME");
  std::string checksum = body.Checksum(*algorithm);
  if (checksum.empty())
    return InvalidRequest("The checksum of the body's trailer is not the one x-amz-trailer named");
  if (!cs.value.empty() && cs.value != checksum) return ChecksumMismatch(algorithm->name);
  ObjectRecord& rec = plan.rec;
  const BucketRecord& b = *plan.bucket;
  rec.checksum_algorithm = std::string(algorithm->name);
  rec.checksum = checksum;
  rec.checksum_type = "FULL_OBJECT";
  rec.size = body.size;
  rec.etag = "\"" + HexEncode(body.md5) + "\"";
  rec.last_modified_ms = NowMs();
  rec.owner = ctx.account_id;
  if (!body.blob.empty()) {
    rec.blob = body.blob;
  } else if (!body.data.empty() && body.data.size() <= kInlineMax) {
    rec.blob = std::string(kEmbeddedBlob);
    rec.data = std::string(body.data);
  } else {
    auto blob = StoreBlob(body.data);
    if (!blob) return std::move(blob).error();
    rec.blob = std::move(*blob);
  }
  auto committed = CommitObject(in.Str("Bucket"), std::move(rec), ConditionalWrite(in));
  if (!committed) return std::move(committed).error();
  // A browser form upload (post_ops.cc) is an ObjectCreated:Post.
  Notify(ctx, b,
         EventOf(ctx.operation == "PostObject" ? "ObjectCreated:Post" : "ObjectCreated:Put",
                 *committed, true));
  json::object out{{"ETag", committed->etag}, {"ServerSideEncryption", "AES256"}};
  if (committed->version_id != kNullVersion || !b.versioning.empty())
    out["VersionId"] = committed->version_id;
  if (cs.algorithm) {
    out[algorithm->member] = committed->checksum;
    out["ChecksumType"] = "FULL_OBJECT";
  }
  return json::value(std::move(out));
}

Result<Document> S3Service::GetObject(RequestContext& ctx, const Input& in) {
  return ReadObject(ctx, in, false);
}

Result<Document> S3Service::HeadObject(RequestContext& ctx, const Input& in) {
  return ReadObject(ctx, in, true);
}

Result<Document> S3Service::ReadObject(RequestContext& ctx, const Input& in, bool head) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = FindBucket(bucket);
  if (!b) return std::move(b).error();
  std::optional<std::string> version = in.OptStr("VersionId");
  std::optional<int64_t> part_number = in.Int("PartNumber");
  std::optional<std::string> range_header = in.OptStr("Range");
  if (part_number && (*part_number < 1 || *part_number > 10000))
    return InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                           "partNumber", std::to_string(*part_number));
  if (part_number && range_header)
    return InvalidRequest("Cannot specify both Range header and partNumber query parameter");
  Preconditions pre{in.OptStr("IfMatch"), in.OptStr("IfNoneMatch"), in.Time("IfModifiedSince"),
                    in.Time("IfUnmodifiedSince")};
  // A concurrent overwrite may delete the blob a record named between the two reads: read again.
  for (int attempt = 0;; ++attempt) {
    auto rec = ResolveObject(bucket, key, version, head ? "HEAD" : "GET");
    if (!rec) return std::move(rec).error();
    std::string failed;
    switch (EvaluatePreconditions(pre, rec->etag, rec->last_modified_ms, &failed)) {
      case PreconditionResult::kFailed:
        return PreconditionFailed(failed);
      case PreconditionResult::kNotModified:
        return NotModified(rec->etag, HttpDate(rec->last_modified_ms));
      case PreconditionResult::kOk:
        break;
    }
    std::optional<ByteRange> range;
    bool empty_part = false;
    if (part_number) {
      uint64_t count = rec->parts.empty() ? 1 : rec->parts.size();
      if (static_cast<uint64_t>(*part_number) > count) {
        ApiError e("InvalidPartNumber", 416, "The requested partnumber is not satisfiable");
        e.extra["PartNumberRequested"] = std::to_string(*part_number);
        e.extra["ActualPartCount"] = std::to_string(count);
        return e;
      }
      // The part's bytes; an empty part (or object) has no range to name.
      uint64_t first = 0, size = rec->size;
      if (!rec->parts.empty()) {
        for (int64_t i = 0; i + 1 < *part_number; ++i) first += rec->parts[i].size;
        size = rec->parts[*part_number - 1].size;
      }
      if (size > 0)
        range = ByteRange{first, first + size - 1};
      else
        empty_part = true;
    } else if (range_header) {
      ByteRange r;
      switch (ParseRange(*range_header, rec->size, &r)) {
        case RangeResult::kUnsatisfiable:
          return InvalidRange(*range_header, rec->size);
        case RangeResult::kSatisfiable:
          range = r;
          break;
        case RangeResult::kIgnore:
          break;
      }
    }
    json::object out;
    bool checksum_mode = in.Str("ChecksumMode") == "ENABLED" && !range_header && !part_number;
    DescribeObject(*rec, **b, checksum_mode, &out);
    if (part_number && !rec->parts.empty())
      out["PartsCount"] = static_cast<int64_t>(rec->parts.size());
    uint64_t offset = 0, length = rec->size;
    if (empty_part) {
      length = 0;
      out["ContentLength"] = 0;
    }
    if (range) {
      offset = range->first;
      length = range->length();
      out["ContentRange"] = ContentRange(*range, rec->size);
      out["ContentLength"] = length;
      ctx.response_status = 206;
    }
    // response-* query parameters override the stored headers (GetObject reference).
    for (auto [param, member] : {std::pair{"ResponseContentType", "ContentType"},
                                 {"ResponseContentLanguage", "ContentLanguage"},
                                 {"ResponseContentDisposition", "ContentDisposition"},
                                 {"ResponseContentEncoding", "ContentEncoding"},
                                 {"ResponseCacheControl", "CacheControl"}})
      if (auto v = in.OptStr(param)) out[member] = *v;
    if (auto expires = in.Time("ResponseExpires"))
      out["Expires"] = HttpDate(static_cast<int64_t>(*expires * 1000));
    if (!head && ctx.http && length > kStreamThreshold) {
      // Streamed: the reader holds the blob as it is now, whatever overwrites come meanwhile.
      storage::StorageStatus st;
      std::shared_ptr<storage::BlobReader> reader = env_->blobs->Open(rec->blob, &st);
      if (!reader) {
        if (st.IsNotFound() && attempt < 2) continue;
        return storage::StorageError(st);
      }
      uint64_t pos = offset, end = offset + length;
      ctx.response_body_source = [reader, pos, end](std::string* chunk) mutable {
        if (pos >= end) {
          chunk->clear();
          return true;
        }
        auto read = reader->Read(pos, std::min(kStreamChunk, end - pos), chunk);
        if (!read.ok() || chunk->empty()) return false;
        pos += chunk->size();
        return true;
      };
      ctx.response_body_length = length;
    } else if (!head) {
      std::string data;
      auto st = ReadBlob(*rec, offset, length, &data);
      if (!st) {
        if (attempt < 2) continue;
        return std::move(st).error();
      }
      out["Body"] = json::string(data);
    }
    return json::value(std::move(out));
  }
}

Result<S3Service::DeleteResult> S3Service::DeleteOne(std::string_view bucket, std::string_view key,
                                                     const std::optional<std::string>& version_id,
                                                     const std::optional<std::string>& if_match) {
  uint64_t seq = 0;
  if (version_id && *version_id != kNullVersion && !VersionIdSeq(*version_id, &seq))
    return InvalidVersionId(*version_id);
  DeleteResult result;
  std::vector<std::string> stale;
  {
    std::lock_guard lock(mu_);
    auto b = GetBucket(bucket);
    if (!b) return std::move(b).error();
    result.notifies = b->config.contains("Notification");
    auto all = AllVersions(bucket, key);
    if (!all) return std::move(all).error();
    storage::WriteBatch batch;
    auto remove = [&](const ObjectRecord& r) {
      batch.Delete(kKeyspace, ObjectVersionKey(bucket, key, r.seq));
      if (IsInlineBlob(r.blob))
        batch.Delete(kKeyspace, InlineDataKey(r.blob));
      else if (!r.blob.empty())
        stale.push_back(r.blob);
      result.removed = true;
    };
    if (if_match) {
      const ObjectRecord* current = all->empty() || (*all)[0].delete_marker ? nullptr : &(*all)[0];
      if (!current) return NoSuchKey(key);
      if (!EtagListMatches(*if_match, current->etag)) return PreconditionFailed("If-Match");
    }
    if (version_id) {
      result.version_id = *version_id;
      for (const auto& r : *all) {
        if (r.version_id != *version_id) continue;
        result.delete_marker = r.delete_marker;
        remove(r);
      }
    } else if (b->versioning.empty()) {
      for (const auto& r : *all) remove(r);
    } else {
      bool enabled = b->versioning == "Enabled";
      if (!enabled)
        for (const auto& r : *all)
          if (r.version_id == kNullVersion) remove(r);
      ObjectRecord marker;
      marker.key = std::string(key);
      marker.delete_marker = true;
      marker.seq = NextSeq();
      marker.version_id = enabled ? NewVersionId(marker.seq) : std::string(kNullVersion);
      marker.last_modified_ms = NowMs();
      batch.Put(kKeyspace, ObjectVersionKey(bucket, key, marker.seq), marker.ToValue());
      result.version_id = marker.version_id;
      result.delete_marker = true;
      result.removed = true;
      result.seq = marker.seq;
    }
    if (result.removed && !result.seq) result.seq = NextSeq();
    if (!batch.empty()) {
      auto st = env_->kv->Write(batch);
      if (!st.ok()) return storage::StorageError(st);
    }
  }
  DeleteBlobs(stale);
  return result;
}

Result<Document> S3Service::DeleteObject(RequestContext& ctx, const Input& in) {
  std::string key = in.Str("Key");
  auto version = in.OptStr("VersionId");
  auto r = DeleteOne(in.Str("Bucket"), key, version, in.OptStr("IfMatch"));
  if (!r) return std::move(r).error();
  if (auto event = RemovalEvent("ObjectRemoved", key, version.has_value(), *r);
      event && r->notifies)
    if (auto b = GetBucket(in.Str("Bucket"))) Notify(ctx, *b, std::move(*event));
  json::object out;
  if (!r->version_id.empty()) out["VersionId"] = r->version_id;
  if (r->delete_marker) out["DeleteMarker"] = true;
  return json::value(std::move(out));
}

Result<Document> S3Service::DeleteObjects(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  if (ctx.http) {
    if (auto md5 = in.OptStr("ContentMD5")) {
      auto st = VerifyContentMd5(*md5, ctx.http->body);
      if (!st) return std::move(st).error();
    }
    auto cs = ReadRequestChecksum(in.object());
    if (!cs) return std::move(cs).error();
    if (cs->algorithm && !cs->value.empty()) {
      auto st = VerifyChecksum(*cs->algorithm, cs->value, ctx.http->body);
      if (!st) return std::move(st).error();
    }
  }
  const json::object* del = in.Obj("Delete");
  const json::value* objects = del ? del->if_contains("Objects") : nullptr;
  if (!objects || !objects->is_array() || objects->get_array().empty() ||
      objects->get_array().size() > 1000)
    return MalformedXML();
  bool quiet = false;
  if (auto* q = del->if_contains("Quiet"); q && q->is_bool()) quiet = q->get_bool();
  json::array deleted, errors;
  for (const auto& item : objects->get_array()) {
    if (!item.is_object()) return MalformedXML();
    const json::object& o = item.get_object();
    std::string key = StrOf(o, "Key");
    std::optional<std::string> version;
    if (auto* v = o.if_contains("VersionId"); v && v->is_string())
      version = std::string(v->get_string());
    std::optional<std::string> if_match;
    if (auto* v = o.if_contains("ETag"); v && v->is_string())
      if_match = std::string(v->get_string());
    Result<DeleteResult> r = key.size() > kMaxKeyLength
                                 ? Result<DeleteResult>(KeyTooLong(key.size()))
                             : key.empty() ? Result<DeleteResult>(InvalidArgument("Invalid key"))
                                           : DeleteOne(bucket, key, version, if_match);
    if (!r) {
      json::object e{{"Key", key}, {"Code", r.error().code}, {"Message", r.error().message}};
      if (version) e["VersionId"] = *version;
      errors.push_back(std::move(e));
      continue;
    }
    if (auto event = RemovalEvent("ObjectRemoved", key, version.has_value(), *r))
      Notify(ctx, *b, std::move(*event));
    if (quiet) continue;
    json::object d{{"Key", key}};
    if (version) {
      d["VersionId"] = *version;
      if (r->delete_marker) {
        d["DeleteMarker"] = true;
        d["DeleteMarkerVersionId"] = *version;
      }
    } else if (r->delete_marker) {
      d["DeleteMarker"] = true;
      d["DeleteMarkerVersionId"] = r->version_id;
    }
    deleted.push_back(std::move(d));
  }
  json::object out;
  if (!deleted.empty()) out["Deleted"] = std::move(deleted);
  if (!errors.empty()) out["Errors"] = std::move(errors);
  return json::value(std::move(out));
}

Result<Document> S3Service::GetObjectAttributes(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto rec = ResolveObject(bucket, key, in.OptStr("VersionId"), "GET");
  if (!rec) return std::move(rec).error();
  auto wants = [&](std::string_view attr) {
    if (const json::array* a = in.Arr("ObjectAttributes"))
      for (const auto& v : *a)
        if (v.is_string() && v.get_string() == attr) return true;
    return false;
  };
  bool any = false;
  for (std::string_view a : {"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"})
    any = any || wants(a);
  if (!any)
    return InvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes",
                           in.Arr("ObjectAttributes") && !in.Arr("ObjectAttributes")->empty() &&
                                   (*in.Arr("ObjectAttributes"))[0].is_string()
                               ? std::string((*in.Arr("ObjectAttributes"))[0].get_string())
                               : std::string());
  json::object out{{"LastModified", Seconds(rec->last_modified_ms / 1000 * 1000)}};
  if (!b->versioning.empty()) out["VersionId"] = rec->version_id;
  if (wants("ETag")) out["ETag"] = std::string(UnquoteEtag(rec->etag));
  if (wants("StorageClass"))
    out["StorageClass"] = rec->storage_class.empty() ? "STANDARD" : rec->storage_class;
  if (wants("ObjectSize")) out["ObjectSize"] = rec->size;
  if (wants("Checksum") && !rec->checksum_algorithm.empty()) {
    if (const ChecksumAlgorithm* a = FindChecksumAlgorithm(rec->checksum_algorithm))
      out["Checksum"] =
          json::object{{a->member, rec->checksum}, {"ChecksumType", rec->checksum_type}};
  }
  if (wants("ObjectParts") && !rec->parts.empty()) {
    int64_t max_parts = in.Int("MaxParts").value_or(1000);
    int64_t marker = in.Int("PartNumberMarker").value_or(0);
    if (max_parts < 0) max_parts = 1000;
    json::array parts;
    const ChecksumAlgorithm* a = FindChecksumAlgorithm(rec->checksum_algorithm);
    int64_t last = marker;
    bool truncated = false;
    for (size_t i = 0; i < rec->parts.size(); ++i) {
      int64_t n = static_cast<int64_t>(i) + 1;
      if (n <= marker) continue;
      if (static_cast<int64_t>(parts.size()) >= max_parts) {
        truncated = true;
        break;
      }
      json::object p{{"PartNumber", n}, {"Size", rec->parts[i].size}};
      if (a && !rec->parts[i].checksum.empty()) p[a->member] = rec->parts[i].checksum;
      parts.push_back(std::move(p));
      last = n;
    }
    json::object op{{"TotalPartsCount", static_cast<int64_t>(rec->parts.size())},
                    {"PartNumberMarker", marker},
                    {"NextPartNumberMarker", last},
                    {"MaxParts", max_parts},
                    {"IsTruncated", truncated}};
    if (!parts.empty()) op["Parts"] = std::move(parts);
    out["ObjectParts"] = std::move(op);
  }
  return json::value(std::move(out));
}

}  // namespace nimbus::s3
