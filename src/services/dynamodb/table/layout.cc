#include "services/dynamodb/table/layout.h"

#include "core/storage/key_encoding.h"
#include "services/dynamodb/types/attribute_value.h"
#include "services/dynamodb/types/number.h"

namespace nimbus::dynamodb {

std::string TableRecordPrefix(std::string_view account, std::string_view region) {
  return "t" + storage::ScopePrefix(account, region);
}

std::string TableRecordKey(std::string_view account, std::string_view region,
                           std::string_view table_name) {
  std::string key = TableRecordPrefix(account, region);
  storage::AppendOrderedString(&key, table_name);
  return key;
}

std::string DataPrefix(uint64_t storage_id) {
  std::string out = "d";
  storage::AppendUint64(&out, storage_id);
  return out;
}

void AppendKeyValue(std::string* out, const json::object& av) {
  const auto& s = PayloadOf(av).get_string();
  if (TypeOf(av) == AttrType::kN) {
    auto n = Number::Parse(s);
    if (n) {
      n->AppendOrderedKey(out);
      return;
    }
  }
  storage::AppendOrderedString(out, s);
}

void AppendPartitionHash(std::string* out, std::string_view encoded) {
  // FNV-1a with a final avalanche: stable across versions (it is part of the stored keys).
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : encoded) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  uint32_t v = static_cast<uint32_t>(h >> 32);
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>((v >> 16) & 0xFF));
  out->push_back(static_cast<char>((v >> 8) & 0xFF));
  out->push_back(static_cast<char>(v & 0xFF));
}

uint32_t SegmentStartHash(uint32_t segment, uint32_t total) {
  return static_cast<uint32_t>((static_cast<uint64_t>(segment) << 32) / total);
}

}  // namespace nimbus::dynamodb
