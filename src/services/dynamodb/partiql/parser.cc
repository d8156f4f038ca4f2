#include "services/dynamodb/partiql/parser.h"

#include <boost/json.hpp>
#include <cctype>

#include "services/dynamodb/errors.h"

namespace nimbus::dynamodb::partiql {

namespace {

constexpr std::string_view kMalformed = "Statement wasn't well formed, can't be processed: ";

ApiError Malformed(std::string_view detail) {
  return ValidationError(std::string(kMalformed) + std::string(detail));
}

enum class Tok : uint8_t { kEnd, kWord, kQuoted, kString, kNumber, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // word (as written), quoted name / string (unescaped), number, punctuation
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Words that cannot name an attribute or table unless double-quoted.
bool IsKeyword(std::string_view word) {
  static const char* const kWords[] = {
      "SELECT", "FROM",   "WHERE",  "AND",    "OR",     "NOT",       "BETWEEN", "IN",
      "IS",     "MISSING", "NULL",  "TRUE",   "FALSE",  "INSERT",    "INTO",    "VALUE",
      "VALUES", "UPDATE", "SET",    "REMOVE", "DELETE", "RETURNING", "ORDER",   "BY",
      "EXISTS", "UPSERT", "REPLACE", "GROUP", "JOIN",   "LIMIT"};
  std::string u = Upper(word);
  for (const char* w : kWords)
    if (u == w) return true;
  return false;
}

Result<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return Malformed("Unterminated comment");
      i = end + 2;
      continue;
    }
    if (c == '\'' || c == '"') {
      std::string text;
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (s[j] == c) {
          if (j + 1 < n && s[j + 1] == c) {  // doubled quote: one quote character
            text += c;
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        text += s[j++];
      }
      if (!closed)
        return Malformed(c == '\'' ? "Unterminated string literal"
                                   : "Unterminated quoted identifier");
      out.push_back({c == '\'' ? Tok::kString : Tok::kQuoted, std::move(text)});
      i = j + 1;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i;
      while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j < n && s[j] == '.') {
        ++j;
        while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < n && std::isdigit(static_cast<unsigned char>(s[k]))) {
          j = k;
          while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
      out.push_back({Tok::kNumber, std::string(s.substr(i, j - i))});
      i = j;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < n && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      out.push_back({Tok::kWord, std::string(s.substr(i, j - i))});
      i = j;
      continue;
    }
    static const char* const kPuncts[] = {"<<", ">>", "<>", "!=", "<=", ">=", "(", ")", "[",
                                          "]",  "{",  "}",  ",",  ".",  ":",  "?", "*", "=",
                                          "<",  ">",  "+",  "-",  ";"};
    bool matched = false;
    for (const char* p : kPuncts) {
      std::string_view pv(p);
      if (s.substr(i, pv.size()) == pv) {
        out.push_back({Tok::kPunct, std::string(pv)});
        i += pv.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
        return Malformed("Unexpected character");
      return Malformed(std::string("Unexpected character: ") + c);
    }
  }
  out.push_back({Tok::kEnd, ""});
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Statement> ParseStatement() {
    Statement st;
    const Token& first = Peek();
    if (first.kind == Tok::kEnd) return Malformed("Empty statement");
    std::string kw = first.kind == Tok::kWord ? Upper(first.text) : "";
    Status r = Ok{};
    if (kw == "SELECT") {
      r = ParseSelect(&st);
    } else if (kw == "INSERT") {
      r = ParseInsert(&st);
    } else if (kw == "UPDATE") {
      r = ParseUpdate(&st);
    } else if (kw == "DELETE") {
      r = ParseDelete(&st);
    } else if (kw == "EXISTS") {
      Next();
      r = Expect("(");
      if (r) r = ParseSelect(&st);
      if (r) r = Expect(")");
      st.kind = StatementKind::kExists;
    } else {
      return Malformed("Expected data manipulation");
    }
    if (!r) return std::move(r).error();
    if (IsPunct(";")) Next();
    if (Peek().kind != Tok::kEnd) return Malformed("Unexpected token after expression");
    st.parameters = params_;
    return st;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, t_.size() - 1);
    return t_[i];
  }
  const Token& Next() {
    const Token& tok = t_[pos_];
    if (pos_ + 1 < t_.size()) ++pos_;
    return tok;
  }
  bool IsPunct(std::string_view p, size_t ahead = 0) const {
    const Token& tok = Peek(ahead);
    return tok.kind == Tok::kPunct && tok.text == p;
  }
  bool IsWord(std::string_view upper, size_t ahead = 0) const {
    const Token& tok = Peek(ahead);
    return tok.kind == Tok::kWord && Upper(tok.text) == upper;
  }
  ApiError Unexpected() const {
    const Token& tok = Peek();
    if (tok.kind == Tok::kEnd) return Malformed("Unexpected end of statement");
    if (tok.kind == Tok::kWord && IsKeyword(tok.text))
      return Malformed("Unexpected keyword: " + Upper(tok.text));
    return Malformed("Unexpected token: " + (tok.kind == Tok::kString ? "'" + tok.text + "'"
                                             : tok.kind == Tok::kQuoted
                                                 ? "\"" + tok.text + "\""
                                                 : tok.text));
  }
  Status Expect(std::string_view punct) {
    if (!IsPunct(punct)) return Unexpected();
    Next();
    return Ok{};
  }
  Status ExpectWord(std::string_view upper) {
    if (!IsWord(upper)) return Unexpected();
    Next();
    return Ok{};
  }
  Status Enter() {
    if (++depth_ > kMaxDepth) return Malformed("Statement is nested too deeply");
    return Ok{};
  }

