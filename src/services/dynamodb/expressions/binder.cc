#include "services/dynamodb/expressions/binder.h"

#include "services/dynamodb/errors.h"
#include "services/dynamodb/types/attribute_value.h"

namespace nimbus::dynamodb::expr {

namespace {

ApiError Invalid(ExpressionKind kind, const std::string& what) {
  return ValidationError("Invalid " + std::string(ExpressionLabel(kind)) + ": " + what);
}

std::string OperandTypeError(std::string_view op, std::string_view type) {
  return "Incorrect operand type for operator or function; operator or function: " +
         std::string(op) + ", operand type: " + std::string(type);
}

bool SamePath(const Path& a, const Path& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_index() != b[i].is_index()) return false;
    if (a[i].is_index() ? a[i].index != b[i].index : a[i].name != b[i].name) return false;
  }
  return true;
}

// Type of a constant operand, or nullptr for paths and computed operands.
const json::object* ConstantOf(const Node& n) {
  return n.kind == NodeKind::kValue ? n.value : nullptr;
}

std::string LongTypeName(AttrType t) {
  switch (t) {
    case AttrType::kS:
      return "STRING";
    case AttrType::kN:
      return "NUMBER";
    case AttrType::kB:
      return "BINARY";
    case AttrType::kBool:
      return "BOOLEAN";
    case AttrType::kNull:
      return "NULL";
    case AttrType::kL:
      return "LIST";
    case AttrType::kM:
      return "MAP";
    case AttrType::kSS:
      return "STRING_SET";
    case AttrType::kNS:
      return "NUMBER_SET";
    case AttrType::kBS:
      return "BINARY_SET";
  }
  return "UNKNOWN";
}

size_t ExpectedArgs(FunctionId f) {
  switch (f) {
    case FunctionId::kAttributeExists:
    case FunctionId::kAttributeNotExists:
    case FunctionId::kSize:
      return 1;
    default:
      return 2;
  }
}

