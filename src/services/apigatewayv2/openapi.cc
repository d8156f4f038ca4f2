// ImportApi, ReimportApi and ExportApi: HTTP APIs from and to OpenAPI 3.0 definitions (developer
// guide, "Working with OpenAPI definitions for HTTP APIs"). Each path and operation becomes a
// route; an operation's x-amazon-apigateway-integration becomes its integration.
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <set>

#include "core/common/clock.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigatewayv2/apigw.h"
#include "services/execute_api/openapi_common.h"

namespace nimbus::apigatewayv2 {

namespace {

using execute_api::OperationMethod;

constexpr std::string_view kIntegrationExt = "x-amazon-apigateway-integration";
constexpr std::string_view kCorsExt = "x-amazon-apigateway-cors";
constexpr std::string_view kVersionExt = "x-amazon-apigateway-importexport-version";

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

ApiError Invalid(std::string what) {
  return BadRequest("Invalid OpenAPI input: " + std::move(what));
}

// What one definition turns into: the API's own fields, its routes and integrations.
struct Imported {
  json::object api_fields;  // Name, Description, Version, CorsConfiguration
  std::vector<json::object> routes;
  std::vector<json::object> integrations;
  std::vector<std::string> warnings;
};

// The base path of the definition's first server URL ("https://x.com/v1" → "/v1").
std::string ServerBasePath(const json::object& doc) {
  const auto* servers = doc.if_contains("servers");
  if (!servers || !servers->is_array() || servers->get_array().empty() ||
      !servers->get_array()[0].is_object())
    return "";
  std::string url(StringMember(servers->get_array()[0].get_object(), "url"));
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    auto slash = url.find('/', scheme + 3);
    url = slash == std::string::npos ? "" : url.substr(slash);
  }
  // Server variables ("/{basePath}") take their defaults.
  const auto& server = servers->get_array()[0].get_object();
  if (const auto* vars = server.if_contains("variables"); vars && vars->is_object())
    for (const auto& [name, var] : vars->get_object()) {
      std::string placeholder = "{" + std::string(name) + "}";
      std::string value =
          var.is_object() ? std::string(StringMember(var.get_object(), "default")) : "";
      for (size_t at; (at = url.find(placeholder)) != std::string::npos;)
        url.replace(at, placeholder.size(), value);
    }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.empty() && url[0] != '/') url = "/" + url;
  return url;
}

// The route path of `path` under the Basepath mode (ignore, prepend, split).
std::string ApplyBasepath(std::string_view mode, const std::string& base, std::string_view path) {
  if (mode == "prepend") return base + std::string(path == "/" && !base.empty() ? "" : path);
  if (mode == "split") {
    // The first segment of the base path is dropped (it names a stage or mapping); the rest is
    // prepended.
    std::string rest = base;
    if (!rest.empty()) {
      auto next = rest.find('/', 1);
      rest = next == std::string::npos ? "" : rest.substr(next);
    }
    return rest + std::string(path == "/" && !rest.empty() ? "" : path);
  }
  return std::string(path);
}

Result<json::object> CorsFromExtension(const json::value& ext) {
  if (!ext.is_object()) return Invalid(std::string(kCorsExt) + " must be an object");
  static constexpr std::pair<std::string_view, std::string_view> kFields[] = {
      {"allowOrigins", "AllowOrigins"},
      {"allowMethods", "AllowMethods"},
      {"allowHeaders", "AllowHeaders"},
      {"exposeHeaders", "ExposeHeaders"},
      {"maxAge", "MaxAge"},
      {"allowCredentials", "AllowCredentials"}};
  json::object out;
  for (auto [from, to] : kFields) {
    const auto* v = ext.get_object().if_contains(from);
    if (!v) continue;
    bool list = from != "maxAge" && from != "allowCredentials";
    if (list && !v->is_array())
      return Invalid(std::string(kCorsExt) + "." + std::string(from) +
                     " must be an array of strings");
    if (from == "maxAge" && !v->is_int64())
      return Invalid("x-amazon-apigateway-cors.maxAge must be an integer");
    if (from == "allowCredentials" && !v->is_bool())
      return Invalid("x-amazon-apigateway-cors.allowCredentials must be a boolean");
    out[to] = *v;
  }
  return out;
}