  // A table, index or attribute name: a double-quoted name or a word that is not a keyword.
  Result<std::string> Name() {
    const Token& tok = Peek();
    if (tok.kind == Tok::kQuoted) {
      if (tok.text.empty()) return Malformed("Empty quoted identifier");
      return Next().text;
    }
    if (tok.kind == Tok::kWord && !IsKeyword(tok.text)) return Next().text;
    return Unexpected();
  }

  Result<Path> ParsePath() {
    Path path;
    auto first = Name();
    if (!first) return std::move(first).error();
    path.push_back({std::move(*first), -1});
    while (true) {
      if (IsPunct(".")) {
        Next();
        auto name = Name();
        if (!name) return std::move(name).error();
        path.push_back({std::move(*name), -1});
      } else if (IsPunct("[")) {
        Next();
        if (Peek().kind == Tok::kString) {  // a['key']: a map key
          path.push_back({Next().text, -1});
        } else {
          const Token& tok = Peek();
          if (tok.kind != Tok::kNumber || tok.text.find_first_not_of("0123456789") !=
                                              std::string::npos || tok.text.size() > 9)
            return Unexpected();
          path.push_back({"", std::stoll(Next().text)});
        }
        auto r = Expect("]");
        if (!r) return std::move(r).error();
      } else {
        return path;
      }
    }
  }

  Status ParseTableRef(Statement* st, bool allow_index) {
    auto table = Name();
    if (!table) return std::move(table).error();
    st->table = std::move(*table);
    if (allow_index && IsPunct(".")) {
      Next();
      auto index = Name();
      if (!index) return std::move(index).error();
      st->index = std::move(*index);
    }
    return Ok{};
  }

  Status ParseSelect(Statement* st) {
    st->kind = StatementKind::kSelect;
    Next();  // SELECT
    if (IsPunct("*")) {
      Next();
    } else {
      while (true) {
        auto p = ParsePath();
        if (!p) return std::move(p).error();
        st->projection.push_back(std::move(*p));
        if (!IsPunct(",")) break;
        Next();
      }
    }
    auto r = ExpectWord("FROM");
    if (!r) return r;
    r = ParseTableRef(st, true);
    if (!r) return r;
    if (IsWord("WHERE")) {
      Next();
      auto c = ParseCondition();
      if (!c) return std::move(c).error();
      st->where = std::move(*c);
    }
    if (IsWord("ORDER")) {
      Next();
      r = ExpectWord("BY");
      if (!r) return r;
      auto p = ParsePath();
      if (!p) return std::move(p).error();
      st->order_by = std::move(*p);
      if (IsWord("ASC")) {
        Next();
      } else if (IsWord("DESC")) {
        Next();
        st->descending = true;
      }
    }
    return Ok{};
  }

