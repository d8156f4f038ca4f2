#include "services/dynamodb/types/item_codec.h"

#include "services/dynamodb/types/attribute_value.h"

namespace nimbus::dynamodb {

namespace {

// Tags: one byte per value; BOOL carries its value in the tag.
enum Tag : uint8_t {
  kTagS = 1,
  kTagN = 2,
  kTagB = 3,
  kTagTrue = 4,
  kTagFalse = 5,
  kTagNull = 6,
  kTagL = 7,
  kTagM = 8,
  kTagSS = 9,
  kTagNS = 10,
  kTagBS = 11,
};

constexpr int kMaxDecodeDepth = 64;

void AppendBytes(std::string* out, std::string_view s) {
  AppendVarint(out, s.size());
  out->append(s);
}

bool ConsumeBytes(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!ConsumeVarint(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

void EncodeMap(const json::object& m, std::string* out);

void EncodeValue(const json::object& av, std::string* out) {
  const json::value& p = PayloadOf(av);
  switch (TypeOf(av)) {
    case AttrType::kS:
      out->push_back(kTagS);
      AppendBytes(out, p.get_string());
      return;
    case AttrType::kN:
      out->push_back(kTagN);
      AppendBytes(out, p.get_string());
      return;
    case AttrType::kB:
      out->push_back(kTagB);
      AppendBytes(out, p.get_string());
      return;
    case AttrType::kBool:
      out->push_back(p.get_bool() ? kTagTrue : kTagFalse);
      return;
    case AttrType::kNull:
      out->push_back(kTagNull);
      return;
    case AttrType::kL:
      out->push_back(kTagL);
      AppendVarint(out, p.get_array().size());
      for (const auto& e : p.get_array()) EncodeValue(e.get_object(), out);
      return;
    case AttrType::kM:
      out->push_back(kTagM);
      EncodeMap(p.get_object(), out);
      return;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      AttrType t = TypeOf(av);
      out->push_back(t == AttrType::kSS ? kTagSS : t == AttrType::kNS ? kTagNS : kTagBS);
      AppendVarint(out, p.get_array().size());
      for (const auto& e : p.get_array()) AppendBytes(out, e.get_string());
      return;
    }
  }
}

void EncodeMap(const json::object& m, std::string* out) {
  AppendVarint(out, m.size());
  for (const auto& [k, v] : m) {
    AppendBytes(out, k);
    EncodeValue(v.get_object(), out);
  }
}

bool DecodeMap(std::string_view* in, json::object* out, int depth);

bool DecodeValue(std::string_view* in, json::value* out, int depth) {
  if (in->empty() || depth > kMaxDecodeDepth) return false;
  uint8_t tag = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  json::object av(out->storage());
  std::string_view s;
  uint64_t n;
  switch (tag) {
    case kTagS:
    case kTagN:
    case kTagB:
      if (!ConsumeBytes(in, &s)) return false;
      av.emplace(tag == kTagS ? "S" : tag == kTagN ? "N" : "B", json::string(s));
      break;
    case kTagTrue:
    case kTagFalse:
      av.emplace("BOOL", tag == kTagTrue);
      break;
    case kTagNull:
      av.emplace("NULL", true);
      break;
    case kTagL: {
      if (!ConsumeVarint(in, &n) || n > in->size()) return false;
      json::array list(out->storage());
      list.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        json::value e;
        if (!DecodeValue(in, &e, depth + 1)) return false;
        list.push_back(std::move(e));
      }
      av.emplace("L", std::move(list));
      break;
    }
    case kTagM: {
      json::object m(out->storage());
      if (!DecodeMap(in, &m, depth + 1)) return false;
      av.emplace("M", std::move(m));
      break;
    }
    case kTagSS:
    case kTagNS:
    case kTagBS: {
      if (!ConsumeVarint(in, &n) || n > in->size()) return false;
      json::array set(out->storage());
      set.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (!ConsumeBytes(in, &s)) return false;
        set.emplace_back(json::string(s));
      }
      av.emplace(tag == kTagSS ? "SS" : tag == kTagNS ? "NS" : "BS", std::move(set));
      break;
    }
    default:
      return false;
  }
  *out = std::move(av);
  return true;
}

bool DecodeMap(std::string_view* in, json::object* out, int depth) {
  uint64_t n;
  if (!ConsumeVarint(in, &n) || n > in->size()) return false;
  out->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k;
    if (!ConsumeBytes(in, &k)) return false;
    json::value v;
    if (!DecodeValue(in, &v, depth)) return false;
    out->emplace(k, std::move(v));
  }
  return true;
}

}  // namespace

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool ConsumeVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; shift < 64; shift += 7, ++i) {
    if (static_cast<size_t>(i) >= in->size()) return false;
    uint8_t byte = static_cast<uint8_t>((*in)[i]);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) {
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}

void EncodeItem(const json::object& item, size_t item_size, std::string* out) {
  AppendVarint(out, item_size);
  EncodeMap(item, out);
}

bool DecodeItem(std::string_view bytes, json::object* item) {
  uint64_t size;
  if (!ConsumeVarint(&bytes, &size)) return false;
  item->clear();
  return DecodeMap(&bytes, item, 0) && bytes.empty();
}

bool DecodeItemSize(std::string_view bytes, size_t* item_size) {
  uint64_t size;
  if (!ConsumeVarint(&bytes, &size)) return false;
  *item_size = static_cast<size_t>(size);
  return true;
}

}  // namespace nimbus::dynamodb
