// A template is parsed to a tree of nodes (text, references, directives), then evaluated over
// JSON values. Parsing and evaluation are recursive; both count their depth against
// Limits::max_depth so hostile nesting ends in an error instead of a stack overflow.
#include "services/apigateway/vtl.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <vector>

#include "core/common/encoding.h"
#include "services/apigateway/vtl_syntax.h"

namespace nimbus::apigateway::vtl {

namespace {

using syntax::AppendJava;
using syntax::AsDouble;
using syntax::AsInt;
using syntax::Branch;
using syntax::CodePoints;
using syntax::Equal;
using syntax::Expr;
using syntax::IsNumber;
using syntax::JavaDouble;
using syntax::Node;
using syntax::Ref;
using syntax::Segment;
using syntax::Truthy;

class Evaluator {
 public:
  Evaluator(Bindings& b, const Limits& limits) : b_(b), limits_(limits) {}

  bool Evaluate(const std::vector<Node>& nodes) { return Exec(nodes) && error_.empty(); }
  std::string& output() { return out_; }
  const std::string& error() const { return error_; }
  Failure failure() const { return failure_; }

 private:
  enum class Flow { kNext, kBreak, kStop, kError };

  bool Fail(std::string message, Failure f = Failure::kTemplate) {
    if (error_.empty()) {
      error_ = std::move(message);
      failure_ = f;
    }
    return false;
  }

  bool Exec(const std::vector<Node>& nodes) {
    Flow f = Run(nodes);
    return f != Flow::kError;
  }

  Flow Run(const std::vector<Node>& nodes) {
    DepthGuard guard(&depth_);
    if (depth_ > limits_.max_depth) return Fail("evaluation nests too deeply"), Flow::kError;
    for (const Node& n : nodes) {
      if (out_.size() > limits_.max_output_bytes)
        return Fail("template output too large"), Flow::kError;
      switch (n.kind) {
        case Node::Kind::kText:
          out_ += n.text;
          break;
        case Node::Kind::kRef: {
          auto v = EvalRef(n.ref);
          if (!error_.empty()) return Flow::kError;
          if (v && !v->is_null())
            AppendJava(*v, &out_);
          else if (!n.ref.quiet)
            out_ += n.ref.source;
          break;
        }
        case Node::Kind::kSet: {
          auto v = Eval(*n.expr);
          if (!error_.empty()) return Flow::kError;
          if (!Assign(n.ref, v ? std::move(*v) : json::value())) return Flow::kError;
          break;
        }
        case Node::Kind::kIf: {
          for (const Branch& b : n.branches) {
            bool take = true;
            if (b.cond) {
              auto v = Eval(*b.cond);
              if (!error_.empty()) return Flow::kError;
              take = v && Truthy(*v);
            }
            if (take) {
              Flow f = Run(b.body);
              if (f != Flow::kNext) return f;
              break;
            }
          }
          break;
        }
        case Node::Kind::kForeach: {
          Flow f = Foreach(n);
          if (f == Flow::kError || f == Flow::kStop) return f;
          break;
        }
        case Node::Kind::kBreak:
          return Flow::kBreak;
        case Node::Kind::kStop:
          return Flow::kStop;
      }
    }
    return Flow::kNext;
  }

  Flow Foreach(const Node& n) {
    auto collection = Eval(*n.expr);
    if (!error_.empty()) return Flow::kError;
    json::array items;
    if (collection) {
      if (collection->is_array())
        items = std::move(collection->get_array());
      else if (collection->is_object())
        for (auto& [k, v] : collection->get_object()) items.push_back(std::move(v));
      else if (!collection->is_null())
        items.push_back(std::move(*collection));
    }
    json::value saved_var = Lookup(n.var);
    json::value saved_foreach = Lookup("foreach");
    Flow result = Flow::kNext;
    for (size_t i = 0; i < items.size(); ++i) {
      if (++iterations_ > limits_.max_iterations)
        return Fail("#foreach ran past " + std::to_string(limits_.max_iterations) + " iterations"),
               Flow::kError;
      vars_[n.var] = items[i];
      vars_["foreach"] = json::object{{"index", static_cast<int64_t>(i)},
                                      {"count", static_cast<int64_t>(i + 1)},
                                      {"hasNext", i + 1 < items.size()},
                                      {"first", i == 0},
                                      {"last", i + 1 == items.size()}};
      vars_["velocityCount"] = static_cast<int64_t>(i + 1);
      Flow f = Run(n.branches[0].body);
      if (f == Flow::kBreak) break;
      if (f != Flow::kNext) {
        result = f;
        break;
      }
    }
    Restore(n.var, std::move(saved_var));
    Restore("foreach", std::move(saved_foreach));
    return result;
  }