  Status ParseInsert(Statement* st) {
    st->kind = StatementKind::kInsert;
    Next();  // INSERT
    auto r = ExpectWord("INTO");
    if (!r) return r;
    r = ParseTableRef(st, false);
    if (!r) return r;
    r = ExpectWord("VALUE");
    if (!r) return r;
    auto v = ParseValue();
    if (!v) return std::move(v).error();
    st->item = std::move(*v);
    return Ok{};
  }

  Status ParseUpdate(Statement* st) {
    st->kind = StatementKind::kUpdate;
    Next();  // UPDATE
    auto r = ParseTableRef(st, false);
    if (!r) return r;
    while (IsWord("SET") || IsWord("REMOVE")) {
      bool remove = IsWord("REMOVE");
      Next();
      while (true) {
        UpdateClause u;
        u.remove = remove;
        auto p = ParsePath();
        if (!p) return std::move(p).error();
        u.path = std::move(*p);
        if (!remove) {
          r = Expect("=");
          if (!r) return r;
          auto v = ParseArithmetic();
          if (!v) return std::move(v).error();
          u.value = std::move(*v);
        }
        st->updates.push_back(std::move(u));
        if (!IsPunct(",")) break;
        Next();
      }
    }
    if (st->updates.empty()) return Unexpected();
    r = ExpectWord("WHERE");
    if (!r) return r;
    auto c = ParseCondition();
    if (!c) return std::move(c).error();
    st->where = std::move(*c);
    return ParseReturning(st);
  }

  Status ParseDelete(Statement* st) {
    st->kind = StatementKind::kDelete;
    Next();  // DELETE
    auto r = ExpectWord("FROM");
    if (!r) return r;
    r = ParseTableRef(st, false);
    if (!r) return r;
    r = ExpectWord("WHERE");
    if (!r) return r;
    auto c = ParseCondition();
    if (!c) return std::move(c).error();
    st->where = std::move(*c);
    return ParseReturning(st);
  }

  // RETURNING (ALL|MODIFIED) (OLD|NEW) *
  Status ParseReturning(Statement* st) {
    if (!IsWord("RETURNING")) return Ok{};
    Next();
    bool all = IsWord("ALL");
    if (!all && !IsWord("MODIFIED")) return Unexpected();
    Next();
    bool old = IsWord("OLD");
    if (!old && !IsWord("NEW")) return Unexpected();
    Next();
    auto r = Expect("*");
    if (!r) return r;
    st->returning = std::string(all ? "ALL_" : "UPDATED_") + (old ? "OLD" : "NEW");
    return Ok{};
  }

  // --- conditions ------------------------------------------------------------------------------

  Result<Expr> ParseCondition() {
    auto r = Enter();
    if (!r) return std::move(r).error();
    auto left = ParseAnd();
    if (!left) return left;
    while (IsWord("OR")) {
      Next();
      auto right = ParseAnd();
      if (!right) return right;
      Expr e;
      e.kind = ExprKind::kOr;
      e.args.push_back(std::move(*left));
      e.args.push_back(std::move(*right));
      left = std::move(e);
    }
    --depth_;
    return left;
  }

  Result<Expr> ParseAnd() {
    auto left = ParseNot();
    if (!left) return left;
    while (IsWord("AND")) {
      Next();
      auto right = ParseNot();
      if (!right) return right;
      Expr e;
      e.kind = ExprKind::kAnd;
      e.args.push_back(std::move(*left));
      e.args.push_back(std::move(*right));
      left = std::move(e);
    }
    return left;
  }

  Result<Expr> ParseNot() {
    if (IsWord("NOT")) {
      Next();
      auto r = Enter();
      if (!r) return std::move(r).error();
      auto inner = ParseNot();
      if (!inner) return inner;
      --depth_;
      Expr e;
      e.kind = ExprKind::kNot;
      e.args.push_back(std::move(*inner));
      return e;
    }
    return ParsePredicate();
  }

