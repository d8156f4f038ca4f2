// Usage plans (CreateUsagePlan, GetUsagePlan(s), UpdateUsagePlan with patch operations,
// DeleteUsagePlan), their keys (CreateUsagePlanKey, GetUsagePlanKey(s), DeleteUsagePlanKey) and
// their usage (GetUsage, UpdateUsage).
#include <boost/json.hpp>
#include <cmath>

#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/usage.h"

namespace nimbus::apigateway {

namespace {

// AWS keeps usage for 90 days; GetUsage asks for at most that span.
constexpr int64_t kMaxUsageDays = 90;

Result<std::optional<json::object>> LoadPlan(const RequestContext& ctx, std::string_view id) {
  if (id.empty() || id.find('/') != std::string_view::npos) return std::optional<json::object>();
  return LoadRecord(*ctx.env, UsagePlanKey(ctx.account_id, ctx.region, id));
}

Result<json::object> RequirePlan(const RequestContext& ctx, std::string_view id) {
  auto p = LoadPlan(ctx, id);
  if (!p) return std::move(p).error();
  if (!*p) return UsagePlanNotFound();
  return std::move(**p);
}

Result<std::vector<json::object>> AllPlans(const RequestContext& ctx) {
  std::vector<json::object> plans;
  auto st = storage::ScanJsonObjects(*ctx.env->kv, kKeyspace,
                                     UsagePlanKey(ctx.account_id, ctx.region, ""), &plans);
  if (!st.ok()) return storage::StorageError(st);
  return plans;
}

Result<bool> IsMember(const RequestContext& ctx, std::string_view plan_id,
                      std::string_view key_id) {
  if (key_id.empty() || key_id.find('/') != std::string_view::npos) return false;
  auto m = LoadRecord(*ctx.env,
                      PlanMemberPrefix(ctx.account_id, ctx.region, plan_id) + std::string(key_id));
  if (!m) return std::move(m).error();
  return m->has_value();
}

// The key ids of a plan, in order.
Result<std::vector<std::string>> MemberIds(const RequestContext& ctx, std::string_view plan_id) {
  std::vector<std::string> ids;
  std::string prefix = PlanMemberPrefix(ctx.account_id, ctx.region, plan_id);
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, prefix, "",
                              [&](std::string_view key, json::value&) {
                                ids.emplace_back(key.substr(prefix.size()));
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  return ids;
}

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// ---- Validation of throttle and quota settings ----

Result<double> ParseRate(std::string_view text) {
  try {
    size_t used = 0;
    double d = std::stod(std::string(text), &used);
    if (used == text.size() && std::isfinite(d)) return d;
  } catch (const std::exception&) {
  }
  return BadRequest("Invalid rate limit value '" + std::string(text) + "'");
}

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  try {
    size_t used = 0;
    long long v = std::stoll(std::string(text), &used);
    if (used == text.size()) return static_cast<int64_t>(v);
  } catch (const std::exception&) {
  }
  return BadRequest("Invalid " + std::string(what) + " value '" + std::string(text) + "'");
}

Status CheckThrottle(const json::value& t) {
  if (!t.is_object()) return BadRequest("Invalid throttle settings");
  if (const auto* r = t.get_object().if_contains("rateLimit"); r && !r->is_null()) {
    double rate = r->is_double() ? r->get_double() : r->is_int64() ? double(r->get_int64()) : -1;
    if (rate < 0) return BadRequest("Rate limit must be a non-negative number");
  }
  if (const auto* b = t.get_object().if_contains("burstLimit"); b && !b->is_null()) {
    if (!b->is_int64() || b->get_int64() < 0)
      return BadRequest("Burst limit must be a non-negative integer");
  }
  return Ok{};
}

Status CheckQuota(const json::value& q) {
  if (!q.is_object()) return BadRequest("Invalid quota settings");
  const auto& o = q.get_object();
  const auto* limit = o.if_contains("limit");
  if (limit && !limit->is_null() && (!limit->is_int64() || limit->get_int64() < 0))
    return BadRequest("Quota limit must be a non-negative integer");
  std::string_view period = Str(o, "period");
  if (period != "DAY" && period != "WEEK" && period != "MONTH")
    return BadRequest("Quota period must be one of DAY, WEEK or MONTH");
  int64_t offset = 0;
  if (const auto* off = o.if_contains("offset"); off && off->is_int64()) offset = off->get_int64();
  int64_t max = period == "DAY" ? 0 : period == "WEEK" ? 6 : 27;
  if (offset < 0 || offset > max)
    return BadRequest("Quota offset for period " + std::string(period) + " must be between 0 and " +
                      std::to_string(max));
  return Ok{};
}

// "/{resourcePath}/{httpMethod}" of a per-method throttle of an API stage.
bool ValidMethodPath(std::string_view path) {
  if (path.size() < 3 || path[0] != '/') return false;
  auto slash = path.rfind('/');
  std::string_view method = path.substr(slash + 1);
  for (std::string_view m :
       {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*"})
    if (method == m) return true;
  return false;
}

Status CheckApiStage(const RequestContext& ctx, const json::value& s) {
  std::string_view api_id = StringMember(s, "apiId");
  std::string_view stage = StringMember(s, "stage");
  if (api_id.empty() || stage.empty())
    return BadRequest("Invalid API Stage: apiId and stage are required");
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  if (stage.find('/') != std::string_view::npos) return StageNotFound();
  auto st = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, stage));
  if (!st) return std::move(st).error();
  if (!*st) return StageNotFound();
  if (HasMember(s, "throttle")) {
    const auto& t = s.at("throttle");
    if (!t.is_object()) return BadRequest("Invalid throttle settings");
    for (const auto& [path, settings] : t.get_object()) {
      if (!ValidMethodPath(path))
        return BadRequest("Invalid method path '" + std::string(path) +
                          "': expected '/{resourcePath}/{httpMethod}'");
      auto c = CheckThrottle(settings);
      if (!c) return c;
    }
  }
  return Ok{};
}

std::string StageName(std::string_view api_id, std::string_view stage) {
  return std::string(api_id) + ":" + std::string(stage);
}

bool HasStage(const json::object& plan, std::string_view api_id, std::string_view stage) {
  const auto* stages = plan.if_contains("apiStages");
  if (!stages || !stages->is_array()) return false;
  for (const auto& s : stages->get_array())
    if (StringMember(s, "apiId") == api_id && StringMember(s, "stage") == stage) return true;
  return false;
}

// ---- UpdateUsagePlan ----

Status PatchThrottleMember(const PatchOp& p, json::object& throttle, std::string_view member) {
  if (p.op == "remove") {
    throttle.erase(member);
    return Ok{};
  }
  if (p.op != "replace" && p.op != "add") return InvalidPatchPath(p);
  std::string_view v = p.value ? std::string_view(*p.value) : std::string_view();
  if (member == "rateLimit") {
    auto d = ParseRate(v);
    if (!d) return std::move(d).error();
    if (*d < 0) return BadRequest("Rate limit must be a non-negative number");
    throttle["rateLimit"] = *d;
  } else {
    auto n = ParseInt(v, "burst limit");
    if (!n) return std::move(n).error();
    if (*n < 0) return BadRequest("Burst limit must be a non-negative integer");
    throttle["burstLimit"] = *n;
  }
  return Ok{};
}

Status PatchApiStage(const RequestContext& ctx, const PatchOp& p, json::object& plan) {
  constexpr std::string_view kPrefix = "/apiStages";
  std::string_view rest = std::string_view(p.path).substr(kPrefix.size());
  json::value& stages_v = plan["apiStages"];
  if (!stages_v.is_array()) stages_v = json::array();
  auto& stages = stages_v.as_array();
  if (rest.empty()) {
    // add / remove "/apiStages" with value "apiId:stage".
    std::string v = p.value.value_or("");
    auto colon = v.find(':');
    if (colon == std::string::npos)
      return BadRequest("Invalid API Stage '" + v + "': expected '{apiId}:{stage}'");
    std::string api_id = v.substr(0, colon), stage = v.substr(colon + 1);
    if (p.op == "add") {
      json::object s{{"apiId", api_id}, {"stage", stage}};
      auto c = CheckApiStage(ctx, s);
      if (!c) return c;
      if (HasStage(plan, api_id, stage))
        return Conflict("API Stage " + v + " already exists in usage plan " +
                        std::string(Str(plan, "id")));
      stages.push_back(std::move(s));
      return Ok{};
    }
    if (p.op == "remove") {
      for (auto it = stages.begin(); it != stages.end(); ++it)
        if (StringMember(*it, "apiId") == api_id && StringMember(*it, "stage") == stage) {
          stages.erase(it);
          return Ok{};
        }
      return NotFound("Invalid API Stage {api: " + api_id + ", stage: " + stage +
                      "} specified for usageplan " + std::string(Str(plan, "id")));
    }
    return InvalidPatchPath(p);
  }
  // "/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}[/rateLimit|/burstLimit]"
  if (rest[0] != '/') return InvalidPatchPath(p);
  rest.remove_prefix(1);
  auto slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  std::string_view after = slash == std::string_view::npos ? "" : rest.substr(slash);
  constexpr std::string_view kThrottle = "/throttle";
  if (after.substr(0, kThrottle.size()) != kThrottle) return InvalidPatchPath(p);
  after.remove_prefix(kThrottle.size());
  json::object* stage = nullptr;
  for (auto& s : stages)
    if (s.is_object() && StageName(StringMember(s, "apiId"), StringMember(s, "stage")) == name)
      stage = &s.as_object();
  if (!stage)
    return NotFound("Invalid API Stage " + std::string(name) + " specified for usageplan " +
                    std::string(Str(plan, "id")));
  json::value& throttle_v = (*stage)["throttle"];
  if (!throttle_v.is_object()) throttle_v = json::object();
  auto& throttle = throttle_v.as_object();
  if (after.empty() && p.op == "remove") {
    stage->erase("throttle");
    return Ok{};
  }
  // What follows "/throttle/" is "{resourcePath}/{httpMethod}", the path escaped ("~1pets").
  std::string method_path = UnescapePatchSegment(after.substr(1));
  std::string_view member;
  for (std::string_view m : {"/rateLimit", "/burstLimit"})
    if (std::string_view(method_path).ends_with(m)) member = m.substr(1);
  if (!member.empty()) method_path.resize(method_path.size() - member.size() - 1);
  if (!ValidMethodPath(method_path)) return InvalidPatchPath(p);
  if (member.empty()) {
    if (p.op != "remove") return InvalidPatchPath(p);
    throttle.erase(method_path);
  } else {
    json::value& settings = throttle[method_path];
    if (!settings.is_object()) settings = json::object();
    auto st = PatchThrottleMember(p, settings.as_object(), member);
    if (!st) return st;
    if (settings.as_object().empty()) throttle.erase(method_path);
  }
  if (throttle.empty()) stage->erase("throttle");
  return Ok{};
}

Status PatchPlan(const RequestContext& ctx, const PatchOp& p, json::object& plan) {
  if (p.path == "/apiStages" || p.path.starts_with("/apiStages/"))
    return PatchApiStage(ctx, p, plan);
  if (p.path == "/throttle" || p.path == "/quota") {
    if (p.op != "remove") return InvalidPatchPath(p);
    plan.erase(p.path.substr(1));
    return Ok{};
  }
  if (p.path == "/throttle/rateLimit" || p.path == "/throttle/burstLimit") {
    json::value& t = plan["throttle"];
    if (!t.is_object()) t = json::object();
    auto st = PatchThrottleMember(p, t.as_object(), p.path.substr(10));
    if (!st) return st;
    if (t.as_object().empty()) plan.erase("throttle");
    return Ok{};
  }
  if (p.path == "/quota/limit" || p.path == "/quota/period" || p.path == "/quota/offset") {
    if (p.op != "replace" && p.op != "add") return InvalidPatchPath(p);
    json::value& q = plan["quota"];
    bool fresh = !q.is_object();
    if (fresh) q = json::object{{"limit", 0}, {"offset", 0}, {"period", "DAY"}};
    std::string member = p.path.substr(7);
    std::string v = p.value.value_or("");
    if (member == "period") {
      q.as_object()["period"] = v;
    } else {
      auto n = ParseInt(v, "quota " + member);
      if (!n) return std::move(n).error();
      q.as_object()[member] = *n;
    }
    return CheckQuota(q);
  }
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.path == "/name") {
    if (!p.value || p.value->empty()) return BadRequest("Usage plan name cannot be empty");
    plan["name"] = *p.value;
  } else if (p.path == "/description" || p.path == "/productCode") {
    if (p.value && !p.value->empty())
      plan[p.path.substr(1)] = *p.value;
    else
      plan.erase(p.path.substr(1));
  } else {
    return InvalidPatchPath(p);
  }
  return Ok{};
}

// ---- Usage ----

Result<json::array> KeyUsage(const RequestContext& ctx, const json::object& plan,
                             std::string_view key_id, int64_t from, int64_t to) {
  json::array days;
  const auto* quota = plan.if_contains("quota");
  int64_t limit = -1;
  if (quota && quota->is_object())
    if (const auto* l = quota->get_object().if_contains("limit"); l && l->is_int64())
      limit = l->get_int64();
  std::string_view plan_id = Str(plan, "id");
  for (int64_t d = from; d <= to; ++d) {
    auto used = UsedBetween(*ctx.env, ctx.account_id, ctx.region, plan_id, key_id, d, d);
    if (!used) return std::move(used).error();
    int64_t remaining = 0;
    if (limit >= 0) {
      auto in_period = UsedBetween(*ctx.env, ctx.account_id, ctx.region, plan_id, key_id,
                                   PeriodStart(quota->get_object(), d), d);
      if (!in_period) return std::move(in_period).error();
      remaining = std::max<int64_t>(0, limit - *in_period);
    }
    days.push_back(json::array{*used, remaining});
  }
  return days;
}

Result<std::pair<int64_t, int64_t>> UsageSpan(const Document& in) {
  auto from = ParseDay(StringMember(in, "startDate"));
  auto to = ParseDay(StringMember(in, "endDate"));
  if (!from) return BadRequest("Invalid start date: expected yyyy-MM-dd");
  if (!to) return BadRequest("Invalid end date: expected yyyy-MM-dd");
  if (*to < *from) return BadRequest("The end date must not be before the start date");
  if (*to - *from + 1 > kMaxUsageDays)
    return BadRequest("The usage data period cannot exceed 90 days");
  return std::make_pair(*from, *to);
}

void AddPlanHandlers(HandlerTable& t) {
  t.emplace_back("CreateUsagePlan", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string name(StringMember(in, "name"));
    if (name.empty()) return BadRequest("Usage plan name cannot be empty");
    std::string id = NewDeploymentId();
    json::object plan{{"id", id}, {"name", name}, {"apiStages", json::array()}};
    if (HasMember(in, "description")) plan["description"] = StringMember(in, "description");
    if (HasMember(in, "apiStages") && in.at("apiStages").is_array()) {
      auto& stages = plan["apiStages"].as_array();
      for (const auto& s : in.at("apiStages").get_array()) {
        auto st = CheckApiStage(ctx, s);
        if (!st) return std::move(st).error();
        if (HasStage(plan, StringMember(s, "apiId"), StringMember(s, "stage")))
          return BadRequest("Duplicate API Stage " +
                            StageName(StringMember(s, "apiId"), StringMember(s, "stage")));
        stages.push_back(s);
      }
    }
    if (HasMember(in, "throttle")) {
      auto st = CheckThrottle(in.at("throttle"));
      if (!st) return std::move(st).error();
      plan["throttle"] = in.at("throttle");
    }
    if (HasMember(in, "quota")) {
      json::value q = in.at("quota");
      if (q.is_object() && !q.get_object().contains("offset")) q.as_object()["offset"] = 0;
      auto st = CheckQuota(q);
      if (!st) return std::move(st).error();
      plan["quota"] = std::move(q);
    }
    if (HasMember(in, "tags") && in.at("tags").is_object()) {
      if (in.at("tags").get_object().size() > 50)
        return BadRequest("Too many tags: a resource takes at most 50.");
      plan["tags"] = in.at("tags");
    }
    auto st = SaveRecord(ctx, UsagePlanKey(ctx.account_id, ctx.region, id), plan);
    if (!st) return std::move(st).error();
    return Document(std::move(plan));
  });
  t.emplace_back("GetUsagePlan", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto plan = RequirePlan(ctx, StringMember(in, "usagePlanId"));
    if (!plan) return std::move(plan).error();
    return Document(std::move(*plan));
  });
  t.emplace_back("GetUsagePlans", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto plans = AllPlans(ctx);
    if (!plans) return std::move(plans).error();
    if (HasMember(in, "keyId")) {
      std::string_view key_id = StringMember(in, "keyId");
      std::vector<json::object> kept;
      for (auto& p : *plans) {
        auto member = IsMember(ctx, Str(p, "id"), key_id);
        if (!member) return std::move(member).error();
        if (*member) kept.push_back(std::move(p));
      }
      *plans = std::move(kept);
    }
    return Page(in, std::move(*plans));
  });
  t.emplace_back("UpdateUsagePlan", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string id(StringMember(in, "usagePlanId"));
    auto plan = RequirePlan(ctx, id);
    if (!plan) return std::move(plan).error();
    for (const auto& p : PatchOps(in)) {
      auto st = PatchPlan(ctx, p, *plan);
      if (!st) return std::move(st).error();
    }
    auto st = SaveRecord(ctx, UsagePlanKey(ctx.account_id, ctx.region, id), *plan);
    if (!st) return std::move(st).error();
    return Document(std::move(*plan));
  });
  t.emplace_back("DeleteUsagePlan", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string id(StringMember(in, "usagePlanId"));
    auto plan = RequirePlan(ctx, id);
    if (!plan) return std::move(plan).error();
    auto members = MemberIds(ctx, id);
    if (!members) return std::move(members).error();
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, UsagePlanKey(ctx.account_id, ctx.region, id));
    for (const auto& k : *members) {
      batch.Delete(kKeyspace, PlanMemberPrefix(ctx.account_id, ctx.region, id) + k);
      std::string prefix = UsagePrefix(ctx.account_id, ctx.region, id, k);
      auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, prefix, "",
                                  [&](std::string_view key, json::value&) {
                                    batch.Delete(kKeyspace, std::string(key));
                                    return true;
                                  });
      if (!st.ok()) return storage::StorageError(st);
    }
    auto w = ctx.env->kv->Write(batch);
    if (!w.ok()) return storage::StorageError(w);
    return Document(json::object());
  });
}