  json::value Lookup(const std::string& name) {
    auto* v = vars_.if_contains(name);
    return v ? *v : json::value();
  }
  void Restore(const std::string& name, json::value v) {
    if (v.is_null())
      vars_.erase(name);
    else
      vars_[name] = std::move(v);
  }

  // The storage a reference's root names, or null for $input, $util and unset variables.
  json::value* RootSlot(const std::string& root, bool create) {
    if (root == "context") return &context_;
    if (root == "stageVariables") return &stage_;
    if (root == "input" || root == "util") return nullptr;
    if (auto* v = vars_.if_contains(root)) return v;
    return create ? &vars_[root] : nullptr;
  }

  // #set($a = v), #set($a.b.c = v) (maps created on the way), #set($list[0] = v).
  bool Assign(const Ref& ref, json::value v) {
    if (ref.chain.empty()) {
      if (ref.root == "input" || ref.root == "util" || ref.root == "context" ||
          ref.root == "stageVariables")
        return Fail("cannot #set $" + ref.root);
      if (v.is_null())
        vars_.erase(ref.root);
      else
        vars_[ref.root] = std::move(v);
      return true;
    }
    json::value* slot = RootSlot(ref.root, true);
    if (!slot) return Fail("cannot #set " + ref.source);
    for (size_t i = 0; i < ref.chain.size(); ++i) {
      const Segment& seg = ref.chain[i];
      bool last = i + 1 == ref.chain.size();
      if (seg.kind == Segment::Kind::kMethod) return Fail("cannot #set a method's result");
      if (seg.kind == Segment::Kind::kIndex) {
        auto index = Eval(*seg.args[0]);
        if (!error_.empty()) return false;
        if (slot->is_array() && index) {
          auto n = AsInt(*index);
          if (!n || *n < 0 || *n >= static_cast<int64_t>(slot->get_array().size()))
            return Fail("index out of range in " + ref.source);
          slot = &slot->get_array()[static_cast<size_t>(*n)];
        } else if (index && index->is_string()) {
          if (!slot->is_object()) *slot = json::object();
          slot = &slot->get_object()[index->get_string()];
        } else {
          return Fail("cannot #set " + ref.source);
        }
      } else {
        if (!slot->is_object()) *slot = json::object();
        slot = &slot->get_object()[seg.name];
      }
      if (last) *slot = std::move(v);
    }
    return true;
  }

  std::optional<json::value> Eval(const Expr& e) {
    DepthGuard guard(&depth_);
    if (depth_ > limits_.max_depth) return Fail("evaluation nests too deeply"), std::nullopt;
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return e.literal;
      case Expr::Kind::kInterpolated: {
        std::string saved = std::move(out_);
        out_.clear();
        bool ok = Exec(e.parts);
        std::string text = std::move(out_);
        out_ = std::move(saved);
        if (!ok) return std::nullopt;
        return json::value(json::string(text));
      }
      case Expr::Kind::kList: {
        json::array a;
        for (const auto& item : e.items) {
          auto v = Eval(*item);
          if (!error_.empty()) return std::nullopt;
          a.push_back(v ? std::move(*v) : json::value());
        }
        return json::value(std::move(a));
      }
      case Expr::Kind::kMap: {
        json::object o;
        for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
          auto k = Eval(*e.items[i]);
          auto v = Eval(*e.items[i + 1]);
          if (!error_.empty()) return std::nullopt;
          o[k ? ToJavaString(*k) : "null"] = v ? std::move(*v) : json::value();
        }
        return json::value(std::move(o));
      }
      case Expr::Kind::kRange: {
        auto lo = Eval(*e.items[0]);
        auto hi = Eval(*e.items[1]);
        if (!error_.empty()) return std::nullopt;
        std::optional<int64_t> from = lo ? AsInt(*lo) : std::nullopt;
        std::optional<int64_t> to = hi ? AsInt(*hi) : std::nullopt;
        if (!from || !to) return std::nullopt;
        int64_t a = *from, b = *to;
        // Saturating: a range wider than the iteration limit could never be looped over.
        if (std::abs(static_cast<double>(b) - static_cast<double>(a)) >=
            static_cast<double>(limits_.max_iterations))
          return Fail("range wider than " + std::to_string(limits_.max_iterations)), std::nullopt;
        json::array r;
        int64_t step = a <= b ? 1 : -1;
        for (int64_t i = a;; i += step) {
          r.push_back(i);
          if (i == b) break;
        }
        return json::value(std::move(r));
      }
      case Expr::Kind::kRef:
        return EvalRef(e.ref);
      case Expr::Kind::kUnary: {
        auto v = Eval(*e.items[0]);
        if (!error_.empty()) return std::nullopt;
        if (e.op == "!") return json::value(!(v && Truthy(*v)));
        if (!v || !IsNumber(*v)) return std::nullopt;
        if (v->is_double()) return json::value(-v->get_double());
        return json::value(-AsInt(*v).value_or(0));
      }
      case Expr::Kind::kBinary:
        return Binary(e);
    }
    return std::nullopt;
  }

