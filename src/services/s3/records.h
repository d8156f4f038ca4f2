#pragma once

// What S3 keeps per bucket, object version, multipart upload and part, and where it keeps it in
// the "s3" keyspace. Records are JSON documents; keys are order-preserving encodings so that a
// listing is one range scan in S3's order (UTF-8 byte order of keys, newest version first).
//
//   b <bucket>                        bucket record (names are global, as in AWS)
//   a <account> <bucket>              the account's buckets, for ListBuckets
//   o <bucket> <key> <~seq>           one object version or delete marker
//   u <bucket> <key> <upload id>      an in-progress multipart upload
//   p <upload id> <part number>       an uploaded part
//
// <x> is storage::AppendOrderedString, <~seq> the bitwise complement of the version's sequence
// number (big-endian), so the newest version of a key sorts first.
//
// The null slot: in a bucket created with `null_slot` (every bucket nimbus makes now), an object
// written while versioning has never been enabled is stored at sequence number 0 (kNullSlotSeq),
// the one version its key can have then. Reading or overwriting it is then a point Get and a Put
// of one fixed key, not a range scan of the key's versions (which, after many overwrites, has to
// step over the deletions the overwrites left). Sequence 0 sorts after every real version, as the
// oldest: right for a null version written before versioning was enabled. Buckets made by older
// nimbus versions (no `null_slot`) keep their objects at real sequence numbers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"

namespace nimbus::s3 {

inline constexpr std::string_view kKeyspace = "s3";

// storage::AppendOrderedString(text) without its terminator: a prefix of the encodings of every
// string that starts with `text`.
std::string OrderedPrefix(std::string_view text);

std::string BucketKey(std::string_view bucket);
std::string AccountBucketKey(std::string_view account, std::string_view bucket);
std::string AccountBucketsPrefix(std::string_view account);

// The bytes of an object kept in the key-value store instead of a blob file (an inline blob id,
// see kInlineMax in s3.h).
std::string InlineDataKey(std::string_view blob_id);

// Every object version of a bucket.
std::string ObjectsPrefix(std::string_view bucket);
// Every version of one key.
std::string ObjectKeyPrefix(std::string_view bucket, std::string_view key);
std::string ObjectVersionKey(std::string_view bucket, std::string_view key, uint64_t seq);
// Every version of every key starting with `text` (no terminator: a prefix of encoded keys).
std::string ObjectTextPrefix(std::string_view bucket, std::string_view text);
// Reads the object key and sequence number back from a key under ObjectsPrefix(bucket), whose
// length is `prefix_size`; false if malformed.
bool ParseObjectVersionKey(std::string_view kv_key, size_t prefix_size, std::string* key,
                           uint64_t* seq);

std::string UploadsPrefix(std::string_view bucket);
std::string UploadKey(std::string_view bucket, std::string_view key, std::string_view upload_id);
bool ParseUploadKey(std::string_view kv_key, size_t prefix_size, std::string* key,
                    std::string* upload_id);
std::string PartsPrefix(std::string_view upload_id);
std::string PartKey(std::string_view upload_id, uint32_t part_number);

// Version ids: 16 hex digits of the sequence number then 16 random characters, so a version is
// found by one Get. "null" is the version id of objects written while versioning was off.
inline constexpr std::string_view kNullVersion = "null";
inline constexpr uint64_t kNullSlotSeq = 0;
std::string NewVersionId(uint64_t seq);
// The sequence number inside a version id; false for ids nimbus never made ("null" included).
bool VersionIdSeq(std::string_view version_id, uint64_t* seq);

struct BucketRecord {
  std::string name;
  std::string account;  // owner
  std::string region;
  int64_t created_ms = 0;
  std::string versioning;  // "" (never enabled), "Enabled" or "Suspended"
  std::string mfa_delete;  // "" or "Disabled"/"Enabled" as last put
  bool object_lock = false;
  // Objects written while versioning was never enabled are in the null slot (see above).
  bool null_slot = false;
  // Stored configuration subresources by operation noun ("Tagging", "Cors", "Policy", ...), each
  // as the document the Put operation received.
  json::object config;

  json::value ToJson() const;
  static std::optional<BucketRecord> FromJson(std::string_view text);
};

struct PartInfo {
  uint64_t size = 0;
  std::string etag;      // quoted
  std::string checksum;  // base64, of the upload's algorithm, when it has one
};

struct ObjectRecord {
  std::string key;   // from the kv key, not stored in the value
  uint64_t seq = 0;  // from the kv key: kNullSlotSeq for a record in the null slot
  // The sequence number of the write that made this version, for notifications' sequencer (seq,
  // unless the record is in the null slot). Set by the write, not stored; 0 when read back.
  uint64_t sequencer = 0;
  std::string version_id;  // "null" or NewVersionId(seq)
  bool delete_marker = false;
  uint64_t size = 0;
  std::string etag;  // quoted hex MD5, or quoted MD5-of-part-MD5s "-N"
  int64_t last_modified_ms = 0;
  std::string blob;   // BlobStore id; empty for delete markers and empty objects
  std::string owner;  // account that wrote it
  // Content-Type, Content-Encoding, Content-Disposition, Content-Language, Cache-Control,
  // Expires, WebsiteRedirectLocation, ServerSideEncryption..., by model member name.
  json::object headers;
  json::object metadata;  // x-amz-meta-*, names lowercase
  std::string storage_class;
  std::string checksum_algorithm;  // "CRC32", ... or empty
  std::string checksum;            // base64 value ("...-N" for composite multipart checksums)
  std::string checksum_type;       // "FULL_OBJECT" or "COMPOSITE"
  std::vector<PartInfo> parts;     // multipart objects only
  std::vector<std::pair<std::string, std::string>> tags;

  // The bytes of an object embedded in its record (blob == kEmbeddedBlob, see s3.h); filled by
  // FromValue, not by FromJson.
  std::string data;

  json::value ToJson() const;
  // The stored value: the JSON document, then, for an embedded object, a NUL byte and its bytes
  // (JSON text never holds a raw NUL, so the first one ends the document).
  std::string ToValue() const;
  // A stored value's record (`key` and `seq` come from the kv key), without the embedded bytes:
  // what listings need.
  static std::optional<ObjectRecord> FromJson(std::string_view value, std::string key,
                                              uint64_t seq);
  // The same with the embedded bytes in `data`.
  static std::optional<ObjectRecord> FromValue(std::string_view value, std::string key,
                                               uint64_t seq);
};

struct UploadRecord {
  std::string upload_id;
  std::string key;
  std::string bucket;
  int64_t initiated_ms = 0;
  std::string owner;
  json::object headers;
  json::object metadata;
  std::string storage_class;
  std::string checksum_algorithm;
  std::string checksum_type;
  std::vector<std::pair<std::string, std::string>> tags;

  json::value ToJson() const;
  static std::optional<UploadRecord> FromJson(std::string_view text);
};

struct PartRecord {
  uint32_t part_number = 0;
  uint64_t size = 0;
  std::string etag;  // quoted
  int64_t last_modified_ms = 0;
  std::string blob;
  std::string checksum_algorithm;
  std::string checksum;

  json::value ToJson() const;
  static std::optional<PartRecord> FromJson(std::string_view text);
};

}  // namespace nimbus::s3
