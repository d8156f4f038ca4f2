// The PATCH operations of the resource tree: UpdateResource (/pathPart, /parentId: renames or
// moves a subtree), UpdateMethod, UpdateMethodResponse, UpdateIntegration and
// UpdateIntegrationResponse. Each applies its patchOperations in order to a copy of the
// resource's record and writes it only when every operation passed, so a failed request changes
// nothing. A stage keeps serving its deployment: changes are served after the next
// CreateDeployment, as on AWS.
//
// Paths and ops follow the API reference's tables of updatable properties ("PATCH operations"):
// a path the resource has no member for answers "Invalid patch path <path>" and an op a path does
// not take "Invalid patch path '<path>' specified for op '<op>'. Please choose supported
// operations", except on methods, where AWS ignores such an op.
#include <algorithm>
#include <boost/json.hpp>
#include <initializer_list>

#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/resource_tree.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/validators.h"

namespace nimbus::apigateway {

namespace {

bool OneOf(std::string_view v, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), v) != options.end();
}

std::string Joined(std::initializer_list<std::string_view> options) {
  std::string out;
  for (auto o : options) out.append(out.empty() ? "" : ", ").append(o);
  return out;
}

// A replace of an enumerated member: the value must be one of `options`; no value (or "") removes
// the member when `removable`.
Status PatchEnum(const PatchOp& p, json::object& record, std::string_view member,
                 std::initializer_list<std::string_view> options, bool removable) {
  if (p.op != "replace") return InvalidPatchPath(p);
  if (removable && p.value.value_or("").empty()) {
    record.erase(member);
    return Ok{};
  }
  if (!p.value || !OneOf(*p.value, options))
    return BadRequest("Invalid value '" + p.value.value_or("") + "' for " + p.path +
                      ". Valid values are " + Joined(options));
  record[member] = *p.value;
  return Ok{};
}

// A replace of a free string member: no value (or "") removes it.
Status PatchString(const PatchOp& p, json::object& record, std::string_view member) {
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.value.value_or("").empty())
    record.erase(member);
  else
    record[member] = *p.value;
  return Ok{};
}

// add/replace "/<member>/<name>" with a boolean value ("true"/"false"; none is false), remove.
Status PatchBoolMap(const PatchOp& p, json::object& record, std::string_view member,
                    std::string_view key) {
  if (p.op == "remove") return PatchStringMap(p, record, member, key, true);
  if (p.op != "add" && p.op != "replace") return InvalidPatchPath(p);
  bool b = false;
  if (p.value) {
    auto r = PatchBool(p);
    if (!r) return std::move(r).error();
    b = *r;
  }
  json::value& map = record[member];
  if (!map.is_object()) map = json::object();
  map.as_object()[key] = b;
  return Ok{};
}

// The records of every resource of an API, by id.
Result<json::object> ResourcesById(const RequestContext& ctx, std::string_view api_id) {
  auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
  if (!all) return std::move(all).error();
  json::object out;
  for (auto& r : *all) {
    const auto* id = r.if_contains("id");
    if (id && id->is_string()) out[id->get_string()] = std::move(r);
  }
  return out;
}