  Result<Expr> ParsePredicate() {
    if (IsPunct("(")) {
      Next();
      auto c = ParseCondition();
      if (!c) return c;
      auto r = Expect(")");
      if (!r) return std::move(r).error();
      return c;
    }
    auto left = ParseOperand();
    if (!left) return left;
    const Token& tok = Peek();
    if (tok.kind == Tok::kPunct) {
      static const std::pair<const char*, expr::CompareOp> kOps[] = {
          {"=", expr::CompareOp::kEq},  {"<>", expr::CompareOp::kNe}, {"!=", expr::CompareOp::kNe},
          {"<", expr::CompareOp::kLt},  {"<=", expr::CompareOp::kLe}, {">", expr::CompareOp::kGt},
          {">=", expr::CompareOp::kGe}};
      for (const auto& [text, op] : kOps) {
        if (tok.text != text) continue;
        Next();
        auto right = ParseOperand();
        if (!right) return right;
        Expr e;
        e.kind = ExprKind::kCompare;
        e.op = op;
        e.args.push_back(std::move(*left));
        e.args.push_back(std::move(*right));
        return e;
      }
      return *left;
    }
    bool negated = false;
    if (IsWord("NOT") && (IsWord("BETWEEN", 1) || IsWord("IN", 1))) {
      Next();
      negated = true;
    }
    Expr e;
    if (IsWord("BETWEEN")) {
      Next();
      auto lo = ParseOperand();
      if (!lo) return lo;
      auto r = ExpectWord("AND");
      if (!r) return std::move(r).error();
      auto hi = ParseOperand();
      if (!hi) return hi;
      e.kind = ExprKind::kBetween;
      e.args.push_back(std::move(*left));
      e.args.push_back(std::move(*lo));
      e.args.push_back(std::move(*hi));
    } else if (IsWord("IN")) {
      Next();
      std::string close = IsPunct("[") ? "]" : ")";
      if (!IsPunct("[") && !IsPunct("(")) return Unexpected();
      Next();
      e.kind = ExprKind::kIn;
      e.args.push_back(std::move(*left));
      while (true) {
        auto v = ParseOperand();
        if (!v) return v;
        e.args.push_back(std::move(*v));
        if (!IsPunct(",")) break;
        Next();
      }
      auto r = Expect(close);
      if (!r) return std::move(r).error();
    } else if (IsWord("IS")) {
      Next();
      bool is_not = false;
      if (IsWord("NOT")) {
        Next();
        is_not = true;
      }
      if (IsWord("MISSING")) {
        e.kind = is_not ? ExprKind::kIsNotMissing : ExprKind::kIsMissing;
      } else if (IsWord("NULL")) {
        e.kind = is_not ? ExprKind::kIsNotNull : ExprKind::kIsNull;
      } else {
        return Unexpected();
      }
      Next();
      e.args.push_back(std::move(*left));
    } else {
      return *left;
    }
    if (!negated) return e;
    Expr n;
    n.kind = ExprKind::kNot;
    n.args.push_back(std::move(e));
    return n;
  }

  // A path, a value or a function call.
  Result<Expr> ParseOperand() {
    const Token& tok = Peek();
    if (tok.kind == Tok::kWord && !IsKeyword(tok.text) && IsPunct("(", 1)) {
      auto r = Enter();
      if (!r) return std::move(r).error();
      Expr e;
      e.kind = ExprKind::kFunction;
      e.function = Next().text;
      for (char& c : e.function) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      Next();  // (
      if (!IsPunct(")")) {
        while (true) {
          auto a = ParseOperand();
          if (!a) return a;
          e.args.push_back(std::move(*a));
          if (!IsPunct(",")) break;
          Next();
        }
      }
      r = Expect(")");
      if (!r) return std::move(r).error();
      --depth_;
      return e;
    }
    if (tok.kind == Tok::kQuoted || (tok.kind == Tok::kWord && !IsKeyword(tok.text))) {
      auto p = ParsePath();
      if (!p) return std::move(p).error();
      Expr e;
      e.kind = ExprKind::kPath;
      e.path = std::move(*p);
      return e;
    }
    auto v = ParseValue();
    if (!v) return std::move(v).error();
    Expr e;
    e.kind = ExprKind::kValue;
    e.value = std::move(*v);
    return e;
  }

