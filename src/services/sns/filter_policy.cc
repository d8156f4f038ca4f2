#include "services/sns/filter_policy.h"

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstring>
#include <unordered_map>

namespace nimbus::sns {

namespace {

using Condition = FilterPolicy::Condition;
using Kind = FilterPolicy::Condition::Kind;

// AWS's limits
// (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
constexpr size_t kMaxKeys = 5;
constexpr double kMaxCombinations = 150;

bool IsNumericOperator(std::string_view op) {
  return op == "<" || op == "<=" || op == "=" || op == ">" || op == ">=";
}

std::string Render(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

// The operator's name in AWS's "Value of ... must be numeric" message.
std::string OperatorName(std::string_view op) { return op == "=" ? "equals" : std::string(op); }

bool ParseNumeric(const json::array& a, Condition* out, std::string* error) {
  auto fail = [&](std::string why) {
    *error = "FilterPolicy: " + std::move(why);
    return false;
  };
  if (a.empty()) return fail("Invalid member in numeric match: ]");
  if (!a[0].is_string()) return fail("Invalid member in numeric match: " + Render(a[0]));
  std::string op1(a[0].get_string());
  if (!IsNumericOperator(op1)) return fail("Unrecognized numeric range operator: " + op1);
  if (a.size() < 2 || !a[1].is_number())
    return fail("Value of " + OperatorName(op1) + " must be numeric");
  double v1 = a[1].to_number<double>();
  out->kind = Kind::kNumeric;
  out->ranges.emplace_back(op1, v1);
  if (a.size() == 2) return true;
  if (op1 != ">" && op1 != ">=") return fail("Too many elements in numeric expression");
  if (!a[2].is_string()) return fail("Bad value in numeric range: " + Render(a[2]));
  std::string op2(a[2].get_string());
  if (op2 != "<" && op2 != "<=") return fail("Bad numeric range operator: " + op2);
  if (a.size() < 4 || !a[3].is_number())
    return fail("Value of " + OperatorName(op2) + " must be numeric");
  double v2 = a[3].to_number<double>();
  if (v2 <= v1) return fail("Bottom must be less than top");
  if (a.size() > 4) return fail("Too many terms in numeric range expression");
  out->ranges.emplace_back(op2, v2);
  return true;
}

// Parses "a.b.c.d" or an IPv6 address into network-order bytes; 0 when neither.
int ParseIp(const std::string& text, unsigned char* bytes) {
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return 4;
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) return 6;
  return 0;
}

bool ParseCidr(const json::value& v, Condition* out, std::string* error) {
  // AWS answers the prefix operator's wording for a non-string cidr operand.
  if (!v.is_string()) {
    *error = "FilterPolicy: prefix match pattern must be a string";
    return false;
  }
  std::string text(v.get_string());
  auto slash = text.find('/');
  if (slash == std::string::npos || text.find('/', slash + 1) != std::string::npos) {
    *error = "FilterPolicy: Malformed CIDR, one '/' required";
    return false;
  }
  std::string ip = text.substr(0, slash), mask = text.substr(slash + 1);
  bool digits = !mask.empty() && mask.size() <= 3;
  for (char c : mask) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (!digits) {
    *error = "FilterPolicy: Malformed CIDR, mask bits must be an integer";
    return false;
  }
  int family = ParseIp(ip, out->cidr_net);
  int bits = std::stoi(mask);
  if (family == 0 || bits > (family == 4 ? 32 : 128)) {
    *error = "FilterPolicy: Nonstandard IP address: " + ip;
    return false;
  }
  out->kind = Kind::kCidr;
  out->cidr_family = family;
  out->cidr_bits = bits;
  return true;
}

bool ParseCondition(const json::value& rule, Condition* out, std::string* error) {
  if (rule.is_string() || rule.is_number() || rule.is_bool() || rule.is_null()) {
    out->kind = Kind::kEquals;
    out->value = rule;
    return true;
  }
  if (!rule.is_object()) {
    *error = "FilterPolicy: Match value must be String, number, true, false, or null";
    return false;
  }
  const auto& o = rule.get_object();
  if (o.size() != 1) {
    *error = "FilterPolicy: Only one key allowed in match expression";
    return false;
  }
  std::string op(o.begin()->key());
  const json::value& v = o.begin()->value();
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
    if (!v.is_string()) {
      *error = "FilterPolicy: " + op + " match pattern must be a string";
      return false;
    }
    out->kind = op == "prefix"   ? Kind::kPrefix
                : op == "suffix" ? Kind::kSuffix
                                 : Kind::kEqualsIgnoreCase;
    out->text = std::string(v.get_string());
    return true;
  }
  if (op == "anything-but") {
    if (v.is_object()) {
      const auto& inner = v.get_object();
      for (const auto& kv : inner) {
        if (kv.key() != "prefix") {
          *error = "FilterPolicy: Unsupported anything-but pattern: " + std::string(kv.key());
          return false;
        }
      }
      const json::value* prefix = inner.if_contains("prefix");
      if (!prefix || !prefix->is_string()) {
        *error = "FilterPolicy: prefix match pattern must be a string";
        return false;
      }
      out->kind = Kind::kAnythingButPrefix;
      out->text = std::string(prefix->get_string());
      return true;
    }
    out->kind = Kind::kAnythingBut;
    if (v.is_array()) {
      for (const auto& e : v.get_array()) {
        if (e.is_object() || e.is_array()) {
          *error = "FilterPolicy: Match value must be String, number, true, false, or null";
          return false;
        }
        out->values.push_back(e);
      }
    } else {
      out->values.push_back(v);
    }
    return true;
  }
  if (op == "exists") {
    if (!v.is_bool()) {
      *error = "FilterPolicy: exists match pattern must be either true or false.";
      return false;
    }
    out->kind = Kind::kExists;
    out->exists = v.get_bool();
    return true;
  }
  if (op == "numeric") {
    if (!v.is_array()) {
      *error = "FilterPolicy: Value of numeric must be an array.";
      return false;
    }
    return ParseNumeric(v.get_array(), out, error);
  }
  if (op == "cidr") return ParseCidr(v, out, error);
  *error = "FilterPolicy: Unrecognized match type " + op;
  return false;
}

// Checks the policy's shape and counts its combinations as AWS documents: the product of each
// key's number of values times its nesting depth, $or alternatives summed. Collects the value
// lists in document order.
bool Walk(const json::object& obj, FilterScope scope, int depth, double* combinations,
          std::vector<const json::array*>* leaves, std::string* error) {
  double c = *combinations;
  for (const auto& kv : obj) {
    const json::value& v = kv.value();
    if (v.is_object()) {
      if (!Walk(v.get_object(), scope, depth + 1, &c, leaves, error)) return false;
    } else if (v.is_array()) {
      const auto& a = v.get_array();
      if (a.empty()) {
        *error = "FilterPolicy: Empty arrays are not allowed";
        return false;
      }
      if (kv.key() == "$or") {
        double sum = 0;
        for (const auto& alternative : a) {
          if (!alternative.is_object()) {
            *error = "FilterPolicy: \"$or\" must be an array of objects";
            return false;
          }
          double branch = c;
          if (!Walk(alternative.get_object(), scope, depth, &branch, leaves, error)) return false;
          sum += branch;
        }
        c = sum;
      } else {
        leaves->push_back(&a);
        c *= static_cast<double>(a.size()) * depth;
      }
    } else {
      *error = "FilterPolicy: \"" + std::string(kv.key()) + "\" must be an object or an array";
      return false;
    }
  }
  if (scope == FilterScope::kMessageAttributes && depth > 1) {
    *error = "Filter policy scope MessageAttributes does not support nested filter policy";
    return false;
  }
  *combinations = c;
  return true;
}

using Conditions = std::unordered_map<const json::array*, std::vector<Condition>>;

// Expands $or into alternatives; each alternative lists (dotted key, conditions).
void Expand(const json::object& obj, const std::string& prefix, const Conditions& conditions,
            std::vector<FilterPolicy::Branch>* branches) {
  for (const auto& kv : obj) {
    const json::value& v = kv.value();
    std::string key(kv.key());
    if (key == "$or" && v.is_array()) {
      std::vector<FilterPolicy::Branch> expanded;
      for (const auto& alternative : v.get_array()) {
        std::vector<FilterPolicy::Branch> copy = *branches;
        Expand(alternative.get_object(), prefix, conditions, &copy);
        for (auto& b : copy) expanded.push_back(std::move(b));
      }
      *branches = std::move(expanded);
    } else if (v.is_object()) {
      Expand(v.get_object(), prefix + key + ".", conditions, branches);
    } else {
      const auto& list = conditions.at(&v.get_array());
      for (auto& b : *branches) b.keys.emplace_back(prefix + key, list);
    }
  }
}

// The values a key has in a message: absent, present without comparable values (Binary), or
// present with one or more values (arrays contribute each element).
struct Field {
  bool present = false;
  std::vector<json::value> values;
};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool SameValue(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_string() && b.is_string()) return a.get_string() == b.get_string();
  if (a.is_bool() && b.is_bool()) return a.get_bool() == b.get_bool();
  return a.is_null() && b.is_null();
}

