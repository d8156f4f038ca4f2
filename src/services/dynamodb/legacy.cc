#include "services/dynamodb/legacy.h"

#include <set>
#include <string>

#include "services/dynamodb/errors.h"
#include "services/dynamodb/request.h"
#include "services/dynamodb/types/attribute_value.h"

namespace nimbus::dynamodb {

namespace {

using expr::CompareOp;
using expr::FunctionId;
using expr::Node;
using expr::NodeKind;

ApiError Invalid(const std::string& what) {
  return ValidationError(std::string(kInvalidParams) + what);
}

Node PathNode(std::string_view attr) {
  Node n;
  n.kind = NodeKind::kPath;
  expr::PathElement e;
  e.name = std::string(attr);
  n.path.push_back(std::move(e));
  return n;
}

Node ValueNode(const json::object* av) {
  Node n;
  n.kind = NodeKind::kValue;
  n.value = av;
  return n;
}

Node Function(FunctionId f, std::vector<Node> args) {
  Node n;
  n.kind = NodeKind::kFunction;
  n.function = f;
  n.name = std::string(expr::FunctionName(f));
  n.args = std::move(args);
  return n;
}

Node Binary(NodeKind kind, Node a, Node b) {
  Node n;
  n.kind = kind;
  n.args.push_back(std::move(a));
  n.args.push_back(std::move(b));
  return n;
}

Node Compare(CompareOp op, Node a, Node b) {
  Node n = Binary(NodeKind::kCompare, std::move(a), std::move(b));
  n.op = op;
  return n;
}

Node Not(Node a) {
  Node n;
  n.kind = NodeKind::kNot;
  n.args.push_back(std::move(a));
  return n;
}

// One ComparisonOperator condition on `attr`.
Result<Node> Condition(std::string_view attr, std::string_view op, json::array* values) {
  size_t n = values ? values->size() : 0;
  std::vector<const json::object*> v;
  for (size_t i = 0; i < n; ++i) {
    auto st = ValidateAttributeValue((*values)[i]);
    if (!st) return std::move(st).error();
    v.push_back(&(*values)[i].get_object());
  }
  auto arity = [&](bool ok) -> Status {
    if (ok) return Ok{};
    return Invalid("Invalid number of argument(s) for the " + std::string(op) +
                   " ComparisonOperator");
  };
  auto scalar = [&](std::initializer_list<AttrType> allowed) -> Status {
    for (const auto* av : v) {
      bool ok = false;
      for (AttrType t : allowed) ok = ok || TypeOf(*av) == t;
      if (!ok)
        return Invalid("ComparisonOperator " + std::string(op) + " is not valid for " +
                       std::string(TypeName(TypeOf(*av))) + " AttributeValue type");
    }
    return Ok{};
  };
  const auto scalars = {AttrType::kS, AttrType::kN, AttrType::kB};
  struct Simple {
    std::string_view name;
    CompareOp op;
  };
  for (Simple s :
       {Simple{"EQ", CompareOp::kEq}, Simple{"NE", CompareOp::kNe}, Simple{"LE", CompareOp::kLe},
        Simple{"LT", CompareOp::kLt}, Simple{"GE", CompareOp::kGe}, Simple{"GT", CompareOp::kGt}}) {
    if (op != s.name) continue;
    auto st = arity(n == 1);
    if (!st) return std::move(st).error();
    if (s.op != CompareOp::kEq && s.op != CompareOp::kNe) {
      st = scalar(scalars);
      if (!st) return std::move(st).error();
    }
    return Compare(s.op, PathNode(attr), ValueNode(v[0]));
  }
  if (op == "NULL" || op == "NOT_NULL") {
    auto st = arity(n == 0);
    if (!st) return std::move(st).error();
    std::vector<Node> args;
    args.push_back(PathNode(attr));
    return Function(op == "NULL" ? FunctionId::kAttributeNotExists : FunctionId::kAttributeExists,
                    std::move(args));
  }
  if (op == "CONTAINS" || op == "NOT_CONTAINS" || op == "BEGINS_WITH") {
    auto st = arity(n == 1);
    if (!st) return std::move(st).error();
    st = op == "BEGINS_WITH" ? scalar({AttrType::kS, AttrType::kB}) : scalar(scalars);
    if (!st) return std::move(st).error();
    std::vector<Node> args;
    args.push_back(PathNode(attr));
    args.push_back(ValueNode(v[0]));
    if (op == "BEGINS_WITH") return Function(FunctionId::kBeginsWith, std::move(args));
    Node contains = Function(FunctionId::kContains, std::move(args));
    if (op == "CONTAINS") return contains;
    std::vector<Node> exists_args;
    exists_args.push_back(PathNode(attr));
    return Binary(NodeKind::kAnd, Function(FunctionId::kAttributeExists, std::move(exists_args)),
                  Not(std::move(contains)));
  }
  if (op == "IN") {
    auto st = arity(n >= 1);
    if (!st) return std::move(st).error();
    st = scalar(scalars);
    if (!st) return std::move(st).error();
    Node in;
    in.kind = NodeKind::kIn;
    in.args.push_back(PathNode(attr));
    for (const auto* av : v) in.args.push_back(ValueNode(av));
    return in;
  }
  if (op == "BETWEEN") {
    auto st = arity(n == 2);
    if (!st) return std::move(st).error();
    st = scalar(scalars);
    if (!st) return std::move(st).error();
    if (TypeOf(*v[0]) != TypeOf(*v[1]))
      return Invalid("AttributeValues inside AttributeValueList must be of same type");
    auto c = CompareScalars(*v[0], *v[1]);
    if (c && *c > 0)
      return ValidationError(
          "The BETWEEN condition was provided a range where the lower bound is greater than the "
          "upper bound");
    Node b;
    b.kind = NodeKind::kBetween;
    b.args.push_back(PathNode(attr));
    b.args.push_back(ValueNode(v[0]));
    b.args.push_back(ValueNode(v[1]));
    return b;
  }
  return Invalid("Unsupported ComparisonOperator: " + std::string(op));
}

Result<std::optional<Node>> Combine(std::vector<Node> parts, std::string_view conditional_op) {
  if (parts.empty()) return std::optional<Node>();
  NodeKind kind = conditional_op == "OR" ? NodeKind::kOr : NodeKind::kAnd;
  Node root = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i)
    root = Binary(kind, std::move(root), std::move(parts[i]));
  return std::optional<Node>(std::move(root));
}

}  // namespace