std::string_view Member(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// Whether `id` is `ancestor` or lies under it.
bool Within(const json::object& resources, std::string id, std::string_view ancestor) {
  for (size_t depth = 0; depth <= resources.size() && !id.empty(); ++depth) {
    if (id == ancestor) return true;
    const auto* r = resources.if_contains(id);
    if (!r || !r->is_object()) return false;
    id = std::string(Member(r->get_object(), "parentId"));
  }
  return false;
}

Result<Document> UpdateResource(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  std::string api_id(StringMember(in, "restApiId"));
  std::string id(StringMember(in, "resourceId"));
  auto loc = LocateResource(ctx, in);
  if (!loc) return std::move(loc).error();
  auto resources = ResourcesById(ctx, api_id);
  if (!resources) return std::move(resources).error();
  const json::object& self = loc->resource;
  std::string parent(Member(self, "parentId"));
  std::string part(Member(self, "pathPart"));
  for (const auto& p : PatchOps(in)) {
    if (p.path != "/pathPart" && p.path != "/parentId")
      return InvalidPatchPathMustBe(p, "[/parentId, /pathPart]");
    if (p.op != "replace") return InvalidPatchPath(p);
    if (!self.contains("parentId"))
      return BadRequest("Root resource cannot update its " + p.path.substr(1) + ".");
    std::string value = p.value.value_or("");
    if (p.path == "/parentId") {
      if (value.empty() || !resources->contains(value)) return ResourceNotFound();
      if (Within(*resources, value, id)) return BadRequest("Resources cannot be cyclical.");
      parent = value;
    } else {
      if (!ValidPathPart(value))
        return BadRequest(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and "
            "the end and an optional plus sign before the closing brace.");
      part = value;
    }
  }
  if (!self.contains("parentId")) return Document(ResourceView(std::move(loc->resource), false));
  const json::object& parent_record = resources->at(parent).as_object();
  if (std::string_view pp = Member(parent_record, "pathPart"); IsGreedyPathPart(pp))
    return BadRequest("Cannot create a child of a resource with a greedy path variable: " +
                      std::string(pp));
  for (const auto& [sid, r] : *resources) {
    const json::object& sibling = r.as_object();
    if (sid == id || Member(sibling, "parentId") != parent) continue;
    std::string_view name = Member(sibling, "pathPart");
    if (name == part)
      return Conflict("Another resource with the same parent already has this name: " + part);
    if (IsVariablePathPart(name) && IsVariablePathPart(part))
      return BadRequest("A sibling (" + std::string(name) +
                        ") of this resource already has a variable path part -- only one is "
                        "allowed");
  }
  // The resource and everything under it take the new path.
  std::string parent_path(Member(parent_record, "path"));
  std::string old_path(Member(self, "path"));
  std::string new_path = (parent_path == "/" ? "" : parent_path) + "/" + part;
  storage::WriteBatch batch;
  json::object updated;
  for (auto& [rid, r] : *resources) {
    if (!Within(*resources, std::string(rid), id)) continue;
    json::object record = r.as_object();
    if (rid == id) {
      record["parentId"] = parent;
      record["pathPart"] = part;
      record["path"] = new_path;
      updated = record;
    } else {
      record["path"] = new_path + std::string(Member(record, "path")).substr(old_path.size());
    }
    storage::PutJson(batch, kKeyspace,
                     ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, rid), record);
  }
  auto st = ctx.env->kv->Write(batch);
  if (!st.ok()) return storage::StorageError(st);
  return Document(ResourceView(std::move(updated), false));
}

// The ops each updatable path of a method takes; AWS ignores another op on a known path.
bool MethodOpApplies(std::string_view path, std::string_view op) {
  if (path == "/authorizationScopes") return op == "add" || op == "remove";
  if (path.starts_with("/requestParameters/") || path.starts_with("/requestModels/"))
    return op == "add" || op == "remove" || op == "replace";
  return op == "replace";
}