// Checks of a bound tree that depend on operand kinds and value types; first problem wins.
std::string CheckNode(const Node& n) {
  switch (n.kind) {
    case NodeKind::kPath:
    case NodeKind::kValue:
      return {};
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
    case NodeKind::kIn:
      for (const auto& a : n.args)
        if (auto e = CheckNode(a); !e.empty()) return e;
      return {};
    case NodeKind::kPlus:
    case NodeKind::kMinus: {
      for (const auto& a : n.args) {
        if (auto e = CheckNode(a); !e.empty()) return e;
        if (const auto* v = ConstantOf(a); v && TypeOf(*v) != AttrType::kN)
          return OperandTypeError(n.kind == NodeKind::kPlus ? "+" : "-", TypeName(TypeOf(*v)));
      }
      return {};
    }
    case NodeKind::kCompare: {
      for (const auto& a : n.args)
        if (auto e = CheckNode(a); !e.empty()) return e;
      const Node& l = n.args[0];
      const Node& r = n.args[1];
      if (l.kind == NodeKind::kPath && r.kind == NodeKind::kPath && SamePath(l.path, r.path))
        return "The first operand must be distinct from the remaining operands for this operator "
               "or function; operator: " +
               std::string(CompareOpText(n.op)) + ", first operand: " + PathToString(l.path);
      if (n.op != CompareOp::kEq && n.op != CompareOp::kNe) {
        for (const auto& a : n.args) {
          const auto* v = ConstantOf(a);
          if (!v) continue;
          AttrType t = TypeOf(*v);
          if (t != AttrType::kS && t != AttrType::kN && t != AttrType::kB)
            return OperandTypeError(CompareOpText(n.op), TypeName(t));
        }
      }
      return {};
    }
    case NodeKind::kBetween: {
      for (const auto& a : n.args)
        if (auto e = CheckNode(a); !e.empty()) return e;
      const auto* lo = ConstantOf(n.args[1]);
      const auto* hi = ConstantOf(n.args[2]);
      if (lo && hi) {
        std::string bounds = "lower bound operand: AttributeValue: " + DescribeValue(*lo) +
                             ", upper bound operand: AttributeValue: " + DescribeValue(*hi);
        if (TypeOf(*lo) != TypeOf(*hi))
          return "The BETWEEN operator requires same data type for lower and upper bounds; " +
                 bounds;
        auto c = CompareScalars(*lo, *hi);
        if (c && *c > 0)
          return "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                 "bound; " +
                 bounds;
      }
      return {};
    }
    case NodeKind::kFunction: {
      std::string_view name = FunctionName(n.function);
      if (n.args.size() != ExpectedArgs(n.function))
        return "Incorrect number of operands for operator or function; operator or function: " +
               std::string(name) + ", number of operands: " + std::to_string(n.args.size());
      for (const auto& a : n.args)
        if (auto e = CheckNode(a); !e.empty()) return e;
      if (n.args.size() == 2 && n.args[0].kind == NodeKind::kPath &&
          n.args[1].kind == NodeKind::kPath && SamePath(n.args[0].path, n.args[1].path) &&
          n.function != FunctionId::kIfNotExists && n.function != FunctionId::kListAppend)
        return "The first operand must be distinct from the remaining operands for this operator "
               "or function; operator: " +
               std::string(name) + ", first operand: " + PathToString(n.args[0].path);
      switch (n.function) {
        case FunctionId::kAttributeExists:
        case FunctionId::kAttributeNotExists:
        case FunctionId::kIfNotExists:
          if (n.args[0].kind != NodeKind::kPath)
            return "Operator or function requires a document path; operator or function: " +
                   std::string(name);
          return {};
        case FunctionId::kAttributeType: {
          const auto* v = ConstantOf(n.args[1]);
          if (!v) return OperandTypeError(name, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
          if (TypeOf(*v) != AttrType::kS) return OperandTypeError(name, TypeName(TypeOf(*v)));
          AttrType t;
          std::string_view type_name = PayloadOf(*v).get_string();
          if (!ParseTypeName(type_name, &t))
            return "Invalid attribute type name found; type: " + std::string(type_name) +
                   ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}";
          return {};
        }
        case FunctionId::kBeginsWith:
          for (const auto& a : n.args) {
            const auto* v = ConstantOf(a);
            if (v && TypeOf(*v) != AttrType::kS && TypeOf(*v) != AttrType::kB)
              return OperandTypeError(name, TypeName(TypeOf(*v)));
          }
          return {};
        case FunctionId::kSize: {
          const auto* v = ConstantOf(n.args[0]);
          if (v) {
            AttrType t = TypeOf(*v);
            if (t == AttrType::kN || t == AttrType::kBool || t == AttrType::kNull)
              return OperandTypeError(name, TypeName(t));
          }
          return {};
        }
        case FunctionId::kListAppend:
          for (const auto& a : n.args) {
            const auto* v = ConstantOf(a);
            if (v && TypeOf(*v) != AttrType::kL)
              return OperandTypeError(name, TypeName(TypeOf(*v)));
          }
          return {};
        default:
          return {};
      }
    }
  }
  return {};
}

}  // namespace

bool Bindings::ResolvePath(Path* path, std::string* error) {
  for (auto& e : *path) {
    if (!e.placeholder) continue;
    const json::value* v = names_ ? names_->if_contains(e.name) : nullptr;
    if (!v || !v->is_string()) {
      *error =
          "An expression attribute name used in the document path is not defined; "
          "attribute name: " +
          e.name;
      return false;
    }
    used_names_.insert(e.name);
    e.name = std::string(v->get_string());
    e.placeholder = false;
  }
  return true;
}

bool Bindings::ResolveNode(Node* n, std::string* error) {
  if (n->kind == NodeKind::kPath) return ResolvePath(&n->path, error);
  if (n->kind == NodeKind::kValue) {
    const json::value* v = values_ ? values_->if_contains(n->name) : nullptr;
    if (!v || !v->is_object()) {
      *error =
          "An expression attribute value used in expression is not defined; attribute "
          "value: " +
          n->name;
      return false;
    }
    used_values_.insert(n->name);
    n->value = &v->get_object();
    return true;
  }
  for (auto& a : n->args)
    if (!ResolveNode(&a, error)) return false;
  return true;
}