// The CreateIntegration input of an x-amazon-apigateway-integration object.
Result<json::object> IntegrationInput(const json::value& ext, const std::string& where) {
  if (!ext.is_object())
    return Invalid(where + ": " + std::string(kIntegrationExt) + " must be an object");
  const json::object& x = ext.get_object();
  json::object in;
  std::string type = Upper(StringMember(x, "type"));
  if (type.empty()) return Invalid(where + ": " + std::string(kIntegrationExt) + " has no type");
  in["IntegrationType"] = type;
  static constexpr std::pair<std::string_view, std::string_view> kStrings[] = {
      {"uri", "IntegrationUri"},
      {"httpMethod", "IntegrationMethod"},
      {"payloadFormatVersion", "PayloadFormatVersion"},
      {"connectionType", "ConnectionType"},
      {"connectionId", "ConnectionId"},
      {"credentials", "CredentialsArn"},
      {"description", "Description"},
      {"integrationSubtype", "IntegrationSubtype"}};
  for (auto [from, to] : kStrings) {
    const auto* v = x.if_contains(from);
    if (!v) continue;
    if (!v->is_string()) return Invalid(where + ": " + std::string(from) + " must be a string");
    in[to] = from == "httpMethod" || from == "connectionType" ? Upper(v->get_string())
                                                              : std::string(v->get_string());
  }
  if (const auto* t = x.if_contains("timeoutInMillis")) {
    if (!t->is_int64() || t->get_int64() < 50 || t->get_int64() > 30000)
      return Invalid(where + ": timeoutInMillis must be an integer between 50 and 30000");
    in["TimeoutInMillis"] = t->get_int64();
  }
  for (auto [from, to] :
       {std::pair<std::string_view, std::string_view>{"requestParameters", "RequestParameters"},
        {"responseParameters", "ResponseParameters"},
        {"tlsConfig", "TlsConfig"}})
    if (const auto* v = x.if_contains(from)) {
      if (!v->is_object()) return Invalid(where + ": " + std::string(from) + " must be an object");
      in[to] = *v;
    }
  return in;
}