  std::optional<json::value> Binary(const Expr& e) {
    const std::string& op = e.op;
    auto l = Eval(*e.items[0]);
    if (!error_.empty()) return std::nullopt;
    if (op == "&&" || op == "and") {
      if (!(l && Truthy(*l))) return json::value(false);
      auto r = Eval(*e.items[1]);
      return json::value(r && Truthy(*r));
    }
    if (op == "||" || op == "or") {
      if (l && Truthy(*l)) return json::value(true);
      auto r = Eval(*e.items[1]);
      return json::value(r && Truthy(*r));
    }
    auto r = Eval(*e.items[1]);
    if (!error_.empty()) return std::nullopt;
    json::value a = l ? std::move(*l) : json::value();
    json::value b = r ? std::move(*r) : json::value();
    if (op == "==" || op == "eq") return json::value(Equal(a, b));
    if (op == "!=" || op == "ne") return json::value(!Equal(a, b));
    if (op == "+" && (a.is_string() || b.is_string())) {
      std::string s = ToJavaString(a) + ToJavaString(b);
      if (s.size() > limits_.max_output_bytes) return Fail("string too large"), std::nullopt;
      return json::value(json::string(s));
    }
    if (op == "<" || op == ">" || op == "<=" || op == ">=" || op == "lt" || op == "gt" ||
        op == "le" || op == "ge") {
      int cmp;
      if (IsNumber(a) && IsNumber(b)) {
        double x = AsDouble(a), y = AsDouble(b);
        cmp = x < y ? -1 : x > y ? 1 : 0;
      } else if (a.is_string() && b.is_string()) {
        cmp = a.get_string().compare(b.get_string());
      } else {
        return json::value(false);
      }
      if (op == "<" || op == "lt") return json::value(cmp < 0);
      if (op == ">" || op == "gt") return json::value(cmp > 0);
      if (op == "<=" || op == "le") return json::value(cmp <= 0);
      return json::value(cmp >= 0);
    }
    if (!IsNumber(a) || !IsNumber(b)) return std::nullopt;
    if (!a.is_int64() || !b.is_int64()) {
      double x = AsDouble(a), y = AsDouble(b);
      if (op == "+") return json::value(x + y);
      if (op == "-") return json::value(x - y);
      if (op == "*") return json::value(x * y);
      if (op == "/") return y == 0 ? std::nullopt : std::optional<json::value>(x / y);
      if (op == "%") return y == 0 ? std::nullopt : std::optional<json::value>(std::fmod(x, y));
      return std::nullopt;
    }
    int64_t x = a.get_int64(), y = b.get_int64(), z = 0;
    bool overflow = false;
    if (op == "+")
      overflow = __builtin_add_overflow(x, y, &z);
    else if (op == "-")
      overflow = __builtin_sub_overflow(x, y, &z);
    else if (op == "*")
      overflow = __builtin_mul_overflow(x, y, &z);
    else if (op == "/" || op == "%") {
      if (y == 0 || (x == INT64_MIN && y == -1)) return std::nullopt;  // Velocity: null
      z = op == "/" ? x / y : x % y;
    }
    if (overflow)
      return json::value(op == "+"   ? static_cast<double>(x) + static_cast<double>(y)
                         : op == "-" ? static_cast<double>(x) - static_cast<double>(y)
                                     : static_cast<double>(x) * static_cast<double>(y));
    return json::value(z);
  }

  // ---- References ----

