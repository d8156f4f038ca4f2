#include "services/dynamodb/request.h"

#include <cmath>

#include "core/common/encoding.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/expressions/binder.h"
#include "services/dynamodb/types/attribute_value.h"

namespace nimbus::dynamodb {

namespace {

constexpr size_t kMaxHashKeyBytes = 2048;
constexpr size_t kMaxRangeKeyBytes = 1024;

bool IsPlaceholderKey(std::string_view k, char lead) {
  if (k.size() < 2 || k[0] != lead) return false;
  for (size_t i = 1; i < k.size(); ++i) {
    char c = k[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status CheckKeyValue(const KeyAttribute& attr, const json::object& av, bool hash) {
  std::string_view v = PayloadOf(av).get_string();
  if (v.empty() && attr.type != AttrType::kN)
    return ValidationError(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty " +
        std::string(attr.type == AttrType::kS ? "string" : "binary") + " value. Key: " + attr.name);
  if (attr.type != AttrType::kN) {
    if (hash && v.size() > kMaxHashKeyBytes)
      return ValidationError(std::string(kInvalidParams) +
                             "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    if (!hash && v.size() > kMaxRangeKeyBytes)
      return ValidationError(
          std::string(kInvalidParams) +
          "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  }
  return Ok{};
}

json::value ValueToWire(const json::value& v) {
  if (!v.is_object() || v.get_object().empty()) return v;
  const auto& av = v.get_object();
  AttrType t = TypeOf(av);
  const json::value& p = PayloadOf(av);
  switch (t) {
    case AttrType::kB:
      return json::object{{"B", Base64Encode(p.get_string())}};
    case AttrType::kBS: {
      json::array out;
      for (const auto& e : p.get_array())
        out.emplace_back(json::string(Base64Encode(e.get_string())));
      return json::object{{"BS", std::move(out)}};
    }
    case AttrType::kL: {
      json::array out;
      for (const auto& e : p.get_array()) out.push_back(ValueToWire(e));
      return json::object{{"L", std::move(out)}};
    }
    case AttrType::kM:
      return json::object{{"M", ItemToWire(p.get_object())}};
    default:
      return v;
  }
}

}  // namespace

std::string_view StringMember(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool BoolMember(const json::object& in, std::string_view name, bool fallback) {
  const json::value* v = in.if_contains(name);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

Status ValidateTableName(std::string_view name, std::string_view field) {
  std::vector<std::string> problems;
  std::string shown = "Value '" + std::string(name) + "' at '" + std::string(field) +
                      "' failed to satisfy constraint: ";
  if (name.size() < 3)
    problems.push_back(shown + "Member must have length greater than or equal to 3");
  if (name.size() > 255)
    problems.push_back(shown + "Member must have length less than or equal to 255");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) {
      problems.push_back(shown + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      break;
    }
  }
  if (problems.empty()) return Ok{};
  std::string msg =
      std::to_string(problems.size()) +
      (problems.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
  return ValidationError(msg);
}

Result<std::string> TableNameFrom(const json::object& in, std::string_view member) {
  const json::value* v = in.if_contains(member);
  if (!v || !v->is_string())
    return ValidationError(
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
        "Member must not be null");
  std::string name(v->get_string());
  // Operations accept a table ARN wherever they take a table name.
  if (name.rfind("arn:", 0) == 0) {
    auto slash = name.find(":table/");
    if (slash != std::string::npos) {
      std::string rest = name.substr(slash + 7);
      auto next = rest.find('/');
      name = next == std::string::npos ? rest : rest.substr(0, next);
    }
  }
  auto st = ValidateTableName(name, "tableName");
  if (!st) return std::move(st).error();
  return name;
}

Result<std::shared_ptr<const Table>> LookupTable(State& state, const RequestContext& ctx,
                                                 std::string_view name) {
  auto t = state.catalog.Find(ctx.account_id, ctx.region, name);
  if (!t) return std::move(t).error();
  if (!*t) return ResourceNotFound();
  return std::move(*t);
}

Result<BoundExpressions> PrepareExpressions(State& state, json::object& in,
                                            const ExpressionSpec& spec) {
  struct Param {
    std::string_view member;
    expr::ExpressionKind kind;
    bool allowed;
    bool uses_values;
  };
  const Param params[] = {
      {"UpdateExpression", expr::ExpressionKind::kUpdate, spec.update, true},
      {"ConditionExpression", expr::ExpressionKind::kCondition, spec.condition, true},
      {"KeyConditionExpression", expr::ExpressionKind::kKeyCondition, spec.key_condition, true},
      {"FilterExpression", expr::ExpressionKind::kFilter, spec.filter, true},
      {"ProjectionExpression", expr::ExpressionKind::kProjection, spec.projection, false},
  };
  json::value* names_v = in.if_contains("ExpressionAttributeNames");
  json::value* values_v = in.if_contains("ExpressionAttributeValues");
  std::string present;
  bool any = false;
  for (const auto& p : params) {
    if (!p.allowed || !in.contains(p.member)) continue;
    present += (any ? ", " : "") + std::string(p.member);
    any = true;
  }
  BoundExpressions out;
  if (!any && !names_v && !values_v) return out;
  if (any) {
    std::string legacy;
    for (auto l : spec.legacy) {
      if (!in.contains(l)) continue;
      // KeyConditions may go with expressions other than KeyConditionExpression.
      if (l == "KeyConditions" && !in.contains("KeyConditionExpression")) continue;
      legacy += (legacy.empty() ? "" : ", ") + std::string(l);
    }
    if (!legacy.empty())
      return ValidationError(
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {" +
          legacy + "} Expression parameters: {" + present + "}");
  }
  if (names_v && !any)
    return ValidationError("ExpressionAttributeNames can only be specified when using expressions");
  if (values_v) {
    bool value_expression = false;
    std::string null_list;
    int value_params = 0;
    for (const auto& p : params) {
      if (!p.allowed || !p.uses_values) continue;
      ++value_params;
      if (in.contains(p.member)) value_expression = true;
      null_list += (null_list.empty() ? "" : " and ") + std::string(p.member);
    }
    // Operations without value-taking expressions (GetItem) report such values as unused.
    if (!value_expression && value_params > 0)
      return ValidationError(
          "ExpressionAttributeValues can only be specified when using "
          "expressions: " +
          null_list + (value_params > 1 ? " are null" : " is null"));
  }
  const json::object* names = nullptr;
  json::object* values = nullptr;
  if (names_v && names_v->is_object()) {
    names = &names_v->get_object();
    if (names->empty()) return ValidationError("ExpressionAttributeNames must not be empty");
    for (const auto& [k, v] : *names)
      if (!IsPlaceholderKey(k, '#'))
        return ValidationError(
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
            std::string(k) + "\"");
  }
  if (values_v && values_v->is_object()) {
    values = &values_v->get_object();
    if (values->empty()) return ValidationError("ExpressionAttributeValues must not be empty");
    for (const auto& [k, v] : *values)
      if (!IsPlaceholderKey(k, ':'))
        return ValidationError(
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
            std::string(k) + "\"");
    for (auto& [k, v] : *values) {
      auto st = ValidateAttributeValue(v);
      if (!st)
        return ValidationError("ExpressionAttributeValues contains invalid value: " +
                               st.error().message + " for key " + std::string(k));
    }
  }
  expr::Bindings bindings(names, values);
  for (const auto& p : params) {
    if (!p.allowed) continue;
    const json::value* text = in.if_contains(p.member);
    if (!text || !text->is_string()) continue;
    auto parsed = state.expressions.Get(p.kind, text->get_string());
    if (!parsed) return std::move(parsed).error();
    const expr::ParsedExpression& pe = **parsed;
    switch (p.kind) {
      case expr::ExpressionKind::kUpdate: {
        auto b = bindings.BindUpdate(pe);
        if (!b) return std::move(b).error();
        out.update = std::move(*b);
        break;
      }
      case expr::ExpressionKind::kProjection: {
        auto b = bindings.BindProjection(pe);
        if (!b) return std::move(b).error();
        out.projection = std::move(*b);
        break;
      }
      default: {
        auto b = bindings.BindCondition(pe);
        if (!b) return std::move(b).error();
        if (p.kind == expr::ExpressionKind::kCondition) out.condition = std::move(*b);
        if (p.kind == expr::ExpressionKind::kKeyCondition) out.key_condition = std::move(*b);
        if (p.kind == expr::ExpressionKind::kFilter) out.filter = std::move(*b);
      }
    }
  }
  auto st = bindings.CheckAllUsed();
  if (!st) return std::move(st).error();
  return out;
}

Status ValidateKeyValues(const Table& table, const json::object& key) {
  size_t expected = table.key.range ? 2 : 1;
  if (key.size() != expected) return ValidationError(std::string(kKeySchemaMismatch));
  const json::value* h = key.if_contains(table.key.hash.name);
  if (!h || TypeOf(h->get_object()) != table.key.hash.type)
    return ValidationError(std::string(kKeySchemaMismatch));
  if (table.key.range) {
    const json::value* r = key.if_contains(table.key.range->name);
    if (!r || TypeOf(r->get_object()) != table.key.range->type)
      return ValidationError(std::string(kKeySchemaMismatch));
  }
  auto st = CheckKeyValue(table.key.hash, h->get_object(), true);
  if (!st) return st;
  if (table.key.range) {
    st = CheckKeyValue(*table.key.range, key.at(table.key.range->name).get_object(), false);
    if (!st) return st;
  }
  return Ok{};
}

Result<std::string> KeyFromRequest(const Table& table, json::value* key) {
  if (!key || !key->is_object()) return ValidationError(std::string(kKeySchemaMismatch));
  auto st = ValidateAttributeMap(*key);
  if (!st) return std::move(st).error();
  st = ValidateKeyValues(table, key->get_object());
  if (!st) return std::move(st).error();
  return ItemStorageKey(table, key->get_object());
}

Result<size_t> ValidateItemForTable(const Table& table, const json::object& item, bool update) {
  auto check_key = [&](const KeyAttribute& attr, bool hash) -> Status {
    const json::value* v = item.if_contains(attr.name);
    if (!v)
      return ValidationError(std::string(kInvalidParams) + "Missing the key " + attr.name +
                             " in the item");
    AttrType t = TypeOf(v->get_object());
    if (t != attr.type)
      return ValidationError(std::string(kInvalidParams) + "Type mismatch for key " + attr.name +
                             " expected: " + std::string(TypeName(attr.type)) +
                             " actual: " + std::string(TypeName(t)));
    return CheckKeyValue(attr, v->get_object(), hash);
  };
  auto st = check_key(table.key.hash, true);
  if (!st) return std::move(st).error();
  if (table.key.range) {
    st = check_key(*table.key.range, false);
    if (!st) return std::move(st).error();
  }
  for (const auto& index : table.indexes) {
    for (const KeyAttribute* attr :
         {&index.key.hash, index.key.range ? &*index.key.range : nullptr}) {
      if (!attr) continue;
      const json::value* v = item.if_contains(attr->name);
      if (!v) continue;
      AttrType t = TypeOf(v->get_object());
      if (t != attr->type)
        return ValidationError(std::string(kInvalidParams) + "Type mismatch for Index Key " +
                               attr->name + " Expected: " + std::string(TypeName(attr->type)) +
                               " Actual: " + std::string(TypeName(t)) +
                               " IndexName: " + index.name);
      if (PayloadOf(v->get_object()).get_string().empty())
        return ValidationError(
            "One or more parameter values are not valid. A value specified for a secondary "
            "index key is not supported. The AttributeValue for a key attribute cannot contain "
            "an empty " +
            std::string(attr->type == AttrType::kS ? "string" : "binary") +
            " value. IndexName: " + index.name + ", IndexKey: " + attr->name);
    }
  }
  size_t size = ItemSize(item);
  if (size > kMaxItemSize)
    return ValidationError(update ? "Item size to update has exceeded the maximum allowed size"
                                  : "Item size has exceeded the maximum allowed size");
  return size;
}

namespace {

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

bool FindNullInList(const json::value& v, const std::string& path, std::string* where) {
  if (v.is_object()) {
    for (const auto& [k, e] : v.get_object())
      if (FindNullInList(e, path.empty() ? LowerFirst(k) : path + "." + LowerFirst(k), where))
        return true;
  } else if (v.is_array()) {
    size_t i = 1;
    for (const auto& e : v.get_array()) {
      std::string p = path + "." + std::to_string(i++) + ".member";
      if (e.is_null()) {
        *where = p;
        return true;
      }
      if (FindNullInList(e, p, where)) return true;
    }
  }
  return false;
}

}  // namespace

Status RejectNullListElements(const json::value& input) {
  std::string where;
  if (!FindNullInList(input, "", &where)) return Ok{};
  return ValidationError("1 validation error detected: Value null at '" + where +
                         "' failed to satisfy constraint: Member must not be null");
}

json::value ItemToWire(const json::object& item) {
  json::object out;
  for (const auto& [k, v] : item) out[k] = ValueToWire(v);
  return out;
}

double ReadUnits(size_t bytes, bool consistent) {
  double units = std::ceil(static_cast<double>(std::max<size_t>(bytes, 1)) / 4096.0);
  return consistent ? units : units / 2;
}

double WriteUnits(size_t bytes) {
  return std::ceil(static_cast<double>(std::max<size_t>(bytes, 1)) / 1024.0);
}

json::value ConsumedCapacityFor(const json::object& in, const Table& table, double units, bool read,
                                const Index* index) {
  std::string_view mode = StringMember(in, "ReturnConsumedCapacity");
  json::object cc;
  cc["TableName"] = table.name;
  cc["CapacityUnits"] = units;
  cc[read ? "ReadCapacityUnits" : "WriteCapacityUnits"] = units;
  if (mode == "INDEXES") {
    json::object part{{"CapacityUnits", units},
                      {read ? "ReadCapacityUnits" : "WriteCapacityUnits", units}};
    if (index) {
      cc[index->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"] =
          json::object{{index->name, part}};
      cc["Table"] = json::object{{"CapacityUnits", 0.0}};
    } else {
      cc["Table"] = std::move(part);
    }
  }
  return cc;
}

void AddConsumedCapacity(const json::object& in, const Table& table, double units, bool read,
                         json::object* out, const Index* index) {
  std::string_view mode = StringMember(in, "ReturnConsumedCapacity");
  if (mode != "TOTAL" && mode != "INDEXES") return;
  (*out)["ConsumedCapacity"] = ConsumedCapacityFor(in, table, units, read, index);
}

}  // namespace nimbus::dynamodb