Result<json::object> PlanKeyView(const RequestContext& ctx, std::string_view key_id) {
  auto k = LoadRecord(*ctx.env, ApiKeyRecordKey(ctx.account_id, ctx.region, key_id));
  if (!k) return std::move(k).error();
  if (!*k) return ApiKeyNotFound();
  json::object out{{"id", key_id}, {"type", "API_KEY"}};
  for (std::string_view m : {"name", "value"})
    if (const auto* v = (*k)->if_contains(m)) out[m] = *v;
  return out;
}

void AddPlanKeyHandlers(HandlerTable& t) {
  t.emplace_back("CreateUsagePlanKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string plan_id(StringMember(in, "usagePlanId"));
    std::string key_id(StringMember(in, "keyId"));
    auto plan = RequirePlan(ctx, plan_id);
    if (!plan) return std::move(plan).error();
    if (StringMember(in, "keyType") != "API_KEY")
      return BadRequest("Invalid key type '" + std::string(StringMember(in, "keyType")) +
                        "': only API_KEY is supported");
    if (key_id.empty() || key_id.find('/') != std::string::npos) return ApiKeyNotFound();
    auto view = PlanKeyView(ctx, key_id);
    if (!view) return std::move(view).error();
    auto member = IsMember(ctx, plan_id, key_id);
    if (!member) return std::move(member).error();
    if (*member) return Conflict("Usage Plan Key already exists");
    // A key reaches an API stage through one plan only.
    auto plans = AllPlans(ctx);
    if (!plans) return std::move(plans).error();
    for (const auto& other : *plans) {
      if (Str(other, "id") == plan_id) continue;
      auto in_other = IsMember(ctx, Str(other, "id"), key_id);
      if (!in_other) return std::move(in_other).error();
      if (!*in_other) continue;
      const auto* stages = plan->if_contains("apiStages");
      if (!stages || !stages->is_array()) continue;
      for (const auto& s : stages->get_array())
        if (HasStage(other, StringMember(s, "apiId"), StringMember(s, "stage")))
          return Conflict("Usage Plan " + plan_id + " cannot be added because API Key " + key_id +
                          " cannot reference multiple Usage Plans with the same API Stage: " +
                          StageName(StringMember(s, "apiId"), StringMember(s, "stage")));
    }
    auto st = SaveRecord(ctx, PlanMemberPrefix(ctx.account_id, ctx.region, plan_id) + key_id,
                         json::object());
    if (!st) return std::move(st).error();
    return Document(std::move(*view));
  });
  t.emplace_back("GetUsagePlanKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string plan_id(StringMember(in, "usagePlanId"));
    std::string key_id(StringMember(in, "keyId"));
    auto plan = RequirePlan(ctx, plan_id);
    if (!plan) return std::move(plan).error();
    auto member = IsMember(ctx, plan_id, key_id);
    if (!member) return std::move(member).error();
    if (!*member) return NotFound("Invalid Usage Plan Key identifier specified");
    auto view = PlanKeyView(ctx, key_id);
    if (!view) return std::move(view).error();
    return Document(std::move(*view));
  });
  t.emplace_back("GetUsagePlanKeys", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string plan_id(StringMember(in, "usagePlanId"));
    auto plan = RequirePlan(ctx, plan_id);
    if (!plan) return std::move(plan).error();
    auto ids = MemberIds(ctx, plan_id);
    if (!ids) return std::move(ids).error();
    std::string_view name_query = StringMember(in, "nameQuery");
    std::vector<json::object> items;
    for (const auto& id : *ids) {
      auto view = PlanKeyView(ctx, id);
      if (!view) continue;  // a key deleted under the plan
      if (!name_query.empty() && !Str(*view, "name").starts_with(name_query)) continue;
      items.push_back(std::move(*view));
    }
    return Page(in, std::move(items));
  });
  t.emplace_back("DeleteUsagePlanKey", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string plan_id(StringMember(in, "usagePlanId"));
    std::string key_id(StringMember(in, "keyId"));
    auto plan = RequirePlan(ctx, plan_id);
    if (!plan) return std::move(plan).error();
    auto member = IsMember(ctx, plan_id, key_id);
    if (!member) return std::move(member).error();
    if (!*member) return NotFound("Invalid Usage Plan Key identifier specified");
    storage::WriteBatch batch;
    batch.Delete(kKeyspace, PlanMemberPrefix(ctx.account_id, ctx.region, plan_id) + key_id);
    auto w = ctx.env->kv->Write(batch);
    if (!w.ok()) return storage::StorageError(w);
    return Document(json::object());
  });
}

