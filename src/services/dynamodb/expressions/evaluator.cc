#include "services/dynamodb/expressions/evaluator.h"

#include <algorithm>
#include <map>

#include "services/dynamodb/errors.h"
#include "services/dynamodb/types/attribute_value.h"
#include "services/dynamodb/types/number.h"

namespace nimbus::dynamodb::expr {

namespace {

ApiError IncorrectDataType() {
  return ValidationError("An operand in the update expression has an incorrect data type");
}
ApiError InvalidUpdatePath() {
  return ValidationError(
      "The document path provided in the update expression is invalid for update");
}

// An operand's value: a reference into the item or the expression, or a computed value.
struct Operand {
  const json::object* ref = nullptr;
  json::value owned;
};

size_t SizeOf(const json::object& av, bool* ok) {
  const json::value& p = PayloadOf(av);
  *ok = true;
  switch (TypeOf(av)) {
    case AttrType::kS:
    case AttrType::kB:
      return p.get_string().size();
    case AttrType::kL:
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      return p.get_array().size();
    case AttrType::kM:
      return p.get_object().size();
    default:
      *ok = false;
      return 0;
  }
}

void EvalOperand(const Node& n, const json::object& item, Operand* out) {
  switch (n.kind) {
    case NodeKind::kPath:
      out->ref = ResolvePath(item, n.path);
      return;
    case NodeKind::kValue:
      out->ref = n.value;
      return;
    case NodeKind::kFunction:
      if (n.function == FunctionId::kSize && n.args.size() == 1) {
        Operand arg;
        EvalOperand(n.args[0], item, &arg);
        if (!arg.ref) return;
        bool ok;
        size_t size = SizeOf(*arg.ref, &ok);
        if (!ok) return;
        out->owned = MakeN(std::to_string(size));
        out->ref = &out->owned.get_object();
      }
      return;
    default:
      return;
  }
}

bool Contains(const json::object& haystack, const json::object& needle) {
  AttrType th = TypeOf(haystack), tn = TypeOf(needle);
  const json::value& h = PayloadOf(haystack);
  const json::value& n = PayloadOf(needle);
  switch (th) {
    case AttrType::kS:
    case AttrType::kB:
      return tn == th &&
             h.get_string().subview().find(n.get_string().subview()) != std::string_view::npos;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      AttrType elem = th == AttrType::kSS   ? AttrType::kS
                      : th == AttrType::kNS ? AttrType::kN
                                            : AttrType::kB;
      if (tn != elem) return false;
      for (const auto& e : h.get_array())
        if (e.get_string() == n.get_string()) return true;
      return false;
    }
    case AttrType::kL:
      for (const auto& e : h.get_array())
        if (ValuesEqual(e.get_object(), needle)) return true;
      return false;
    default:
      return false;
  }
}

bool EvalFunction(const Node& n, const json::object& item) {
  switch (n.function) {
    case FunctionId::kAttributeExists:
      return ResolvePath(item, n.args[0].path) != nullptr;
    case FunctionId::kAttributeNotExists:
      return ResolvePath(item, n.args[0].path) == nullptr;
    case FunctionId::kAttributeType: {
      Operand a, t;
      EvalOperand(n.args[0], item, &a);
      EvalOperand(n.args[1], item, &t);
      if (!a.ref || !t.ref || TypeOf(*t.ref) != AttrType::kS) return false;
      return TypeName(TypeOf(*a.ref)) == PayloadOf(*t.ref).get_string().subview();
    }
    case FunctionId::kBeginsWith: {
      Operand a, p;
      EvalOperand(n.args[0], item, &a);
      EvalOperand(n.args[1], item, &p);
      if (!a.ref || !p.ref) return false;
      AttrType ta = TypeOf(*a.ref);
      if ((ta != AttrType::kS && ta != AttrType::kB) || TypeOf(*p.ref) != ta) return false;
      return PayloadOf(*a.ref).get_string().subview().starts_with(
          PayloadOf(*p.ref).get_string().subview());
    }
    case FunctionId::kContains: {
      Operand a, b;
      EvalOperand(n.args[0], item, &a);
      EvalOperand(n.args[1], item, &b);
      return a.ref && b.ref && Contains(*a.ref, *b.ref);
    }
    default:
      return false;
  }
}

bool Compare(CompareOp op, const json::object* l, const json::object* r) {
  if (op == CompareOp::kEq) return l && r && ValuesEqual(*l, *r);
  if (op == CompareOp::kNe) return !(l && r && ValuesEqual(*l, *r));
  if (!l || !r) return false;
  auto c = CompareScalars(*l, *r);
  if (!c) return false;
  switch (op) {
    case CompareOp::kLt:
      return *c < 0;
    case CompareOp::kLe:
      return *c <= 0;
    case CompareOp::kGt:
      return *c > 0;
    case CompareOp::kGe:
      return *c >= 0;
    default:
      return false;
  }
}

// --- projection -------------------------------------------------------------------------------

struct ProjectionNode {
  bool leaf = false;
  std::map<std::string, ProjectionNode, std::less<>> fields;
  std::map<int64_t, ProjectionNode> indexes;
};

void ProjectInto(const json::object& av, const ProjectionNode& node, json::value* out);

// Projects the members of a map (or the item) selected by `node.fields` into `out`.
void ProjectFields(const json::object& m, const ProjectionNode& node, json::object* out) {
  for (const auto& [name, child] : node.fields) {
    const json::value* v = m.if_contains(name);
    if (!v) continue;
    json::value projected;
    ProjectInto(v->get_object(), child, &projected);
    if (!projected.is_null()) (*out)[name] = std::move(projected);
  }
}

void ProjectInto(const json::object& av, const ProjectionNode& node, json::value* out) {
  if (node.leaf) {
    *out = av;
    return;
  }
  AttrType t = TypeOf(av);
  if (!node.fields.empty() && t == AttrType::kM) {
    json::object m;
    ProjectFields(PayloadOf(av).get_object(), node, &m);
    if (!m.empty()) *out = json::object{{"M", std::move(m)}};
  } else if (!node.indexes.empty() && t == AttrType::kL) {
    const auto& list = PayloadOf(av).get_array();
    json::array l;
    for (const auto& [index, child] : node.indexes) {
      if (static_cast<size_t>(index) >= list.size()) continue;
      json::value projected;
      ProjectInto(list[static_cast<size_t>(index)].get_object(), child, &projected);
      if (!projected.is_null()) l.push_back(std::move(projected));
    }
    if (!l.empty()) *out = json::object{{"L", std::move(l)}};
  }
}

// --- update ---------------------------------------------------------------------------------

Result<json::value> EvalSetValue(const Node& n, const json::object& old_item) {
  switch (n.kind) {
    case NodeKind::kValue:
      return json::value(*n.value);
    case NodeKind::kPath: {
      const json::object* v = ResolvePath(old_item, n.path);
      if (!v)
        return ValidationError(
            "The provided expression refers to an attribute that does not exist in the item");
      return json::value(*v);
    }
    case NodeKind::kPlus:
    case NodeKind::kMinus: {
      auto l = EvalSetValue(n.args[0], old_item);
      if (!l) return l;
      auto r = EvalSetValue(n.args[1], old_item);
      if (!r) return r;
      const auto& lo = l->get_object();
      const auto& ro = r->get_object();
      if (TypeOf(lo) != AttrType::kN || TypeOf(ro) != AttrType::kN) return IncorrectDataType();
      auto a = Number::Parse(PayloadOf(lo).get_string());
      auto b = Number::Parse(PayloadOf(ro).get_string());
      if (!a) return std::move(a).error();
      if (!b) return std::move(b).error();
      auto sum = n.kind == NodeKind::kPlus ? a->Add(*b) : a->Subtract(*b);
      if (!sum) return std::move(sum).error();
      return MakeN(sum->ToString());
    }
    case NodeKind::kFunction: {
      if (n.function == FunctionId::kIfNotExists) {
        if (const json::object* v = ResolvePath(old_item, n.args[0].path)) return json::value(*v);
        return EvalSetValue(n.args[1], old_item);
      }
      if (n.function == FunctionId::kListAppend) {
        auto l = EvalSetValue(n.args[0], old_item);
        if (!l) return l;
        auto r = EvalSetValue(n.args[1], old_item);
        if (!r) return r;
        if (TypeOf(l->get_object()) != AttrType::kL || TypeOf(r->get_object()) != AttrType::kL)
          return IncorrectDataType();
        json::array out = PayloadOf(l->get_object()).get_array();
        for (const auto& e : PayloadOf(r->get_object()).get_array()) out.push_back(e);
        return json::value(json::object{{"L", std::move(out)}});
      }
      return IncorrectDataType();
    }
    default:
      return IncorrectDataType();
  }
}

// The container (map or list payload) holding the last element of `path`, or null. `*bad` is
// set when an intermediate step exists with the wrong type.
json::value* ParentOf(json::object* item, const Path& path, bool* bad) {
  *bad = false;
  json::value* cur = item->if_contains(path[0].name);
  if (!cur) return nullptr;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    json::object& av = cur->get_object();
    AttrType t = TypeOf(av);
    json::value& payload = av.begin()->value();
    if (path[i].is_index()) {
      if (t != AttrType::kL) {
        *bad = true;
        return nullptr;
      }
      auto& list = payload.get_array();
      if (static_cast<size_t>(path[i].index) >= list.size()) return nullptr;
      cur = &list[static_cast<size_t>(path[i].index)];
    } else {
      if (t != AttrType::kM) {
        *bad = true;
        return nullptr;
      }
      cur = payload.get_object().if_contains(path[i].name);
      if (!cur) return nullptr;
    }
  }
  return cur;
}