Result<Node> Bindings::BindCondition(const ParsedExpression& parsed) {
  Node bound = parsed.condition;
  std::string error;
  if (!ResolveNode(&bound, &error)) return Invalid(parsed.kind, error);
  if (auto e = CheckNode(bound); !e.empty()) return Invalid(parsed.kind, e);
  return bound;
}

Result<std::vector<Path>> Bindings::BindProjection(const ParsedExpression& parsed) {
  std::vector<Path> paths = parsed.projection;
  std::string error;
  for (auto& p : paths)
    if (!ResolvePath(&p, &error)) return Invalid(parsed.kind, error);
  std::vector<const Path*> refs;
  for (const auto& p : paths) refs.push_back(&p);
  if (auto e = CheckPathOverlaps(refs); !e.empty()) return Invalid(parsed.kind, e);
  return paths;
}

Result<std::vector<UpdateAction>> Bindings::BindUpdate(const ParsedExpression& parsed) {
  std::vector<UpdateAction> actions = parsed.update;
  std::string error;
  for (auto& a : actions) {
    if (!ResolvePath(&a.path, &error)) return Invalid(parsed.kind, error);
    if (a.kind != UpdateKind::kRemove && !ResolveNode(&a.value, &error))
      return Invalid(parsed.kind, error);
  }
  for (const auto& a : actions) {
    if (a.kind == UpdateKind::kSet) {
      if (auto e = CheckNode(a.value); !e.empty()) return Invalid(parsed.kind, e);
    } else if (a.kind == UpdateKind::kAdd || a.kind == UpdateKind::kDelete) {
      AttrType t = TypeOf(*a.value.value);
      bool ok = a.kind == UpdateKind::kAdd ? (t == AttrType::kN || IsSet(t)) : IsSet(t);
      if (!ok) {
        bool add = a.kind == UpdateKind::kAdd;
        return Invalid(
            parsed.kind,
            std::string("Incorrect operand type for operator or function; operator: ") +
                (add ? "ADD" : "DELETE") + ", operand type: " + LongTypeName(t) +
                ", typeSet: " + (add ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND"));
      }
    }
  }
  std::vector<const Path*> refs;
  for (const auto& a : actions) refs.push_back(&a.path);
  if (auto e = CheckPathOverlaps(refs); !e.empty()) return Invalid(parsed.kind, e);
  return actions;
}

Status Bindings::CheckAllUsed() const {
  auto unused = [](const json::object* map, const std::unordered_set<std::string>& used) {
    std::string keys;
    if (!map) return keys;
    for (const auto& [k, v] : *map) {
      if (used.count(std::string(k))) continue;
      if (!keys.empty()) keys += ", ";
      keys += std::string(k);
    }
    return keys;
  };
  if (auto keys = unused(names_, used_names_); !keys.empty())
    return ValidationError(
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}");
  if (auto keys = unused(values_, used_values_); !keys.empty())
    return ValidationError(
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys + "}");
  return Ok{};
}

std::string CheckPathOverlaps(const std::vector<const Path*>& paths) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const Path& a = *paths[i];
      const Path& b = *paths[j];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      bool conflict = false;
      for (; k < n; ++k) {
        if (a[k].is_index() != b[k].is_index()) {
          conflict = true;
          break;
        }
        if (a[k].is_index() ? a[k].index != b[k].index : a[k].name != b[k].name) break;
      }
      if (conflict)
        return "Two document paths conflict with each other; must remove or rewrite one of these "
               "paths; path one: " +
               PathToString(a) + ", path two: " + PathToString(b);
      if (k == n)
        return "Two document paths overlap with each other; must remove or rewrite one of these "
               "paths; path one: " +
               PathToString(a) + ", path two: " + PathToString(b);
    }
  }
  return {};
}

}  // namespace nimbus::dynamodb::expr
