// A recursive checker of JSON Schema draft 4: each keyword present in a schema is one check on
// the instance; the first failing one names the member path where it failed.
#include "services/apigateway/json_schema.h"

#include <boost/json.hpp>
#include <cmath>
#include <regex>
#include <unordered_map>

#include "services/execute_api/openapi_common.h"

namespace nimbus::apigateway {

namespace {

constexpr int kMaxDepth = 64;

// Compiled patterns, per thread (std::regex is costlier to build than to run); an invalid
// pattern throws std::regex_error as building it does. Bounded by clearing when full.
const std::regex& Compiled(std::string_view pattern) {
  thread_local std::unordered_map<std::string, std::regex> cache;
  std::string key(pattern);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() >= 256) cache.clear();
  std::regex re(key, std::regex::ECMAScript);
  return cache.emplace(std::move(key), std::move(re)).first->second;
}

std::string TypeOf(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return std::floor(v.get_double()) == v.get_double() ? "integer" : "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "null";
}

bool IsType(const json::value& v, std::string_view type) {
  std::string t = TypeOf(v);
  return t == type || (type == "number" && t == "integer");
}

double Number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.is_double() ? v.get_double() : 0;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// JSON equality for enum and uniqueItems: numbers compare by value.
bool Equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return Number(a) == Number(b);
  return a == b;
}

class Checker {
 public:
  Checker(const json::value& root, const SchemaResolver& resolve)
      : root_(root), resolve_(resolve) {}

