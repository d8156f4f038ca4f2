// Reading a Swagger 2.0 or OpenAPI 3.0 definition of a REST API (developer guide, "Develop REST
// APIs using OpenAPI" and "API Gateway extensions to OpenAPI") into what ImportRestApi and
// PutRestApi write: the API's fields, models, request validators and each path's methods.
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <set>

#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/validators.h"
#include "services/execute_api/openapi_common.h"

namespace nimbus::apigateway {

namespace {

using execute_api::OperationMethod;
using execute_api::ResolvePointer;

constexpr std::string_view kIntegrationExt = "x-amazon-apigateway-integration";

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

ApiError Invalid(std::string what) { return InvalidDefinition(std::move(what)); }

bool AlnumName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

// `schema` with references to other definitions turned into model URLs, as API Gateway stores
// them.
void RewriteRefs(json::value& v, std::string_view api_id, int depth = 0) {
  if (depth > execute_api::kMaxDefinitionDepth) return;
  if (v.is_object()) {
    for (auto& [k, child] : v.get_object()) {
      if (k == "$ref" && child.is_string()) {
        std::string name = ModelNameOfRef(child.get_string());
        if (!name.empty()) child = ModelUrl(api_id, name);
      } else {
        RewriteRefs(child, api_id, depth + 1);
      }
    }
  } else if (v.is_array()) {
    for (auto& child : v.get_array()) RewriteRefs(child, api_id, depth + 1);
  }
}

class Reader {
 public:
  Reader(const json::value& root, std::string_view api_id, std::string_view basepath_mode)
      : root_(root), doc_(root.get_object()), api_id_(api_id), basepath_mode_(basepath_mode) {}

  Result<RestDefinition> Read() {
    oas3_ = !StringMember(doc_, "openapi").empty();
    if (oas3_ && StringMember(doc_, "openapi").rfind("3.", 0) != 0)
      return Invalid("unsupported openapi version " + std::string(StringMember(doc_, "openapi")) +
                     "; OpenAPI 3.0 and Swagger 2.0 are supported");
    if (!oas3_ && StringMember(doc_, "swagger") != "2.0")
      return Invalid("the definition has no 'swagger: \"2.0\"' or 'openapi: \"3.0.x\"' field");
    if (auto st = ReadInfo(); !st) return std::move(st).error();
    if (auto st = ReadModels(); !st) return std::move(st).error();
    if (auto st = ReadValidators(); !st) return std::move(st).error();
    if (auto st = ReadPaths(); !st) return std::move(st).error();
    return std::move(out_);
  }

 private:
  const json::value& root_;
  const json::object& doc_;
  std::string api_id_;
  std::string basepath_mode_;
  bool oas3_ = false;
  RestDefinition out_;
  std::set<std::string> model_names_;

  Status ReadInfo() {
    const auto* info = doc_.if_contains("info");
    if (!info || !info->is_object()) return Invalid("the definition has no 'info' object");
    std::string_view title = StringMember(info->get_object(), "title");
    if (title.empty()) return Invalid("info.title is required: it names the API");
    out_.api_fields["name"] = title;
    if (auto d = StringMember(info->get_object(), "description"); !d.empty())
      out_.api_fields["description"] = d;
    if (const auto* v = info->get_object().if_contains("version"))
      out_.api_fields["version"] =
          v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    if (const auto* b = doc_.if_contains("x-amazon-apigateway-binary-media-types")) {
      if (!b->is_array()) return Invalid("x-amazon-apigateway-binary-media-types must be a list");
      for (const auto& t : b->get_array())
        if (!t.is_string())
          return Invalid("x-amazon-apigateway-binary-media-types must list strings");
      out_.api_fields["binaryMediaTypes"] = *b;
    }
    if (auto s = StringMember(doc_, "x-amazon-apigateway-api-key-source"); !s.empty()) {
      if (s != "HEADER" && s != "AUTHORIZER")
        return Invalid("x-amazon-apigateway-api-key-source must be HEADER or AUTHORIZER");
      out_.api_fields["apiKeySource"] = s;
    }
    if (const auto* e = doc_.if_contains("x-amazon-apigateway-endpoint-configuration");
        e && e->is_object())
      if (const auto* d = e->get_object().if_contains("disableExecuteApiEndpoint");
          d && d->is_bool())
        out_.api_fields["disableExecuteApiEndpoint"] = *d;
    if (const auto* p = doc_.if_contains("x-amazon-apigateway-policy"))
      out_.api_fields["policy"] =
          p->is_string() ? std::string(p->get_string()) : json::serialize(*p);
    if (const auto* m = doc_.if_contains("x-amazon-apigateway-minimum-compression-size");
        m && m->is_int64())
      out_.api_fields["minimumCompressionSize"] = *m;
    if (const auto* g = doc_.if_contains("x-amazon-apigateway-gateway-responses")) {
      if (!g->is_object())
        return Invalid("x-amazon-apigateway-gateway-responses must be an object");
      for (const auto& [type, response] : g->get_object()) {
        if (!response.is_object())
          return Invalid("x-amazon-apigateway-gateway-responses." + std::string(type) +
                         " must be an object");
        auto record = GatewayResponseFromInput(type, response.get_object());
        if (!record)
          return Invalid("x-amazon-apigateway-gateway-responses." + std::string(type) + ": " +
                         record.error().message);
        out_.gateway_responses[std::string(type)] = std::move(*record);
      }
    }
    return Ok{};
  }

