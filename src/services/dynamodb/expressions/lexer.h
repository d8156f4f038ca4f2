#pragma once

#include <string_view>
#include <vector>

namespace nimbus::dynamodb::expr {

enum class TokenKind : uint8_t {
  kName,              // a bare identifier: [A-Za-z][A-Za-z0-9_]*
  kNamePlaceholder,   // #[A-Za-z0-9_]+
  kValuePlaceholder,  // :[A-Za-z0-9_]+
  kNumber,            // [0-9]+ (list indexes)
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kUnknown,  // any other character: always a syntax error
  kEof,
};

struct Token {
  TokenKind kind;
  size_t pos;  // offset in the expression text
  size_t len;
  std::string_view text;
};

// Splits an expression into tokens; the last is kEof. Never fails: characters outside the
// grammar become kUnknown tokens so that the parser reports them as DynamoDB does.
std::vector<Token> Tokenize(std::string_view text);

// Case-insensitive keyword test for kName tokens ("and", "BETWEEN", "Set").
bool IsKeyword(const Token& t, std::string_view upper_keyword);

}  // namespace nimbus::dynamodb::expr
