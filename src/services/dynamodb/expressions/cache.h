#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/common/result.h"
#include "services/dynamodb/expressions/ast.h"

namespace nimbus::dynamodb::expr {

// Parsed expressions by kind and text, shared between requests: clients send the same few
// expressions over and over, so the tokenizer and parser run once per distinct text. Failed
// parses are not cached. Bounded: cleared when it reaches kMaxEntries. Thread-safe.
class ExpressionCache {
 public:
  static constexpr size_t kMaxEntries = 8192;

  Result<std::shared_ptr<const ParsedExpression>> Get(ExpressionKind kind, std::string_view text);
  void Clear();

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const ParsedExpression>> entries_;
};

}  // namespace nimbus::dynamodb::expr
