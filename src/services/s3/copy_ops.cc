// Server-side copies: CopyObject and UploadPartCopy. Bytes are copied blob to blob in pieces.
#include <boost/json.hpp>
#include <charconv>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/storage/json_store.h"
#include "services/s3/checksums.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

constexpr uint64_t kMaxCopySource = 5ull << 30;

bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseCopyRange(std::string_view range, uint64_t* first, uint64_t* last) {
  if (range.substr(0, 6) != "bytes=") return false;
  range.remove_prefix(6);
  auto dash = range.find('-');
  return dash != std::string_view::npos && ParseNumber(range.substr(0, dash), first) &&
         ParseNumber(range.substr(dash + 1), last);
}

ApiError InvalidCopySource() {
  return InvalidArgument("Invalid copy source object key", "x-amz-copy-source", "");
}

}  // namespace

Result<S3Service::CopySource> S3Service::ParseCopySource(std::string_view header) {
  std::string_view raw = header;
  if (!raw.empty() && raw.front() == '/') raw.remove_prefix(1);
  CopySource src;
  if (auto q = raw.find("?versionId="); q != std::string_view::npos) {
    auto v = UriDecode(raw.substr(q + 11));
    if (!v || v->empty()) return InvalidCopySource();
    src.version_id = *v;
    raw = raw.substr(0, q);
  }
  auto decoded = UriDecode(raw);
  if (!decoded) return InvalidCopySource();
  auto slash = decoded->find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded->size())
    return InvalidCopySource();
  src.bucket = decoded->substr(0, slash);
  src.key = decoded->substr(slash + 1);
  return src;
}

Result<ObjectRecord> S3Service::ResolveCopySource(const Input& in, const CopySource& source) {
  auto b = GetBucket(source.bucket);
  if (!b) return std::move(b).error();
  std::optional<std::string> version;
  if (!source.version_id.empty()) version = source.version_id;
  auto rec = ResolveObject(source.bucket, source.key, version, "GET");
  if (!rec) {
    if (rec.error().code == "MethodNotAllowed")
      return InvalidRequest(
          "The source of a copy request may not specifically refer to a delete marker by "
          "version id.");
    return std::move(rec).error();
  }
  Preconditions pre{in.OptStr("CopySourceIfMatch"), in.OptStr("CopySourceIfNoneMatch"),
                    in.Time("CopySourceIfModifiedSince"), in.Time("CopySourceIfUnmodifiedSince")};
  std::string failed;
  if (EvaluatePreconditions(pre, rec->etag, rec->last_modified_ms, &failed) !=
      PreconditionResult::kOk)
    return PreconditionFailed("x-amz-copy-source-" + failed);
  if (rec->size > kMaxCopySource)
    return InvalidRequest(
        "The specified copy source is larger than the maximum allowable size for a copy source: "
        "5368709120");
  return rec;
}

Result<Document> S3Service::CopyObject(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  if (key.size() > kMaxKeyLength) return KeyTooLong(key.size());
  if (auto acl = CheckAclAllowed(*b, in); !acl) return std::move(acl).error();
  auto src = ParseCopySource(in.Str("CopySource"));
  if (!src) return std::move(src).error();
  std::string directive = in.OptStr("MetadataDirective").value_or("COPY");
  std::string tagging_directive = in.OptStr("TaggingDirective").value_or("COPY");
  if (directive != "COPY" && directive != "REPLACE")
    return InvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive);
  if (tagging_directive != "COPY" && tagging_directive != "REPLACE")
    return InvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive",
                           tagging_directive);
  auto source = ResolveCopySource(in, *src);
  if (!source) return std::move(source).error();
  auto cs = ReadRequestChecksum(in.object());
  if (!cs) return std::move(cs).error();

  ObjectRecord rec;
  rec.key = key;
  if (directive == "REPLACE") {
    auto st = ReadObjectAttributes(in, &rec);
    if (!st) return std::move(st).error();
    rec.tags.clear();
  } else {
    rec.headers = source->headers;
    rec.metadata = source->metadata;
    rec.headers.erase("WebsiteRedirectLocation");
    if (auto v = in.OptStr("WebsiteRedirectLocation")) rec.headers["WebsiteRedirectLocation"] = *v;
    if (auto sc = in.OptStr("StorageClass")) {
      ObjectRecord probe;
      Document d = json::object{{"StorageClass", *sc}};
      auto st = ReadObjectAttributes(Input(d), &probe);
      if (!st) return std::move(st).error();
      rec.storage_class = *sc;
    }
  }
  if (tagging_directive == "REPLACE") {
    rec.tags.clear();
    if (auto t = in.OptStr("Tagging")) {
      auto tags = ParseTaggingHeader(*t);
      if (!tags) return std::move(tags).error();
      rec.tags = std::move(*tags);
    }
  } else {
    rec.tags = source->tags;
  }
  bool same_object = src->bucket == bucket && src->key == key &&
                     (src->version_id.empty() || src->version_id == source->version_id);
  if (same_object && directive == "COPY" && !in.Has("StorageClass") &&
      !in.Has("WebsiteRedirectLocation") && !in.Has("ServerSideEncryption") &&
      !in.Has("SSEKMSKeyId") && !cs->algorithm)
    return InvalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without "
        "changing the object's metadata, storage class, website redirect location or encryption "
        "attributes.");

  // The copy is a single-part object: its ETag is the MD5 of its bytes, and its checksum the
  // requested algorithm's, else the source's full-object one, else CRC64NVME.
  const ChecksumAlgorithm* algorithm = cs->algorithm;
  if (!algorithm && source->checksum_type == "FULL_OBJECT")
    algorithm = FindChecksumAlgorithm(source->checksum_algorithm);
  if (!algorithm) algorithm = FindChecksumAlgorithm("CRC64NVME");
  DigestStream md5(DigestStream::Algorithm::kMd5);
  ChecksumStream checksum(*algorithm);
  if (IsEmbeddedBlob(source->blob)) {
    // A small source stays small: the copy's bytes are embedded in its record too.
    md5.Update(source->data);
    checksum.Update(source->data);
    rec.blob = source->blob;
    rec.data = source->data;
  } else {
    auto blob = CopyBlob(source->blob, 0, source->size, [&](std::string_view piece) {
      md5.Update(piece);
      checksum.Update(piece);
    });
    if (!blob) return std::move(blob).error();
    rec.blob = std::move(*blob);
  }
  rec.size = source->size;
  rec.etag = "\"" + HexEncode(md5.Final()) + "\"";
  rec.checksum_algorithm = std::string(algorithm->name);
  rec.checksum = checksum.Final();
  rec.checksum_type = "FULL_OBJECT";
  rec.last_modified_ms = NowMs();
  rec.owner = ctx.account_id;
  auto committed = CommitObject(bucket, std::move(rec), ConditionalWrite(in));
  if (!committed) return std::move(committed).error();
  Notify(ctx, *b, EventOf("ObjectCreated:Copy", *committed, true));

  json::object result{{"ETag", committed->etag},
                      {"LastModified", Seconds(committed->last_modified_ms)}};
  if (cs->algorithm) {
    result[algorithm->member] = committed->checksum;
    result["ChecksumType"] = "FULL_OBJECT";
  }
  json::object out{{"CopyObjectResult", std::move(result)}, {"ServerSideEncryption", "AES256"}};
  if (!b->versioning.empty()) out["VersionId"] = committed->version_id;
  auto sb = GetBucket(src->bucket);
  if (sb && !sb->versioning.empty()) out["CopySourceVersionId"] = source->version_id;
  return json::value(std::move(out));
}

