// Resources (CreateResource, GetResource(s), DeleteResource), methods (Put/Get/DeleteMethod),
// integrations (Put/Get/DeleteIntegration: AWS_PROXY, HTTP_PROXY, MOCK) and their responses
// (Put/Get/DeleteMethodResponse, Put/Get/DeleteIntegrationResponse). A resource's record embeds
// its methods, each with its integration and responses.
#include <boost/json.hpp>
#include <cctype>

#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/resource_tree.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/validators.h"
#include "services/execute_api/aws_service.h"

namespace nimbus::apigateway {

namespace {

bool PathPartChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

}  // namespace

// "name", "{name}" or "{name+}" of [a-zA-Z0-9._-] (developer guide, "Set up API resources").
bool ValidPathPart(std::string_view part) {
  if (part.empty()) return false;
  if (part.front() == '{') {
    if (part.size() < 3 || part.back() != '}') return false;
    std::string_view name = part.substr(1, part.size() - 2);
    if (!name.empty() && name.back() == '+') name.remove_suffix(1);
    if (name.empty()) return false;
    for (char c : name)
      if (!PathPartChar(c)) return false;
    return true;
  }
  for (char c : part)
    if (!PathPartChar(c)) return false;
  return true;
}

bool IsVariablePathPart(std::string_view part) { return !part.empty() && part.front() == '{'; }
bool IsGreedyPathPart(std::string_view part) {
  return part.size() > 2 && part.substr(part.size() - 2) == "+}";
}

namespace {

constexpr std::string_view kMethods[] = {"GET",   "PUT",     "POST", "DELETE",
                                         "PATCH", "OPTIONS", "HEAD", "ANY"};

}  // namespace

Status CheckHttpMethod(std::string_view m) {
  for (auto k : kMethods)
    if (k == m) return Ok{};
  return BadRequest(
      "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,"
      "OPTIONS,HEAD,ANY");
}

json::object ResourceView(json::object record, bool embed) {
  if (auto* methods = record.if_contains("resourceMethods"); methods && methods->is_object()) {
    if (methods->get_object().empty()) {
      record.erase("resourceMethods");
    } else if (!embed) {
      json::object names;
      for (const auto& [k, v] : methods->get_object()) names[k] = json::object();
      *methods = std::move(names);
    }
  }
  return record;
}

Result<LocatedResource> LocateResource(const RequestContext& ctx, const Document& in) {
  std::string api_id(StringMember(in, "restApiId"));
  std::string resource_id(StringMember(in, "resourceId"));
  auto r = LoadResource(ctx, api_id, resource_id);
  if (!r) return std::move(r).error();
  return LocatedResource{ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, resource_id),
                         std::move(*r)};
}

Result<json::object*> FindMethod(json::object& resource, const Document& in) {
  auto* methods = resource.if_contains("resourceMethods");
  if (!methods || !methods->is_object()) return MethodNotFound();
  auto* m = methods->as_object().if_contains(StringMember(in, "httpMethod"));
  if (!m || !m->is_object()) return MethodNotFound();
  return &m->as_object();
}

Result<json::object*> FindIntegration(json::object& resource, const Document& in) {
  auto m = FindMethod(resource, in);
  if (!m) return std::move(m).error();
  auto* i = (*m)->if_contains("methodIntegration");
  if (!i || !i->is_object()) return IntegrationNotFound();
  return &i->as_object();
}

Result<json::value*> FindResponse(json::object& resource, const Document& in, ResponseOwner owner) {
  auto o =
      owner == ResponseOwner::kMethod ? FindMethod(resource, in) : FindIntegration(resource, in);
  if (!o) return std::move(o).error();
  auto* responses = (*o)->if_contains(owner == ResponseOwner::kMethod ? "methodResponses"
                                                                      : "integrationResponses");
  if (!responses || !responses->is_object()) return nullptr;
  return responses->as_object().if_contains(StringMember(in, "statusCode"));
}