  std::optional<std::string> Check(const json::value& schema, const json::value& v,
                                   const std::string& where, int depth) {
    if (depth > kMaxDepth) return where + ": the schema nests or refers too deeply";
    if (!schema.is_object()) return std::nullopt;  // draft 4: a schema is an object
    const json::object& s = schema.get_object();
    if (const auto* ref = s.if_contains("$ref"); ref && ref->is_string()) {
      std::string_view r = ref->get_string();
      const json::value* target = execute_api::ResolvePointer(root_, r);
      if (!target && resolve_) target = resolve_(r);
      if (!target) return where + ": unresolvable reference " + std::string(r);
      return Check(*target, v, where, depth + 1);
    }
    if (auto e = CheckType(s, v, where)) return e;
    if (const auto* e = s.if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const auto& x : e->get_array()) found = found || Equal(x, v);
      if (!found) return where + ": value is not one of the enumerated values";
    }
    if (v.is_number())
      if (auto e = CheckNumber(s, v, where)) return e;
    if (v.is_string())
      if (auto e = CheckString(s, v.get_string(), where)) return e;
    if (v.is_array())
      if (auto e = CheckArray(s, v.get_array(), where, depth)) return e;
    if (v.is_object())
      if (auto e = CheckObject(s, v.get_object(), where, depth)) return e;
    return CheckCombinators(s, v, where, depth);
  }

 private:
  const json::value& root_;
  const SchemaResolver& resolve_;

  std::optional<std::string> CheckType(const json::object& s, const json::value& v,
                                       const std::string& where) {
    const auto* t = s.if_contains("type");
    if (!t) return std::nullopt;
    if (t->is_string()) {
      if (!IsType(v, t->get_string()))
        return where + ": expected type " + std::string(t->get_string()) + " but found " +
               TypeOf(v);
    } else if (t->is_array()) {
      for (const auto& x : t->get_array())
        if (x.is_string() && IsType(v, x.get_string())) return std::nullopt;
      return where + ": instance type " + TypeOf(v) + " is not allowed";
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckNumber(const json::object& s, const json::value& v,
                                         const std::string& where) {
    double n = Number(v);
    auto flag = [&](std::string_view k) {
      const auto* f = s.if_contains(k);
      return f && f->is_bool() && f->get_bool();
    };
    if (const auto* m = s.if_contains("minimum"); m && m->is_number()) {
      double lim = Number(*m);
      if (flag("exclusiveMinimum") ? n <= lim : n < lim)
        return where + ": numeric instance is lower than the required minimum";
    }
    if (const auto* m = s.if_contains("maximum"); m && m->is_number()) {
      double lim = Number(*m);
      if (flag("exclusiveMaximum") ? n >= lim : n > lim)
        return where + ": numeric instance is greater than the required maximum";
    }
    if (const auto* m = s.if_contains("multipleOf"); m && m->is_number() && Number(*m) > 0) {
      double q = n / Number(*m);
      if (std::fabs(q - std::round(q)) > 1e-9)
        return where + ": numeric instance is not a multiple of " + json::serialize(*m);
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckString(const json::object& s, std::string_view str,
                                         const std::string& where) {
    size_t len = CodePoints(str);
    if (const auto* m = s.if_contains("minLength"); m && m->is_number() && len < Number(*m))
      return where + ": string is too short";
    if (const auto* m = s.if_contains("maxLength"); m && m->is_number() && len > Number(*m))
      return where + ": string is too long";
    if (const auto* p = s.if_contains("pattern"); p && p->is_string()) {
      if (str.size() > kMaxPatternSubject)
        return where + ": string is too long to match against a pattern";
      try {
        if (!std::regex_search(str.begin(), str.end(), Compiled(p->get_string())))
          return where + ": string does not match pattern " + std::string(p->get_string());
      } catch (const std::exception&) {
        return where + ": invalid pattern " + std::string(p->get_string());
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckArray(const json::object& s, const json::array& a,
                                        const std::string& where, int depth) {
    if (const auto* m = s.if_contains("minItems"); m && m->is_number() && a.size() < Number(*m))
      return where + ": array is too short";
    if (const auto* m = s.if_contains("maxItems"); m && m->is_number() && a.size() > Number(*m))
      return where + ": array is too long";
    if (const auto* u = s.if_contains("uniqueItems"); u && u->is_bool() && u->get_bool())
      for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = i + 1; j < a.size(); ++j)
          if (Equal(a[i], a[j])) return where + ": array must not contain duplicate elements";
    const auto* items = s.if_contains("items");
    if (!items) return std::nullopt;
    if (items->is_object()) {
      for (size_t i = 0; i < a.size(); ++i)
        if (auto e = Check(*items, a[i], where + "[" + std::to_string(i) + "]", depth + 1))
          return e;
    } else if (items->is_array()) {
      const auto& tuple = items->get_array();
      const auto* extra = s.if_contains("additionalItems");
      for (size_t i = 0; i < a.size(); ++i) {
        std::string at = where + "[" + std::to_string(i) + "]";
        if (i < tuple.size()) {
          if (auto e = Check(tuple[i], a[i], at, depth + 1)) return e;
        } else if (extra && extra->is_bool() && !extra->get_bool()) {
          return where + ": array has too many items";
        } else if (extra && extra->is_object()) {
          if (auto e = Check(*extra, a[i], at, depth + 1)) return e;
        }
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckObject(const json::object& s, const json::object& o,
                                         const std::string& where, int depth) {
    if (const auto* m = s.if_contains("minProperties");
        m && m->is_number() && o.size() < Number(*m))
      return where + ": object has too few properties";
    if (const auto* m = s.if_contains("maxProperties");
        m && m->is_number() && o.size() > Number(*m))
      return where + ": object has too many properties";
    if (const auto* r = s.if_contains("required"); r && r->is_array())
      for (const auto& name : r->get_array())
        if (name.is_string() && !o.contains(name.get_string()))
          return where + ": object has missing required property " + std::string(name.get_string());
    const json::object* props = nullptr;
    if (const auto* p = s.if_contains("properties"); p && p->is_object()) props = &p->get_object();
    const json::object* patterns = nullptr;
    if (const auto* p = s.if_contains("patternProperties"); p && p->is_object())
      patterns = &p->get_object();
    const auto* additional = s.if_contains("additionalProperties");
    for (const auto& [k, v] : o) {
      std::string at = where + "." + std::string(k);
      bool matched = false;
      if (props)
        if (const auto* ps = props->if_contains(k)) {
          matched = true;
          if (auto e = Check(*ps, v, at, depth + 1)) return e;
        }
      if (patterns)
        for (const auto& [pattern, ps] : *patterns) {
          bool hit = false;
          try {
            hit = k.size() <= kMaxPatternSubject &&
                  std::regex_search(k.begin(), k.end(), Compiled(pattern));
          } catch (const std::exception&) {
            return where + ": invalid pattern " + std::string(pattern);
          }
          if (!hit) continue;
          matched = true;
          if (auto e = Check(ps, v, at, depth + 1)) return e;
        }
      if (matched || !additional) continue;
      if (additional->is_bool() && !additional->get_bool())
        return where +
               ": object instance has a property not allowed by the schema: " + std::string(k);
      if (additional->is_object())
        if (auto e = Check(*additional, v, at, depth + 1)) return e;
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckCombinators(const json::object& s, const json::value& v,
                                              const std::string& where, int depth) {
    if (const auto* all = s.if_contains("allOf"); all && all->is_array())
      for (const auto& sub : all->get_array())
        if (auto e = Check(sub, v, where, depth + 1)) return e;
    if (const auto* any = s.if_contains("anyOf"); any && any->is_array()) {
      bool ok = false;
      for (const auto& sub : any->get_array()) ok = ok || !Check(sub, v, where, depth + 1);
      if (!ok) return where + ": instance failed to match any of the schemas of anyOf";
    }
    if (const auto* one = s.if_contains("oneOf"); one && one->is_array()) {
      int n = 0;
      for (const auto& sub : one->get_array()) n += Check(sub, v, where, depth + 1) ? 0 : 1;
      if (n != 1) return where + ": instance failed to match exactly one schema of oneOf";
    }
    if (const auto* no = s.if_contains("not"); no && no->is_object())
      if (!Check(*no, v, where, depth + 1)) return where + ": instance matched a forbidden schema";
    return std::nullopt;
  }
};

}  // namespace

std::optional<std::string> ValidateJsonSchema(const json::value& schema,
                                              const json::value& instance,
                                              const SchemaResolver& resolve) {
  return Checker(schema, resolve).Check(schema, instance, "instance", 0);
}

}  // namespace nimbus::apigateway