Status SetPath(json::object* item, const Path& path, json::value value) {
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return Ok{};
  }
  bool bad;
  json::value* parent = ParentOf(item, path, &bad);
  if (!parent) return InvalidUpdatePath();
  json::object& av = parent->get_object();
  AttrType t = TypeOf(av);
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (t != AttrType::kL) return InvalidUpdatePath();
    auto& list = av.begin()->value().get_array();
    if (static_cast<size_t>(last.index) >= list.size())
      list.push_back(std::move(value));
    else
      list[static_cast<size_t>(last.index)] = std::move(value);
  } else {
    if (t != AttrType::kM) return InvalidUpdatePath();
    av.begin()->value().get_object()[last.name] = std::move(value);
  }
  return Ok{};
}

Status RemovePath(json::object* item, const Path& path) {
  if (path.size() == 1) {
    item->erase(path[0].name);
    return Ok{};
  }
  bool bad;
  json::value* parent = ParentOf(item, path, &bad);
  if (bad) return InvalidUpdatePath();
  if (!parent) return Ok{};
  json::object& av = parent->get_object();
  AttrType t = TypeOf(av);
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (t != AttrType::kL) return InvalidUpdatePath();
    auto& list = av.begin()->value().get_array();
    if (static_cast<size_t>(last.index) < list.size())
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(last.index));
  } else {
    if (t != AttrType::kM) return InvalidUpdatePath();
    av.begin()->value().get_object().erase(last.name);
  }
  return Ok{};
}

