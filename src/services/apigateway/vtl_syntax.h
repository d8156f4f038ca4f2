#pragma once

// The syntax tree of a VTL template (see vtl.h), its parser and the value helpers; shared by
// vtl_parser.cc, vtl_values.cc and the evaluator in vtl.cc only.

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/apigateway/vtl.h"

namespace nimbus::apigateway::vtl::syntax {

struct Expr;
struct Node;
using ExprPtr = std::unique_ptr<Expr>;

// One step of a reference: .name, .name(args) or [expr].
struct Segment {
  enum class Kind { kProperty, kMethod, kIndex } kind = Kind::kProperty;
  std::string name;
  std::vector<ExprPtr> args;  // method arguments, or the index
};

struct Ref {
  std::string root;
  std::vector<Segment> chain;
  bool quiet = false;  // $!ref
  std::string source;  // as written, rendered when the reference resolves to nothing
};

struct Expr {
  enum class Kind { kLiteral, kInterpolated, kList, kMap, kRange, kRef, kUnary, kBinary };
  Kind kind = Kind::kLiteral;
  json::value literal;
  std::vector<Node> parts;     // kInterpolated
  std::vector<ExprPtr> items;  // list items; map key, value pairs; range ends; operands
  std::string op;
  Ref ref;
};

struct Branch {
  ExprPtr cond;  // null for #else
  std::vector<Node> body;
};

struct Node {
  enum class Kind { kText, kRef, kSet, kIf, kForeach, kBreak, kStop };
  Kind kind = Kind::kText;
  std::string text;
  Ref ref;       // kRef; kSet's target
  ExprPtr expr;  // kSet's value; kForeach's collection
  std::string var;
  std::vector<Branch> branches;  // kIf; kForeach's body is branches[0]
};

// Parses `text` into `nodes`; false with `*error` set (what and where) when it is malformed or
// nests deeper than limits.max_depth.
bool Parse(std::string_view text, const Limits& limits, std::vector<Node>* nodes,
           std::string* error);

// ---- Values (vtl_values.cc), for the evaluator in vtl.cc ----
bool IsNumber(const json::value& v);
double AsDouble(const json::value& v);
std::optional<int64_t> AsInt(const json::value& v);       // integers, and strings that are one
std::string JavaDouble(double d);                         // as Java's Double.toString writes it
void AppendJava(const json::value& v, std::string* out);  // as Velocity renders the value
bool Truthy(const json::value& v);
bool Equal(const json::value& a, const json::value& b);
std::vector<uint32_t> CodePoints(std::string_view s);  // UTF-8 → code points

}  // namespace nimbus::apigateway::vtl::syntax
