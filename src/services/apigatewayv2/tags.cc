// TagResource, UntagResource, GetTags for APIs ("arn:aws:apigateway:<region>::/apis/<apiId>")
// and stages (".../apis/<apiId>/stages/<stageName>"): tags live in the resource's record.
#include <boost/json.hpp>

#include "services/apigatewayv2/apigw.h"

namespace nimbus::apigatewayv2 {

namespace {

struct TaggedResource {
  std::string key;  // the record holding "Tags"
  json::object record;
};

Result<TaggedResource> FindTagged(const RequestContext& ctx, std::string_view arn) {
  std::string prefix = "arn:aws:apigateway:" + ctx.region + "::/apis/";
  auto not_found = [&] {
    return NotFound("Invalid resource identifier specified " + std::string(arn), "Resource");
  };
  if (arn.substr(0, prefix.size()) != prefix) return not_found();
  std::string_view rest = arn.substr(prefix.size());
  auto slash = rest.find('/');
  std::string api_id(rest.substr(0, slash));
  if (api_id.empty()) return not_found();
  TaggedResource out;
  if (slash == std::string_view::npos) {
    out.key = ApiKey(ctx.account_id, ctx.region, api_id);
  } else {
    std::string_view sub = rest.substr(slash);
    constexpr std::string_view kStages = "/stages/";
    if (sub.substr(0, kStages.size()) != kStages || sub.size() == kStages.size())
      return not_found();
    out.key =
        ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, sub.substr(kStages.size()));
  }
  auto r = LoadRecord(*ctx.env, out.key);
  if (!r) return std::move(r).error();
  if (!*r) return not_found();
  out.record = std::move(**r);
  return out;
}

}  // namespace

HandlerTable TagHandlers() {
  HandlerTable t;
  t.emplace_back("TagResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto res = FindTagged(ctx, StringMember(in, "ResourceArn"));
    if (!res) return std::move(res).error();
    json::value& tags = res->record["Tags"];
    if (!tags.is_object()) tags = json::object();
    if (HasMember(in, "Tags"))
      for (const auto& [k, v] : in.at("Tags").as_object()) tags.as_object()[k] = v;
    if (tags.as_object().size() > 50)
      return BadRequest("Too many tags: a resource takes at most 50.");
    auto st = SaveRecord(ctx, res->key, res->record);
    if (!st) return std::move(st).error();
    return Document(json::object());
  });
  t.emplace_back("UntagResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto res = FindTagged(ctx, StringMember(in, "ResourceArn"));
    if (!res) return std::move(res).error();
    json::value& tags = res->record["Tags"];
    if (!tags.is_object()) tags = json::object();
    if (HasMember(in, "TagKeys"))
      for (const auto& k : in.at("TagKeys").as_array())
        if (k.is_string()) tags.as_object().erase(k.get_string());
    auto st = SaveRecord(ctx, res->key, res->record);
    if (!st) return std::move(st).error();
    return Document(json::object());
  });
  t.emplace_back("GetTags", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto res = FindTagged(ctx, StringMember(in, "ResourceArn"));
    if (!res) return std::move(res).error();
    const auto* tags = res->record.if_contains("Tags");
    return Document(
        json::object{{"Tags", tags && tags->is_object() ? *tags : json::value(json::object())}});
  });
  return t;
}

}  // namespace nimbus::apigatewayv2