  const json::object* Schemas() const {
    const json::value* s =
        oas3_ ? ResolvePointer(root_, "#/components/schemas") : doc_.if_contains("definitions");
    return s && s->is_object() ? &s->get_object() : nullptr;
  }

  Status ReadModels() {
    const json::object* schemas = Schemas();
    if (!schemas) return Ok{};
    for (const auto& [name, schema] : *schemas) {
      if (!AlnumName(name))
        return Invalid("model name " + std::string(name) + " must be alphanumeric");
      if (!schema.is_object())
        return Invalid("the schema of model " + std::string(name) + " must be an object");
      AddModel(std::string(name), schema);
    }
    return Ok{};
  }

  void AddModel(const std::string& name, const json::value& schema) {
    json::value s = schema;
    RewriteRefs(s, api_id_);
    if (s.is_object() && !s.get_object().contains("title")) s.get_object()["title"] = name;
    out_.models.push_back(json::object{{"id", NewDeploymentId()},
                                       {"name", name},
                                       {"contentType", "application/json"},
                                       {"schema", json::serialize(s)}});
    model_names_.insert(name);
  }

  Status ReadValidators() {
    const auto* v = doc_.if_contains("x-amazon-apigateway-request-validators");
    if (!v) return Ok{};
    if (!v->is_object()) return Invalid("x-amazon-apigateway-request-validators must be an object");
    for (const auto& [name, rules] : v->get_object()) {
      if (!rules.is_object())
        return Invalid("request validator " + std::string(name) + " must be an object");
      json::object record{{"name", name}};
      for (std::string_view m : {"validateRequestBody", "validateRequestParameters"}) {
        const auto* b = rules.get_object().if_contains(m);
        record[m] = b && b->is_bool() && b->get_bool();
      }
      out_.validators[std::string(name)] = std::move(record);
    }
    return Ok{};
  }

  // The model a schema names: a reference to a model, or a new model for an inline schema.
  Result<std::string> ModelFor(const json::value& schema, const std::string& inline_name) {
    if (!schema.is_object()) return Invalid("a schema must be an object");
    std::string_view ref = StringMember(schema.get_object(), "$ref");
    if (!ref.empty()) {
      std::string name = ModelNameOfRef(ref);
      if (name.empty() || !model_names_.count(name))
        return Invalid("unresolvable schema reference " + std::string(ref));
      return name;
    }
    if (!model_names_.count(inline_name)) AddModel(inline_name, schema);
    return inline_name;
  }