void AddUsageHandlers(HandlerTable& t) {
  t.emplace_back("GetUsage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string plan_id(StringMember(in, "usagePlanId"));
    auto plan = RequirePlan(ctx, plan_id);
    if (!plan) return std::move(plan).error();
    auto span = UsageSpan(in);
    if (!span) return std::move(span).error();
    auto ids = MemberIds(ctx, plan_id);
    if (!ids) return std::move(ids).error();
    json::object items;
    for (const auto& id : *ids) {
      if (HasMember(in, "keyId") && StringMember(in, "keyId") != id) continue;
      auto days = KeyUsage(ctx, *plan, id, span->first, span->second);
      if (!days) return std::move(days).error();
      items[id] = std::move(*days);
    }
    return Document(json::object{{"usagePlanId", plan_id},
                                 {"startDate", FormatDay(span->first)},
                                 {"endDate", FormatDay(span->second)},
                                 {"items", std::move(items)}});
  });
  t.emplace_back("UpdateUsage", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string plan_id(StringMember(in, "usagePlanId"));
    std::string key_id(StringMember(in, "keyId"));
    auto plan = RequirePlan(ctx, plan_id);
    if (!plan) return std::move(plan).error();
    auto member = IsMember(ctx, plan_id, key_id);
    if (!member) return std::move(member).error();
    if (!*member) return ApiKeyNotFound();
    const auto* quota = plan->if_contains("quota");
    if (!quota || !quota->is_object())
      return BadRequest("Usage plan " + plan_id + " has no quota to update");
    int64_t limit =
        quota->get_object().contains("limit") && quota->get_object().at("limit").is_int64()
            ? quota->get_object().at("limit").get_int64()
            : 0;
    int64_t today = DayOf(ctx.env->clock->NowSeconds());
    int64_t start = PeriodStart(quota->get_object(), today);
    for (const auto& p : PatchOps(in)) {
      if (p.op != "replace" || p.path != "/remaining") return InvalidPatchPath(p);
      auto n = ParseInt(p.value.value_or(""), "remaining");
      if (!n) return std::move(n).error();
      if (*n < 0 || *n > limit)
        return BadRequest("Remaining requests must be between 0 and the quota limit " +
                          std::to_string(limit));
      auto before =
          UsedBetween(*ctx.env, ctx.account_id, ctx.region, plan_id, key_id, start, today - 1);
      if (!before) return std::move(before).error();
      auto st = SaveRecord(ctx, UsageDayKey(ctx.account_id, ctx.region, plan_id, key_id, today),
                           json::object{{"used", limit - *n - *before}});
      if (!st) return std::move(st).error();
    }
    auto days = KeyUsage(ctx, *plan, key_id, start, today);
    if (!days) return std::move(days).error();
    return Document(json::object{{"usagePlanId", plan_id},
                                 {"startDate", FormatDay(start)},
                                 {"endDate", FormatDay(today)},
                                 {"items", json::object{{key_id, std::move(*days)}}}});
  });
}

}  // namespace

HandlerTable UsagePlanHandlers() {
  HandlerTable t;
  AddPlanHandlers(t);
  AddPlanKeyHandlers(t);
  AddUsageHandlers(t);
  return t;
}

}  // namespace nimbus::apigateway