  std::optional<json::value> EvalRef(const Ref& ref) {
    json::value temp;
    json::value* cur = nullptr;  // into storage, so methods like add/put change it
    size_t i = 0;
    if (ref.root == "input" || ref.root == "util") {
      if (ref.chain.empty()) return std::nullopt;
      auto v = ref.root == "input" ? InputMember(ref.chain[0]) : UtilMethod(ref.chain[0]);
      if (!v) return std::nullopt;
      temp = std::move(*v);
      cur = &temp;
      i = 1;
    } else {
      cur = RootSlot(ref.root, false);
      if (!cur) return std::nullopt;
    }
    for (; i < ref.chain.size(); ++i) {
      const Segment& seg = ref.chain[i];
      json::value* next = nullptr;
      if (seg.kind == Segment::Kind::kProperty) {
        if (cur->is_object())
          next = cur->get_object().if_contains(seg.name);
        else if (seg.name == "empty" || seg.name == "size" || seg.name == "length") {
          auto v = Method(cur, seg.name == "empty" ? "isEmpty" : seg.name, {});
          if (!v) return std::nullopt;
          temp = std::move(*v);
          next = &temp;
        }
      } else if (seg.kind == Segment::Kind::kIndex) {
        auto index = Eval(*seg.args[0]);
        if (!error_.empty() || !index) return std::nullopt;
        if (cur->is_array()) {
          auto n = AsInt(*index);
          auto& a = cur->get_array();
          if (n && *n < 0) *n += static_cast<int64_t>(a.size());
          if (n && *n >= 0 && *n < static_cast<int64_t>(a.size()))
            next = &a[static_cast<size_t>(*n)];
        } else if (cur->is_object()) {
          next = cur->get_object().if_contains(ToJavaString(*index));
        }
      } else {
        std::vector<json::value> args;
        for (const auto& a : seg.args) {
          auto v = Eval(*a);
          if (!error_.empty()) return std::nullopt;
          args.push_back(v ? std::move(*v) : json::value());
        }
        auto v = Method(cur, seg.name, args);
        if (!error_.empty() || !v) return std::nullopt;
        json::value copy = std::move(*v);
        temp = std::move(copy);
        next = &temp;
      }
      if (!next || next->is_null()) return std::nullopt;
      if (next != &temp) {
        // Keep pointing into storage while the chain walks it.
        cur = next;
      } else {
        cur = &temp;
      }
    }
    return *cur;
  }

  const json::value* Body() {
    if (!body_parsed_) {
      body_parsed_ = true;
      std::string_view text = b_.body;
      size_t first = text.find_first_not_of(" \t\r\n");
      if (first == std::string_view::npos) {
        body_ = json::object();
      } else {
        boost::system::error_code ec;
        body_ = json::parse(text, ec);
        if (ec) {
          body_ok_ = false;
          body_error_ = ec.message();
        }
      }
    }
    if (!body_ok_) {
      Fail("Could not parse request body into json: " + body_error_, Failure::kBadBody);
      return nullptr;
    }
    return &body_;
  }

  std::optional<json::value> InputMember(const Segment& seg) {
    std::vector<json::value> args;
    for (const auto& a : seg.args) {
      auto v = Eval(*a);
      if (!error_.empty()) return std::nullopt;
      args.push_back(v ? std::move(*v) : json::value());
    }
    std::string arg0 = args.empty() ? "" : ToJavaString(args[0]);
    if (seg.name == "body") return json::value(json::string(b_.body));
    if (seg.name == "params" && seg.kind == Segment::Kind::kMethod) {
      if (args.empty()) return json::value(b_.params);
      // path, then query string, then header (developer guide, "$input variables").
      for (std::string_view where : {"path", "querystring", "header"}) {
        const auto* group = b_.params.if_contains(where);
        if (!group || !group->is_object()) continue;
        for (const auto& [k, v] : group->get_object()) {
          bool match = where == "header"
                           ? k.size() == arg0.size() &&
                                 std::equal(k.begin(), k.end(), arg0.begin(),
                                            [](char x, char y) {
                                              return std::tolower(static_cast<unsigned char>(x)) ==
                                                     std::tolower(static_cast<unsigned char>(y));
                                            })
                           : std::string_view(k) == arg0;
          if (match) return v;
        }
      }
      return json::value(json::string());
    }
    if ((seg.name == "path" || seg.name == "json") && seg.kind == Segment::Kind::kMethod) {
      const json::value* body = Body();
      if (!body) return std::nullopt;
      auto v = JsonPath(*body, args.empty() ? "$" : arg0);
      if (seg.name == "path") return v;
      if (!v) return json::value(json::string());
      return json::value(json::string(json::serialize(*v)));
    }
    return std::nullopt;
  }