Result<std::optional<Node>> ConditionFromExpected(json::object& in) {
  json::value* expected = in.if_contains("Expected");
  if (!expected || !expected->is_object()) {
    if (in.contains("ConditionalOperator"))
      return Invalid(
          "ConditionalOperator can only be used when Expected or QueryFilter or "
          "ScanFilter is present");
    return std::optional<Node>();
  }
  std::vector<Node> parts;
  for (auto& [attr, cond_v] : expected->get_object()) {
    if (!cond_v.is_object())
      return Invalid("Invalid Expected condition for Attribute: " + std::string(attr));
    auto& cond = cond_v.get_object();
    std::string a(attr);
    bool has_op = cond.contains("ComparisonOperator");
    bool has_exists = cond.contains("Exists");
    json::value* value = cond.if_contains("Value");
    json::value* list = cond.if_contains("AttributeValueList");
    if (list && value)
      return Invalid("Value and AttributeValueList cannot be used together for Attribute: " + a);
    if (has_op) {
      if (has_exists)
        return Invalid("Exists and ComparisonOperator cannot be used together for Attribute: " + a);
      if (value) {
        // A lone Value stands for a one-element AttributeValueList.
        json::array single;
        single.push_back(std::move(*value));
        cond.erase("Value");
        cond["AttributeValueList"] = std::move(single);
        list = cond.if_contains("AttributeValueList");
      }
      auto node = Condition(a, StringMember(cond, "ComparisonOperator"),
                            list && list->is_array() ? &list->get_array() : nullptr);
      if (!node) return std::move(node).error();
      parts.push_back(std::move(*node));
      continue;
    }
    if (list)
      return Invalid(
          "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + a);
    bool exists = BoolMember(cond, "Exists", true);
    if (exists && !value)
      return Invalid("Value must be provided when Exists is " +
                     std::string(has_exists ? "true" : "null") + " for Attribute: " + a);
    if (!exists && value)
      return Invalid("Value cannot be used when Exists is false for Attribute: " + a);
    if (!exists) {
      std::vector<Node> args;
      args.push_back(PathNode(a));
      parts.push_back(Function(FunctionId::kAttributeNotExists, std::move(args)));
      continue;
    }
    auto st = ValidateAttributeValue(*value);
    if (!st) return std::move(st).error();
    parts.push_back(Compare(CompareOp::kEq, PathNode(a), ValueNode(&value->get_object())));
  }
  return Combine(std::move(parts), StringMember(in, "ConditionalOperator"));
}

Result<std::optional<Node>> ConditionFromFilter(json::object& in, std::string_view member) {
  json::value* filter = in.if_contains(member);
  if (!filter || !filter->is_object()) return std::optional<Node>();
  std::vector<Node> parts;
  for (auto& [attr, cond_v] : filter->get_object()) {
    if (!cond_v.is_object())
      return Invalid("Invalid condition for Attribute: " + std::string(attr));
    auto& cond = cond_v.get_object();
    json::value* list = cond.if_contains("AttributeValueList");
    auto node = Condition(attr, StringMember(cond, "ComparisonOperator"),
                          list && list->is_array() ? &list->get_array() : nullptr);
    if (!node) return std::move(node).error();
    parts.push_back(std::move(*node));
  }
  return Combine(std::move(parts),
                 member == "KeyConditions" ? "AND" : StringMember(in, "ConditionalOperator"));
}

Result<std::optional<std::vector<expr::UpdateAction>>> ActionsFromAttributeUpdates(
    json::object& in) {
  json::value* updates = in.if_contains("AttributeUpdates");
  if (!updates || !updates->is_object()) return std::optional<std::vector<expr::UpdateAction>>();
  std::vector<expr::UpdateAction> actions;
  for (auto& [attr, u_v] : updates->get_object()) {
    if (!u_v.is_object())
      return Invalid("Invalid AttributeUpdates for Attribute: " + std::string(attr));
    auto& u = u_v.get_object();
    std::string_view action = StringMember(u, "Action");
    if (action.empty()) action = "PUT";
    json::value* value = u.if_contains("Value");
    if (value) {
      auto st = ValidateAttributeValue(*value);
      if (!st) return std::move(st).error();
    }
    expr::UpdateAction a;
    a.path = PathNode(attr).path;
    if (action == "PUT") {
      if (!value)
        return Invalid("Only DELETE action is allowed when no attribute value is specified");
      a.kind = expr::UpdateKind::kSet;
      a.value = ValueNode(&value->get_object());
    } else if (action == "DELETE") {
      if (value) {
        if (!IsSet(TypeOf(value->get_object())))
          return Invalid("DELETE can only be used on a set for Attribute: " + std::string(attr));
        a.kind = expr::UpdateKind::kDelete;
        a.value = ValueNode(&value->get_object());
      } else {
        a.kind = expr::UpdateKind::kRemove;
      }
    } else if (action == "ADD") {
      if (!value)
        return Invalid("Only DELETE action is allowed when no attribute value is specified");
      AttrType t = TypeOf(value->get_object());
      if (t != AttrType::kN && !IsSet(t) && t != AttrType::kL)
        return Invalid("ADD action is not supported for the type " + std::string(TypeName(t)));
      a.kind = expr::UpdateKind::kAdd;
      a.value = ValueNode(&value->get_object());
    } else {
      return Invalid("Unsupported AttributeUpdates action: " + std::string(action));
    }
    actions.push_back(std::move(a));
  }
  return std::optional<std::vector<expr::UpdateAction>>(std::move(actions));
}

Result<std::optional<std::vector<expr::Path>>> ProjectionFromAttributesToGet(
    const json::object& in) {
  const json::value* names = in.if_contains("AttributesToGet");
  if (!names || !names->is_array()) return std::optional<std::vector<expr::Path>>();
  std::vector<expr::Path> paths;
  std::set<std::string_view> seen;
  for (const auto& n : names->get_array()) {
    if (!n.is_string()) return Invalid("Invalid attribute name in AttributesToGet");
    if (!seen.insert(n.get_string()).second)
      return Invalid("Duplicate value in attribute name: " + std::string(n.get_string()));
    paths.push_back(PathNode(n.get_string()).path);
  }
  return std::optional<std::vector<expr::Path>>(std::move(paths));
}

}  // namespace nimbus::dynamodb