Result<json::object> IntegrationFromInput(const Document& in, std::string_view resource_id,
                                          const Registry* registry) {
  std::string type(StringMember(in, "type"));
  std::string uri(StringMember(in, "uri"));
  std::string method(StringMember(in, "integrationHttpMethod"));
  // An AWS service integration needs a service nimbus serves (a URI with a stage variable in its
  // service name is checked when it is invoked).
  if (type == "AWS" && registry && uri.find(":lambda:path/") == std::string::npos)
    if (auto parsed = execute_api::ParseAwsServiceUri(uri);
        parsed && parsed->subdomain.find("${") == std::string::npos &&
        !execute_api::IsServed(*registry, execute_api::ServiceForSubdomain(parsed->subdomain)))
      return NotBuilt("AWS service integrations with '" + parsed->subdomain +
                      "' are not available: nimbus does not serve that service");
  if (type != "MOCK") {
    if (method.empty()) return BadRequest("Enumeration value for HttpMethod must be non-empty");
    if (auto st = CheckHttpMethod(method); !st) return std::move(st).error();
  }
  if (type == "AWS_PROXY" || type == "AWS") {
    if (uri.rfind("arn:", 0) != 0) return BadRequest("Invalid ARN specified in the request");
    if (uri.find(":path/") == std::string::npos && uri.find(":action/") == std::string::npos)
      return BadRequest("AWS ARN for integration must contain path or action");
    if (type == "AWS_PROXY" && (uri.rfind("arn:aws:apigateway:", 0) != 0 ||
                                uri.find(":lambda:path/") == std::string::npos))
      return BadRequest(
          "Integrations of type 'AWS_PROXY' currently only supports Lambda function "
          "and Firehose stream invocations.");
  } else if (type == "HTTP_PROXY" || type == "HTTP") {
    if (uri.rfind("http://", 0) != 0 && uri.rfind("https://", 0) != 0)
      return BadRequest("Invalid HTTP endpoint specified for URI");
  }
  int64_t timeout = 29000;
  if (HasMember(in, "timeoutInMillis") && in.at("timeoutInMillis").is_int64()) {
    timeout = in.at("timeoutInMillis").get_int64();
    if (timeout < 50 || timeout > 29000)
      return BadRequest("Timeout should be between 50 ms and 29000 ms");
  }
  json::object out{{"type", type}};
  if (!method.empty()) out["httpMethod"] = method;
  if (!uri.empty()) out["uri"] = uri;
  if (type == "HTTP_PROXY" || type == "HTTP")
    out["connectionType"] =
        HasMember(in, "connectionType") ? StringMember(in, "connectionType") : "INTERNET";
  for (std::string_view m :
       {"requestParameters", "requestTemplates", "contentHandling", "credentials"})
    if (HasMember(in, m)) out[m] = in.at(m);
  out["passthroughBehavior"] = HasMember(in, "passthroughBehavior")
                                   ? StringMember(in, "passthroughBehavior")
                                   : "WHEN_NO_MATCH";
  out["timeoutInMillis"] = timeout;
  out["cacheNamespace"] =
      HasMember(in, "cacheNamespace") ? StringMember(in, "cacheNamespace") : resource_id;
  out["cacheKeyParameters"] = HasMember(in, "cacheKeyParameters") ? in.at("cacheKeyParameters")
                                                                  : json::value(json::array());
  return out;
}

// In the words of AWS's validation errors.
Status CheckStatusCode(std::string_view code) {
  bool ok = code.size() == 3 && code[0] >= '1' && code[0] <= '5' &&
            std::isdigit(static_cast<unsigned char>(code[1])) &&
            std::isdigit(static_cast<unsigned char>(code[2]));
  if (ok) return Ok{};
  return BadRequest("1 validation error detected: Value '" + std::string(code) +
                    "' at 'statusCode' failed to satisfy constraint: Member must satisfy regular "
                    "expression pattern: [1-5]\\d\\d");
}