// Reads a definition into routes and integrations; BadRequestException for what cannot be
// imported (and for warnings when `fail_on_warnings`).
Result<Imported> ReadDefinition(std::string_view body, std::string_view basepath_mode,
                                bool fail_on_warnings, const Registry* registry) {
  std::string error;
  auto parsed = execute_api::ParseApiDefinition(body, &error);
  if (!parsed) return Invalid(error);
  if (!parsed->is_object()) return Invalid("the definition must be a JSON or YAML object");
  const json::object& doc = parsed->get_object();
  std::string_view openapi = StringMember(doc, "openapi");
  std::string_view swagger = StringMember(doc, "swagger");
  if (openapi.empty() && swagger.empty())
    return Invalid("the definition has no 'openapi' (or 'swagger') version field");
  if (!openapi.empty() && openapi.rfind("3.", 0) != 0)
    return Invalid("unsupported openapi version " + std::string(openapi) +
                   "; OpenAPI 3.0 and Swagger 2.0 are supported");
  if (openapi.empty() && swagger != "2.0")
    return Invalid("unsupported swagger version " + std::string(swagger));
  const auto* info = doc.if_contains("info");
  if (!info || !info->is_object()) return Invalid("the definition has no 'info' object");
  std::string_view title = StringMember(info->get_object(), "title");
  if (title.empty()) return Invalid("info.title is required: it names the API");
  if (title.size() > 128) return Invalid("info.title must be at most 128 characters long");
  Imported out;
  out.api_fields["Name"] = title;
  if (auto d = StringMember(info->get_object(), "description"); !d.empty())
    out.api_fields["Description"] = d.substr(0, 1024);
  if (const auto* v = info->get_object().if_contains("version")) {
    std::string version = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    if (!version.empty() && version.size() <= 64) out.api_fields["Version"] = version;
  }
  if (const auto* cors = doc.if_contains(kCorsExt)) {
    auto c = CorsFromExtension(*cors);
    if (!c) return std::move(c).error();
    out.api_fields["CorsConfiguration"] = std::move(*c);
  }
  // servers[].x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint
  if (const auto* servers = doc.if_contains("servers"); servers && servers->is_array())
    for (const auto& server : servers->get_array()) {
      const json::value* ec =
          server.is_object()
              ? server.get_object().if_contains("x-amazon-apigateway-endpoint-configuration")
              : nullptr;
      const json::value* d = ec && ec->is_object()
                                 ? ec->get_object().if_contains("disableExecuteApiEndpoint")
                                 : nullptr;
      if (d && d->is_bool()) out.api_fields["DisableExecuteApiEndpoint"] = *d;
    }
  if (const auto* v = doc.if_contains(kVersionExt);
      v && !(v->is_string() && v->get_string() == "1.0"))
    out.warnings.push_back("Unsupported x-amazon-apigateway-importexport-version; 1.0 is used");
  if (doc.contains("x-amazon-apigateway-authorizer") ||
      (doc.contains("components") && doc.at("components").is_object() &&
       doc.at("components").get_object().contains("securitySchemes")))
    out.warnings.push_back("Security schemes and authorizers are not imported");
  const auto* paths = doc.if_contains("paths");
  if (!paths) return Invalid("the definition has no 'paths' object");
  if (!paths->is_object()) return Invalid("'paths' must be an object");
  std::string base = basepath_mode.empty() || basepath_mode == "ignore" ? std::string()
                     : swagger.empty()                                  ? ServerBasePath(doc)
                                       : std::string(StringMember(doc, "basePath"));
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!basepath_mode.empty() && basepath_mode != "ignore" && basepath_mode != "prepend" &&
      basepath_mode != "split")
    return BadRequest("Invalid basepath " + std::string(basepath_mode) +
                      ": use ignore, prepend or split");

  std::set<std::string> keys;
  for (const auto& [path, item] : paths->get_object()) {
    std::string where = "paths." + std::string(path);
    if (path.empty() || path[0] != '/')
      return Invalid("path " + std::string(path) + " must start with '/'");
    if (!item.is_object()) return Invalid(where + " must be an object");
    for (const auto& [key, op] : item.get_object()) {
      std::string method = OperationMethod(key);
      if (method.empty()) {
        if (!execute_api::IsPathItemField(key))
          out.warnings.push_back("Unknown field " + std::string(key) + " in " + where + " ignored");
        continue;
      }
      if (method == "TRACE") {
        out.warnings.push_back("Method TRACE of " + std::string(path) +
                               " is not supported by HTTP APIs and was not imported");
        continue;
      }
      if (!op.is_object()) return Invalid(where + "." + std::string(key) + " must be an object");
      std::string route_key = path == "/$default"
                                  ? "$default"
                                  : method + " " + ApplyBasepath(basepath_mode, base, path);
      if (!ValidHttpRouteKey(route_key))
        return Invalid("the route key " + route_key +
                       " is not valid for HTTP APIs (path variables are whole segments {name}, a "
                       "greedy {name+} only last)");
      if (!keys.insert(route_key).second) return Invalid("duplicate route " + route_key);
      json::object route{{"RouteId", NewChildId()},
                         {"RouteKey", route_key},
                         {"ApiKeyRequired", false},
                         {"AuthorizationType", "NONE"}};
      const json::object& o = op.get_object();
      if (auto id = StringMember(o, "operationId"); !id.empty()) route["OperationName"] = id;
      if (o.contains("security") && o.at("security").is_array() &&
          !o.at("security").get_array().empty())
        out.warnings.push_back("Security of route " + route_key + " is not imported");
      if (const auto* ext = o.if_contains(kIntegrationExt)) {
        const json::value* x = ext;
        // A reference into components.x-amazon-apigateway-integrations.
        if (ext->is_object() && ext->get_object().contains("$ref")) {
          x = execute_api::ResolvePointer(*parsed, StringMember(ext->get_object(), "$ref"));
          if (!x)
            return Invalid(where + ": unresolvable reference " +
                           std::string(StringMember(ext->get_object(), "$ref")));
        }
        auto in = IntegrationInput(*x, where + "." + std::string(key));
        if (!in) return std::move(in).error();
        std::string integration_id = NewChildId();
        auto record = IntegrationFromInput(
            Document(std::move(*in)), json::object{{"IntegrationId", integration_id}}, registry);
        if (!record) {
          ApiError e = std::move(record).error();
          if (e.code == "BadRequestException")
            return Invalid("integration of " + route_key + ": " + e.message);
          return e;
        }
        out.integrations.push_back(std::move(*record));
        route["Target"] = "integrations/" + integration_id;
      } else {
        out.warnings.push_back("Route " + route_key + " has no " + std::string(kIntegrationExt) +
                               "; it was imported without a target");
      }
      out.routes.push_back(std::move(route));
    }
  }
  if (fail_on_warnings && !out.warnings.empty()) {
    std::string msg = "Warnings found during import:";
    for (const auto& w : out.warnings) msg += "\n\t" + w;
    return BadRequest(msg);
  }
  return out;
}

