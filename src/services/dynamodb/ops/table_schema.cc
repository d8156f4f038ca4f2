#include "services/dynamodb/ops/table_schema.h"

#include <set>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/request.h"

namespace nimbus::dynamodb {

namespace {

constexpr size_t kMaxLocalIndexes = 5;
constexpr size_t kMaxGlobalIndexes = 20;
constexpr int64_t kMaxCapacityUnits = 1000000000000;

ApiError Invalid(const std::string& what) {
  return ValidationError(std::string(kInvalidParams) + what);
}

std::string Join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

std::vector<std::string> DefinedNames(const json::array& defs) {
  std::vector<std::string> out;
  for (const auto& d : defs) out.emplace_back(StringMember(d.get_object(), "AttributeName"));
  return out;
}

std::vector<std::string> KeyNames(const json::array& schema) {
  std::vector<std::string> out;
  for (const auto& k : schema) out.emplace_back(StringMember(k.get_object(), "AttributeName"));
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& e : v)
    if (e == s) return true;
  return false;
}

std::string KeySchemaText(const json::array& schema) {
  std::string out = "[";
  for (size_t i = 0; i < schema.size(); ++i) {
    const auto& o = schema[i].get_object();
    out += (i ? ", " : "") + std::string("KeySchemaElement(attributeName=") +
           std::string(StringMember(o, "AttributeName")) +
           ", keyType=" + std::string(StringMember(o, "KeyType")) + ")";
  }
  return out + "]";
}

Status CheckKeySchema(const json::array& schema, const json::array& defs) {
  if (schema.size() > 2)
    return ValidationError("1 validation error detected: Value '" + KeySchemaText(schema) +
                           "' at 'keySchema' failed to satisfy constraint: Member must have "
                           "length less than or equal to 2");
  std::vector<std::string> keys = KeyNames(schema), defined = DefinedNames(defs);
  if (keys.size() > defined.size())
    return ValidationError("Invalid KeySchema: Some index key attribute have no definition");
  for (const auto& k : keys)
    if (!Contains(defined, k))
      return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                     Join(keys) + ", AttributeDefinitions: " + Join(defined));
  if (keys.size() == 2 && keys[0] == keys[1])
    return ValidationError(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  if (StringMember(schema[0].get_object(), "KeyType") != "HASH")
    return ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (schema.size() == 2 && StringMember(schema[1].get_object(), "KeyType") != "RANGE")
    return ValidationError(
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  return Ok{};
}

Status CheckThroughput(const json::value* pt) {
  if (!pt) return Ok{};
  for (std::string_view member : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
    const json::value* v = pt->get_object().if_contains(member);
    if (v && v->is_number() && v->to_number<int64_t>() > kMaxCapacityUnits)
      return ValidationError("Given value " + std::to_string(v->to_number<int64_t>()) + " for " +
                             std::string(member) + " is out of bounds");
  }
  return Ok{};
}

}  // namespace

Status ValidateIndexDefinition(const json::object& index, const json::array& defs,
                               const json::array& table_schema, bool global,
                               std::string_view billing_mode) {
  std::string name(StringMember(index, "IndexName"));
  const auto& schema = index.at("KeySchema").get_array();
  std::vector<std::string> keys = KeyNames(schema), defined = DefinedNames(defs);
  for (const auto& k : keys)
    if (!Contains(defined, k))
      return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                     Join(keys) + ", AttributeDefinitions: " + Join(defined));
  if (schema.size() > 2)
    return ValidationError("1 validation error detected: Value '" + KeySchemaText(schema) +
                           "' at 'keySchema' failed to satisfy constraint: Member must have "
                           "length less than or equal to 2");
  if (keys.size() == 2 && keys[0] == keys[1])
    return ValidationError(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  if (StringMember(schema[0].get_object(), "KeyType") != "HASH")
    return ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (schema.size() == 2 && StringMember(schema[1].get_object(), "KeyType") != "RANGE")
    return ValidationError(
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  if (!global) {
    if (schema.size() != 2)
      return Invalid("Index KeySchema does not have a range key for index: " + name);
    std::string table_hash = KeyNames(table_schema)[0];
    if (keys[0] != table_hash)
      return Invalid(
          "Index KeySchema does not have the same leading hash key as table KeySchema for "
          "index: " +
          name + ". index hash key: " + keys[0] + ", table hash key: " + table_hash);
  }
  const auto& projection = index.at("Projection").get_object();
  std::string_view type = StringMember(projection, "ProjectionType");
  if (type.empty()) return Invalid("Unknown ProjectionType: null");
  if (projection.contains("NonKeyAttributes") && type != "INCLUDE")
    return Invalid("ProjectionType is " + std::string(type) +
                   ", but NonKeyAttributes is specified");
  if (type == "INCLUDE" && !projection.contains("NonKeyAttributes"))
    return Invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  if (global) {
    const json::value* pt = index.if_contains("ProvisionedThroughput");
    if (billing_mode == "PAY_PER_REQUEST" && pt)
      return Invalid("ProvisionedThroughput should not be specified for index: " + name +
                     " when BillingMode is PAY_PER_REQUEST");
    if (billing_mode != "PAY_PER_REQUEST" && !pt)
      return Invalid("ProvisionedThroughput must be specified for index: " + name);
    auto st = CheckThroughput(pt);
    if (!st) return st;
  }
  return Ok{};
}

Status ValidateCreateTable(const json::object& in) {
  std::vector<std::string> nulls;
  if (!in.contains("AttributeDefinitions"))
    nulls.push_back(
        "Value null at 'attributeDefinitions' failed to satisfy constraint: Member "
        "must not be null");
  if (!in.contains("KeySchema"))
    nulls.push_back(
        "Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
  if (!nulls.empty()) {
    std::string msg =
        std::to_string(nulls.size()) +
        (nulls.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < nulls.size(); ++i) msg += (i ? "; " : "") + nulls[i];
    return ValidationError(msg);
  }
  const auto& defs = in.at("AttributeDefinitions").get_array();
  const auto& schema = in.at("KeySchema").get_array();
  std::string_view billing = StringMember(in, "BillingMode");
  const json::value* pt = in.if_contains("ProvisionedThroughput");
  if (billing == "PAY_PER_REQUEST") {
    if (pt)
      return Invalid(
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
          "is PAY_PER_REQUEST");
  } else {
    if (!pt && billing.empty())
      return ValidationError("No provisioned throughput specified for the table");
    if (!pt)
      return Invalid(
          "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
          "PROVISIONED");
    auto st = CheckThroughput(pt);
    if (!st) return st;
  }
  auto st = CheckKeySchema(schema, defs);
  if (!st) return st;
  std::set<std::string> seen_defs;
  for (const auto& d : defs)
    if (!seen_defs.insert(std::string(StringMember(d.get_object(), "AttributeName"))).second)
      return Invalid("Duplicate AttributeName in AttributeDefinitions: " +
                     std::string(StringMember(d.get_object(), "AttributeName")));

  std::set<std::string> used;
  for (const auto& k : KeyNames(schema)) used.insert(k);
  std::set<std::string> index_names;
  const json::value* lsis = in.if_contains("LocalSecondaryIndexes");
  const json::value* gsis = in.if_contains("GlobalSecondaryIndexes");
  if (lsis) {
    const auto& list = lsis->get_array();
    if (list.empty()) return Invalid("List of LocalSecondaryIndexes is empty");
    if (schema.size() != 2)
      return Invalid(
          "Table KeySchema does not have a range key, which is required when specifying a "
          "LocalSecondaryIndex");
    for (const auto& e : list) {
      st = ValidateIndexDefinition(e.get_object(), defs, schema, false, billing);
      if (!st) return st;
      std::string name(StringMember(e.get_object(), "IndexName"));
      if (!index_names.insert(name).second) return Invalid("Duplicate index name: " + name);
      for (const auto& k : KeyNames(e.get_object().at("KeySchema").get_array())) used.insert(k);
    }
    if (list.size() > kMaxLocalIndexes)
      return Invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  }
  if (gsis) {
    const auto& list = gsis->get_array();
    if (list.empty()) return Invalid("List of GlobalSecondaryIndexes is empty");
    for (const auto& e : list) {
      st = ValidateIndexDefinition(e.get_object(), defs, schema, true, billing);
      if (!st) return st;
      std::string name(StringMember(e.get_object(), "IndexName"));
      if (!index_names.insert(name).second) return Invalid("Duplicate index name: " + name);
      for (const auto& k : KeyNames(e.get_object().at("KeySchema").get_array())) used.insert(k);
    }
    if (list.size() > kMaxGlobalIndexes)
      return Invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20");
  }
  if (used.size() != defs.size()) {
    if (!lsis && !gsis)
      return Invalid(
          "Number of attributes in KeySchema does not exactly match number of attributes defined "
          "in AttributeDefinitions");
    return Invalid("Some AttributeDefinitions are not used. AttributeDefinitions: " +
                   Join(DefinedNames(defs)) +
                   ", keys used: " + Join(std::vector<std::string>(used.begin(), used.end())));
  }
  if (const json::value* spec = in.if_contains("StreamSpecification")) {
    const auto& o = spec->get_object();
    if (BoolMember(o, "StreamEnabled") && !o.contains("StreamViewType"))
      return ValidationError(
          "StreamSpecification: StreamViewType must be specified when "
          "StreamEnabled is true");
  }
  return Ok{};
}

json::object ThroughputDescription(const json::value* pt) {
  json::object out{{"NumberOfDecreasesToday", 0}};
  int64_t r = 0, w = 0;
  if (pt && pt->is_object()) {
    if (const json::value* v = pt->get_object().if_contains("ReadCapacityUnits");
        v && v->is_number())
      r = v->to_number<int64_t>();
    if (const json::value* v = pt->get_object().if_contains("WriteCapacityUnits");
        v && v->is_number())
      w = v->to_number<int64_t>();
  }
  out["ReadCapacityUnits"] = r;
  out["WriteCapacityUnits"] = w;
  return out;
}

json::object IndexDescription(const json::object& index, std::string_view table_arn, bool global,
                              std::string_view status) {
  json::object out;
  std::string name(StringMember(index, "IndexName"));
  out["IndexName"] = name;
  out["KeySchema"] = index.at("KeySchema");
  out["Projection"] = index.at("Projection");
  if (global) {
    out["IndexStatus"] = status;
    if (status == "CREATING") out["Backfilling"] = true;
    out["ProvisionedThroughput"] =
        ThroughputDescription(index.if_contains("ProvisionedThroughput"));
  }
  out["IndexSizeBytes"] = 0;
  out["ItemCount"] = 0;
  out["IndexArn"] = std::string(table_arn) + "/index/" + name;
  return out;
}

json::object SseDescription(const json::object& sse, const RequestContext& ctx) {
  if (!BoolMember(sse, "Enabled")) return {};
  std::string key(StringMember(sse, "KMSMasterKeyId"));
  std::string key_arn = key.rfind("arn:", 0) == 0
                            ? key
                            : "arn:aws:kms:" + ctx.region + ":" + ctx.account_id + ":key/" +
                                  (key.empty() ? NewUuid() : key);
  return json::object{{"Status", "ENABLED"}, {"SSEType", "KMS"}, {"KMSMasterKeyArn", key_arn}};
}

}  // namespace nimbus::dynamodb
