// Listings: ListObjectsV2, ListObjects (v1) and ListObjectVersions. Each is one walk over the
// bucket's object keys in byte order; a common prefix is skipped by seeking past it, so a
// delimiter listing costs one step per entry returned, not per key stored.
#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/s3/checksums.h"
#include "services/s3/errors.h"
#include "services/s3/listing.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

std::string Encode(std::string_view s, bool url) {
  return url ? UriEncode(s, true) : std::string(s);
}

Status CheckEncodingType(const Input& in) {
  if (auto e = in.OptStr("EncodingType"); e && *e != "url")
    return InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", *e);
  return Ok{};
}

Result<size_t> MaxKeys(const Input& in) {
  auto max = in.Int("MaxKeys");
  if (!max) return size_t{1000};
  if (*max < 0)
    return InvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647",
                           "maxKeys", std::to_string(*max));
  return static_cast<size_t>(std::min<int64_t>(*max, 1000));
}

json::object ObjectEntry(const ObjectRecord& rec, bool url, bool owner) {
  json::object o{{"Key", Encode(rec.key, url)},
                 {"LastModified", Seconds(rec.last_modified_ms)},
                 {"ETag", rec.etag},
                 {"Size", rec.size},
                 {"StorageClass", rec.storage_class.empty() ? "STANDARD" : rec.storage_class}};
  if (owner) o["Owner"] = OwnerOf(rec.owner);
  if (!rec.checksum_algorithm.empty()) {
    o["ChecksumAlgorithm"] = json::array{json::string(rec.checksum_algorithm)};
    o["ChecksumType"] = rec.checksum_type;
  }
  return o;
}

json::array CommonPrefixes(const std::vector<ListEntry>& entries, bool url) {
  json::array out;
  for (const auto& e : entries)
    if (e.common_prefix) out.push_back(json::object{{"Prefix", Encode(e.name, url)}});
  return out;
}

constexpr std::string_view kTokenTag = "nimbus1:";

std::string MakeToken(std::string_view after) {
  return Base64Encode(std::string(kTokenTag) + std::string(after));
}

std::optional<std::string> ReadToken(std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw || raw->substr(0, kTokenTag.size()) != kTokenTag) return std::nullopt;
  return raw->substr(kTokenTag.size());
}

}  // namespace

Result<Document> S3Service::ListObjectsV2(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto enc = CheckEncodingType(in);
  if (!enc) return std::move(enc).error();
  auto max = MaxKeys(in);
  if (!max) return std::move(max).error();
  bool url = in.Has("EncodingType");
  WalkOptions w;
  w.prefix = in.Str("Prefix");
  w.delimiter = in.Str("Delimiter");
  w.max = *max;
  auto token = in.OptStr("ContinuationToken");
  if (token) {
    auto after = ReadToken(*token);
    if (!after)
      return InvalidArgument("The continuation token provided is incorrect", "continuation-token",
                             *token);
    w.after_key = *after;
  } else {
    w.after_key = in.Str("StartAfter");
  }
  WalkResult r = Walk(*env_->kv, bucket, w);
  if (!r.status.ok()) return storage::StorageError(r.status);
  bool owner = in.Bool("FetchOwner");
  json::array contents;
  for (const auto& e : r.entries)
    if (!e.common_prefix) contents.push_back(ObjectEntry(e.rec, url, owner));
  json::object out{{"Name", bucket},
                   {"Prefix", Encode(w.prefix, url)},
                   {"MaxKeys", static_cast<int64_t>(*max)},
                   {"KeyCount", static_cast<int64_t>(r.entries.size())},
                   {"IsTruncated", r.truncated}};
  if (!contents.empty()) out["Contents"] = std::move(contents);
  if (auto cps = CommonPrefixes(r.entries, url); !cps.empty()) out["CommonPrefixes"] = cps;
  if (in.Has("Delimiter")) out["Delimiter"] = Encode(w.delimiter, url);
  if (url) out["EncodingType"] = "url";
  if (token) out["ContinuationToken"] = *token;
  if (auto sa = in.OptStr("StartAfter")) out["StartAfter"] = Encode(*sa, url);
  if (r.truncated && !r.entries.empty())
    out["NextContinuationToken"] = MakeToken(r.entries.back().name);
  return json::value(std::move(out));
}