  std::string BasePath() const {
    std::string base;
    if (!oas3_) {
      base = std::string(StringMember(doc_, "basePath"));
    } else if (const auto* servers = doc_.if_contains("servers");
               servers && servers->is_array() && !servers->get_array().empty() &&
               servers->get_array()[0].is_object()) {
      const auto& server = servers->get_array()[0].get_object();
      std::string url(StringMember(server, "url"));
      if (auto scheme = url.find("://"); scheme != std::string::npos) {
        auto slash = url.find('/', scheme + 3);
        url = slash == std::string::npos ? "" : url.substr(slash);
      }
      if (const auto* vars = server.if_contains("variables"); vars && vars->is_object())
        for (const auto& [name, var] : vars->get_object()) {
          std::string placeholder = "{" + std::string(name) + "}";
          std::string value =
              var.is_object() ? std::string(StringMember(var.get_object(), "default")) : "";
          for (size_t at; (at = url.find(placeholder)) != std::string::npos;)
            url.replace(at, placeholder.size(), value);
        }
      base = url;
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (!base.empty() && base[0] != '/') base = "/" + base;
    if (basepath_mode_ == "prepend") return base;
    if (basepath_mode_ == "split" && !base.empty()) {
      auto next = base.find('/', 1);
      return next == std::string::npos ? "" : base.substr(next);
    }
    return "";
  }

  Status ReadPaths() {
    const auto* paths = doc_.if_contains("paths");
    if (!paths) return Invalid("the definition has no 'paths' object");
    if (!paths->is_object()) return Invalid("'paths' must be an object");
    std::string base = BasePath();
    for (const auto& [raw_path, item] : paths->get_object()) {
      if (raw_path.empty() || raw_path[0] != '/')
        return Invalid("path " + std::string(raw_path) + " must start with '/'");
      std::string path = base + (raw_path == "/" && !base.empty() ? "" : std::string(raw_path));
      while (path.size() > 1 && path.back() == '/') path.pop_back();
      // Each part of the path must be a valid resource path part.
      if (path != "/") {
        size_t pos = 1;
        while (true) {
          auto next = path.find('/', pos);
          std::string_view part = std::string_view(path).substr(
              pos, next == std::string::npos ? std::string::npos : next - pos);
          if (!ValidPathPart(part))
            return Invalid("path " + std::string(raw_path) +
                           ": resource path parts only allow a-zA-Z0-9._- and curly braces at "
                           "the beginning and the end");
          if (next == std::string::npos) break;
          if (part.size() > 2 && part.substr(part.size() - 2) == "+}")
            return Invalid("path " + std::string(raw_path) +
                           ": a greedy path variable must be the last part");
          pos = next + 1;
        }
      }
      if (!item.is_object())
        return Invalid("paths." + std::string(raw_path) + " must be an object");
      json::object& methods = out_.paths[path];
      const json::value* shared_params = item.get_object().if_contains("parameters");
      for (const auto& [key, op] : item.get_object()) {
        std::string method = OperationMethod(key);
        if (method.empty()) {
          if (!execute_api::IsPathItemField(key))
            out_.warnings.push_back("Unknown field " + std::string(key) + " in path " +
                                    std::string(raw_path) + " ignored");
          continue;
        }
        if (method == "TRACE") {
          out_.warnings.push_back("Method TRACE of " + std::string(raw_path) +
                                  " is not supported by API Gateway and was not imported");
          continue;
        }
        if (!op.is_object())
          return Invalid("paths." + std::string(raw_path) + "." + std::string(key) +
                         " must be an object");
        if (methods.contains(method))
          return Invalid("method " + method + " of " + path + " is defined twice");
        auto record = ReadOperation(path, method, op.get_object(), shared_params);
        if (!record) return std::move(record).error();
        methods[method] = std::move(*record);
      }
    }
    return Ok{};
  }

  // A parameter, resolving a "$ref" into the definition.
  const json::object* Param(const json::value& p) const {
    if (!p.is_object()) return nullptr;
    if (auto ref = StringMember(p.get_object(), "$ref"); !ref.empty()) {
      const json::value* target = ResolvePointer(root_, ref);
      return target && target->is_object() ? &target->get_object() : nullptr;
    }
    return &p.get_object();
  }

  Status ReadSecurity(const json::object& op, json::object& method) {
    const json::value* security = op.if_contains("security");
    if (!security) security = doc_.if_contains("security");
    if (!security || !security->is_array()) return Ok{};
    const json::value* schemes = oas3_ ? ResolvePointer(root_, "#/components/securitySchemes")
                                       : doc_.if_contains("securityDefinitions");
    for (const auto& requirement : security->get_array()) {
      if (!requirement.is_object()) continue;
      for (const auto& [name, scopes] : requirement.get_object()) {
        const json::value* scheme =
            schemes && schemes->is_object() ? schemes->get_object().if_contains(name) : nullptr;
        if (!scheme || !scheme->is_object())
          return Invalid("security scheme " + std::string(name) + " is not defined");
        const json::object& s = scheme->get_object();
        std::string authtype = Upper(StringMember(s, "x-amazon-apigateway-authtype"));
        if (authtype == "AWSSIGV4") {
          method["authorizationType"] = "AWS_IAM";
        } else if (s.contains("x-amazon-apigateway-authorizer")) {
          out_.warnings.push_back("Authorizer " + std::string(name) +
                                  " is not imported; the method is imported without it");
        } else if (StringMember(s, "type") == "apiKey" &&
                   Upper(StringMember(s, "name")) == "X-API-KEY" &&
                   StringMember(s, "in") == "header") {
          method["apiKeyRequired"] = true;
        } else {
          out_.warnings.push_back("Security scheme " + std::string(name) +
                                  " is not supported and was ignored");
        }
      }
    }
    return Ok{};
  }

  Result<json::object> ReadOperation(const std::string& path, const std::string& http_method,
                                     const json::object& op, const json::value* shared_params) {
    std::string where = http_method + " " + path;
    json::object method{
        {"httpMethod", http_method}, {"authorizationType", "NONE"}, {"apiKeyRequired", false}};
    if (auto id = StringMember(op, "operationId"); !id.empty()) method["operationName"] = id;
    if (auto st = ReadSecurity(op, method); !st) return std::move(st).error();
    // Inline body schemas become models named after the method and path ("POSTpetsidBody").
    std::string inline_base;
    for (char c : http_method + path)
      if (std::isalnum(static_cast<unsigned char>(c))) inline_base.push_back(c);

    json::object request_parameters;
    json::object request_models;
    std::vector<const json::value*> lists{shared_params, op.if_contains("parameters")};
    for (const json::value* list : lists) {
      if (!list) continue;
      if (!list->is_array()) return Invalid(where + ": parameters must be a list");
      for (const auto& raw : list->get_array()) {
        const json::object* p = Param(raw);
        if (!p) return Invalid(where + ": a parameter is not an object or its $ref is unresolved");
        std::string_view in = StringMember(*p, "in"), name = StringMember(*p, "name");
        const auto* req = p->if_contains("required");
        bool required = req && req->is_bool() && req->get_bool();
        if (in == "path") {
          request_parameters["method.request.path." + std::string(name)] = true;
        } else if (in == "query") {
          request_parameters["method.request.querystring." + std::string(name)] = required;
        } else if (in == "header") {
          request_parameters["method.request.header." + std::string(name)] = required;
        } else if (in == "body") {
          const auto* schema = p->if_contains("schema");
          if (!schema) continue;
          auto model = ModelFor(*schema, inline_base + "Body");
          if (!model) return std::move(model).error();
          const json::value* consumes = op.if_contains("consumes");
          if (!consumes) consumes = doc_.if_contains("consumes");
          bool any = false;
          if (consumes && consumes->is_array())
            for (const auto& t : consumes->get_array())
              if (t.is_string()) {
                request_models[t.get_string()] = *model;
                any = true;
              }
          if (!any) request_models["application/json"] = *model;
        }
      }
    }
    if (const auto* body = op.if_contains("requestBody")) {
      const json::value* b = body;
      if (b->is_object() && b->get_object().contains("$ref"))
        b = ResolvePointer(root_, StringMember(b->get_object(), "$ref"));
      if (!b || !b->is_object()) return Invalid(where + ": requestBody is not an object");
      if (const auto* content = b->get_object().if_contains("content");
          content && content->is_object())
        for (const auto& [type, media] : content->get_object()) {
          if (!media.is_object() || !media.get_object().contains("schema")) continue;
          auto model = ModelFor(media.get_object().at("schema"), inline_base + "Body");
          if (!model) return std::move(model).error();
          request_models[type] = *model;
        }
    }
    if (!request_parameters.empty()) method["requestParameters"] = std::move(request_parameters);
    if (!request_models.empty()) method["requestModels"] = std::move(request_models);

    std::string_view validator = StringMember(op, "x-amazon-apigateway-request-validator");
    if (validator.empty()) validator = StringMember(doc_, "x-amazon-apigateway-request-validator");
    if (!validator.empty()) {
      if (!out_.validators.count(std::string(validator)))
        return Invalid(where + ": request validator " + std::string(validator) +
                       " is not defined in x-amazon-apigateway-request-validators");
      method["_validator"] = validator;
    }

    if (const auto* responses = op.if_contains("responses"); responses && responses->is_object()) {
      json::object method_responses;
      for (const auto& [code, resp] : responses->get_object()) {
        if (code.size() != 3 || code[0] < '1' || code[0] > '5' ||
            !std::isdigit(static_cast<unsigned char>(code[1])) ||
            !std::isdigit(static_cast<unsigned char>(code[2])))
          continue;  // "default" and the like have no method response
        json::object mr{{"statusCode", code}};
        const json::value* r = &resp;
        if (r->is_object() && r->get_object().contains("$ref"))
          r = ResolvePointer(root_, StringMember(r->get_object(), "$ref"));
        if (r && r->is_object()) {
          if (const auto* headers = r->get_object().if_contains("headers");
              headers && headers->is_object()) {
            json::object params;
            for (const auto& [h, _] : headers->get_object())
              params["method.response.header." + std::string(h)] = false;
            if (!params.empty()) mr["responseParameters"] = std::move(params);
          }
          json::object models;
          if (const auto* schema = r->get_object().if_contains("schema"); schema && !oas3_) {
            std::string name = schema->is_object()
                                   ? ModelNameOfRef(StringMember(schema->get_object(), "$ref"))
                                   : std::string();
            if (!name.empty() && model_names_.count(name)) models["application/json"] = name;
          }
          if (const auto* content = r->get_object().if_contains("content");
              content && content->is_object())
            for (const auto& [type, media] : content->get_object()) {
              if (!media.is_object()) continue;
              const auto* schema = media.get_object().if_contains("schema");
              std::string name = schema && schema->is_object()
                                     ? ModelNameOfRef(StringMember(schema->get_object(), "$ref"))
                                     : std::string();
              if (!name.empty() && model_names_.count(name)) models[type] = name;
            }
          if (!models.empty()) mr["responseModels"] = std::move(models);
        }
        method_responses[code] = std::move(mr);
      }
      if (!method_responses.empty()) method["methodResponses"] = std::move(method_responses);
    }

    if (const auto* ext = op.if_contains(kIntegrationExt)) {
      const json::value* x = ext;
      if (ext->is_object() && ext->get_object().contains("$ref"))
        x = ResolvePointer(root_, StringMember(ext->get_object(), "$ref"));
      if (!x) return Invalid(where + ": unresolvable integration reference");
      auto integration = ReadIntegration(*x, where);
      if (!integration) return std::move(integration).error();
      method["methodIntegration"] = std::move(*integration);
    } else {
      out_.warnings.push_back("Method " + where + " has no " + std::string(kIntegrationExt) +
                              "; it was imported without an integration");
    }
    return method;
  }

  Result<json::object> ReadIntegration(const json::value& ext, const std::string& where) {
    if (!ext.is_object())
      return Invalid(where + ": " + std::string(kIntegrationExt) + " must be an object");
    const json::object& x = ext.get_object();
    std::string type = Upper(StringMember(x, "type"));
    if (type != "AWS" && type != "AWS_PROXY" && type != "HTTP" && type != "HTTP_PROXY" &&
        type != "MOCK")
      return Invalid(where + ": integration type '" + std::string(StringMember(x, "type")) +
                     "' is not one of aws, aws_proxy, http, http_proxy, mock");
    json::object out{{"type", type}};
    std::string method = Upper(StringMember(x, "httpMethod"));
    std::string_view uri = StringMember(x, "uri");
    if (type != "MOCK") {
      if (uri.empty()) return Invalid(where + ": integration uri is required for " + type);
      if (method.empty())
        return Invalid(where + ": integration httpMethod is required for " + type);
      if ((type == "HTTP" || type == "HTTP_PROXY") && uri.rfind("http://", 0) != 0 &&
          uri.rfind("https://", 0) != 0)
        return Invalid(where + ": invalid HTTP endpoint specified for URI " + std::string(uri));
      if ((type == "AWS" || type == "AWS_PROXY") && uri.rfind("arn:", 0) != 0)
        return Invalid(where + ": invalid ARN specified for URI " + std::string(uri));
    }
    if (!method.empty()) out["httpMethod"] = method;
    if (!uri.empty()) out["uri"] = uri;
    if (type == "HTTP" || type == "HTTP_PROXY")
      out["connectionType"] = StringMember(x, "connectionType").empty()
                                  ? "INTERNET"
                                  : Upper(StringMember(x, "connectionType"));
    for (std::string_view m : {"requestParameters", "requestTemplates"})
      if (const auto* v = x.if_contains(m)) {
        if (!v->is_object())
          return Invalid(where + ": integration " + std::string(m) + " must be an object");
        out[m] = *v;
      }
    for (std::string_view m : {"contentHandling", "credentials", "cacheNamespace"})
      if (auto v = StringMember(x, m); !v.empty()) out[m] = v;
    std::string passthrough = Upper(StringMember(x, "passthroughBehavior"));
    if (!passthrough.empty() && passthrough != "WHEN_NO_MATCH" && passthrough != "NEVER" &&
        passthrough != "WHEN_NO_TEMPLATES")
      return Invalid(where +
                     ": passthroughBehavior must be when_no_match, never or "
                     "when_no_templates");
    out["passthroughBehavior"] = passthrough.empty() ? "WHEN_NO_MATCH" : passthrough;
    int64_t timeout = 29000;
    if (const auto* t = x.if_contains("timeoutInMillis")) {
      if (!t->is_int64() || t->get_int64() < 50 || t->get_int64() > 29000)
        return Invalid(where + ": timeoutInMillis must be between 50 and 29000");
      timeout = t->get_int64();
    }
    out["timeoutInMillis"] = timeout;
    if (const auto* k = x.if_contains("cacheKeyParameters"); k && k->is_array())
      out["cacheKeyParameters"] = *k;
    else
      out["cacheKeyParameters"] = json::array();
    if (const auto* responses = x.if_contains("responses")) {
      if (!responses->is_object())
        return Invalid(where + ": integration responses must be an object");
      json::object integration_responses;
      for (const auto& [pattern, r] : responses->get_object()) {
        if (!r.is_object()) return Invalid(where + ": integration response must be an object");
        std::string code(StringMember(r.get_object(), "statusCode"));
        if (code.empty()) {
          if (const auto* n = r.get_object().if_contains("statusCode"); n && n->is_int64())
            code = std::to_string(n->get_int64());
        }
        if (code.size() != 3)
          return Invalid(where + ": integration response statusCode " + code +
                         " is not a status code");
        json::object ir{{"statusCode", code}};
        if (pattern != "default") ir["selectionPattern"] = pattern;
        for (std::string_view m : {"responseParameters", "responseTemplates"})
          if (const auto* v = r.get_object().if_contains(m); v && v->is_object()) ir[m] = *v;
        if (auto ch = StringMember(r.get_object(), "contentHandling"); !ch.empty())
          ir["contentHandling"] = ch;
        integration_responses[code] = std::move(ir);
      }
      if (!integration_responses.empty())
        out["integrationResponses"] = std::move(integration_responses);
    }
    return out;
  }
};

}  // namespace

ApiError InvalidDefinition(std::string what) {
  return BadRequest("Invalid OpenAPI input: " + std::move(what));
}

Result<RestDefinition> ReadRestDefinition(const Document& in, std::string_view api_id) {
  std::string error;
  auto parsed = execute_api::ParseApiDefinition(StringMember(in, "body"), &error);
  if (!parsed) return Invalid(error);
  if (!parsed->is_object()) return Invalid("the definition must be a JSON or YAML object");
  const json::object* params = nullptr;
  if (HasMember(in, "parameters") && in.at("parameters").is_object())
    params = &in.at("parameters").get_object();
  std::string mode = params ? std::string(StringMember(*params, "basepath")) : "";
  if (!mode.empty() && mode != "ignore" && mode != "prepend" && mode != "split")
    return BadRequest("Invalid basepath parameter " + mode + ": use ignore, prepend or split");
  auto def = Reader(*parsed, api_id, mode).Read();
  if (!def) return std::move(def).error();
  if (params)
    if (auto types = StringMember(*params, "endpointConfigurationTypes"); !types.empty()) {
      std::string t = Upper(types);
      if (t != "EDGE" && t != "REGIONAL" && t != "PRIVATE")
        return BadRequest("Invalid endpoint configuration type " + std::string(types) +
                          ": use EDGE, REGIONAL or PRIVATE");
      def->api_fields["endpointConfiguration"] =
          json::object{{"types", json::array{json::string(t)}}, {"ipAddressType", "ipv4"}};
    }
  const auto* fail = in.is_object() ? in.get_object().if_contains("failOnWarnings") : nullptr;
  if (fail && fail->is_bool() && fail->get_bool() && !def->warnings.empty()) {
    std::string msg = "Warnings found during import:";
    for (const auto& w : def->warnings) msg += "\n\t" + w;
    return BadRequest(msg);
  }
  return def;
}

}  // namespace nimbus::apigateway
