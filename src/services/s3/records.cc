#include "services/s3/records.h"

#include <boost/json.hpp>
#include <cstdio>

#include "core/common/ids.h"
#include "core/storage/key_encoding.h"

namespace nimbus::s3 {

namespace {

using storage::AppendOrderedString;

std::string Tagged(char tag) { return std::string(1, tag); }

std::string GetString(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t GetInt(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

uint64_t GetUint(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() > 0) return static_cast<uint64_t>(v->get_int64());
  return 0;
}

// A copy in the default memory resource, whatever resource `o` lives in.
json::object GetObject(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_object() ? json::object(v->get_object(), json::storage_ptr()) : json::object();
}

std::optional<json::object> ParseObject(std::string_view text) {
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

json::array TagsToJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::array{json::string(k), json::string(v)});
  return out;
}

std::vector<std::pair<std::string, std::string>> TagsFromJson(const json::object& o) {
  std::vector<std::pair<std::string, std::string>> out;
  auto* v = o.if_contains("tags");
  if (!v || !v->is_array()) return out;
  for (const auto& t : v->get_array()) {
    if (!t.is_array() || t.get_array().size() != 2) continue;
    const auto& a = t.get_array();
    if (!a[0].is_string() || !a[1].is_string()) continue;
    out.emplace_back(std::string(a[0].get_string()), std::string(a[1].get_string()));
  }
  return out;
}

}  // namespace

std::string OrderedPrefix(std::string_view text) {
  std::string encoded;
  AppendOrderedString(&encoded, text);
  encoded.resize(encoded.size() - 2);
  return encoded;
}

std::string BucketKey(std::string_view bucket) {
  std::string k = Tagged('b');
  AppendOrderedString(&k, bucket);
  return k;
}

std::string InlineDataKey(std::string_view blob_id) {
  std::string k = Tagged('d');
  k.append(blob_id);
  return k;
}

std::string AccountBucketsPrefix(std::string_view account) {
  std::string k = Tagged('a');
  AppendOrderedString(&k, account);
  return k;
}

std::string AccountBucketKey(std::string_view account, std::string_view bucket) {
  std::string k = AccountBucketsPrefix(account);
  AppendOrderedString(&k, bucket);
  return k;
}

std::string ObjectsPrefix(std::string_view bucket) {
  std::string k = Tagged('o');
  AppendOrderedString(&k, bucket);
  return k;
}

std::string ObjectKeyPrefix(std::string_view bucket, std::string_view key) {
  std::string k = ObjectsPrefix(bucket);
  AppendOrderedString(&k, key);
  return k;
}

std::string ObjectVersionKey(std::string_view bucket, std::string_view key, uint64_t seq) {
  std::string k = ObjectKeyPrefix(bucket, key);
  storage::AppendUint64(&k, ~seq);
  return k;
}

std::string ObjectTextPrefix(std::string_view bucket, std::string_view text) {
  return ObjectsPrefix(bucket) + OrderedPrefix(text);
}

bool ParseObjectVersionKey(std::string_view kv_key, size_t prefix_size, std::string* key,
                           uint64_t* seq) {
  if (kv_key.size() < prefix_size) return false;
  std::string_view rest = kv_key.substr(prefix_size);
  uint64_t inverted = 0;
  if (!storage::ConsumeOrderedString(&rest, key) || !storage::ConsumeUint64(&rest, &inverted))
    return false;
  *seq = ~inverted;
  return rest.empty();
}

std::string UploadsPrefix(std::string_view bucket) {
  std::string k = Tagged('u');
  AppendOrderedString(&k, bucket);
  return k;
}

std::string UploadKey(std::string_view bucket, std::string_view key, std::string_view upload_id) {
  std::string k = UploadsPrefix(bucket);
  AppendOrderedString(&k, key);
  AppendOrderedString(&k, upload_id);
  return k;
}

bool ParseUploadKey(std::string_view kv_key, size_t prefix_size, std::string* key,
                    std::string* upload_id) {
  if (kv_key.size() < prefix_size) return false;
  std::string_view rest = kv_key.substr(prefix_size);
  return storage::ConsumeOrderedString(&rest, key) &&
         storage::ConsumeOrderedString(&rest, upload_id) && rest.empty();
}

std::string PartsPrefix(std::string_view upload_id) {
  std::string k = Tagged('p');
  AppendOrderedString(&k, upload_id);
  return k;
}

std::string PartKey(std::string_view upload_id, uint32_t part_number) {
  std::string k = PartsPrefix(upload_id);
  storage::AppendUint64(&k, part_number);
  return k;
}

std::string NewVersionId(uint64_t seq) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(seq));
  return std::string(hex) + RandomAlnum(16);
}

