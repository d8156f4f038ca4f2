#include "services/dynamodb/expressions/cache.h"

#include "services/dynamodb/expressions/parser.h"

namespace nimbus::dynamodb::expr {

Result<std::shared_ptr<const ParsedExpression>> ExpressionCache::Get(ExpressionKind kind,
                                                                     std::string_view text) {
  std::string key;
  key.reserve(text.size() + 1);
  key.push_back(static_cast<char>('0' + static_cast<int>(kind)));
  key.append(text);
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
  }
  auto parsed = Parse(kind, text);
  if (!parsed) return parsed;
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.emplace(std::move(key), *parsed);
  return parsed;
}

void ExpressionCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

}  // namespace nimbus::dynamodb::expr
