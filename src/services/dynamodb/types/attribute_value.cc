#include "services/dynamodb/types/attribute_value.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "core/common/encoding.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/types/number.h"

namespace nimbus::dynamodb {

namespace {

constexpr std::string_view kTypeNames[] = {"S", "N", "B",  "BOOL", "NULL",
                                           "L", "M", "SS", "NS",   "BS"};

ApiError Invalid(std::string_view what) {
  return ValidationError(std::string(kInvalidParams) + std::string(what));
}

std::string JoinList(const json::array& a, bool base64) {
  std::string out = "[";
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) out += ", ";
    if (a[i].is_string())
      out += base64 ? Base64Encode(a[i].get_string()) : std::string(a[i].get_string());
  }
  return out + "]";
}

Status ValidateSet(AttrType type, json::array& set) {
  if (set.empty()) {
    if (type == AttrType::kSS) return Invalid("An string set  may not be empty");
    if (type == AttrType::kNS) return Invalid("An number set  may not be empty");
    return Invalid("Binary sets should not be empty");
  }
  std::unordered_set<std::string_view> seen;
  bool duplicate = false;
  for (auto& e : set) {
    if (!e.is_string()) return ValidationError("Supplied AttributeValue has an invalid set member");
    if (type == AttrType::kNS) {
      auto n = CanonicalNumber(e.get_string());
      if (!n) return std::move(n).error();
      e = json::string(*n);
    }
  }
  for (const auto& e : set)
    if (!seen.insert(std::string_view(e.get_string())).second) duplicate = true;
  if (!duplicate) return Ok{};
  if (type == AttrType::kNS) return ValidationError("Input collection contains duplicates");
  if (type == AttrType::kSS)
    return Invalid("Input collection " + JoinList(set, false) + " contains duplicates.");
  return Invalid("Input collection " + JoinList(set, true) + "of type BS contains duplicates.");
}