Result<Document> S3Service::ListObjects(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto enc = CheckEncodingType(in);
  if (!enc) return std::move(enc).error();
  auto max = MaxKeys(in);
  if (!max) return std::move(max).error();
  bool url = in.Has("EncodingType");
  WalkOptions w;
  w.prefix = in.Str("Prefix");
  w.delimiter = in.Str("Delimiter");
  w.after_key = in.Str("Marker");
  w.max = *max;
  WalkResult r = Walk(*env_->kv, bucket, w);
  if (!r.status.ok()) return storage::StorageError(r.status);
  json::array contents;
  for (const auto& e : r.entries)
    if (!e.common_prefix) contents.push_back(ObjectEntry(e.rec, url, true));
  json::object out{{"Name", bucket},
                   {"Prefix", Encode(w.prefix, url)},
                   {"Marker", Encode(w.after_key, url)},
                   {"MaxKeys", static_cast<int64_t>(*max)},
                   {"IsTruncated", r.truncated}};
  if (!contents.empty()) out["Contents"] = std::move(contents);
  if (auto cps = CommonPrefixes(r.entries, url); !cps.empty()) out["CommonPrefixes"] = cps;
  if (in.Has("Delimiter")) {
    out["Delimiter"] = Encode(w.delimiter, url);
    // NextMarker is returned only with a delimiter (ListObjects reference).
    if (r.truncated && !r.entries.empty()) out["NextMarker"] = Encode(r.entries.back().name, url);
  }
  if (url) out["EncodingType"] = "url";
  return json::value(std::move(out));
}

Result<Document> S3Service::ListObjectVersions(RequestContext&, const Input& in) {
  std::string bucket = in.Str("Bucket");
  auto b = GetBucket(bucket);
  if (!b) return std::move(b).error();
  auto enc = CheckEncodingType(in);
  if (!enc) return std::move(enc).error();
  auto max = MaxKeys(in);
  if (!max) return std::move(max).error();
  bool url = in.Has("EncodingType");
  WalkOptions w;
  w.prefix = in.Str("Prefix");
  w.delimiter = in.Str("Delimiter");
  w.after_key = in.Str("KeyMarker");
  w.all_versions = true;
  w.max = *max;
  auto version_marker = in.OptStr("VersionIdMarker");
  if (version_marker && !version_marker->empty()) {
    if (w.after_key.empty())
      return InvalidArgument("A version-id marker cannot be specified without a key marker.",
                             "version-id-marker", *version_marker);
    uint64_t seq = 0;
    if (*version_marker == kNullVersion) {
      auto all = AllVersions(bucket, w.after_key);
      if (!all) return std::move(all).error();
      bool found = false;
      for (const auto& v : *all)
        if (v.version_id == kNullVersion) {
          seq = v.seq;
          found = true;
        }
      if (!found)
        return InvalidArgument("Invalid version id specified", "version-id-marker",
                               *version_marker);
    } else if (!VersionIdSeq(*version_marker, &seq)) {
      return InvalidArgument("Invalid version id specified", "version-id-marker", *version_marker);
    }
    w.after_seq = seq;
  }
  WalkResult r = Walk(*env_->kv, bucket, w);
  if (!r.status.ok()) return storage::StorageError(r.status);
  json::array versions, markers;
  for (const auto& e : r.entries) {
    if (e.common_prefix) continue;
    if (e.rec.delete_marker) {
      markers.push_back(json::object{{"Owner", OwnerOf(e.rec.owner)},
                                     {"Key", Encode(e.name, url)},
                                     {"VersionId", e.rec.version_id},
                                     {"IsLatest", e.is_latest},
                                     {"LastModified", Seconds(e.rec.last_modified_ms)}});
      continue;
    }
    json::object v = ObjectEntry(e.rec, url, true);
    v["VersionId"] = e.rec.version_id;
    v["IsLatest"] = e.is_latest;
    versions.push_back(std::move(v));
  }
  json::object out{{"Name", bucket},
                   {"Prefix", Encode(w.prefix, url)},
                   {"KeyMarker", Encode(w.after_key, url)},
                   {"VersionIdMarker", version_marker.value_or("")},
                   {"MaxKeys", static_cast<int64_t>(*max)},
                   {"IsTruncated", r.truncated}};
  if (!versions.empty()) out["Versions"] = std::move(versions);
  if (!markers.empty()) out["DeleteMarkers"] = std::move(markers);
  if (auto cps = CommonPrefixes(r.entries, url); !cps.empty()) out["CommonPrefixes"] = cps;
  if (in.Has("Delimiter")) out["Delimiter"] = Encode(w.delimiter, url);
  if (url) out["EncodingType"] = "url";
  if (r.truncated && !r.entries.empty()) {
    const ListEntry& last = r.entries.back();
    out["NextKeyMarker"] = Encode(last.name, url);
    if (!last.common_prefix) out["NextVersionIdMarker"] = last.rec.version_id;
  }
  return json::value(std::move(out));
}

}  // namespace nimbus::s3
