#include "services/dynamodb/expressions/lexer.h"

namespace nimbus::dynamodb::expr {

namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto push = [&](TokenKind k, size_t start, size_t len) {
    out.push_back(Token{k, start, len, s.substr(start, len)});
  };
  while (i < s.size()) {
    char c = s[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    size_t start = i;
    if (IsAlpha(c)) {
      while (i < s.size() && IsWordChar(s[i])) ++i;
      push(TokenKind::kName, start, i - start);
      continue;
    }
    if (IsDigit(c)) {
      while (i < s.size() && IsDigit(s[i])) ++i;
      push(TokenKind::kNumber, start, i - start);
      continue;
    }
    if ((c == '#' || c == ':') && i + 1 < s.size() && IsWordChar(s[i + 1])) {
      ++i;
      while (i < s.size() && IsWordChar(s[i])) ++i;
      push(c == '#' ? TokenKind::kNamePlaceholder : TokenKind::kValuePlaceholder, start, i - start);
      continue;
    }
    TokenKind kind = TokenKind::kUnknown;
    size_t len = 1;
    switch (c) {
      case '(':
        kind = TokenKind::kLParen;
        break;
      case ')':
        kind = TokenKind::kRParen;
        break;
      case '[':
        kind = TokenKind::kLBracket;
        break;
      case ']':
        kind = TokenKind::kRBracket;
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      case '.':
        kind = TokenKind::kDot;
        break;
      case '=':
        kind = TokenKind::kEq;
        break;
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':
        kind = TokenKind::kMinus;
        break;
      case '<':
        if (i + 1 < s.size() && s[i + 1] == '=') {
          kind = TokenKind::kLe;
          len = 2;
        } else if (i + 1 < s.size() && s[i + 1] == '>') {
          kind = TokenKind::kNe;
          len = 2;
        } else {
          kind = TokenKind::kLt;
        }
        break;
      case '>':
        if (i + 1 < s.size() && s[i + 1] == '=') {
          kind = TokenKind::kGe;
          len = 2;
        } else {
          kind = TokenKind::kGt;
        }
        break;
      default:
        // One whole UTF-8 character, so messages quote it intact.
        if (static_cast<unsigned char>(c) >= 0x80) {
          while (start + len < s.size() &&
                 (static_cast<unsigned char>(s[start + len]) & 0xC0) == 0x80)
            ++len;
        }
        break;
    }
    push(kind, start, len);
    i += len;
  }
  out.push_back(Token{TokenKind::kEof, s.size(), 0, std::string_view()});
  return out;
}

bool IsKeyword(const Token& t, std::string_view upper) {
  if (t.kind != TokenKind::kName || t.text.size() != upper.size()) return false;
  for (size_t i = 0; i < upper.size(); ++i) {
    char c = t.text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

}  // namespace nimbus::dynamodb::expr