bool BoolMember(const Document& in, std::string_view name) {
  if (!in.is_object()) return false;
  const auto* v = in.get_object().if_contains(name);
  return v && v->is_bool() && v->get_bool();
}

// Writes the routes and integrations of `imported` for `api_id` into `batch`.
void PutChildren(const RequestContext& ctx, std::string_view api_id, const Imported& imported,
                 storage::WriteBatch& batch) {
  for (const auto& i : imported.integrations)
    storage::PutJson(batch, kKeyspace,
                     ChildKey(ctx.account_id, ctx.region, Kind::kIntegration, api_id,
                              i.at("IntegrationId").as_string()),
                     i);
  for (const auto& r : imported.routes)
    storage::PutJson(
        batch, kKeyspace,
        ChildKey(ctx.account_id, ctx.region, Kind::kRoute, api_id, r.at("RouteId").as_string()), r);
}

Document WithWarnings(json::object api, const Imported& imported) {
  for (auto it = api.begin(); it != api.end();)
    it = !it->key().empty() && it->key()[0] == '_' ? api.erase(it) : it + 1;
  if (!imported.warnings.empty()) {
    json::array w;
    for (const auto& s : imported.warnings) w.emplace_back(s);
    api["Warnings"] = std::move(w);
  }
  return Document(std::move(api));
}

// "2020-11-25 08:35:44UTC", the info.version AWS exports for an API without a Version.
std::string ExportDate(double epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SUTC", &tm);
  return buf;
}

// The x-amazon-apigateway-integration of an integration record.
json::object IntegrationExtension(const json::object& i) {
  json::object x;
  std::string type(StringMember(i, "IntegrationType"));
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!StringMember(i, "PayloadFormatVersion").empty())
    x["payloadFormatVersion"] = StringMember(i, "PayloadFormatVersion");
  x["type"] = type;
  if (!StringMember(i, "IntegrationMethod").empty())
    x["httpMethod"] = StringMember(i, "IntegrationMethod");
  if (!StringMember(i, "IntegrationUri").empty()) x["uri"] = StringMember(i, "IntegrationUri");
  if (!StringMember(i, "IntegrationSubtype").empty())
    x["integrationSubtype"] = StringMember(i, "IntegrationSubtype");
  if (!StringMember(i, "ConnectionType").empty())
    x["connectionType"] = StringMember(i, "ConnectionType");
  if (!StringMember(i, "CredentialsArn").empty())
    x["credentials"] = StringMember(i, "CredentialsArn");
  if (!StringMember(i, "Description").empty()) x["description"] = StringMember(i, "Description");
  if (const auto* t = i.if_contains("TimeoutInMillis")) x["timeoutInMillis"] = *t;
  if (const auto* p = i.if_contains("RequestParameters")) x["requestParameters"] = *p;
  if (const auto* p = i.if_contains("ResponseParameters")) x["responseParameters"] = *p;
  return x;
}

json::object CorsExtension(const json::object& cors) {
  json::object out;
  for (auto [from, to] :
       {std::pair<std::string_view, std::string_view>{"AllowOrigins", "allowOrigins"},
        {"AllowCredentials", "allowCredentials"},
        {"ExposeHeaders", "exposeHeaders"},
        {"MaxAge", "maxAge"},
        {"AllowMethods", "allowMethods"},
        {"AllowHeaders", "allowHeaders"}})
    if (const auto* v = cors.if_contains(from)) out[to] = *v;
  return out;
}

