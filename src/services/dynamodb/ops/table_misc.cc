// Tags, TTL settings, DescribeLimits, DescribeEndpoints.
#include <boost/json.hpp>

#include "core/http/http_types.h"
#include "services/dynamodb/errors.h"
#include "services/dynamodb/ops/ops.h"
#include "services/dynamodb/request.h"

namespace nimbus::dynamodb {

namespace {

struct ResourceRef {
  std::string region;
  std::string account;
  std::string table;
};

Result<ResourceRef> ParseResourceArn(std::string_view arn) {
  // arn:aws:dynamodb:<region>:<account>:table/<name>
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = start < arn.size() ? arn.substr(start) : std::string_view();
  if (parts.size() != 5 || parts[0] != "arn" || parts[2] != "dynamodb" ||
      resource.substr(0, 6) != "table/" || resource.size() <= 6)
    return ValidationError("Invalid TableArn: Invalid ResourceArn provided as input " +
                           std::string(arn));
  std::string_view name = resource.substr(6);
  if (auto slash = name.find('/'); slash != std::string_view::npos) name = name.substr(0, slash);
  return ResourceRef{std::string(parts[3]), std::string(parts[4]), std::string(name)};
}

Result<std::shared_ptr<const Table>> TableOfArn(State& state, const json::object& in) {
  auto ref = ParseResourceArn(StringMember(in, "ResourceArn"));
  if (!ref) return std::move(ref).error();
  auto found = state.catalog.Find(ref->account, ref->region, ref->table);
  if (!found) return std::move(found).error();
  if (!*found)
    return ApiError("ResourceNotFoundException", 400,
                    "Requested resource not found: ResourcearN: " +
                        std::string(StringMember(in, "ResourceArn")) + " not found");
  return std::move(*found);
}

Status SaveRecord(State& state, json::object record) {
  auto table = TableFromRecord(std::move(record));
  if (!table) return errors::InternalFailure();
  return state.catalog.Save(table);
}

}  // namespace

Result<Document> TagResource(State& state, RequestContext&, Document& input) {
  const json::object& in = input.get_object();
  std::lock_guard control(state.catalog.control_mutex());
  auto table = TableOfArn(state, in);
  if (!table) return std::move(table).error();
  json::object record = (*table)->record;
  json::array tags = record["Tags"].is_array() ? record["Tags"].get_array() : json::array();
  for (const auto& t : in.at("Tags").get_array()) {
    if (!t.is_object()) return ValidationError("Invalid tag");
    std::string_view key = StringMember(t.get_object(), "Key");
    bool replaced = false;
    for (auto& e : tags) {
      if (StringMember(e.get_object(), "Key") == key) {
        e = t;
        replaced = true;
      }
    }
    if (!replaced) tags.push_back(t);
  }
  if (tags.size() > 50)
    return LimitExceeded("The number of tags exceeds the limit for the resource: " +
                         std::string(StringMember(in, "ResourceArn")));
  record["Tags"] = std::move(tags);
  auto st = SaveRecord(state, std::move(record));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> UntagResource(State& state, RequestContext&, Document& input) {
  const json::object& in = input.get_object();
  std::lock_guard control(state.catalog.control_mutex());
  auto table = TableOfArn(state, in);
  if (!table) return std::move(table).error();
  json::object record = (*table)->record;
  json::array kept;
  const auto& remove = in.at("TagKeys").get_array();
  if (record["Tags"].is_array()) {
    for (const auto& t : record["Tags"].get_array()) {
      std::string_view key = StringMember(t.get_object(), "Key");
      bool drop = false;
      for (const auto& k : remove)
        if (k.is_string() && k.get_string() == key) drop = true;
      if (!drop) kept.push_back(t);
    }
  }
  record["Tags"] = std::move(kept);
  auto st = SaveRecord(state, std::move(record));
  if (!st) return std::move(st).error();
  return json::value(json::object());
}

Result<Document> ListTagsOfResource(State& state, RequestContext&, Document& input) {
  auto table = TableOfArn(state, input.get_object());
  if (!table) return std::move(table).error();
  const json::value* tags = (*table)->record.if_contains("Tags");
  return json::value{{"Tags", tags && tags->is_array() ? *tags : json::array()}};
}

Result<Document> DescribeLimits(State&, RequestContext&, Document&) {
  return json::value{{"AccountMaxReadCapacityUnits", 80000},
                     {"AccountMaxWriteCapacityUnits", 80000},
                     {"TableMaxReadCapacityUnits", 40000},
                     {"TableMaxWriteCapacityUnits", 40000}};
}

Result<Document> DescribeEndpoints(State&, RequestContext& ctx, Document&) {
  // Clients that use endpoint discovery must be sent back here, not to AWS.
  std::string address = "dynamodb." + ctx.region + ".amazonaws.com";
  if (ctx.http) {
    std::string_view host = ctx.http->Header("host");
    if (!host.empty()) address = std::string(host);
  }
  return json::value{{"Endpoints", json::array{json::object{{"Address", address},
                                                            {"CachePeriodInMinutes", 1440}}}}};
}

Result<Document> DescribeTimeToLive(State& state, RequestContext& ctx, Document& input) {
  auto name = TableNameFrom(input.get_object());
  if (!name) return std::move(name).error();
  auto found = state.catalog.Find(ctx.account_id, ctx.region, *name);
  if (!found) return std::move(found).error();
  if (!*found) return TableNotFound(*name);
  json::object description{{"TimeToLiveStatus", "DISABLED"}};
  if (const json::value* ttl = (*found)->record.if_contains("TimeToLive");
      ttl && ttl->is_object()) {
    if (BoolMember(ttl->get_object(), "Enabled")) {
      description["TimeToLiveStatus"] = "ENABLED";
      description["AttributeName"] = ttl->get_object().at("AttributeName");
    }
  }
  return json::value{{"TimeToLiveDescription", std::move(description)}};
}

Result<Document> UpdateTimeToLive(State& state, RequestContext& ctx, Document& input) {
  const json::object& in = input.get_object();
  auto name = TableNameFrom(in);
  if (!name) return std::move(name).error();
  std::lock_guard control(state.catalog.control_mutex());
  auto found = state.catalog.Find(ctx.account_id, ctx.region, *name);
  if (!found) return std::move(found).error();
  if (!*found) return TableNotFound(*name);
  const auto& spec = in.at("TimeToLiveSpecification").get_object();
  bool enable = BoolMember(spec, "Enabled");
  json::object record = (*found)->record;
  bool enabled = false;
  std::string current_attr;
  if (const json::value* ttl = record.if_contains("TimeToLive"); ttl && ttl->is_object()) {
    enabled = BoolMember(ttl->get_object(), "Enabled");
    current_attr = std::string(StringMember(ttl->get_object(), "AttributeName"));
  }
  if (enable && enabled) return ValidationError("TimeToLive is already enabled");
  if (!enable && !enabled) return ValidationError("TimeToLive is already disabled");
  if (!enable && current_attr != StringMember(spec, "AttributeName"))
    return ValidationError(
        "TimeToLive is active on a different AttributeName: current "
        "AttributeName is " +
        current_attr);
  record["TimeToLive"] = spec;
  auto st = SaveRecord(state, std::move(record));
  if (!st) return std::move(st).error();
  return json::value{{"TimeToLiveSpecification", spec}};
}

}  // namespace nimbus::dynamodb