bool InCidr(const Condition& c, std::string_view text) {
  unsigned char bytes[16] = {};
  if (ParseIp(std::string(text), bytes) != c.cidr_family) return false;
  int full = c.cidr_bits / 8, rest = c.cidr_bits % 8;
  if (std::memcmp(bytes, c.cidr_net, static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (c.cidr_net[full] & mask);
}

bool MatchValue(const Condition& c, const json::value& v) {
  switch (c.kind) {
    case Kind::kEquals:
      return SameValue(c.value, v);
    case Kind::kPrefix:
      return v.is_string() && StartsWith(v.get_string(), c.text);
    case Kind::kSuffix:
      return v.is_string() && EndsWith(v.get_string(), c.text);
    case Kind::kEqualsIgnoreCase:
      return v.is_string() && EqualsIgnoreCase(v.get_string(), c.text);
    case Kind::kAnythingBut:
      for (const auto& x : c.values)
        if (SameValue(x, v)) return false;
      return true;
    case Kind::kAnythingButPrefix:
      return v.is_string() && !StartsWith(v.get_string(), c.text);
    case Kind::kNumeric: {
      if (!v.is_number()) return false;
      double x = v.to_number<double>();
      for (const auto& [op, operand] : c.ranges) {
        bool ok = op == "="    ? x == operand
                  : op == "<"  ? x < operand
                  : op == "<=" ? x <= operand
                  : op == ">"  ? x > operand
                               : x >= operand;
        if (!ok) return false;
      }
      return true;
    }
    case Kind::kCidr:
      return v.is_string() && InCidr(c, v.get_string());
    case Kind::kExists:
      return true;
  }
  return false;
}

bool MatchField(const std::vector<Condition>& conditions, const Field& f) {
  for (const auto& c : conditions) {
    if (c.kind == Kind::kExists) {
      if (c.exists == f.present) return true;
      continue;
    }
    if (!f.present) continue;
    for (const auto& v : f.values)
      if (MatchValue(c, v)) return true;
  }
  return false;
}

Field AttributeField(const json::object& attributes, const std::string& name) {
  Field f;
  const json::value* attr = attributes.if_contains(name);
  if (!attr || !attr->is_object()) return f;
  f.present = true;
  const auto& a = attr->get_object();
  const json::value* type = a.if_contains("DataType");
  const json::value* text = a.if_contains("StringValue");
  if (!type || !type->is_string() || !text || !text->is_string()) return f;
  std::string_view dt = type->get_string();
  std::string_view s = text->get_string();
  if (dt == "String.Array") {
    json::error_code ec;
    json::value parsed = json::parse(s, ec);
    if (!ec && parsed.is_array())
      for (const auto& e : parsed.get_array())
        if (!e.is_object() && !e.is_array()) f.values.push_back(e);
  } else if (StartsWith(dt, "Number")) {
    json::error_code ec;
    json::value parsed = json::parse(s, ec);
    if (!ec && parsed.is_number()) f.values.push_back(parsed);
  } else if (StartsWith(dt, "String")) {
    f.values.emplace_back(json::string(s));
  }
  return f;
}

void Flatten(const json::value& v, const std::string& path,
             std::unordered_map<std::string, Field>* out) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object())
      Flatten(kv.value(), path.empty() ? std::string(kv.key()) : path + "." + std::string(kv.key()),
              out);
  } else if (v.is_array()) {
    for (const auto& e : v.get_array()) Flatten(e, path, out);
  } else {
    Field& f = (*out)[path];
    f.present = true;
    f.values.push_back(v);
  }
}

}  // namespace