// Applies one op to `method`; model and validator names it sets go to `references` (checked once
// every op is applied) and an authorizer id to `authorizer_id`.
Status PatchMethod(const PatchOp& p, json::object& method, json::object& references,
                   std::optional<std::string>& authorizer_id) {
  auto parameter = PatchMapKey(p, "requestParameters");
  auto model = PatchMapKey(p, "requestModels");
  bool known = parameter || model ||
               OneOf(p.path, {"/authorizationScopes", "/authorizationType", "/authorizerId",
                              "/apiKeyRequired", "/operationName", "/requestValidatorId"});
  if (!known) return UnknownPatchPath(p);
  if (!MethodOpApplies(p.path, p.op)) return Ok{};
  if (parameter) return PatchBoolMap(p, method, "requestParameters", *parameter);
  if (model) {
    if (p.op != "remove") {
      json::value& models = references["requestModels"];
      if (!models.is_object()) models = json::object();
      models.as_object()[*model] = p.value.value_or("");
    }
    return PatchStringMap(p, method, "requestModels", *model, false);
  }
  if (p.path == "/authorizationScopes") {
    json::value& scopes = method["authorizationScopes"];
    if (!scopes.is_array()) scopes = json::array();
    auto& list = scopes.as_array();
    if (p.op == "remove" && !p.value) list.clear();
    for (auto it = list.begin(); it != list.end();)
      it = p.value && it->is_string() && it->get_string() == *p.value ? list.erase(it) : it + 1;
    if (p.op == "add" && p.value && !p.value->empty()) list.emplace_back(*p.value);
    if (list.empty()) method.erase("authorizationScopes");
    return Ok{};
  }
  if (p.path == "/authorizationType") {
    std::string_view v = p.value ? std::string_view(*p.value) : std::string_view();
    if (!OneOf(v, {"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}))
      return BadRequest(
          "Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,"
          "COGNITO_USER_POOLS");
    method["authorizationType"] = v;
    return Ok{};
  }
  if (p.path == "/authorizerId") {
    authorizer_id = p.value.value_or("");
    return Ok{};
  }
  if (p.path == "/apiKeyRequired") {
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    method["apiKeyRequired"] = *b;
    return Ok{};
  }
  if (p.path == "/requestValidatorId") {
    // An empty value detaches the validator.
    if (p.value.value_or("").empty()) {
      method.erase("requestValidatorId");
      references.erase("requestValidatorId");
    } else {
      method["requestValidatorId"] = *p.value;
      references["requestValidatorId"] = *p.value;
    }
    return Ok{};
  }
  return PatchString(p, method, "operationName");
}

Result<Document> UpdateMethod(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  std::string api_id(StringMember(in, "restApiId"));
  auto loc = LocateResource(ctx, in);
  if (!loc) return std::move(loc).error();
  auto m = FindMethod(loc->resource, in);
  if (!m) return std::move(m).error();
  json::object method = **m;
  json::object references;
  std::optional<std::string> authorizer_id;
  for (const auto& p : PatchOps(in)) {
    auto st = PatchMethod(p, method, references, authorizer_id);
    if (!st) return std::move(st).error();
  }
  std::string auth(Member(method, "authorizationType"));
  if (auth == "CUSTOM" || auth == "COGNITO_USER_POOLS") {
    std::string id = authorizer_id ? *authorizer_id : std::string(Member(method, "authorizerId"));
    if (auto st = CheckMethodAuthorizer(ctx, api_id, auth, id); !st) return std::move(st).error();
    method["authorizerId"] = id;
  } else {
    // An authorizer belongs to CUSTOM and COGNITO_USER_POOLS methods only; AWS ignores one set
    // on another method.
    method.erase("authorizerId");
  }
  if (auto st = CheckMethodReferences(ctx, api_id, Document(references)); !st)
    return std::move(st).error();
  **m = method;
  auto st = SaveRecord(ctx, loc->key, loc->resource);
  if (!st) return std::move(st).error();
  return Document(std::move(method));
}

Result<Document> UpdateMethodResponse(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  std::string api_id(StringMember(in, "restApiId"));
  auto loc = LocateResource(ctx, in);
  if (!loc) return std::move(loc).error();
  auto found = FindResponse(loc->resource, in, ResponseOwner::kMethod);
  if (!found) return std::move(found).error();
  json::value* r = *found;
  if (!r || !r->is_object()) return ResponseNotFound();
  json::object response = r->as_object();
  json::object references;
  for (const auto& p : PatchOps(in)) {
    Status st = Ok{};
    if (auto header = PatchMapKey(p, "responseParameters")) {
      st = PatchBoolMap(p, response, "responseParameters", *header);
    } else if (auto type = PatchMapKey(p, "responseModels")) {
      if (p.op == "add" || p.op == "replace") {
        json::value& models = references["requestModels"];
        if (!models.is_object()) models = json::object();
        models.as_object()[*type] = p.value.value_or("");
      }
      st = PatchStringMap(p, response, "responseModels", *type, false);
    } else {
      st = UnknownPatchPath(p);
    }
    if (!st) return std::move(st).error();
  }
  if (auto st = CheckMethodReferences(ctx, api_id, Document(references)); !st)
    return std::move(st).error();
  *r = response;
  auto st = SaveRecord(ctx, loc->key, loc->resource);
  if (!st) return std::move(st).error();
  return Document(std::move(response));
}

Status PatchIntegration(const PatchOp& p, json::object& integration) {
  if (auto name = PatchMapKey(p, "requestParameters"))
    return PatchStringMap(p, integration, "requestParameters", *name, false);
  if (auto type = PatchMapKey(p, "requestTemplates"))
    return PatchStringMap(p, integration, "requestTemplates", *type, true);
  if (auto key = PatchMapKey(p, "cacheKeyParameters")) {
    if (p.op != "add" && p.op != "remove") return InvalidPatchPath(p);
    json::value& keys = integration["cacheKeyParameters"];
    if (!keys.is_array()) keys = json::array();
    auto& list = keys.as_array();
    for (auto it = list.begin(); it != list.end();)
      it = it->is_string() && it->get_string() == *key ? list.erase(it) : it + 1;
    if (p.op == "add") list.emplace_back(*key);
    return Ok{};
  }
  if (p.path == "/uri" || p.path == "/httpMethod") {
    if (p.op != "replace") return InvalidPatchPath(p);
    // MOCK integrations may drop either; the others are checked once every op is applied.
    return PatchString(p, integration, p.path.substr(1));
  }
  if (p.path == "/credentials" || p.path == "/cacheNamespace" || p.path == "/connectionId")
    return PatchString(p, integration, p.path.substr(1));
  if (p.path == "/connectionType")
    return PatchEnum(p, integration, "connectionType", {"INTERNET", "VPC_LINK"}, false);
  if (p.path == "/passthroughBehavior")
    return PatchEnum(p, integration, "passthroughBehavior",
                     {"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}, false);
  if (p.path == "/contentHandling")
    return PatchEnum(p, integration, "contentHandling", {"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"},
                     true);
  if (p.path == "/timeoutInMillis") {
    if (p.op != "replace") return InvalidPatchPath(p);
    auto n = PatchInt(p, 50, 29000, "Timeout should be between 50 ms and 29000 ms");
    if (!n) return std::move(n).error();
    integration["timeoutInMillis"] = *n;
    return Ok{};
  }
  if (p.path == "/tlsConfig/insecureSkipVerification") {
    if (p.op != "replace") return InvalidPatchPath(p);
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    json::value& tls = integration["tlsConfig"];
    if (!tls.is_object()) tls = json::object();
    tls.as_object()["insecureSkipVerification"] = *b;
    return Ok{};
  }
  return UnknownPatchPath(p);
}

Result<Document> UpdateIntegration(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  auto loc = LocateResource(ctx, in);
  if (!loc) return std::move(loc).error();
  auto i = FindIntegration(loc->resource, in);
  if (!i) return std::move(i).error();
  json::object integration = **i;
  for (const auto& p : PatchOps(in)) {
    auto st = PatchIntegration(p, integration);
    if (!st) return std::move(st).error();
  }
  // The patched integration passes PutIntegration's checks (type, uri, method, timeout).
  json::object as_input;
  for (std::string_view k : {"type", "uri", "connectionType", "timeoutInMillis"})
    if (const auto* v = integration.if_contains(k)) as_input[k] = *v;
  if (const auto* v = integration.if_contains("httpMethod")) as_input["integrationHttpMethod"] = *v;
  auto checked = IntegrationFromInput(Document(std::move(as_input)), StringMember(in, "resourceId"),
                                      ctx.env->registry);
  if (!checked) return std::move(checked).error();
  **i = integration;
  auto st = SaveRecord(ctx, loc->key, loc->resource);
  if (!st) return std::move(st).error();
  return Document(std::move(integration));
}

Result<Document> UpdateIntegrationResponse(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  auto loc = LocateResource(ctx, in);
  if (!loc) return std::move(loc).error();
  auto found = FindResponse(loc->resource, in, ResponseOwner::kIntegration);
  if (!found) return std::move(found).error();
  json::value* r = *found;
  if (!r || !r->is_object()) return ResponseNotFound();
  json::object response = r->as_object();
  for (const auto& p : PatchOps(in)) {
    Status st = Ok{};
    if (auto name = PatchMapKey(p, "responseParameters"))
      st = PatchStringMap(p, response, "responseParameters", *name, false);
    else if (auto type = PatchMapKey(p, "responseTemplates"))
      st = PatchStringMap(p, response, "responseTemplates", *type, true);
    else if (p.path == "/selectionPattern")
      st = PatchString(p, response, "selectionPattern");
    else if (p.path == "/contentHandling")
      st =
          PatchEnum(p, response, "contentHandling", {"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}, true);
    else
      st = UnknownPatchPath(p);
    if (!st) return std::move(st).error();
  }
  *r = response;
  auto st = SaveRecord(ctx, loc->key, loc->resource);
  if (!st) return std::move(st).error();
  return Document(std::move(response));
}

}  // namespace

HandlerTable ResourceUpdateHandlers() {
  HandlerTable t;
  t.emplace_back("UpdateResource", &UpdateResource);
  t.emplace_back("UpdateMethod", &UpdateMethod);
  t.emplace_back("UpdateMethodResponse", &UpdateMethodResponse);
  t.emplace_back("UpdateIntegration", &UpdateIntegration);
  t.emplace_back("UpdateIntegrationResponse", &UpdateIntegrationResponse);
  return t;
}

}  // namespace nimbus::apigateway