Status AddToPath(json::object* item, const Path& path, const json::object& value) {
  const json::object* existing = ResolvePath(*item, path);
  if (!existing) return SetPath(item, path, json::value(value));
  AttrType te = TypeOf(*existing), tv = TypeOf(value);
  if (te != tv) return IncorrectDataType();
  if (te == AttrType::kN) {
    auto a = Number::Parse(PayloadOf(*existing).get_string());
    auto b = Number::Parse(PayloadOf(value).get_string());
    if (!a) return std::move(a).error();
    if (!b) return std::move(b).error();
    auto sum = a->Add(*b);
    if (!sum) return std::move(sum).error();
    return SetPath(item, path, MakeN(sum->ToString()));
  }
  if (!IsSet(te)) return IncorrectDataType();
  json::array merged = PayloadOf(*existing).get_array();
  for (const auto& e : PayloadOf(value).get_array()) {
    bool present = false;
    for (const auto& m : merged)
      if (m.get_string() == e.get_string()) present = true;
    if (!present) merged.push_back(e);
  }
  json::object av;
  av[TypeName(te)] = std::move(merged);
  return SetPath(item, path, json::value(std::move(av)));
}

Status DeleteFromPath(json::object* item, const Path& path, const json::object& value) {
  const json::object* existing = ResolvePath(*item, path);
  if (!existing) return Ok{};
  AttrType te = TypeOf(*existing);
  if (te != TypeOf(value) || !IsSet(te)) return IncorrectDataType();
  json::array kept;
  for (const auto& e : PayloadOf(*existing).get_array()) {
    bool removed = false;
    for (const auto& d : PayloadOf(value).get_array())
      if (d.get_string() == e.get_string()) removed = true;
    if (!removed) kept.push_back(e);
  }
  if (kept.empty()) return RemovePath(item, path);
  json::object av;
  av[TypeName(te)] = std::move(kept);
  return SetPath(item, path, json::value(std::move(av)));
}

}  // namespace

const json::object* ResolvePath(const json::object& item, const Path& path) {
  if (path.empty()) return nullptr;
  const json::value* cur = item.if_contains(path[0].name);
  for (size_t i = 1; cur && i < path.size(); ++i) {
    const json::object& av = cur->get_object();
    AttrType t = TypeOf(av);
    if (path[i].is_index()) {
      if (t != AttrType::kL) return nullptr;
      const auto& list = PayloadOf(av).get_array();
      cur = static_cast<size_t>(path[i].index) < list.size()
                ? &list[static_cast<size_t>(path[i].index)]
                : nullptr;
    } else {
      if (t != AttrType::kM) return nullptr;
      cur = PayloadOf(av).get_object().if_contains(path[i].name);
    }
  }
  return cur ? &cur->get_object() : nullptr;
}