namespace {

Result<Document> Save(const RequestContext& ctx, const LocatedResource& loc, json::value answer) {
  auto st = SaveRecord(ctx, loc.key, loc.resource);
  if (!st) return std::move(st).error();
  return Document(std::move(answer));
}

void AddResourceHandlers(HandlerTable& t) {
  t.emplace_back("CreateResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    std::string parent_id(StringMember(in, "parentId"));
    auto parent = LoadResource(ctx, api_id, parent_id);
    if (!parent) return std::move(parent).error();
    std::string part(StringMember(in, "pathPart"));
    if (!ValidPathPart(part))
      return BadRequest(
          "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and "
          "the end and an optional plus sign before the closing brace.");
    std::string parent_path(parent->at("path").as_string());
    if (const auto* pp = parent->if_contains("pathPart");
        pp && pp->is_string() && IsGreedyPathPart(pp->get_string()))
      return BadRequest("Cannot create a child of a resource with a greedy path variable: " +
                        std::string(pp->get_string()));
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
    if (!all) return std::move(all).error();
    for (const auto& r : *all) {
      const auto* p = r.if_contains("parentId");
      if (!p || !p->is_string() || p->get_string() != parent_id) continue;
      std::string_view sibling = r.at("pathPart").as_string();
      if (sibling == part)
        return Conflict("Another resource with the same parent already has this name: " + part);
      if (IsVariablePathPart(sibling) && IsVariablePathPart(part))
        return BadRequest("A sibling (" + std::string(sibling) +
                          ") of this resource already has a variable path part -- only one is "
                          "allowed");
    }
    std::string id = NewResourceId();
    json::object resource{{"id", id},
                          {"parentId", parent_id},
                          {"pathPart", part},
                          {"path", (parent_path == "/" ? "" : parent_path) + "/" + part}};
    auto st = SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, id),
                         resource);
    if (!st) return std::move(st).error();
    return Document(std::move(resource));
  });
  t.emplace_back("GetResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto r = LoadResource(ctx, StringMember(in, "restApiId"), StringMember(in, "resourceId"));
    if (!r) return std::move(r).error();
    bool embed = false;
    if (HasMember(in, "embed") && in.at("embed").is_array())
      for (const auto& e : in.at("embed").get_array())
        embed = embed || (e.is_string() && e.get_string() == "methods");
    return Document(ResourceView(std::move(*r), embed));
  });
  t.emplace_back("GetResources", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
    if (!all) return std::move(all).error();
    bool embed = false;
    if (HasMember(in, "embed") && in.at("embed").is_array())
      for (const auto& e : in.at("embed").get_array())
        embed = embed || (e.is_string() && e.get_string() == "methods");
    std::vector<json::object> items;
    for (auto& r : *all) items.push_back(ResourceView(std::move(r), embed));
    return Page(in, std::move(items));
  });
  t.emplace_back("DeleteResource", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    std::string id(StringMember(in, "resourceId"));
    auto r = LoadResource(ctx, api_id, id);
    if (!r) return std::move(r).error();
    if (!r->contains("parentId")) return BadRequest("Cannot delete root resource");
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
    if (!all) return std::move(all).error();
    // The resource and every resource under it.
    std::vector<std::string> doomed{id};
    for (size_t i = 0; i < doomed.size(); ++i)
      for (const auto& c : *all)
        if (const auto* p = c.if_contains("parentId");
            p && p->is_string() && p->get_string() == doomed[i])
          doomed.emplace_back(c.at("id").as_string());
    storage::WriteBatch batch;
    for (const auto& d : doomed)
      batch.Delete(kKeyspace, ChildKey(ctx.account_id, ctx.region, Kind::kResource, api_id, d));
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
}

void AddMethodHandlers(HandlerTable& t) {
  t.emplace_back("PutMethod", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    std::string method(StringMember(in, "httpMethod"));
    if (auto st = CheckHttpMethod(method); !st) return std::move(st).error();
    std::string auth(StringMember(in, "authorizationType"));
    if (auth != "NONE" && auth != "AWS_IAM" && auth != "CUSTOM" && auth != "COGNITO_USER_POOLS")
      return BadRequest(
          "Invalid authorization type specified. Valid options are NONE,AWS_IAM,"
          "CUSTOM,COGNITO_USER_POOLS");
    if (auth == "CUSTOM" || auth == "COGNITO_USER_POOLS") {
      auto st = CheckMethodAuthorizer(ctx, StringMember(in, "restApiId"), auth,
                                      StringMember(in, "authorizerId"));
      if (!st) return std::move(st).error();
    }
    if (auto st = CheckMethodReferences(ctx, StringMember(in, "restApiId"), in); !st)
      return std::move(st).error();
    json::value& methods = loc->resource["resourceMethods"];
    if (!methods.is_object()) methods = json::object();
    if (methods.as_object().contains(method))
      return Conflict("Method already exists for this resource");
    json::object record{
        {"httpMethod", method},
        {"authorizationType", auth},
        {"apiKeyRequired", HasMember(in, "apiKeyRequired") && in.at("apiKeyRequired").is_bool()
                               ? in.at("apiKeyRequired").get_bool()
                               : false}};
    if (auth == "CUSTOM" || auth == "COGNITO_USER_POOLS")
      record["authorizerId"] = StringMember(in, "authorizerId");
    for (std::string_view m : {"requestParameters", "requestModels", "operationName",
                               "authorizationScopes", "requestValidatorId"})
      if (HasMember(in, m)) record[m] = in.at(m);
    methods.as_object()[method] = record;
    return Save(ctx, *loc, std::move(record));
  });
  t.emplace_back("GetMethod", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto m = FindMethod(loc->resource, in);
    if (!m) return std::move(m).error();
    return Document(std::move(**m));
  });
  t.emplace_back("DeleteMethod", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto m = FindMethod(loc->resource, in);
    if (!m) return std::move(m).error();
    loc->resource["resourceMethods"].as_object().erase(StringMember(in, "httpMethod"));
    return Save(ctx, *loc, json::object());
  });
  t.emplace_back("PutMethodResponse", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto m = FindMethod(loc->resource, in);
    if (!m) return std::move(m).error();
    std::string code(StringMember(in, "statusCode"));
    if (auto st = CheckStatusCode(code); !st) return std::move(st).error();
    json::value& responses = (**m)["methodResponses"];
    if (!responses.is_object()) responses = json::object();
    if (responses.as_object().contains(code))
      return Conflict("Response already exists for this resource");
    json::object record{{"statusCode", code}};
    for (std::string_view k : {"responseParameters", "responseModels"})
      if (HasMember(in, k)) record[k] = in.at(k);
    responses.as_object()[code] = record;
    return Save(ctx, *loc, std::move(record));
  });
  t.emplace_back("GetMethodResponse", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto r = FindResponse(loc->resource, in, ResponseOwner::kMethod);
    if (!r) return std::move(r).error();
    if (!*r) return ResponseNotFound();
    return Document(std::move(**r));
  });
  t.emplace_back("DeleteMethodResponse", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto m = FindMethod(loc->resource, in);
    if (!m) return std::move(m).error();
    auto* responses = (*m)->if_contains("methodResponses");
    if (!responses || !responses->is_object() ||
        !responses->as_object().erase(StringMember(in, "statusCode")))
      return ResponseNotFound();
    if (responses->as_object().empty()) (*m)->erase("methodResponses");
    return Save(ctx, *loc, json::object());
  });
}