bool VersionIdSeq(std::string_view version_id, uint64_t* seq) {
  if (version_id.size() != 32) return false;
  uint64_t v = 0;
  for (char c : version_id.substr(0, 16)) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  for (char c : version_id.substr(16))
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  *seq = v;
  return true;
}

json::value BucketRecord::ToJson() const {
  json::object o{{"name", name},
                 {"account", account},
                 {"region", region},
                 {"created_ms", created_ms},
                 {"versioning", versioning},
                 {"object_lock", object_lock},
                 {"config", config}};
  if (!mfa_delete.empty()) o["mfa_delete"] = mfa_delete;
  if (null_slot) o["null_slot"] = true;
  return o;
}

std::optional<BucketRecord> BucketRecord::FromJson(std::string_view text) {
  auto o = ParseObject(text);
  if (!o) return std::nullopt;
  BucketRecord b;
  b.name = GetString(*o, "name");
  b.account = GetString(*o, "account");
  b.region = GetString(*o, "region");
  b.created_ms = GetInt(*o, "created_ms");
  b.versioning = GetString(*o, "versioning");
  b.mfa_delete = GetString(*o, "mfa_delete");
  auto* lock = o->if_contains("object_lock");
  b.object_lock = lock && lock->is_bool() && lock->get_bool();
  auto* slot = o->if_contains("null_slot");
  b.null_slot = slot && slot->is_bool() && slot->get_bool();
  b.config = GetObject(*o, "config");
  return b;
}

json::value ObjectRecord::ToJson() const {
  json::object o{{"v", version_id}, {"lm", last_modified_ms}, {"ow", owner}};
  if (delete_marker) {
    o["dm"] = true;
    return o;
  }
  o["sz"] = size;
  o["et"] = etag;
  if (!blob.empty()) o["bl"] = blob;
  if (!headers.empty()) o["h"] = headers;
  if (!metadata.empty()) o["m"] = metadata;
  if (!storage_class.empty()) o["sc"] = storage_class;
  if (!checksum_algorithm.empty()) {
    o["ca"] = checksum_algorithm;
    o["cv"] = checksum;
    o["ct"] = checksum_type;
  }
  if (!parts.empty()) {
    json::array ps;
    for (const auto& p : parts)
      ps.push_back(json::array{p.size, json::string(p.etag), json::string(p.checksum)});
    o["parts"] = std::move(ps);
  }
  if (!tags.empty()) o["tags"] = TagsToJson(tags);
  return o;
}

std::string ObjectRecord::ToValue() const {
  std::string value = json::serialize(ToJson());
  if (!data.empty()) {
    value.reserve(value.size() + 1 + data.size());
    value += '\0';
    value += data;
  }
  return value;
}

std::optional<ObjectRecord> ObjectRecord::FromValue(std::string_view value, std::string key,
                                                    uint64_t seq) {
  auto r = FromJson(value, std::move(key), seq);
  if (!r) return r;
  auto nul = value.find('\0');
  if (nul != std::string_view::npos) r->data.assign(value.substr(nul + 1));
  return r;
}

