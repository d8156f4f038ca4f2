#include "services/dynamodb/table/table.h"

namespace nimbus::dynamodb {

namespace {

const json::value* Member(const json::object& o, std::string_view k) { return o.if_contains(k); }

std::string StringOr(const json::object& o, std::string_view k, std::string_view fallback = {}) {
  const json::value* v = Member(o, k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

bool ParseKeySchema(const json::value* schema, const json::object& types, KeySchema* out) {
  if (!schema || !schema->is_array()) return false;
  bool have_hash = false;
  for (const auto& e : schema->get_array()) {
    if (!e.is_object()) return false;
    std::string name = StringOr(e.get_object(), "AttributeName");
    std::string key_type = StringOr(e.get_object(), "KeyType");
    const json::value* t = types.if_contains(name);
    if (!t || !t->is_string()) return false;
    KeyAttribute attr;
    attr.name = name;
    if (!ParseTypeName(t->get_string(), &attr.type)) return false;
    if (key_type == "HASH") {
      out->hash = std::move(attr);
      have_hash = true;
    } else {
      out->range = std::move(attr);
    }
  }
  return have_hash;
}

bool ParseIndexes(const json::object& desc, std::string_view member, bool global,
                  const json::object& types, const json::object& storage_ids,
                  std::vector<Index>* out) {
  const json::value* list = Member(desc, member);
  if (!list) return true;
  if (!list->is_array()) return false;
  for (const auto& e : list->get_array()) {
    if (!e.is_object()) return false;
    const auto& o = e.get_object();
    Index index;
    index.name = StringOr(o, "IndexName");
    index.global = global;
    if (!ParseKeySchema(Member(o, "KeySchema"), types, &index.key)) return false;
    const json::value* id = storage_ids.if_contains(index.name);
    if (!id || !id->is_number()) return false;
    index.storage_id = id->to_number<uint64_t>();
    if (const json::value* p = Member(o, "Projection"); p && p->is_object()) {
      std::string type = StringOr(p->get_object(), "ProjectionType", "ALL");
      index.projection = type == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                         : type == "INCLUDE" ? ProjectionType::kInclude
                                             : ProjectionType::kAll;
      if (const json::value* nk = Member(p->get_object(), "NonKeyAttributes"); nk && nk->is_array())
        for (const auto& a : nk->get_array())
          if (a.is_string()) index.non_key_attributes.emplace_back(a.get_string());
    }
    index.readable = StringOr(o, "IndexStatus", "ACTIVE") == "ACTIVE";
    out->push_back(std::move(index));
  }
  return true;
}

}  // namespace

const Index* Table::FindIndex(std::string_view index_name) const {
  for (const auto& i : indexes)
    if (i.name == index_name) return &i;
  return nullptr;
}

std::string Table::arn() const { return TableArn(region, account, name); }

bool Table::has_streams() const {
  const json::value* spec = description().if_contains("StreamSpecification");
  if (!spec || !spec->is_object()) return false;
  const json::value* enabled = spec->get_object().if_contains("StreamEnabled");
  return enabled && enabled->is_bool() && enabled->get_bool();
}

std::shared_ptr<Table> TableFromRecord(json::object record) {
  auto t = std::make_shared<Table>();
  const json::value* desc_v = record.if_contains("Description");
  if (!desc_v || !desc_v->is_object()) return nullptr;
  const auto& desc = desc_v->get_object();
  t->account = StringOr(record, "Account");
  t->region = StringOr(record, "Region");
  t->name = StringOr(desc, "TableName");
  const json::value* id = record.if_contains("StorageId");
  if (!id || !id->is_number()) return nullptr;
  t->storage_id = id->to_number<uint64_t>();
  json::object types;
  if (const json::value* defs = Member(desc, "AttributeDefinitions"); defs && defs->is_array())
    for (const auto& d : defs->get_array())
      if (d.is_object())
        types[StringOr(d.get_object(), "AttributeName")] =
            StringOr(d.get_object(), "AttributeType");
  if (!ParseKeySchema(Member(desc, "KeySchema"), types, &t->key)) return nullptr;
  json::object storage_ids;
  if (const json::value* ids = record.if_contains("IndexStorageIds"); ids && ids->is_object())
    storage_ids = ids->get_object();
  if (!ParseIndexes(desc, "LocalSecondaryIndexes", false, types, storage_ids, &t->indexes) ||
      !ParseIndexes(desc, "GlobalSecondaryIndexes", true, types, storage_ids, &t->indexes))
    return nullptr;
  if (const json::value* spec = desc.if_contains("StreamSpecification");
      spec && spec->is_object()) {
    const json::value* enabled = spec->get_object().if_contains("StreamEnabled");
    const json::value* sid = record.if_contains("StreamStorageId");
    if (enabled && enabled->is_bool() && enabled->get_bool() && sid && sid->is_number()) {
      t->stream_id = sid->to_number<uint64_t>();
      t->stream_view_type = StringOr(spec->get_object(), "StreamViewType", "KEYS_ONLY");
    }
  }
  t->record = std::move(record);
  return t;
}

std::string TableArn(std::string_view region, std::string_view account, std::string_view name) {
  return "arn:aws:dynamodb:" + std::string(region) + ":" + std::string(account) + ":table/" +
         std::string(name);
}

}  // namespace nimbus::dynamodb
