#include "services/dynamodb/expressions/parser.h"

#include <optional>

#include "services/dynamodb/errors.h"
#include "services/dynamodb/expressions/lexer.h"
#include "services/dynamodb/expressions/reserved_words.h"

namespace nimbus::dynamodb::expr {

namespace {

constexpr int kMaxParseDepth = 200;

struct SyntaxError {
  size_t token = 0;  // index of the offending token
};

FunctionId LookupFunction(std::string_view name) {
  if (name == "attribute_exists") return FunctionId::kAttributeExists;
  if (name == "attribute_not_exists") return FunctionId::kAttributeNotExists;
  if (name == "attribute_type") return FunctionId::kAttributeType;
  if (name == "begins_with") return FunctionId::kBeginsWith;
  if (name == "contains") return FunctionId::kContains;
  if (name == "size") return FunctionId::kSize;
  if (name == "if_not_exists") return FunctionId::kIfNotExists;
  if (name == "list_append") return FunctionId::kListAppend;
  return FunctionId::kUnknown;
}

bool IsConditionFunction(FunctionId f) {
  return f == FunctionId::kAttributeExists || f == FunctionId::kAttributeNotExists ||
         f == FunctionId::kAttributeType || f == FunctionId::kBeginsWith ||
         f == FunctionId::kContains;
}

bool IsReservedKeywordToken(const Token& t) {
  return IsKeyword(t, "AND") || IsKeyword(t, "OR") || IsKeyword(t, "NOT") ||
         IsKeyword(t, "BETWEEN") || IsKeyword(t, "IN");
}

// Recursive descent over the token vector. Every Parse* returns false on a syntax error after
// recording the furthest offending token; callers unwind without further work.
class Parser {
 public:
  Parser(ExpressionKind kind, std::string_view text)
      : kind_(kind), text_(text), tokens_(Tokenize(text)) {}

  Result<std::shared_ptr<const ParsedExpression>> Run() {
    auto parsed = std::make_shared<ParsedExpression>();
    parsed->kind = kind_;
    bool ok = false;
    switch (kind_) {
      case ExpressionKind::kCondition:
      case ExpressionKind::kFilter:
      case ExpressionKind::kKeyCondition:
        ok = ParseOr(&parsed->condition, 0) && Expect(TokenKind::kEof);
        break;
      case ExpressionKind::kProjection:
        ok = ParseProjection(&parsed->projection);
        break;
      case ExpressionKind::kUpdate:
        ok = ParseUpdate(&parsed->update);
        break;
    }
    if (!ok) return Error(SyntaxMessage());
    if (auto semantic = SemanticErrors(*parsed)) return Error(*semantic);
    return std::shared_ptr<const ParsedExpression>(std::move(parsed));
  }

 private:
  ApiError Error(const std::string& what) const {
    return ValidationError("Invalid " + std::string(ExpressionLabel(kind_)) + ": " + what);
  }

  // --- token helpers -----------------------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return tokens_[i < tokens_.size() ? i : tokens_.size() - 1];
  }
  bool At(TokenKind k) const { return Peek().kind == k; }
  bool AtKeyword(std::string_view kw) const { return IsKeyword(Peek(), kw); }
  void Advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool Fail() {
    if (!error_ || pos_ > error_->token) error_ = SyntaxError{pos_};
    return false;
  }
  bool Expect(TokenKind k) {
    if (!At(k)) return Fail();
    Advance();
    return true;
  }

  std::string SyntaxMessage() const {
    size_t i = error_ ? error_->token : pos_;
    const Token& t = tokens_[i];
    std::string token = t.kind == TokenKind::kEof ? "<EOF>" : std::string(t.text);
    size_t begin = i > 0 ? tokens_[i - 1].pos : t.pos;
    size_t end = t.pos + t.len;
    if (t.kind != TokenKind::kEof && i + 1 < tokens_.size()) {
      const Token& next = tokens_[i + 1];
      end = next.kind == TokenKind::kEof ? text_.size() : next.pos + next.len;
    }
    if (t.kind == TokenKind::kEof) end = text_.size();
    return "Syntax error; token: \"" + token + "\", near: \"" +
           std::string(text_.substr(begin, end - begin)) + "\"";
  }

