// Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts and ListMultipartUploads (UploadPartCopy is in copy_ops.cc).
// Each part is its own blob; Complete writes the object's blob part by part, a piece at a time.
#include <boost/json.hpp>
#include <map>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/s3/checksums.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

ApiError BadPartNumber(int64_t n) {
  return InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                         "partNumber", std::to_string(n));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json::object UploadChecksumFields(const UploadRecord& u) {
  json::object o;
  if (!u.checksum_algorithm.empty()) {
    o["ChecksumAlgorithm"] = u.checksum_algorithm;
    o["ChecksumType"] = u.checksum_type;
  }
  return o;
}

}  // namespace

Result<UploadRecord> S3Service::GetUpload(std::string_view bucket, std::string_view key,
                                          std::string_view upload_id) {
  std::string value;
  auto st = env_->kv->Get(kKeyspace, UploadKey(bucket, key, upload_id), &value);
  if (st.IsNotFound()) return NoSuchUpload(upload_id);
  if (!st.ok()) return storage::StorageError(st);
  auto u = UploadRecord::FromJson(value);
  if (!u) return storage::StorageError(storage::StorageStatus::Corruption("upload record"));
  return std::move(*u);
}

Result<Document> S3Service::CreateMultipartUpload(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  if (key.size() > kMaxKeyLength) return KeyTooLong(key.size());
  if (auto acl = CheckAclAllowed(*b, in); !acl) return std::move(acl).error();
  ObjectRecord attrs;
  auto st = ReadObjectAttributes(in, &attrs);
  if (!st) return std::move(st).error();
  UploadRecord u;
  if (auto alg = in.OptStr("ChecksumAlgorithm")) {
    const ChecksumAlgorithm* a = FindChecksumAlgorithm(*alg);
    if (!a)
      return InvalidRequest(
          "Checksum algorithm provided is unsupported. Please try again with "
          "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    u.checksum_algorithm = std::string(a->name);
    std::string type =
        in.OptStr("ChecksumType").value_or(a->name == "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
    if (type != "FULL_OBJECT" && type != "COMPOSITE")
      return InvalidRequest("Value for x-amz-checksum-type header is invalid.");
    if (type == "FULL_OBJECT" && !a->crc)
      return InvalidRequest("The FULL_OBJECT checksum type cannot be used with the " +
                            Lower(a->name) + " checksum algorithm.");
    if (type == "COMPOSITE" && a->name == "CRC64NVME")
      return InvalidRequest(
          "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
    u.checksum_type = type;
  } else if (in.Has("ChecksumType")) {
    return InvalidRequest(
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
        "header.");
  }
  // Hex of the sequence number first, so one key's uploads list in initiation order.
  u.upload_id = NewVersionId(NextSeq()) + RandomAlnum(32);
  u.key = key;
  u.bucket = bucket;
  u.initiated_ms = NowMs();
  u.owner = ctx.account_id;
  u.headers = std::move(attrs.headers);
  u.metadata = std::move(attrs.metadata);
  u.storage_class = std::move(attrs.storage_class);
  u.tags = std::move(attrs.tags);
  auto ws =
      env_->kv->Put(kKeyspace, UploadKey(bucket, key, u.upload_id), json::serialize(u.ToJson()));
  if (!ws.ok()) return storage::StorageError(ws);
  json::object out = UploadChecksumFields(u);
  out["Bucket"] = bucket;
  out["Key"] = key;
  out["UploadId"] = u.upload_id;
  out["ServerSideEncryption"] = "AES256";
  return json::value(std::move(out));
}

Status S3Service::CommitPart(const UploadRecord& upload, PartRecord part) {
  std::string old_blob;
  {
    std::lock_guard lock(mu_);
    std::string value;
    auto st =
        env_->kv->Get(kKeyspace, UploadKey(upload.bucket, upload.key, upload.upload_id), &value);
    if (!st.ok()) {
      DeleteBlobs({part.blob});
      if (st.IsNotFound()) return NoSuchUpload(upload.upload_id);
      return storage::StorageError(st);
    }
    std::string key = PartKey(upload.upload_id, part.part_number);
    st = env_->kv->Get(kKeyspace, key, &value);
    if (st.ok()) {
      if (auto old = PartRecord::FromJson(value)) old_blob = old->blob;
    }
    st = env_->kv->Put(kKeyspace, key, json::serialize(part.ToJson()));
    if (!st.ok()) {
      DeleteBlobs({part.blob});
      return storage::StorageError(st);
    }
  }
  if (!old_blob.empty() && old_blob != part.blob) DeleteBlobs({old_blob});
  return Ok{};
}

Result<S3Service::PartPlan> S3Service::PlanUploadPart(const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  int64_t part_number = in.Int("PartNumber").value_or(0);
  if (part_number < 1 || part_number > 10000) return BadPartNumber(part_number);
  auto upload = GetUpload(bucket, key, in.Str("UploadId"));
  if (!upload) return std::move(upload).error();
  if (auto content_md5 = in.OptStr("ContentMD5"); content_md5 && !DecodeContentMd5(*content_md5))
    return InvalidDigest();
  auto cs = ReadRequestChecksum(in.object());
  if (!cs) return std::move(cs).error();
  return PartPlan{std::move(*upload), static_cast<uint32_t>(part_number), std::move(*cs)};
}

Result<Document> S3Service::UploadPart(RequestContext&, const Input& in) {
  auto plan = PlanUploadPart(in);
  if (!plan) return std::move(plan).error();
  auto* bv = in.object().if_contains("Body");
  BodyDigest body;
  body.data = bv && bv->is_string() ? std::string_view(bv->get_string()) : "";
  body.size = body.data.size();
  body.md5 = Md5(body.data);
  return FinishUploadPart(in, *plan, body);
}

Result<Document> S3Service::FinishUploadPart(const Input& in, const PartPlan& plan,
                                             const BodyDigest& body) {
  if (auto content_md5 = in.OptStr("ContentMD5"))
    if (DecodeContentMd5(*content_md5) != body.md5) return BadDigest();
  const RequestChecksum& cs = plan.checksum;
  const ChecksumAlgorithm* algorithm = FindChecksumAlgorithm(plan.upload.checksum_algorithm);
  if (cs.algorithm && !cs.value.empty()) {
    if (algorithm && cs.algorithm != algorithm)
      return InvalidRequest(
          "Checksum Type mismatch occurred, expected checksum Type: " + Lower(algorithm->name) +
          ", actual checksum Type: " + Lower(cs.algorithm->name));
    std::string computed = body.Checksum(*cs.algorithm);
    if (computed.empty())
      return InvalidRequest(
          "The checksum of the body's trailer is not the one x-amz-trailer named");
    if (computed != cs.value) return ChecksumMismatch(cs.algorithm->name);
  }
  PartRecord part;
  part.part_number = plan.part_number;
  part.size = body.size;
  part.etag = "\"" + HexEncode(body.md5) + "\"";
  part.last_modified_ms = NowMs();
  if (algorithm) {
    part.checksum_algorithm = std::string(algorithm->name);
    part.checksum =
        cs.algorithm == algorithm && !cs.value.empty() ? cs.value : body.Checksum(*algorithm);
  }
  if (!body.blob.empty()) {
    part.blob = body.blob;
  } else {
    auto blob = StoreBlob(body.data);
    if (!blob) return std::move(blob).error();
    part.blob = std::move(*blob);
  }
  auto st = CommitPart(plan.upload, part);
  if (!st) return std::move(st).error();
  json::object out{{"ETag", part.etag}, {"ServerSideEncryption", "AES256"}};
  if (algorithm) out[algorithm->member] = part.checksum;
  return json::value(std::move(out));
}

Result<Document> S3Service::CompleteMultipartUpload(RequestContext& ctx, const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  std::string upload_id = in.Str("UploadId");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto upload = GetUpload(bucket, key, upload_id);
  if (!upload) return std::move(upload).error();
  const json::object* mp = in.Obj("MultipartUpload");
  const json::value* requested = mp ? mp->if_contains("Parts") : nullptr;
  if (!requested || !requested->is_array() || requested->get_array().empty()) return MalformedXML();

  std::map<uint32_t, PartRecord> stored;
  storage::ScanOptions opts;
  opts.start = PartsPrefix(upload_id);
  opts.end = storage::PrefixEnd(opts.start);
  auto sst = env_->kv->Scan(kKeyspace, opts, [&](std::string_view, std::string_view v) {
    if (auto p = PartRecord::FromJson(v)) stored[p->part_number] = std::move(*p);
    return true;
  });
  if (!sst.ok()) return storage::StorageError(sst);

  const ChecksumAlgorithm* algorithm = FindChecksumAlgorithm(upload->checksum_algorithm);
  std::vector<const PartRecord*> parts;
  int64_t previous = 0;
  for (const auto& item : requested->get_array()) {
    if (!item.is_object()) return MalformedXML();
    const json::object& p = item.get_object();
    auto* n = p.if_contains("PartNumber");
    if (!n || !n->is_int64()) return MalformedXML();
    int64_t number = n->get_int64();
    if (number < 1 || number > 10000) return BadPartNumber(number);
    if (number <= previous) return InvalidPartOrder(upload_id);
    previous = number;
    std::string etag = StrOf(p, "ETag");
    auto it = stored.find(static_cast<uint32_t>(number));
    if (it == stored.end() || UnquoteEtag(etag) != UnquoteEtag(it->second.etag))
      return InvalidPart(upload_id, static_cast<uint32_t>(number), etag);
    if (algorithm) {
      std::string sent = StrOf(p, algorithm->member);
      if (!sent.empty() && sent != it->second.checksum)
        return InvalidPart(upload_id, static_cast<uint32_t>(number), etag);
    }
    parts.push_back(&it->second);
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    if (parts[i]->size < kMinPartSize)
      return EntityTooSmall(parts[i]->size, parts[i]->part_number, parts[i]->etag);

  // Assemble the object's blob part by part, kCopyChunk bytes at a time.
  ObjectRecord rec;
  rec.key = key;
  std::string raw_md5s, raw_checksums;
  std::optional<ChecksumStream> full;
  if (algorithm && upload->checksum_type == "FULL_OBJECT") full.emplace(*algorithm);
  auto writer = env_->blobs->NewWriter();
  std::string chunk;
  for (const PartRecord* p : parts) {
    raw_md5s += HexDecode(UnquoteEtag(p->etag)).value_or("");
    if (algorithm) raw_checksums += Base64Decode(p->checksum).value_or("");
    for (uint64_t done = 0; done < p->size;) {
      uint64_t n = std::min(kCopyChunk, p->size - done);
      auto st = env_->blobs->Read(p->blob, done, n, &chunk);
      if (!st.ok()) return storage::StorageError(st);
      if (chunk.size() != n)
        return storage::StorageError(storage::StorageStatus::Corruption("part blob too short"));
      if (full) full->Update(chunk);
      st = writer->Append(chunk);
      if (!st.ok()) return storage::StorageError(st);
      done += n;
    }
    rec.size += p->size;
    rec.parts.push_back(PartInfo{p->size, p->etag, p->checksum});
  }
  if (algorithm) {
    rec.checksum_algorithm = std::string(algorithm->name);
    rec.checksum_type = upload->checksum_type;
    rec.checksum =
        full ? full->Final() : CompositeChecksum(*algorithm, raw_checksums, parts.size());
    if (auto sent = in.OptStr(algorithm->member); sent && full && *sent != rec.checksum)
      return ChecksumMismatch(algorithm->name);
  }
  if (rec.size > 0) {
    std::string id = "s3/" + NewUuid();
    auto st = writer->Commit(id);
    if (!st.ok()) return storage::StorageError(st);
    rec.blob = id;
  } else {
    writer->Abort();
  }
  rec.etag = "\"" + HexEncode(Md5(raw_md5s)) + "-" + std::to_string(parts.size()) + "\"";
  rec.last_modified_ms = NowMs();
  rec.owner = upload->owner;
  rec.headers = upload->headers;
  rec.metadata = upload->metadata;
  rec.storage_class = upload->storage_class;
  rec.tags = upload->tags;

  // The upload and its parts go in the batch that makes the object visible.
  storage::WriteBatch done;
  done.Delete(kKeyspace, UploadKey(bucket, key, upload_id));
  done.DeleteRange(kKeyspace, opts.start, opts.end);
  WriteCheck conditional = ConditionalWrite(in);
  std::string upload_key = UploadKey(bucket, key, upload_id);
  auto check = [&](const ObjectRecord* current) -> std::optional<ApiError> {
    std::string value;
    if (!env_->kv->Get(kKeyspace, upload_key, &value).ok()) return NoSuchUpload(upload_id);
    if (conditional) return conditional(current);
    return std::nullopt;
  };
  auto committed = CommitObject(bucket, std::move(rec), check, &done);
  if (!committed) return std::move(committed).error();
  Notify(ctx, *b, EventOf("ObjectCreated:CompleteMultipartUpload", *committed, true));
  std::vector<std::string> part_blobs;
  for (const auto& [n, p] : stored) part_blobs.push_back(p.blob);
  DeleteBlobs(part_blobs);

  std::string host = ctx.http ? std::string(ctx.http->Header("host")) : std::string();
  json::object out{{"Bucket", bucket},
                   {"Key", key},
                   {"ETag", committed->etag},
                   {"Location", "http://" + (host.empty() ? std::string("localhost") : host) + "/" +
                                    bucket + "/" + UriEncode(key, true)},
                   {"ServerSideEncryption", "AES256"}};
  if (!b->versioning.empty()) out["VersionId"] = committed->version_id;
  if (algorithm) {
    out[algorithm->member] = committed->checksum;
    out["ChecksumType"] = committed->checksum_type;
  }
  return json::value(std::move(out));
}

Status S3Service::AbortUpload(std::string_view bucket, std::string_view key,
                              std::string_view upload_id) {
  std::vector<std::string> blobs;
  {
    std::lock_guard lock(mu_);
    auto upload = GetUpload(bucket, key, upload_id);
    if (!upload) return std::move(upload).error();
    storage::ScanOptions opts;
    opts.start = PartsPrefix(upload_id);
    opts.end = storage::PrefixEnd(opts.start);
    auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view, std::string_view v) {
      if (auto p = PartRecord::FromJson(v)) blobs.push_back(p->blob);
      return true;
    });
    if (!st.ok()) return storage::StorageError(st);
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, UploadKey(bucket, key, upload_id));
    batch.DeleteRange(kKeyspace, opts.start, opts.end);
    st = env_->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
  }
  DeleteBlobs(blobs);
  return Ok{};
}

Result<Document> S3Service::AbortMultipartUpload(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto st = AbortUpload(bucket, in.Str("Key"), in.Str("UploadId"));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> S3Service::ListParts(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  std::string key = in.Str("Key");
  std::string upload_id = in.Str("UploadId");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto upload = GetUpload(bucket, key, upload_id);
  if (!upload) return std::move(upload).error();
  int64_t max_parts = in.Int("MaxParts").value_or(1000);
  if (max_parts < 0)
    return InvalidArgument("Argument max-parts must be an integer between 0 and 2147483647",
                           "max-parts", std::to_string(max_parts));
  max_parts = std::min<int64_t>(max_parts, 1000);
  int64_t marker = in.Int("PartNumberMarker").value_or(0);
  if (marker < 0) marker = 0;
  storage::ScanOptions opts;
  opts.start = PartKey(upload_id, static_cast<uint32_t>(std::min<int64_t>(marker, 10000)) + 1);
  opts.end = storage::PrefixEnd(PartsPrefix(upload_id));
  json::array parts;
  bool truncated = false;
  int64_t last = 0;
  auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view, std::string_view v) {
    auto p = PartRecord::FromJson(v);
    if (!p) return true;
    if (static_cast<int64_t>(parts.size()) >= max_parts) {
      truncated = true;
      return false;
    }
    json::object o{{"PartNumber", static_cast<int64_t>(p->part_number)},
                   {"LastModified", Seconds(p->last_modified_ms)},
                   {"ETag", p->etag},
                   {"Size", p->size}};
    if (const ChecksumAlgorithm* a = FindChecksumAlgorithm(p->checksum_algorithm))
      o[a->member] = p->checksum;
    parts.push_back(std::move(o));
    last = p->part_number;
    return true;
  });
  if (!st.ok()) return storage::StorageError(st);
  json::object out = UploadChecksumFields(*upload);
  out["Bucket"] = bucket;
  out["Key"] = key;
  out["UploadId"] = upload_id;
  out["PartNumberMarker"] = marker;
  if (truncated) out["NextPartNumberMarker"] = last;
  out["MaxParts"] = max_parts;
  out["IsTruncated"] = truncated;
  if (!parts.empty()) out["Parts"] = std::move(parts);
  out["Initiator"] = OwnerOf(upload->owner);
  out["Owner"] = OwnerOf(upload->owner);
  out["StorageClass"] = upload->storage_class.empty() ? "STANDARD" : upload->storage_class;
  return json::value(std::move(out));
}

