// Tag, Untag and List*Tags for roles, users and instance profiles: the same rules for each.
#include <boost/json.hpp>
#include <cstdio>

#include "services/iam/iam_common.h"

namespace nimbus::iam {

Result<Document> TagEntity(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Tags("Tags").Finish(); !st)
    return std::move(st).error();
  std::string name = GetString(in, type.name_member);
  auto entity = call.store.GetEntity(call.account(), type, name);
  if (!entity) return std::move(entity).error();
  const json::array* tags = GetArray(in, "Tags");
  if (auto st = MergeTags(&*entity, tags ? *tags : json::array()); !st)
    return std::move(st).error();
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), type.kind, name), *entity);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> UntagEntity(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).TagKeys("TagKeys").Finish(); !st)
    return std::move(st).error();
  std::string name = GetString(in, type.name_member);
  auto entity = call.store.GetEntity(call.account(), type, name);
  if (!entity) return std::move(entity).error();
  RemoveTags(&*entity, GetStrings(in, "TagKeys"));
  storage::WriteBatch batch;
  call.store.Put(batch, EntityKey(call.account(), type.kind, name), *entity);
  if (auto st = call.store.Commit(batch); !st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListEntityTags(Call& call, const json::object& in, const EntityType& type) {
  if (auto st = Constraints(in).Name(type.name_member).Finish(); !st) return std::move(st).error();
  auto entity = call.store.GetEntity(call.account(), type, GetString(in, type.name_member));
  if (!entity) return std::move(entity).error();
  std::vector<ListItem> items;
  if (const json::array* tags = GetArray(*entity, "Tags")) {
    // Tags keep the order they were added in; the sort key preserves it for paging.
    char index[16];
    size_t i = 0;
    for (const auto& t : *tags) {
      std::snprintf(index, sizeof(index), "%08zu", i++);
      items.push_back({index, t});
    }
  }
  json::object out;
  if (auto st = Paginate(in, std::move(items), "Tags", &out); !st) return std::move(st).error();
  return json::value(std::move(out));
}

}  // namespace nimbus::iam