  // --- conditions ----------------------------------------------------------------------------

  bool ParseOr(Node* out, int depth) {
    if (depth > kMaxParseDepth) return Fail();
    Node left;
    if (!ParseAnd(&left, depth + 1)) return false;
    while (AtKeyword("OR")) {
      Advance();
      Node right;
      if (!ParseAnd(&right, depth + 1)) return false;
      Node n;
      n.kind = NodeKind::kOr;
      n.args.push_back(std::move(left));
      n.args.push_back(std::move(right));
      left = std::move(n);
    }
    *out = std::move(left);
    return true;
  }

  bool ParseAnd(Node* out, int depth) {
    Node left;
    if (!ParseNot(&left, depth + 1)) return false;
    while (AtKeyword("AND")) {
      Advance();
      Node right;
      if (!ParseNot(&right, depth + 1)) return false;
      Node n;
      n.kind = NodeKind::kAnd;
      n.args.push_back(std::move(left));
      n.args.push_back(std::move(right));
      left = std::move(n);
    }
    *out = std::move(left);
    return true;
  }

  bool ParseNot(Node* out, int depth) {
    if (depth > kMaxParseDepth) return Fail();
    if (AtKeyword("NOT")) {
      Advance();
      Node inner;
      if (!ParseNot(&inner, depth + 1)) return false;
      out->kind = NodeKind::kNot;
      out->args.push_back(std::move(inner));
      return true;
    }
    return ParsePrimary(out, depth + 1);
  }

  bool ParsePrimary(Node* out, int depth) {
    if (At(TokenKind::kLParen)) {
      // "(" starts either a parenthesized condition or a parenthesized operand: try the
      // condition first and fall back, keeping the error that got furthest.
      size_t start = pos_;
      Advance();
      Node inner;
      if (ParseOr(&inner, depth + 1) && Expect(TokenKind::kRParen)) {
        *out = std::move(inner);
        return true;
      }
      pos_ = start;
    }
    return ParseComparison(out, depth + 1);
  }

  bool ParseComparison(Node* out, int depth) {
    Node left;
    if (!ParseOperand(&left, depth + 1)) return false;
    std::optional<CompareOp> op;
    switch (Peek().kind) {
      case TokenKind::kEq:
        op = CompareOp::kEq;
        break;
      case TokenKind::kNe:
        op = CompareOp::kNe;
        break;
      case TokenKind::kLt:
        op = CompareOp::kLt;
        break;
      case TokenKind::kLe:
        op = CompareOp::kLe;
        break;
      case TokenKind::kGt:
        op = CompareOp::kGt;
        break;
      case TokenKind::kGe:
        op = CompareOp::kGe;
        break;
      default:
        break;
    }
    if (op) {
      Advance();
      Node right;
      if (!ParseOperand(&right, depth + 1)) return false;
      out->kind = NodeKind::kCompare;
      out->op = *op;
      out->args.push_back(std::move(left));
      out->args.push_back(std::move(right));
      return true;
    }
    if (AtKeyword("BETWEEN")) {
      Advance();
      Node low, high;
      if (!ParseOperand(&low, depth + 1)) return false;
      if (!AtKeyword("AND")) return Fail();
      Advance();
      if (!ParseOperand(&high, depth + 1)) return false;
      out->kind = NodeKind::kBetween;
      out->args.push_back(std::move(left));
      out->args.push_back(std::move(low));
      out->args.push_back(std::move(high));
      return true;
    }
    if (AtKeyword("IN")) {
      Advance();
      if (!Expect(TokenKind::kLParen)) return false;
      out->kind = NodeKind::kIn;
      out->args.push_back(std::move(left));
      do {
        Node e;
        if (!ParseOperand(&e, depth + 1)) return false;
        out->args.push_back(std::move(e));
      } while (At(TokenKind::kComma) && (Advance(), true));
      return Expect(TokenKind::kRParen);
    }
    if (left.kind == NodeKind::kFunction) {
      *out = std::move(left);
      return true;
    }
    return Fail();
  }