bool EvaluateCondition(const Node& n, const json::object& item) {
  switch (n.kind) {
    case NodeKind::kAnd:
      return EvaluateCondition(n.args[0], item) && EvaluateCondition(n.args[1], item);
    case NodeKind::kOr:
      return EvaluateCondition(n.args[0], item) || EvaluateCondition(n.args[1], item);
    case NodeKind::kNot:
      return !EvaluateCondition(n.args[0], item);
    case NodeKind::kCompare: {
      Operand l, r;
      EvalOperand(n.args[0], item, &l);
      EvalOperand(n.args[1], item, &r);
      return Compare(n.op, l.ref, r.ref);
    }
    case NodeKind::kBetween: {
      Operand v, lo, hi;
      EvalOperand(n.args[0], item, &v);
      EvalOperand(n.args[1], item, &lo);
      EvalOperand(n.args[2], item, &hi);
      if (!v.ref || !lo.ref || !hi.ref) return false;
      auto a = CompareScalars(*v.ref, *lo.ref);
      auto b = CompareScalars(*v.ref, *hi.ref);
      return a && b && *a >= 0 && *b <= 0;
    }
    case NodeKind::kIn: {
      Operand v;
      EvalOperand(n.args[0], item, &v);
      if (!v.ref) return false;
      for (size_t i = 1; i < n.args.size(); ++i) {
        Operand c;
        EvalOperand(n.args[i], item, &c);
        if (c.ref && ValuesEqual(*v.ref, *c.ref)) return true;
      }
      return false;
    }
    case NodeKind::kFunction:
      return EvalFunction(n, item);
    default:
      return false;
  }
}

json::object Project(const json::object& item, const std::vector<const Path*>& paths) {
  ProjectionNode root;
  for (const Path* p : paths) {
    ProjectionNode* node = &root;
    for (size_t i = 0; i < p->size(); ++i) {
      const PathElement& e = (*p)[i];
      node = e.is_index() ? &node->indexes[e.index] : &node->fields[e.name];
    }
    node->leaf = true;
  }
  json::object out;
  ProjectFields(item, root, &out);
  return out;
}

json::object Project(const json::object& item, const std::vector<Path>& paths) {
  std::vector<const Path*> refs;
  refs.reserve(paths.size());
  for (const auto& p : paths) refs.push_back(&p);
  return Project(item, refs);
}

Status ApplyUpdate(const std::vector<UpdateAction>& actions, const json::object& old_item,
                   json::object* item) {
  std::vector<json::value> set_values;
  for (const auto& a : actions) {
    if (a.kind != UpdateKind::kSet) continue;
    auto v = EvalSetValue(a.value, old_item);
    if (!v) return std::move(v).error();
    set_values.push_back(std::move(*v));
  }
  size_t next_value = 0;
  for (const auto& a : actions) {
    if (a.kind != UpdateKind::kSet) continue;
    auto st = SetPath(item, a.path, std::move(set_values[next_value++]));
    if (!st) return st;
  }
  // Removals of list elements address the list as it was: remove higher indexes first.
  std::vector<const UpdateAction*> removes;
  for (const auto& a : actions)
    if (a.kind == UpdateKind::kRemove) removes.push_back(&a);
  std::sort(removes.begin(), removes.end(), [](const UpdateAction* x, const UpdateAction* y) {
    // A total order in which, under one parent, higher list indexes come first.
    const Path& a = x->path;
    const Path& b = y->path;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (a[i].is_index() != b[i].is_index()) return !a[i].is_index();
      if (a[i].is_index() && a[i].index != b[i].index) return a[i].index > b[i].index;
      if (!a[i].is_index() && a[i].name != b[i].name) return a[i].name < b[i].name;
    }
    return a.size() < b.size();
  });
  for (const auto* a : removes) {
    auto st = RemovePath(item, a->path);
    if (!st) return st;
  }
  for (const auto& a : actions) {
    Status st = Ok{};
    if (a.kind == UpdateKind::kAdd) st = AddToPath(item, a.path, *a.value.value);
    if (a.kind == UpdateKind::kDelete) st = DeleteFromPath(item, a.path, *a.value.value);
    if (!st) return st;
  }
  return Ok{};
}

}  // namespace nimbus::dynamodb::expr