void AddIntegrationHandlers(HandlerTable& t) {
  t.emplace_back("PutIntegration", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto m = FindMethod(loc->resource, in);
    if (!m) return std::move(m).error();
    auto integration = IntegrationFromInput(in, StringMember(in, "resourceId"), ctx.env->registry);
    if (!integration) return std::move(integration).error();
    (**m)["methodIntegration"] = *integration;
    return Save(ctx, *loc, std::move(*integration));
  });
  t.emplace_back("GetIntegration", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto i = FindIntegration(loc->resource, in);
    if (!i) return std::move(i).error();
    return Document(std::move(**i));
  });
  t.emplace_back("DeleteIntegration", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    auto loc = LocateResource(ctx, in);
    if (!loc) return std::move(loc).error();
    auto m = FindMethod(loc->resource, in);
    if (!m) return std::move(m).error();
    if (!(*m)->erase("methodIntegration")) return IntegrationNotFound();
    return Save(ctx, *loc, json::object());
  });
  t.emplace_back(
      "PutIntegrationResponse", [](RequestContext& ctx, Document& in) -> Result<Document> {
        std::lock_guard lock(WriteMutex());
        auto loc = LocateResource(ctx, in);
        if (!loc) return std::move(loc).error();
        auto i = FindIntegration(loc->resource, in);
        if (!i) return std::move(i).error();
        std::string code(StringMember(in, "statusCode"));
        if (auto st = CheckStatusCode(code); !st) return std::move(st).error();
        json::object record{{"statusCode", code}};
        for (std::string_view k :
             {"selectionPattern", "responseParameters", "responseTemplates", "contentHandling"})
          if (HasMember(in, k)) record[k] = in.at(k);
        json::value& responses = (**i)["integrationResponses"];
        if (!responses.is_object()) responses = json::object();
        responses.as_object()[code] = record;
        return Save(ctx, *loc, std::move(record));
      });
  t.emplace_back("GetIntegrationResponse",
                 [](RequestContext& ctx, Document& in) -> Result<Document> {
                   auto loc = LocateResource(ctx, in);
                   if (!loc) return std::move(loc).error();
                   auto r = FindResponse(loc->resource, in, ResponseOwner::kIntegration);
                   if (!r) return std::move(r).error();
                   if (!*r) return ResponseNotFound();
                   return Document(std::move(**r));
                 });
  t.emplace_back("DeleteIntegrationResponse",
                 [](RequestContext& ctx, Document& in) -> Result<Document> {
                   std::lock_guard lock(WriteMutex());
                   auto loc = LocateResource(ctx, in);
                   if (!loc) return std::move(loc).error();
                   auto i = FindIntegration(loc->resource, in);
                   if (!i) return std::move(i).error();
                   auto* responses = (*i)->if_contains("integrationResponses");
                   if (!responses || !responses->is_object() ||
                       !responses->as_object().erase(StringMember(in, "statusCode")))
                     return ResponseNotFound();
                   if (responses->as_object().empty()) (*i)->erase("integrationResponses");
                   return Save(ctx, *loc, json::object());
                 });
}

}  // namespace

HandlerTable ResourceHandlers() {
  HandlerTable t;
  AddResourceHandlers(t);
  AddMethodHandlers(t);
  AddIntegrationHandlers(t);
  return t;
}

}  // namespace nimbus::apigateway