  // An operand of a comparison or function: path, value placeholder, function call, or one of
  // those in parentheses.
  bool ParseOperand(Node* out, int depth) {
    if (depth > kMaxParseDepth) return Fail();
    if (At(TokenKind::kLParen)) {
      Advance();
      if (!ParseOperand(out, depth + 1)) return false;
      return Expect(TokenKind::kRParen);
    }
    if (At(TokenKind::kValuePlaceholder)) {
      out->kind = NodeKind::kValue;
      out->name = std::string(Peek().text);
      Advance();
      return true;
    }
    if (At(TokenKind::kName) && Peek(1).kind == TokenKind::kLParen &&
        !IsReservedKeywordToken(Peek())) {
      return ParseFunction(out, depth + 1);
    }
    out->kind = NodeKind::kPath;
    return ParsePath(&out->path);
  }

  bool ParseFunction(Node* out, int depth) {
    out->kind = NodeKind::kFunction;
    out->name = std::string(Peek().text);
    out->function = LookupFunction(out->name);
    Advance();  // name
    Advance();  // (
    do {
      Node arg;
      if (kind_ == ExpressionKind::kUpdate) {
        if (!ParseSetValue(&arg, depth + 1)) return false;
      } else if (!ParseOperand(&arg, depth + 1)) {
        return false;
      }
      out->args.push_back(std::move(arg));
    } while (At(TokenKind::kComma) && (Advance(), true));
    return Expect(TokenKind::kRParen);
  }

  bool ParsePath(Path* path) {
    PathElement first;
    if (At(TokenKind::kName) && !IsReservedKeywordToken(Peek())) {
      first.name = std::string(Peek().text);
    } else if (At(TokenKind::kNamePlaceholder)) {
      first.name = std::string(Peek().text);
      first.placeholder = true;
    } else {
      return Fail();
    }
    Advance();
    path->push_back(std::move(first));
    for (;;) {
      if (At(TokenKind::kDot)) {
        Advance();
        PathElement e;
        if (At(TokenKind::kName)) {
          e.name = std::string(Peek().text);
        } else if (At(TokenKind::kNamePlaceholder)) {
          e.name = std::string(Peek().text);
          e.placeholder = true;
        } else {
          return Fail();
        }
        Advance();
        path->push_back(std::move(e));
      } else if (At(TokenKind::kLBracket)) {
        Advance();
        if (!At(TokenKind::kNumber)) return Fail();
        std::string_view digits = Peek().text;
        int64_t index = 0;
        for (char c : digits) {
          index = index * 10 + (c - '0');
          if (index > 0x7fffffff) return Fail();
        }
        Advance();
        if (!Expect(TokenKind::kRBracket)) return false;
        PathElement e;
        e.index = index;
        path->push_back(std::move(e));
      } else {
        return true;
      }
    }
  }

  // --- projection ----------------------------------------------------------------------------

  bool ParseProjection(std::vector<Path>* paths) {
    do {
      Path p;
      if (!ParsePath(&p)) return false;
      paths->push_back(std::move(p));
    } while (At(TokenKind::kComma) && (Advance(), true));
    return Expect(TokenKind::kEof);
  }

  // --- update --------------------------------------------------------------------------------