Result<Document> S3Service::ListMultipartUploads(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  if (auto e = in.OptStr("EncodingType"); e && *e != "url")
    return InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", *e);
  bool url = in.Has("EncodingType");
  auto enc = [&](std::string_view s) { return url ? UriEncode(s, true) : std::string(s); };
  int64_t max = in.Int("MaxUploads").value_or(1000);
  if (max < 0)
    return InvalidArgument("Argument max-uploads must be an integer between 0 and 2147483647",
                           "max-uploads", std::to_string(max));
  max = std::min<int64_t>(max, 1000);
  std::string prefix = in.Str("Prefix");
  std::string delimiter = in.Str("Delimiter");
  std::string key_marker = in.Str("KeyMarker");
  std::string upload_marker = in.Str("UploadIdMarker");
  const std::string base = UploadsPrefix(bucket);
  std::string start = base + OrderedPrefix(prefix);
  const std::string end = storage::PrefixEnd(start);
  if (!key_marker.empty()) {
    std::string from = upload_marker.empty()
                           ? storage::PrefixEnd(base +
                                                [&] {
                                                  std::string k;
                                                  storage::AppendOrderedString(&k, key_marker);
                                                  return k;
                                                }())
                           : UploadKey(bucket, key_marker, upload_marker) + std::string(1, '\0');
    if (from > start) start = from;
  }
  json::array uploads, prefixes;
  std::string next_key, next_upload;
  bool truncated = false;
  int64_t count = 0;
  bool done = false;
  while (!done && max > 0) {
    std::optional<std::string> restart;
    storage::ScanOptions opts;
    opts.start = start;
    opts.end = end;
    auto st = env_->kv->Scan(kKeyspace, opts, [&](std::string_view k, std::string_view v) {
      std::string key, id;
      if (!ParseUploadKey(k, base.size(), &key, &id)) return true;
      if (!delimiter.empty()) {
        auto pos = key.find(delimiter, prefix.size());
        if (pos != std::string::npos) {
          std::string cp = key.substr(0, pos + delimiter.size());
          if (key_marker.empty() || cp > key_marker) {
            if (count >= max) {
              truncated = true;
              done = true;
              return false;
            }
            prefixes.push_back(json::object{{"Prefix", enc(cp)}});
            ++count;
            next_key = cp;
            next_upload.clear();
          }
          restart = storage::PrefixEnd(base + OrderedPrefix(cp));
          return false;
        }
      }
      auto u = UploadRecord::FromJson(v);
      if (!u) return true;
      if (count >= max) {
        truncated = true;
        done = true;
        return false;
      }
      json::object o = UploadChecksumFields(*u);
      o["UploadId"] = id;
      o["Key"] = enc(key);
      o["Initiated"] = Seconds(u->initiated_ms);
      o["StorageClass"] = u->storage_class.empty() ? "STANDARD" : u->storage_class;
      o["Owner"] = OwnerOf(u->owner);
      o["Initiator"] = OwnerOf(u->owner);
      uploads.push_back(std::move(o));
      ++count;
      next_key = key;
      next_upload = id;
      return true;
    });
    if (!st.ok()) return storage::StorageError(st);
    if (!restart || done || restart->empty()) break;
    start = *restart;
  }
  json::object out{{"Bucket", bucket},
                   {"KeyMarker", enc(key_marker)},
                   {"UploadIdMarker", upload_marker},
                   {"MaxUploads", max},
                   {"IsTruncated", truncated}};
  if (!prefix.empty() || in.Has("Prefix")) out["Prefix"] = enc(prefix);
  if (in.Has("Delimiter")) out["Delimiter"] = enc(delimiter);
  if (truncated) {
    out["NextKeyMarker"] = enc(next_key);
    out["NextUploadIdMarker"] = next_upload;
  }
  if (!uploads.empty()) out["Uploads"] = std::move(uploads);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (url) out["EncodingType"] = "url";
  return json::value(std::move(out));
}

}  // namespace nimbus::s3
