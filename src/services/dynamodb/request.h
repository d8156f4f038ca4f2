#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/router/service.h"
#include "services/dynamodb/expressions/ast.h"
#include "services/dynamodb/state.h"
#include "services/dynamodb/table/table.h"

namespace nimbus::dynamodb {

// Request plumbing shared by the operations: table lookup, key and item validation against a
// table, the expression parameters, capacity units, wire forms for error payloads.

// The string member `name`, or empty when absent.
std::string_view StringMember(const json::object& in, std::string_view name);
bool BoolMember(const json::object& in, std::string_view name, bool fallback = false);

// The table name in `member` (a name or a table ARN), checked as DynamoDB checks names.
Result<std::string> TableNameFrom(const json::object& in, std::string_view member = "TableName");
Status ValidateTableName(std::string_view name, std::string_view field);
// The table or ResourceNotFoundException ("Requested resource not found").
Result<std::shared_ptr<const Table>> LookupTable(State& state, const RequestContext& ctx,
                                                 std::string_view name);

// Which expression parameters an operation takes, and its legacy (non-expression) ones.
struct ExpressionSpec {
  bool update = false;
  bool condition = false;
  bool key_condition = false;
  bool filter = false;
  bool projection = false;
  std::vector<std::string_view> legacy;
};

// The request's expressions, parsed (through the cache) and bound to its names and values.
struct BoundExpressions {
  std::optional<std::vector<expr::UpdateAction>> update;
  std::optional<expr::Node> condition;
  std::optional<expr::Node> key_condition;
  std::optional<expr::Node> filter;
  std::optional<std::vector<expr::Path>> projection;
};

// Validates ExpressionAttributeNames/Values (canonicalizing values in place), parses and binds
// each expression present, and rejects unused names and values, in DynamoDB's order.
Result<BoundExpressions> PrepareExpressions(State& state, json::object& in,
                                            const ExpressionSpec& spec);

// Validates a Key map against the table's key schema; the item's storage key.
Result<std::string> KeyFromRequest(const Table& table, json::value* key);
// Validates a key map without a table lookup result (ExclusiveStartKey etc.): values only.
Status ValidateKeyValues(const Table& table, const json::object& key);

// Checks a full item against the table: key attributes, index key types, sizes. `update`
// selects UpdateItem's wording of the size error. The item's DynamoDB size.
Result<size_t> ValidateItemForTable(const Table& table, const json::object& item, bool update);

// Rejects JSON nulls inside lists of a (small, control-plane) input, which the codec lets
// through: "Value null at 'keySchema.1.member' failed to satisfy constraint: ...".
Status RejectNullListElements(const json::value& input);

// A copy of `item` in wire form for error payloads (B values base64-encoded), which the codec
// does not rewrite.
json::value ItemToWire(const json::object& item);

// Capacity units as DynamoDB counts them.
double ReadUnits(size_t bytes, bool consistent);
double WriteUnits(size_t bytes);
// Adds "ConsumedCapacity" to `out` when `in` asks for it (TOTAL or INDEXES).
void AddConsumedCapacity(const json::object& in, const Table& table, double units, bool read,
                         json::object* out, const Index* index = nullptr);
json::value ConsumedCapacityFor(const json::object& in, const Table& table, double units, bool read,
                                const Index* index = nullptr);

}  // namespace nimbus::dynamodb