Result<Document> S3Service::UploadPartCopy(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  int64_t part_number = in.Int("PartNumber").value_or(0);
  if (part_number < 1 || part_number > 10000)
    return InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                           "partNumber", std::to_string(part_number));
  auto upload = GetUpload(bucket, key, in.Str("UploadId"));
  if (!upload) return std::move(upload).error();
  auto src = ParseCopySource(in.Str("CopySource"));
  if (!src) return std::move(src).error();
  auto source = ResolveCopySource(in, *src);
  if (!source) return std::move(source).error();

  uint64_t offset = 0, length = source->size;
  if (auto range = in.OptStr("CopySourceRange")) {
    // Only "bytes=first-last" (UploadPartCopy reference, x-amz-copy-source-range).
    uint64_t first = 0, last = 0;
    if (!ParseCopyRange(*range, &first, &last))
      return InvalidArgument(
          "The x-amz-copy-source-range value must be of the form bytes=first-last where first "
          "and last are the zero-based offsets of the first and last bytes to copy",
          "x-amz-copy-source-range", *range);
    if (first > last || last >= source->size)
      return InvalidArgument(
          "Range specified is not valid for source object of size: " + std::to_string(source->size),
          "x-amz-copy-source-range", *range);
    offset = first;
    length = last - first + 1;
  }
  const ChecksumAlgorithm* algorithm = FindChecksumAlgorithm(upload->checksum_algorithm);
  DigestStream md5(DigestStream::Algorithm::kMd5);
  std::optional<ChecksumStream> checksum;
  if (algorithm) checksum.emplace(*algorithm);
  auto sink = [&](std::string_view piece) {
    md5.Update(piece);
    if (checksum) checksum->Update(piece);
  };
  Result<std::string> blob = std::string();
  if (IsEmbeddedBlob(source->blob)) {
    // Parts are blob files; an embedded source's bytes are in memory already.
    std::string_view piece = std::string_view(source->data).substr(offset, length);
    sink(piece);
    blob = StoreBlob(piece);
  } else {
    blob = CopyBlob(source->blob, offset, length, sink);
  }
  if (!blob) return std::move(blob).error();
  PartRecord part;
  part.part_number = static_cast<uint32_t>(part_number);
  part.size = length;
  part.etag = "\"" + HexEncode(md5.Final()) + "\"";
  part.last_modified_ms = NowMs();
  part.blob = std::move(*blob);
  if (algorithm) {
    part.checksum_algorithm = std::string(algorithm->name);
    part.checksum = checksum->Final();
  }
  auto st = CommitPart(*upload, part);
  if (!st) return std::move(st).error();
  json::object result{{"ETag", part.etag}, {"LastModified", Seconds(part.last_modified_ms)}};
  if (algorithm) result[algorithm->member] = part.checksum;
  json::object out{{"CopyPartResult", std::move(result)}, {"ServerSideEncryption", "AES256"}};
  auto sb = GetBucket(src->bucket);
  if (sb && !sb->versioning.empty()) out["CopySourceVersionId"] = source->version_id;
  return json::value(std::move(out));
}

}  // namespace nimbus::s3