  bool ParseUpdate(std::vector<UpdateAction>* actions) {
    if (At(TokenKind::kEof)) return Fail();
    while (!At(TokenKind::kEof)) {
      UpdateKind kind;
      std::string_view section;
      if (AtKeyword("SET")) {
        kind = UpdateKind::kSet;
        section = "SET";
      } else if (AtKeyword("REMOVE")) {
        kind = UpdateKind::kRemove;
        section = "REMOVE";
      } else if (AtKeyword("ADD")) {
        kind = UpdateKind::kAdd;
        section = "ADD";
      } else if (AtKeyword("DELETE")) {
        kind = UpdateKind::kDelete;
        section = "DELETE";
      } else {
        return Fail();
      }
      int bit = 1 << static_cast<int>(kind);
      if ((sections_seen_ & bit) && repeated_section_.empty())
        repeated_section_ = std::string(section);
      sections_seen_ |= bit;
      Advance();
      do {
        UpdateAction a;
        a.kind = kind;
        if (!ParsePath(&a.path)) return false;
        switch (kind) {
          case UpdateKind::kSet:
            if (!Expect(TokenKind::kEq)) return false;
            if (!ParseSetValue(&a.value, 0)) return false;
            break;
          case UpdateKind::kRemove:
            break;
          case UpdateKind::kAdd:
          case UpdateKind::kDelete:
            if (!At(TokenKind::kValuePlaceholder)) return Fail();
            a.value.kind = NodeKind::kValue;
            a.value.name = std::string(Peek().text);
            Advance();
            break;
        }
        actions->push_back(std::move(a));
      } while (At(TokenKind::kComma) && (Advance(), true));
    }
    return true;
  }

  // SET value: operand [(+|-) operand], where operands may be if_not_exists/list_append calls.
  bool ParseSetValue(Node* out, int depth) {
    if (depth > kMaxParseDepth) return Fail();
    Node left;
    if (!ParseSetOperand(&left, depth + 1)) return false;
    if (At(TokenKind::kPlus) || At(TokenKind::kMinus)) {
      NodeKind k = At(TokenKind::kPlus) ? NodeKind::kPlus : NodeKind::kMinus;
      Advance();
      Node right;
      if (!ParseSetOperand(&right, depth + 1)) return false;
      out->kind = k;
      out->args.push_back(std::move(left));
      out->args.push_back(std::move(right));
      return true;
    }
    *out = std::move(left);
    return true;
  }

  bool ParseSetOperand(Node* out, int depth) {
    if (depth > kMaxParseDepth) return Fail();
    if (At(TokenKind::kValuePlaceholder)) {
      out->kind = NodeKind::kValue;
      out->name = std::string(Peek().text);
      Advance();
      return true;
    }
    if (At(TokenKind::kName) && Peek(1).kind == TokenKind::kLParen)
      return ParseFunction(out, depth + 1);
    out->kind = NodeKind::kPath;
    return ParsePath(&out->path);
  }

  // --- checks that need no names or values -----------------------------------------------------

  struct Findings {
    std::optional<std::string> unknown_function, misused_function, reserved;
  };

  void CheckPath(const Path& p, Findings* f) {
    if (f->reserved) return;
    for (const auto& e : p) {
      if (!e.placeholder && !e.is_index() && IsReservedWord(e.name)) {
        f->reserved = "Attribute name is a reserved keyword; reserved keyword: " + e.name;
        return;
      }
    }
  }