FilterPolicy::FilterPolicy() = default;
FilterPolicy::~FilterPolicy() = default;

std::unique_ptr<FilterPolicy> FilterPolicy::Parse(std::string_view text, FilterScope scope,
                                                  std::string* error) {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) {
    *error = "FilterPolicy: failed to parse JSON. " + ec.message();
    return nullptr;
  }
  if (!doc.is_object()) {
    *error = "FilterPolicy: Filter policy must be a JSON object";
    return nullptr;
  }
  const auto& root = doc.get_object();
  if (root.size() > kMaxKeys) {
    *error = "FilterPolicy: Filter policy can not have more than 5 keys";
    return nullptr;
  }
  double combinations = 1;
  std::vector<const json::array*> leaves;
  if (!Walk(root, scope, 1, &combinations, &leaves, error)) return nullptr;
  if (combinations > kMaxCombinations) {
    *error = "FilterPolicy: Filter policy is too complex";
    return nullptr;
  }
  Conditions conditions;
  for (const json::array* leaf : leaves) {
    auto& list = conditions[leaf];
    for (const auto& rule : *leaf) {
      Condition c;
      if (!ParseCondition(rule, &c, error)) return nullptr;
      list.push_back(std::move(c));
    }
  }
  std::unique_ptr<FilterPolicy> policy(new FilterPolicy());
  policy->scope_ = scope;
  policy->branches_.emplace_back();
  Expand(root, "", conditions, &policy->branches_);
  return policy;
}

bool FilterPolicy::MatchAttributes(const json::object& attributes) const {
  for (const auto& branch : branches_) {
    bool all = true;
    for (const auto& [key, conditions] : branch.keys) {
      if (!MatchField(conditions, AttributeField(attributes, key))) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool FilterPolicy::MatchBody(std::string_view body) const {
  json::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return false;
  std::unordered_map<std::string, Field> fields;
  Flatten(doc, "", &fields);
  static const Field kAbsent;
  for (const auto& branch : branches_) {
    bool all = true;
    for (const auto& [key, conditions] : branch.keys) {
      auto it = fields.find(key);
      if (!MatchField(conditions, it == fields.end() ? kAbsent : it->second)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace nimbus::sns