std::optional<ObjectRecord> ObjectRecord::FromJson(std::string_view value, std::string key,
                                                   uint64_t seq) {
  std::string_view text = value.substr(0, value.find('\0'));
  // Parsed into a stack buffer (every GetObject and each of ListObjectsV2's 1,000 entries reads
  // a record): nothing of the parsed document outlives this function (GetObject copies out).
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof(buffer));
  json::error_code ec;
  json::value parsed = json::parse(text, ec, &arena);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::object* o = &parsed.get_object();
  ObjectRecord r;
  r.key = std::move(key);
  r.seq = seq;
  r.version_id = GetString(*o, "v");
  r.last_modified_ms = GetInt(*o, "lm");
  r.owner = GetString(*o, "ow");
  auto* dm = o->if_contains("dm");
  r.delete_marker = dm && dm->is_bool() && dm->get_bool();
  r.size = GetUint(*o, "sz");
  r.etag = GetString(*o, "et");
  r.blob = GetString(*o, "bl");
  r.headers = GetObject(*o, "h");
  r.metadata = GetObject(*o, "m");
  r.storage_class = GetString(*o, "sc");
  r.checksum_algorithm = GetString(*o, "ca");
  r.checksum = GetString(*o, "cv");
  r.checksum_type = GetString(*o, "ct");
  if (auto* ps = o->if_contains("parts"); ps && ps->is_array()) {
    for (const auto& p : ps->get_array()) {
      if (!p.is_array() || p.get_array().size() != 3) continue;
      const auto& a = p.get_array();
      PartInfo info;
      if (a[0].is_uint64()) info.size = a[0].get_uint64();
      if (a[0].is_int64()) info.size = static_cast<uint64_t>(a[0].get_int64());
      if (a[1].is_string()) info.etag = std::string(a[1].get_string());
      if (a[2].is_string()) info.checksum = std::string(a[2].get_string());
      r.parts.push_back(std::move(info));
    }
  }
  r.tags = TagsFromJson(*o);
  return r;
}

json::value UploadRecord::ToJson() const {
  json::object o{{"id", upload_id},
                 {"key", key},
                 {"bucket", bucket},
                 {"initiated_ms", initiated_ms},
                 {"owner", owner},
                 {"headers", headers},
                 {"metadata", metadata},
                 {"storage_class", storage_class},
                 {"checksum_algorithm", checksum_algorithm},
                 {"checksum_type", checksum_type}};
  if (!tags.empty()) o["tags"] = TagsToJson(tags);
  return o;
}

std::optional<UploadRecord> UploadRecord::FromJson(std::string_view text) {
  auto o = ParseObject(text);
  if (!o) return std::nullopt;
  UploadRecord u;
  u.upload_id = GetString(*o, "id");
  u.key = GetString(*o, "key");
  u.bucket = GetString(*o, "bucket");
  u.initiated_ms = GetInt(*o, "initiated_ms");
  u.owner = GetString(*o, "owner");
  u.headers = GetObject(*o, "headers");
  u.metadata = GetObject(*o, "metadata");
  u.storage_class = GetString(*o, "storage_class");
  u.checksum_algorithm = GetString(*o, "checksum_algorithm");
  u.checksum_type = GetString(*o, "checksum_type");
  u.tags = TagsFromJson(*o);
  return u;
}

json::value PartRecord::ToJson() const {
  return json::object{{"n", part_number},       {"sz", size}, {"et", etag},
                      {"lm", last_modified_ms}, {"bl", blob}, {"ca", checksum_algorithm},
                      {"cv", checksum}};
}

std::optional<PartRecord> PartRecord::FromJson(std::string_view text) {
  auto o = ParseObject(text);
  if (!o) return std::nullopt;
  PartRecord p;
  p.part_number = static_cast<uint32_t>(GetUint(*o, "n"));
  p.size = GetUint(*o, "sz");
  p.etag = GetString(*o, "et");
  p.last_modified_ms = GetInt(*o, "lm");
  p.blob = GetString(*o, "bl");
  p.checksum_algorithm = GetString(*o, "ca");
  p.checksum = GetString(*o, "cv");
  return p;
}

}  // namespace nimbus::s3