// The OpenAPI 3.0 document of an API with `routes` and `integrations` (by id).
json::object ExportDocument(const RequestContext& ctx, const json::object& api,
                            const json::array& routes, const json::object& integrations,
                            std::string_view stage, bool extensions) {
  json::object info{{"title", StringMember(api, "Name")}};
  if (!StringMember(api, "Description").empty())
    info["description"] = StringMember(api, "Description");
  double created = api.contains("CreatedDate") && api.at("CreatedDate").is_number()
                       ? api.at("CreatedDate").to_number<double>()
                       : std::floor(ctx.env->clock->NowSeconds());
  info["version"] = StringMember(api, "Version").empty()
                        ? ExportDate(created)
                        : std::string(StringMember(api, "Version"));
  json::object doc{{"openapi", "3.0.1"}, {"info", std::move(info)}};
  std::string url(StringMember(api, "ApiEndpoint"));
  const auto* disabled = api.if_contains("DisableExecuteApiEndpoint");
  bool disable = disabled && disabled->is_bool() && disabled->get_bool();
  if (!stage.empty() || (disable && extensions)) {
    json::object server{{"url", stage.empty() ? url : url + "/{basePath}"}};
    if (!stage.empty())
      server["variables"] =
          json::object{{"basePath", json::object{{"default", stage == "$default" ? "" : stage}}}};
    if (disable && extensions)
      server["x-amazon-apigateway-endpoint-configuration"] =
          json::object{{"disableExecuteApiEndpoint", true}};
    doc["servers"] = json::array{std::move(server)};
  }
  json::object paths;
  std::vector<const json::object*> ordered;
  for (const auto& r : routes)
    if (r.is_object()) ordered.push_back(&r.get_object());
  std::sort(ordered.begin(), ordered.end(), [](const json::object* a, const json::object* b) {
    return StringMember(*a, "RouteKey") < StringMember(*b, "RouteKey");
  });
  for (const json::object* r : ordered) {
    std::string key(StringMember(*r, "RouteKey"));
    std::string method = "ANY", path = "/$default";
    if (key != "$default") {
      auto space = key.find(' ');
      method = key.substr(0, space);
      path = key.substr(space + 1);
    }
    std::string op_key = method == "ANY" ? "x-amazon-apigateway-any-method" : method;
    if (method != "ANY")
      for (auto& c : op_key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json::object op;
    if (!StringMember(*r, "OperationName").empty())
      op["operationId"] = StringMember(*r, "OperationName");
    op["responses"] =
        json::object{{"default", json::object{{"description", "Default response for " + key}}}};
    json::array params;
    for (size_t at = 0; (at = path.find('{', at)) != std::string::npos;) {
      auto end = path.find('}', at);
      if (end == std::string::npos) break;
      params.push_back(json::object{
          {"name", path.substr(at + 1, end - at - 1)},
          {"in", "path"},
          {"description", "Generated path parameter for " + path.substr(at + 1, end - at - 1)},
          {"required", true},
          {"schema", json::object{{"type", "string"}}}});
      at = end;
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    std::string_view target = StringMember(*r, "Target");
    if (extensions && target.rfind("integrations/", 0) == 0)
      if (const auto* i = integrations.if_contains(target.substr(13)); i && i->is_object())
        op[kIntegrationExt] = IntegrationExtension(i->get_object());
    json::value& item = paths[path];
    if (!item.is_object()) item = json::object();
    item.get_object()[op_key] = std::move(op);
  }
  doc["paths"] = std::move(paths);
  if (extensions) {
    if (const auto* cors = api.if_contains("CorsConfiguration"); cors && cors->is_object())
      doc[kCorsExt] = CorsExtension(cors->get_object());
    doc[kVersionExt] = "1.0";
  }
  return doc;
}

}  // namespace

HandlerTable OpenApiHandlers() {
  HandlerTable t;
  t.emplace_back("ImportApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    auto imported = ReadDefinition(StringMember(in, "Body"), StringMember(in, "Basepath"),
                                   BoolMember(in, "FailOnWarnings"), ctx.env->registry);
    if (!imported) return std::move(imported).error();
    std::lock_guard lock(WriteMutex());
    std::string id = NewApiId();
    json::object api{{"ApiEndpoint", ApiEndpoint(*ctx.env, id)},
                     {"ApiId", id},
                     {"ApiKeySelectionExpression", "$request.header.x-api-key"},
                     {"CreatedDate", std::floor(ctx.env->clock->NowSeconds())},
                     {"DisableExecuteApiEndpoint", false},
                     {"DisableSchemaValidation", false},
                     {"IpAddressType", "ipv4"},
                     {"ProtocolType", "HTTP"},
                     {"RouteSelectionExpression", "$request.method $request.path"},
                     {"Tags", json::object()}};
    for (const auto& [k, v] : imported->api_fields) api[k] = v;
    storage::WriteBatch batch;
    storage::PutJson(batch, kKeyspace, ApiKey(ctx.account_id, ctx.region, id), api);
    storage::PutJson(batch, kKeyspace, OwnerKey(id),
                     json::object{{"account", ctx.account_id}, {"region", ctx.region}});
    PutChildren(ctx, id, *imported, batch);
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return WithWarnings(std::move(api), *imported);
  });
  t.emplace_back("ReimportApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "ApiId"));
    {
      auto api = LoadApi(ctx, api_id);
      if (!api) return std::move(api).error();
    }
    auto imported = ReadDefinition(StringMember(in, "Body"), StringMember(in, "Basepath"),
                                   BoolMember(in, "FailOnWarnings"), ctx.env->registry);
    if (!imported) return std::move(imported).error();
    std::lock_guard lock(WriteMutex());
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    // The definition replaces the API's routes and integrations, and the fields it states.
    api->erase("CorsConfiguration");
    api->erase("Description");
    (*api)["DisableExecuteApiEndpoint"] = false;
    for (const auto& [k, v] : imported->api_fields) (*api)[k] = v;
    storage::WriteBatch batch;
    for (Kind k : {Kind::kRoute, Kind::kIntegration}) {
      std::string prefix = ChildPrefix(ctx.account_id, ctx.region, k, api_id);
      batch.DeleteRange(kKeyspace, prefix, storage::PrefixEnd(prefix));
    }
    storage::PutJson(batch, kKeyspace, ApiKey(ctx.account_id, ctx.region, api_id), *api);
    PutChildren(ctx, api_id, *imported, batch);
    auto st = ctx.env->kv->Write(batch);
    if (!st.ok()) return storage::StorageError(st);
    return WithWarnings(std::move(*api), *imported);
  });
  t.emplace_back("ExportApi", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "ApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    if (StringMember(in, "Specification") != "OAS30")
      return BadRequest("Invalid specification " + std::string(StringMember(in, "Specification")) +
                        ": only OAS30 is supported");
    std::string_view output = StringMember(in, "OutputType");
    if (output != "JSON" && output != "YAML")
      return BadRequest("Invalid outputType " + std::string(output) + ": use JSON or YAML");
    if (HasMember(in, "ExportVersion") && StringMember(in, "ExportVersion") != "1.0")
      return BadRequest("Invalid exportVersion: only 1.0 is supported");
    bool extensions = !HasMember(in, "IncludeExtensions") || BoolMember(in, "IncludeExtensions");
    std::string stage(StringMember(in, "StageName"));
    json::array routes;
    json::object integrations;
    bool live = true;
    if (!stage.empty()) {
      auto s =
          LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, stage));
      if (!s) return std::move(s).error();
      if (!*s) return StageNotFound(stage);
      const auto* auto_deploy = (*s)->if_contains("AutoDeploy");
      std::string_view deployment = StringMember(**s, "DeploymentId");
      if (!(auto_deploy && auto_deploy->is_bool() && auto_deploy->get_bool())) {
        live = false;
        if (!deployment.empty()) {
          auto d = LoadRecord(
              *ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, deployment));
          if (!d) return std::move(d).error();
          if (*d) {
            if (const auto* r = (*d)->if_contains("_routes"); r && r->is_array())
              routes = r->get_array();
            if (const auto* i = (*d)->if_contains("_integrations"); i && i->is_object())
              integrations = i->get_object();
          }
        }
      }
    }
    if (live) {
      auto r = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kRoute, api_id);
      if (!r) return std::move(r).error();
      auto i = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kIntegration, api_id);
      if (!i) return std::move(i).error();
      for (auto& x : *r) routes.push_back(std::move(x));
      for (auto& x : *i) {
        std::string id(StringMember(x, "IntegrationId"));
        integrations[id] = std::move(x);
      }
    }
    json::value doc = ExportDocument(ctx, *api, routes, integrations, stage, extensions);
    std::string body = output == "YAML" ? execute_api::ToYaml(doc) : json::serialize(doc);
    return Document(json::object{{"body", body}});
  });
  return t;
}

}  // namespace nimbus::apigatewayv2
