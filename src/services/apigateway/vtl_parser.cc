// A recursive-descent parser over the template text; every recursion counts its depth against
// Limits::max_depth so hostile nesting ends in an error, never a stack overflow.
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "services/apigateway/vtl_syntax.h"

namespace nimbus::apigateway::vtl::syntax {

namespace {

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

class Parser {
 public:
  Parser(std::string_view s, const Limits& limits) : s_(s), limits_(limits) {}

  // Parses the whole template; false with error() set when it is malformed.
  bool ParseTemplate(std::vector<Node>* out) {
    std::string end;
    if (!ParseBlock(out, &end)) return false;
    if (!end.empty()) return Fail("#" + end + " without a matching #if or #foreach");
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message) + " at offset " + std::to_string(pos_);
    return false;
  }
  bool Eof() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  void SkipSpace() {
    while (!Eof() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(std::string_view token) {
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }
    int* d_;
  };

  static void AppendText(std::vector<Node>* out, std::string_view text) {
    if (text.empty()) return;
    if (!out->empty() && out->back().kind == Node::Kind::kText) {
      out->back().text += text;
      return;
    }
    Node n;
    n.text = std::string(text);
    out->push_back(std::move(n));
  }

  // Velocity's "lines" whitespace rule: a directive alone on its line takes the line's
  // indentation and its newline with it. `start` is where the directive's '#' was.
  void GobbleLine(size_t start, std::vector<Node>* out) {
    size_t b = start;
    while (b > 0 && (s_[b - 1] == ' ' || s_[b - 1] == '\t')) --b;
    if (b > 0 && s_[b - 1] != '\n') return;
    size_t e = pos_;
    while (e < s_.size() && (s_[e] == ' ' || s_[e] == '\t')) ++e;
    if (e < s_.size() && s_[e] == '\r') ++e;
    if (e < s_.size() && s_[e] != '\n') return;
    if (e < s_.size()) ++e;
    pos_ = e;
    if (start > b && !out->empty() && out->back().kind == Node::Kind::kText) {
      auto& t = out->back().text;
      if (t.size() >= start - b) t.resize(t.size() - (start - b));
    }
  }

  // Parses nodes until EOF or a block end (#end, #else, #elseif), whose name goes to `*end`.
  bool ParseBlock(std::vector<Node>* out, std::string* end) {
    DepthGuard guard(&depth_);
    if (depth_ > limits_.max_depth) return Fail("directives nest too deeply");
    end->clear();
    while (!Eof()) {
      size_t next = s_.find_first_of("$#", pos_);
      if (next == std::string_view::npos) next = s_.size();
      AppendText(out, s_.substr(pos_, next - pos_));
      pos_ = next;
      if (Eof()) break;
      if (s_[pos_] == '$') {
        size_t start = pos_;
        Ref ref;
        if (ParseRef(&ref, false)) {
          Node n;
          n.kind = Node::Kind::kRef;
          n.ref = std::move(ref);
          out->push_back(std::move(n));
        } else {
          if (!error_.empty()) return false;
          pos_ = start + 1;
          AppendText(out, "$");
        }
        continue;
      }
      // '#'
      size_t start = pos_;
      if (Eat("##")) {
        size_t nl = s_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? s_.size() : nl + 1;
        continue;
      }
      if (Eat("#*")) {
        size_t close = s_.find("*#", pos_);
        if (close == std::string_view::npos) return Fail("unterminated #* comment");
        pos_ = close + 2;
        continue;
      }
      if (Eat("#[[")) {
        size_t close = s_.find("]]#", pos_);
        if (close == std::string_view::npos) return Fail("unterminated #[[ block");
        AppendText(out, s_.substr(pos_, close - pos_));
        pos_ = close + 3;
        continue;
      }
      ++pos_;
      bool braced = Eat("{");
      size_t name_start = pos_;
      while (!Eof() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      std::string name(s_.substr(name_start, pos_ - name_start));
      if (braced && !Eat("}")) name.clear();
      if (name == "end" || name == "else" || name == "elseif") {
        last_start_ = start;
        if (name != "elseif") GobbleLine(start, out);
        *end = name;
        return true;
      }
      if (name == "set") {
        Node n;
        n.kind = Node::Kind::kSet;
        SkipSpace();
        if (!Eat("(")) return Fail("#set needs (");
        SkipSpace();
        if (Peek() != '$' || !ParseRef(&n.ref, true)) return Fail("#set needs a reference");
        SkipSpace();
        if (!Eat("=")) return Fail("#set needs =");
        if (!(n.expr = ParseExpr())) return false;
        SkipSpace();
        if (!Eat(")")) return Fail("#set needs )");
        GobbleLine(start, out);
        out->push_back(std::move(n));
        continue;
      }
      if (name == "if") {
        if (!ParseIf(start, out)) return false;
        continue;
      }
      if (name == "foreach") {
        Node n;
        n.kind = Node::Kind::kForeach;
        SkipSpace();
        if (!Eat("(")) return Fail("#foreach needs (");
        SkipSpace();
        if (!Eat("$")) return Fail("#foreach needs a variable");
        Eat("!");
        bool brace = Eat("{");
        size_t vs = pos_;
        while (!Eof() && IdentChar(s_[pos_])) ++pos_;
        n.var = std::string(s_.substr(vs, pos_ - vs));
        if (n.var.empty() || (brace && !Eat("}"))) return Fail("#foreach needs a variable");
        SkipSpace();
        if (!Eat("in")) return Fail("#foreach needs in");
        if (!(n.expr = ParseExpr())) return false;
        SkipSpace();
        if (!Eat(")")) return Fail("#foreach needs )");
        GobbleLine(start, out);
        n.branches.emplace_back();
        std::string close;
        if (!ParseBlock(&n.branches[0].body, &close)) return false;
        if (close != "end") return Fail("#foreach without #end");
        out->push_back(std::move(n));
        continue;
      }
      if (name == "break" || name == "stop") {
        Node n;
        n.kind = name == "break" ? Node::Kind::kBreak : Node::Kind::kStop;
        GobbleLine(start, out);
        out->push_back(std::move(n));
        continue;
      }
      if (name == "macro" || name == "parse" || name == "include" || name == "evaluate" ||
          name == "define")
        return Fail("#" + name + " is not supported");
      // Not a directive: the '#' is text.
      pos_ = start + 1;
      AppendText(out, "#");
    }
    return true;
  }

  bool ParseIf(size_t start, std::vector<Node>* out) {
    Node n;
    n.kind = Node::Kind::kIf;
    size_t directive = start;
    while (true) {
      Branch b;
      SkipSpace();
      if (!Eat("(")) return Fail("#if needs (");
      if (!(b.cond = ParseExpr())) return false;
      SkipSpace();
      if (!Eat(")")) return Fail("#if needs )");
      // An #elseif's indentation ends the previous branch's text.
      GobbleLine(directive, n.branches.empty() ? out : &n.branches.back().body);
      std::string close;
      if (!ParseBlock(&b.body, &close)) return false;
      n.branches.push_back(std::move(b));
      if (close == "elseif") {
        directive = last_start_;
        continue;
      }
      if (close == "else") {
        Branch e;
        if (!ParseBlock(&e.body, &close)) return false;
        n.branches.push_back(std::move(e));
        if (close != "end") return Fail("#else without #end");
        break;
      }
      if (close != "end") return Fail("#if without #end");
      break;
    }
    out->push_back(std::move(n));
    return true;
  }

  // A reference at '$'. In text (`in_expr` false) a chain stops before anything that does not
  // continue it; false (error_ unset) when '$' does not start a reference.
  bool ParseRef(Ref* ref, bool in_expr) {
    size_t start = pos_;
    if (!Eat("$")) return false;
    ref->quiet = Eat("!");
    bool braced = Eat("{");
    if (Eof() || !IdentStart(s_[pos_])) {
      pos_ = start;
      return false;
    }
    size_t ns = pos_;
    // Velocity allows '-' in names; inside an expression it is the minus operator.
    while (!Eof() && (IdentChar(s_[pos_]) && !(in_expr && s_[pos_] == '-'))) ++pos_;
    // A trailing '-' belongs to the text ("$a-" in "$a-$b"), not the name.
    while (pos_ > ns + 1 && s_[pos_ - 1] == '-') --pos_;
    ref->root = std::string(s_.substr(ns, pos_ - ns));
    while (!Eof()) {
      if (Peek() == '.' && IdentStart(Peek(1))) {
        ++pos_;
        Segment seg;
        size_t ms = pos_;
        while (!Eof() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
          ++pos_;
        seg.name = std::string(s_.substr(ms, pos_ - ms));
        if (Peek() == '(') {
          ++pos_;
          seg.kind = Segment::Kind::kMethod;
          SkipSpace();
          if (!Eat(")")) {
            while (true) {
              auto arg = ParseExpr();
              if (!arg) return false;
              seg.args.push_back(std::move(arg));
              SkipSpace();
              if (Eat(")")) break;
              if (!Eat(",")) return Fail("method arguments need , or )");
            }
          }
        }
        ref->chain.push_back(std::move(seg));
        continue;
      }
      if (Peek() == '[') {
        ++pos_;
        Segment seg;
        seg.kind = Segment::Kind::kIndex;
        auto index = ParseExpr();
        if (!index) return false;
        SkipSpace();
        if (!Eat("]")) return Fail("index needs ]");
        seg.args.push_back(std::move(index));
        ref->chain.push_back(std::move(seg));
        continue;
      }
      break;
    }
    if (braced && !Eat("}")) {
      if (in_expr) return Fail("${ needs }");
      pos_ = start;
      return false;
    }
    ref->source = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  ExprPtr ParseExpr() {
    DepthGuard guard(&depth_);
    if (depth_ > limits_.max_depth) {
      Fail("expression nests too deeply");
      return nullptr;
    }
    return ParseBinary(0);
  }

  // Binary operators by precedence level, lowest first.
  static int Level(std::string_view op) {
    if (op == "||" || op == "or") return 0;
    if (op == "&&" || op == "and") return 1;
    if (op == "==" || op == "!=" || op == "eq" || op == "ne") return 2;
    if (op == "<" || op == ">" || op == "<=" || op == ">=" || op == "lt" || op == "gt" ||
        op == "le" || op == "ge")
      return 3;
    if (op == "+" || op == "-") return 4;
    if (op == "*" || op == "/" || op == "%") return 5;
    return -1;
  }

  std::string PeekOperator() {
    SkipSpace();
    for (std::string_view op :
         {"||", "&&", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%"})
      if (s_.substr(pos_, op.size()) == op) return std::string(op);
    for (std::string_view op : {"or", "and", "eq", "ne", "lt", "gt", "le", "ge"})
      if (s_.substr(pos_, op.size()) == op && !IdentChar(Peek(op.size()))) return std::string(op);
    return "";
  }

  ExprPtr ParseBinary(int min_level) {
    auto left = ParseUnary();
    if (!left) return nullptr;
    while (true) {
      std::string op = PeekOperator();
      int level = op.empty() ? -1 : Level(op);
      if (level < min_level || level < 0) return left;
      pos_ += op.size();
      auto right = ParseBinary(level + 1);
      if (!right) return nullptr;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kBinary;
      e->op = op;
      e->items.push_back(std::move(left));
      e->items.push_back(std::move(right));
      left = std::move(e);
      if (++ops_ > 100000) {
        Fail("expression too long");
        return nullptr;
      }
    }
  }

  ExprPtr ParseUnary() {
    SkipSpace();
    std::string op;
    if (Peek() == '!' && Peek(1) != '=')
      op = "!";
    else if (s_.substr(pos_, 3) == "not" && !IdentChar(Peek(3)))
      op = "not";
    else if (Peek() == '-' && !std::isdigit(static_cast<unsigned char>(Peek(1))))
      op = "-";
    if (!op.empty()) {
      pos_ += op.size();
      DepthGuard guard(&depth_);
      if (depth_ > limits_.max_depth) {
        Fail("expression nests too deeply");
        return nullptr;
      }
      auto operand = ParseUnary();
      if (!operand) return nullptr;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kUnary;
      e->op = op == "not" ? "!" : op;
      e->items.push_back(std::move(operand));
      return e;
    }
    return ParsePrimary();
  }

  ExprPtr ParsePrimary() {
    SkipSpace();
    auto e = std::make_unique<Expr>();
    char c = Peek();
    if (c == '(') {
      ++pos_;
      auto inner = ParseExpr();
      if (!inner) return nullptr;
      SkipSpace();
      if (!Eat(")")) return Fail("( needs )"), nullptr;
      return inner;
    }
    if (c == '$') {
      e->kind = Expr::Kind::kRef;
      if (!ParseRef(&e->ref, true)) return Fail("malformed reference"), nullptr;
      return e;
    }
    if (c == '\'' || c == '"') {
      ++pos_;
      std::string text;
      while (true) {
        if (Eof()) return Fail("unterminated string"), nullptr;
        char d = s_[pos_++];
        if (d == c) {
          if (Peek() == c) {  // doubled quote: one quote
            text += c;
            ++pos_;
            continue;
          }
          break;
        }
        if (d == '\\' && Peek() == c) {
          text += c;
          ++pos_;
          continue;
        }
        text += d;
      }
      if (c == '\'' || text.find_first_of("$#") == std::string::npos) {
        e->literal = json::string(text);
        return e;
      }
      Parser inner(text, limits_);
      inner.depth_ = depth_;
      std::string end;
      if (!inner.ParseBlock(&e->parts, &end) || !end.empty()) {
        Fail(inner.error_.empty() ? "malformed string" : inner.error_);
        return nullptr;
      }
      e->kind = Expr::Kind::kInterpolated;
      return e;
    }
    if (c == '[') {
      ++pos_;
      SkipSpace();
      if (Eat("]")) {
        e->kind = Expr::Kind::kList;
        return e;
      }
      auto first = ParseExpr();
      if (!first) return nullptr;
      SkipSpace();
      if (Eat("..")) {
        auto last = ParseExpr();
        if (!last) return nullptr;
        SkipSpace();
        if (!Eat("]")) return Fail("range needs ]"), nullptr;
        e->kind = Expr::Kind::kRange;
        e->items.push_back(std::move(first));
        e->items.push_back(std::move(last));
        return e;
      }
      e->kind = Expr::Kind::kList;
      e->items.push_back(std::move(first));
      while (true) {
        SkipSpace();
        if (Eat("]")) return e;
        if (!Eat(",")) return Fail("list needs , or ]"), nullptr;
        auto item = ParseExpr();
        if (!item) return nullptr;
        e->items.push_back(std::move(item));
      }
    }
    if (c == '{') {
      ++pos_;
      e->kind = Expr::Kind::kMap;
      SkipSpace();
      if (Eat("}")) return e;
      while (true) {
        auto key = ParseExpr();
        if (!key) return nullptr;
        SkipSpace();
        if (!Eat(":")) return Fail("map needs :"), nullptr;
        auto value = ParseExpr();
        if (!value) return nullptr;
        e->items.push_back(std::move(key));
        e->items.push_back(std::move(value));
        SkipSpace();
        if (Eat("}")) return e;
        if (!Eat(",")) return Fail("map needs , or }"), nullptr;
      }
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      size_t start = pos_;
      if (c == '-') ++pos_;
      while (!Eof() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      bool real = false;
      if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
        real = true;
        ++pos_;
        while (!Eof() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      }
      std::string_view digits = s_.substr(start, pos_ - start);
      if (real) {
        e->literal = std::strtod(std::string(digits).c_str(), nullptr);
      } else {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc()) return Fail("number out of range"), nullptr;
        e->literal = v;
      }
      return e;
    }
    for (auto [word, value] : {std::pair<std::string_view, json::value>{"true", true},
                               {"false", false},
                               {"null", nullptr}}) {
      if (s_.substr(pos_, word.size()) == word && !IdentChar(Peek(word.size()))) {
        pos_ += word.size();
        e->literal = value;
        return e;
      }
    }
    Fail("expected a value");
    return nullptr;
  }

  std::string_view s_;
  const Limits& limits_;
  size_t pos_ = 0;
  int depth_ = 0;
  int64_t ops_ = 0;
  size_t last_start_ = 0;
  std::string error_;
};

}  // namespace

bool Parse(std::string_view text, const Limits& limits, std::vector<Node>* nodes,
           std::string* error) {
  Parser parser(text, limits);
  if (parser.ParseTemplate(nodes)) return true;
  *error = parser.error();
  return false;
}

}  // namespace nimbus::apigateway::vtl::syntax