  // `position`: 0 condition level, 1 operand of a comparison/function, 2 update SET value.
  void CheckNode(const Node& n, int position, Findings* f) {
    switch (n.kind) {
      case NodeKind::kPath:
        CheckPath(n.path, f);
        return;
      case NodeKind::kValue:
        return;
      case NodeKind::kFunction: {
        if (n.function == FunctionId::kUnknown) {
          if (!f->unknown_function)
            f->unknown_function = "Invalid function name; function: " + n.name;
        } else if (!f->misused_function) {
          bool update_fn =
              n.function == FunctionId::kIfNotExists || n.function == FunctionId::kListAppend;
          if (position == 2 && !update_fn) {
            f->misused_function =
                "The function is not allowed in an update expression; function: " + n.name;
          } else if (position != 2 && update_fn) {
            f->misused_function =
                "The function is not allowed in a condition expression; function: " + n.name;
          } else if (position == 0 && !IsConditionFunction(n.function)) {
            f->misused_function =
                "The function is not allowed to be used this way in an expression; function: " +
                n.name;
          } else if (position == 1 && n.function != FunctionId::kSize) {
            f->misused_function =
                "The function is not allowed to be used this way in an expression; function: " +
                n.name;
          }
        }
        for (const auto& a : n.args) CheckNode(a, position == 2 ? 2 : 1, f);
        return;
      }
      case NodeKind::kPlus:
      case NodeKind::kMinus:
        for (const auto& a : n.args) CheckNode(a, 2, f);
        return;
      case NodeKind::kCompare:
      case NodeKind::kBetween:
      case NodeKind::kIn:
        for (const auto& a : n.args) CheckNode(a, 1, f);
        return;
      case NodeKind::kAnd:
      case NodeKind::kOr:
      case NodeKind::kNot:
        for (const auto& a : n.args) CheckNode(a, 0, f);
        return;
    }
  }

  std::optional<std::string> SemanticErrors(const ParsedExpression& p) {
    Findings f;
    switch (kind_) {
      case ExpressionKind::kProjection:
        for (const auto& path : p.projection) CheckPath(path, &f);
        break;
      case ExpressionKind::kUpdate:
        if (!repeated_section_.empty())
          return "The \"" + repeated_section_ +
                 "\" section can only be used once in an update expression;";
        for (const auto& a : p.update) {
          CheckPath(a.path, &f);
          if (a.kind == UpdateKind::kSet) CheckNode(a.value, 2, &f);
        }
        break;
      default:
        CheckNode(p.condition, 0, &f);
    }
    if (f.unknown_function) return f.unknown_function;
    if (f.misused_function) return f.misused_function;
    if (f.reserved) return f.reserved;
    return std::nullopt;
  }

  ExpressionKind kind_;
  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::optional<SyntaxError> error_;
  int sections_seen_ = 0;
  std::string repeated_section_;
};

}  // namespace

Result<std::shared_ptr<const ParsedExpression>> Parse(ExpressionKind kind, std::string_view text) {
  std::string label(ExpressionLabel(kind));
  bool blank = true;
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') blank = false;
  if (blank) return ValidationError("Invalid " + label + ": The expression can not be empty;");
  if (text.size() > kMaxExpressionLength)
    return ValidationError("Invalid " + label +
                           ": Expression size has exceeded the maximum allowed size; "
                           "expression size: " +
                           std::to_string(text.size()));
  return Parser(kind, text).Run();
}

std::string_view ExpressionLabel(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kCondition:
      return "ConditionExpression";
    case ExpressionKind::kFilter:
      return "FilterExpression";
    case ExpressionKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExpressionKind::kProjection:
      return "ProjectionExpression";
    case ExpressionKind::kUpdate:
      return "UpdateExpression";
  }
  return "Expression";
}

std::string PathToString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    if (path[i].is_index())
      out += "[" + std::to_string(path[i].index) + "]";
    else
      out += path[i].name;
  }
  return out + "]";
}

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "=";
}

std::string_view FunctionName(FunctionId f) {
  switch (f) {
    case FunctionId::kAttributeExists:
      return "attribute_exists";
    case FunctionId::kAttributeNotExists:
      return "attribute_not_exists";
    case FunctionId::kAttributeType:
      return "attribute_type";
    case FunctionId::kBeginsWith:
      return "begins_with";
    case FunctionId::kContains:
      return "contains";
    case FunctionId::kSize:
      return "size";
    case FunctionId::kIfNotExists:
      return "if_not_exists";
    case FunctionId::kListAppend:
      return "list_append";
    case FunctionId::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace nimbus::dynamodb::expr