  std::optional<json::value> UtilMethod(const Segment& seg) {
    if (seg.kind != Segment::Kind::kMethod || seg.args.size() != 1) return std::nullopt;
    auto arg = Eval(*seg.args[0]);
    if (!error_.empty()) return std::nullopt;
    std::string s = arg && !arg->is_null() ? ToJavaString(*arg) : "";
    auto str = [](std::string v) { return json::value(json::string(v)); };
    if (seg.name == "escapeJavaScript") return str(EscapeJavaScript(s));
    if (seg.name == "base64Encode") return str(Base64Encode(s));
    if (seg.name == "base64Decode") {
      auto d = Base64Decode(s);
      return str(d ? *d : "");
    }
    if (seg.name == "urlEncode") return str(UrlEncodeForm(s));
    if (seg.name == "urlDecode") {
      auto d = UriDecode(s, true);
      return str(d ? *d : s);
    }
    if (seg.name == "parseJson") {
      boost::system::error_code ec;
      json::value v = json::parse(s, ec);
      if (ec) return Fail("$util.parseJson: invalid JSON"), std::nullopt;
      return v;
    }
    return std::nullopt;
  }

  // Java methods of maps, lists and strings; `self` may be changed (add, put, remove).
  std::optional<json::value> Method(json::value* self, const std::string& name,
                                    const std::vector<json::value>& args) {
    auto arg = [&](size_t i) -> const json::value& {
      static const json::value kNull;
      return i < args.size() ? args[i] : kNull;
    };
    if (name == "toString" && args.empty()) return json::value(json::string(ToJavaString(*self)));
    if (name == "equals") return json::value(Equal(*self, arg(0)));
    if (self->is_object()) {
      auto& o = self->get_object();
      std::string key = ToJavaString(arg(0));
      if (name == "get") {
        if (auto* v = o.if_contains(key)) return *v;
        // Header maps keep the client's case yet answer a name in any case, as API Gateway's
        // do; an exact key wins.
        for (const auto& [k, v] : o)
          if (k.size() == key.size() &&
              std::equal(k.begin(), k.end(), key.begin(), [](char x, char y) {
                return std::tolower(static_cast<unsigned char>(x)) ==
                       std::tolower(static_cast<unsigned char>(y));
              }))
            return v;
        return std::nullopt;
      }
      if (name == "containsKey") return json::value(o.contains(key));
      if (name == "size") return json::value(static_cast<int64_t>(o.size()));
      if (name == "isEmpty") return json::value(o.empty());
      if (name == "keySet") {
        json::array keys;
        for (const auto& [k, v] : o) keys.push_back(json::string(k));
        return json::value(std::move(keys));
      }
      if (name == "values") {
        json::array values;
        for (const auto& [k, v] : o) values.push_back(v);
        return json::value(std::move(values));
      }
      if (name == "put" && args.size() == 2) {
        json::value previous;
        if (auto* v = o.if_contains(key)) previous = *v;
        o[key] = arg(1);
        return previous;
      }
      if (name == "remove") {
        json::value previous;
        if (auto* v = o.if_contains(key)) previous = *v;
        o.erase(key);
        return previous;
      }
      return std::nullopt;
    }
    if (self->is_array()) {
      auto& a = self->get_array();
      if (name == "size") return json::value(static_cast<int64_t>(a.size()));
      if (name == "isEmpty") return json::value(a.empty());
      if (name == "get") {
        auto n = AsInt(arg(0));
        if (!n || *n < 0 || *n >= static_cast<int64_t>(a.size())) return std::nullopt;
        return a[static_cast<size_t>(*n)];
      }
      if (name == "contains") {
        for (const auto& x : a)
          if (Equal(x, arg(0))) return json::value(true);
        return json::value(false);
      }
      if (name == "add" && args.size() == 1) {
        if (a.size() >= static_cast<size_t>(limits_.max_iterations) * 10)
          return Fail("list too large"), std::nullopt;
        a.push_back(arg(0));
        return json::value(true);
      }
      return std::nullopt;
    }
    if (self->is_string()) {
      std::string s(self->get_string());
      std::string t = ToJavaString(arg(0));
      auto str = [](std::string v) { return json::value(json::string(v)); };
      if (name == "length" || name == "size")
        return json::value(static_cast<int64_t>(CodePoints(s).size()));
      if (name == "isEmpty") return json::value(s.empty());
      if (name == "contains") return json::value(s.find(t) != std::string::npos);
      if (name == "startsWith") return json::value(s.rfind(t, 0) == 0);
      if (name == "endsWith")
        return json::value(s.size() >= t.size() &&
                           s.compare(s.size() - t.size(), t.size(), t) == 0);
      if (name == "indexOf") {
        auto p = s.find(t);
        return json::value(p == std::string::npos ? -1 : static_cast<int64_t>(p));
      }
      if (name == "equalsIgnoreCase") {
        if (s.size() != t.size()) return json::value(false);
        for (size_t i = 0; i < s.size(); ++i)
          if (std::tolower(static_cast<unsigned char>(s[i])) !=
              std::tolower(static_cast<unsigned char>(t[i])))
            return json::value(false);
        return json::value(true);
      }
      if (name == "toLowerCase" || name == "toUpperCase") {
        for (char& c : s)
          c = static_cast<char>(name == "toLowerCase"
                                    ? std::tolower(static_cast<unsigned char>(c))
                                    : std::toupper(static_cast<unsigned char>(c)));
        return str(s);
      }
      if (name == "trim") {
        size_t b = s.find_first_not_of(" \t\r\n");
        size_t e = s.find_last_not_of(" \t\r\n");
        return str(b == std::string::npos ? "" : s.substr(b, e - b + 1));
      }
      if (name == "substring") {
        auto b = AsInt(arg(0));
        auto e = args.size() > 1 ? AsInt(arg(1)) : std::optional<int64_t>(s.size());
        if (!b || !e || *b < 0 || *e > static_cast<int64_t>(s.size()) || *b > *e)
          return std::nullopt;
        return str(s.substr(static_cast<size_t>(*b), static_cast<size_t>(*e - *b)));
      }
      if (name == "replace" && args.size() == 2) {
        std::string with = ToJavaString(arg(1));
        if (t.empty()) return str(s);
        std::string r;
        size_t pos = 0;
        while (true) {
          auto p = s.find(t, pos);
          if (p == std::string::npos) break;
          r += s.substr(pos, p - pos) + with;
          pos = p + t.size();
          if (r.size() > limits_.max_output_bytes) return Fail("string too large"), std::nullopt;
        }
        return str(r + s.substr(pos));
      }
      if (name == "split" && args.size() == 1 && t.size() == 1) {
        json::array parts;
        size_t pos = 0;
        while (true) {
          auto p = s.find(t, pos);
          parts.push_back(json::string(s.substr(pos, p == std::string::npos ? p : p - pos)));
          if (p == std::string::npos) break;
          pos = p + 1;
        }
        while (!parts.empty() && parts.back().get_string().empty()) parts.pop_back();
        return json::value(std::move(parts));
      }
      return std::nullopt;
    }
    if (IsNumber(*self)) {
      if (name == "intValue" || name == "longValue") return json::value(AsInt(*self).value_or(0));
      if (name == "doubleValue") return json::value(AsDouble(*self));
    }
    return std::nullopt;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }
    int* d_;
  };

 public:
  void Bind() {
    context_ = b_.context;
    stage_ = b_.stage_variables;
  }
  void Unbind() {
    if (context_.is_object()) b_.context = std::move(context_.get_object());
  }

 private:
  Bindings& b_;
  const Limits& limits_;
  json::object vars_;
  json::value context_;
  json::value stage_;
  std::string out_;
  std::string error_;
  Failure failure_ = Failure::kNone;
  int depth_ = 0;
  int64_t iterations_ = 0;
  bool body_parsed_ = false;
  bool body_ok_ = true;
  std::string body_error_;
  json::value body_;
};

}  // namespace

Rendered Render(std::string_view text, Bindings& bindings, const Limits& limits) {
  Rendered r;
  if (text.size() > limits.max_template_bytes) {
    r.failure = Failure::kTemplate;
    r.error = "template larger than " + std::to_string(limits.max_template_bytes) + " bytes";
    return r;
  }
  std::vector<Node> nodes;
  if (!syntax::Parse(text, limits, &nodes, &r.error)) {
    r.failure = Failure::kTemplate;
    return r;
  }
  Evaluator ev(bindings, limits);
  ev.Bind();
  bool ok = ev.Evaluate(nodes);
  ev.Unbind();
  if (!ok) {
    r.failure = ev.failure();
    r.error = ev.error();
    return r;
  }
  if (ev.output().size() > limits.max_output_bytes) {
    r.failure = Failure::kTemplate;
    r.error = "template output too large";
    return r;
  }
  r.output = std::move(ev.output());
  return r;
}

}  // namespace nimbus::apigateway::vtl