  // operand (('+' | '-') operand)*: the value of an UPDATE SET.
  Result<Expr> ParseArithmetic() {
    auto left = ParseOperand();
    if (!left) return left;
    while (IsPunct("+") || IsPunct("-")) {
      Expr e;
      e.kind = Next().text == "+" ? ExprKind::kPlus : ExprKind::kMinus;
      auto right = ParseOperand();
      if (!right) return right;
      e.args.push_back(std::move(*left));
      e.args.push_back(std::move(*right));
      left = std::move(e);
    }
    return left;
  }

  // A literal or `?`, as a value template.
  Result<json::value> ParseValue() {
    auto r = Enter();
    if (!r) return std::move(r).error();
    auto v = ParseValueInner();
    --depth_;
    return v;
  }

  Result<json::value> ParseValueInner() {
    const Token& tok = Peek();
    switch (tok.kind) {
      case Tok::kString:
        return json::value(json::object{{"S", Next().text}});
      case Tok::kNumber:
        return json::value(json::object{{"N", Next().text}});
      case Tok::kWord: {
        std::string u = Upper(tok.text);
        if (u == "TRUE" || u == "FALSE") {
          Next();
          return json::value(json::object{{"BOOL", u == "TRUE"}});
        }
        if (u == "NULL") {
          Next();
          return json::value(json::object{{"NULL", true}});
        }
        if (u == "MISSING") return Malformed("MISSING is not a value");
        return Unexpected();
      }
      case Tok::kPunct:
        break;
      default:
        return Unexpected();
    }
    if (IsPunct("?")) {
      Next();
      return json::value(json::object{{"?", params_++}});
    }
    if (IsPunct("-") && Peek(1).kind == Tok::kNumber) {
      Next();
      return json::value(json::object{{"N", "-" + Next().text}});
    }
    if (IsPunct("[")) {
      Next();
      json::array list;
      if (!IsPunct("]")) {
        while (true) {
          auto v = ParseValue();
          if (!v) return v;
          list.push_back(std::move(*v));
          if (!IsPunct(",")) break;
          Next();
        }
      }
      auto r = Expect("]");
      if (!r) return std::move(r).error();
      return json::value(json::object{{"L", std::move(list)}});
    }
    if (IsPunct("{")) {
      Next();
      json::object map;
      if (!IsPunct("}")) {
        while (true) {
          if (Peek().kind != Tok::kString) return Unexpected();
          std::string key = Next().text;
          auto r = Expect(":");
          if (!r) return std::move(r).error();
          auto v = ParseValue();
          if (!v) return v;
          map[key] = std::move(*v);
          if (!IsPunct(",")) break;
          Next();
        }
      }
      auto r = Expect("}");
      if (!r) return std::move(r).error();
      return json::value(json::object{{"M", std::move(map)}});
    }
    if (IsPunct("<<")) {
      Next();
      json::array elems;
      std::string type;
      while (true) {
        const Token& e = Peek();
        bool negative = IsPunct("-") && Peek(1).kind == Tok::kNumber;
        if (negative) Next();
        const Token& el = Peek();
        std::string t = el.kind == Tok::kString ? "SS" : el.kind == Tok::kNumber ? "NS" : "";
        (void)e;
        if (t.empty()) return ValidationError("Unsupported data type in Bag");
        if (!type.empty() && type != t) return ValidationError("Unsupported data type in Bag");
        type = t;
        elems.push_back(json::value((negative ? "-" : "") + Next().text));
        if (!IsPunct(",")) break;
        Next();
      }
      auto r = Expect(">>");
      if (!r) return std::move(r).error();
      return json::value(json::object{{type, std::move(elems)}});
    }
    return Unexpected();
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  size_t params_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Statement> Parse(std::string_view text) {
  auto tokens = Lex(text);
  if (!tokens) return std::move(tokens).error();
  Parser p(std::move(*tokens));
  return p.ParseStatement();
}

std::string PathText(const Path& path) {
  std::string out;
  for (const auto& s : path) {
    if (s.index >= 0) {
      out += "[" + std::to_string(s.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += s.name;
    }
  }
  return out;
}

}  // namespace nimbus::dynamodb::partiql