Status Validate(json::value& v, int depth) {
  if (!v.is_object() || v.get_object().empty())
    return ValidationError(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  auto& o = v.get_object();
  if (o.size() > 1)
    return ValidationError(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes");
  AttrType type;
  if (!ParseTypeName(o.begin()->key(), &type))
    return ValidationError(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  json::value& payload = o.begin()->value();
  switch (type) {
    case AttrType::kS:
    case AttrType::kB:
      if (!payload.is_string()) return ValidationError("Supplied AttributeValue is invalid");
      return Ok{};
    case AttrType::kN: {
      if (!payload.is_string()) return ValidationError("Supplied AttributeValue is invalid");
      auto n = CanonicalNumber(payload.get_string());
      if (!n) return std::move(n).error();
      payload = json::string(*n);
      return Ok{};
    }
    case AttrType::kBool:
      if (!payload.is_bool()) return ValidationError("Supplied AttributeValue is invalid");
      return Ok{};
    case AttrType::kNull:
      if (!payload.is_bool() || !payload.get_bool())
        return Invalid("Null attribute value types must have the value of true");
      return Ok{};
    case AttrType::kL: {
      if (!payload.is_array()) return ValidationError("Supplied AttributeValue is invalid");
      if (depth >= kMaxNestingDepth)
        return Invalid("Nesting Levels have exceeded supported limits");
      for (auto& e : payload.get_array()) {
        auto st = Validate(e, depth + 1);
        if (!st) return st;
      }
      return Ok{};
    }
    case AttrType::kM: {
      if (!payload.is_object()) return ValidationError("Supplied AttributeValue is invalid");
      if (depth >= kMaxNestingDepth)
        return Invalid("Nesting Levels have exceeded supported limits");
      for (auto& [k, e] : payload.get_object()) {
        auto st = Validate(e, depth + 1);
        if (!st) return st;
      }
      return Ok{};
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      if (!payload.is_array()) return ValidationError("Supplied AttributeValue is invalid");
      return ValidateSet(type, payload.get_array());
  }
  return Ok{};
}

size_t ValueSize(const json::object& av);

size_t PayloadSize(AttrType type, const json::value& p) {
  switch (type) {
    case AttrType::kS:
    case AttrType::kB:
      return p.get_string().size();
    case AttrType::kN: {
      auto n = Number::Parse(p.get_string());
      return n ? n->StorageSize() : p.get_string().size();
    }
    case AttrType::kBool:
    case AttrType::kNull:
      return 1;
    case AttrType::kL: {
      size_t size = 3;
      for (const auto& e : p.get_array()) size += 1 + ValueSize(e.get_object());
      return size;
    }
    case AttrType::kM: {
      size_t size = 3;
      for (const auto& [k, e] : p.get_object()) size += 1 + k.size() + ValueSize(e.get_object());
      return size;
    }
    case AttrType::kSS:
    case AttrType::kBS: {
      size_t size = 0;
      for (const auto& e : p.get_array()) size += e.get_string().size();
      return size;
    }
    case AttrType::kNS: {
      size_t size = 0;
      for (const auto& e : p.get_array()) {
        auto n = Number::Parse(e.get_string());
        size += n ? n->StorageSize() : e.get_string().size();
      }
      return size;
    }
  }
  return 0;
}

size_t ValueSize(const json::object& av) { return PayloadSize(TypeOf(av), PayloadOf(av)); }

bool SetsEqual(const json::array& a, const json::array& b) {
  if (a.size() != b.size()) return false;
  std::vector<std::string_view> x, y;
  x.reserve(a.size());
  y.reserve(b.size());
  for (const auto& e : a) x.emplace_back(e.get_string());
  for (const auto& e : b) y.emplace_back(e.get_string());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

}  // namespace

std::string_view TypeName(AttrType type) { return kTypeNames[static_cast<int>(type)]; }

bool ParseTypeName(std::string_view name, AttrType* type) {
  for (int i = 0; i < 10; ++i) {
    if (kTypeNames[i] == name) {
      *type = static_cast<AttrType>(i);
      return true;
    }
  }
  return false;
}

AttrType TypeOf(const json::object& av) {
  std::string_view k = av.begin()->key();
  switch (k.size()) {
    case 1:
      return k[0] == 'S'   ? AttrType::kS
             : k[0] == 'N' ? AttrType::kN
             : k[0] == 'B' ? AttrType::kB
             : k[0] == 'L' ? AttrType::kL
                           : AttrType::kM;
    case 2:
      return k[0] == 'S' ? AttrType::kSS : k[0] == 'N' ? AttrType::kNS : AttrType::kBS;
    default:
      return k[0] == 'B' ? AttrType::kBool : AttrType::kNull;
  }
}

Status ValidateAttributeValue(json::value& av) { return Validate(av, 0); }

Status ValidateAttributeMap(json::value& map) {
  if (!map.is_object()) return ValidationError("Supplied AttributeValue map is invalid");
  for (auto& [k, v] : map.get_object()) {
    auto st = Validate(v, 0);
    if (!st) return st;
  }
  return Ok{};
}

bool ValuesEqual(const json::object& a, const json::object& b) {
  AttrType ta = TypeOf(a), tb = TypeOf(b);
  if (ta != tb) return false;
  const json::value& pa = PayloadOf(a);
  const json::value& pb = PayloadOf(b);
  switch (ta) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      return pa.get_string() == pb.get_string();
    case AttrType::kBool:
      return pa.get_bool() == pb.get_bool();
    case AttrType::kNull:
      return true;
    case AttrType::kL: {
      const auto& la = pa.get_array();
      const auto& lb = pb.get_array();
      if (la.size() != lb.size()) return false;
      for (size_t i = 0; i < la.size(); ++i)
        if (!ValuesEqual(la[i].get_object(), lb[i].get_object())) return false;
      return true;
    }
    case AttrType::kM: {
      const auto& ma = pa.get_object();
      const auto& mb = pb.get_object();
      if (ma.size() != mb.size()) return false;
      for (const auto& [k, v] : ma) {
        auto* other = mb.if_contains(k);
        if (!other || !ValuesEqual(v.get_object(), other->get_object())) return false;
      }
      return true;
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      return SetsEqual(pa.get_array(), pb.get_array());
  }
  return false;
}

std::optional<int> CompareScalars(const json::object& a, const json::object& b) {
  AttrType ta = TypeOf(a), tb = TypeOf(b);
  if (ta != tb) return std::nullopt;
  if (ta != AttrType::kS && ta != AttrType::kN && ta != AttrType::kB) return std::nullopt;
  return CompareKeyValues(a, b);
}

int CompareKeyValues(const json::object& a, const json::object& b) {
  std::string_view x = PayloadOf(a).get_string(), y = PayloadOf(b).get_string();
  if (TypeOf(a) == AttrType::kN) {
    if (x == y) return 0;
    auto nx = Number::Parse(x), ny = Number::Parse(y);
    if (!nx || !ny) return x.compare(y);
    return Number::Compare(*nx, *ny);
  }
  int c = x.compare(y);  // std::char_traits<char>::compare is memcmp: unsigned bytes
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

size_t AttributeValueSize(const json::object& av) { return ValueSize(av); }

size_t ItemSize(const json::object& item) {
  size_t size = 0;
  for (const auto& [k, v] : item) size += k.size() + ValueSize(v.get_object());
  return size;
}

json::value MakeS(std::string_view s) { return json::object{{"S", s}}; }
json::value MakeN(std::string_view canonical) { return json::object{{"N", canonical}}; }

std::string DescribeValue(const json::object& av) {
  AttrType t = TypeOf(av);
  const json::value& p = PayloadOf(av);
  std::string out = "{" + std::string(TypeName(t)) + ":";
  switch (t) {
    case AttrType::kS:
    case AttrType::kN:
      out += std::string(p.get_string());
      break;
    case AttrType::kB:
      out += Base64Encode(p.get_string());
      break;
    case AttrType::kBool:
      out += p.get_bool() ? "true" : "false";
      break;
    case AttrType::kNull:
      out += "true";
      break;
    default:
      out += json::serialize(p);
  }
  return out + "}";
}

}  // namespace nimbus::dynamodb
