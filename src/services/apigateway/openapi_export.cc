// GetExport: what a stage serves (its deployment's resources, methods, models and validators) as
// a Swagger 2.0 or OpenAPI 3.0 definition, with API Gateway's extensions when asked
// (parameters extensions=integrations|apigateway), in JSON or YAML (Accept).
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <ctime>

#include "core/common/clock.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/validators.h"
#include "services/execute_api/openapi_common.h"

namespace nimbus::apigateway {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string IsoDate(double epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Model URLs back into local references of the exported document.
void LocalRefs(json::value& v, std::string_view prefix, int depth = 0) {
  if (depth > execute_api::kMaxDefinitionDepth) return;
  if (v.is_object()) {
    for (auto& [k, child] : v.get_object()) {
      if (k == "$ref" && child.is_string()) {
        std::string name = ModelNameOfRef(child.get_string());
        if (!name.empty()) child = std::string(prefix) + name;
      } else {
        LocalRefs(child, prefix, depth + 1);
      }
    }
  } else if (v.is_array()) {
    for (auto& child : v.get_array()) LocalRefs(child, prefix, depth + 1);
  }
}

class Exporter {
 public:
  Exporter(bool oas3, bool integrations, bool apigateway)
      : oas3_(oas3), integrations_(integrations || apigateway), apigateway_(apigateway) {}

  json::object Build(const json::object& api, const json::object& deployment,
                     std::string_view stage, std::string_view host) {
    std::string ref_prefix = oas3_ ? "#/components/schemas/" : "#/definitions/";
    json::object info;
    if (!StringMember(api, "description").empty())
      info["description"] = StringMember(api, "description");
    double created = deployment.contains("createdDate") && deployment.at("createdDate").is_number()
                         ? deployment.at("createdDate").to_number<double>()
                         : 0;
    info["version"] = StringMember(api, "version").empty()
                          ? IsoDate(created)
                          : std::string(StringMember(api, "version"));
    info["title"] = StringMember(api, "name");
    json::object doc;
    if (oas3_) {
      doc["openapi"] = "3.0.1";
      doc["info"] = std::move(info);
      doc["servers"] = json::array{json::object{
          {"url", "http://" + std::string(host) + "/{basePath}"},
          {"variables", json::object{{"basePath", json::object{{"default", stage}}}}}}};
    } else {
      doc["swagger"] = "2.0";
      doc["info"] = std::move(info);
      doc["host"] = host;
      doc["basePath"] = "/" + std::string(stage);
      doc["schemes"] = json::array{"http"};
    }
    const json::object* validators = nullptr;
    if (const auto* v = deployment.if_contains("_validators"); v && v->is_object())
      validators = &v->get_object();

    std::vector<const json::object*> resources;
    if (const auto* r = deployment.if_contains("_resources"); r && r->is_array())
      for (const auto& x : r->get_array())
        if (x.is_object()) resources.push_back(&x.get_object());
    std::sort(resources.begin(), resources.end(), [](const json::object* a, const json::object* b) {
      return StringMember(*a, "path") < StringMember(*b, "path");
    });
    json::object paths;
    for (const json::object* r : resources) {
      const auto* methods = r->if_contains("resourceMethods");
      if (!methods || !methods->is_object() || methods->get_object().empty()) continue;
      json::object item;
      for (const auto& [name, m] : methods->get_object()) {
        if (!m.is_object()) continue;
        std::string key = name == "ANY" ? "x-amazon-apigateway-any-method" : Lower(name);
        item[key] = Operation(m.get_object(), validators, ref_prefix);
      }
      paths[StringMember(*r, "path")] = std::move(item);
    }
    doc["paths"] = std::move(paths);

    json::object schemas;
    if (const auto* models = deployment.if_contains("_models"); models && models->is_object())
      for (const auto& [name, model] : models->get_object()) {
        if (!model.is_object()) continue;
        json::error_code ec;
        json::value schema = json::parse(StringMember(model.get_object(), "schema"), ec);
        if (ec || !schema.is_object()) schema = json::object();
        schema.get_object().erase("$schema");
        LocalRefs(schema, ref_prefix);
        schemas[name] = std::move(schema);
      }
    json::object security;
    if (uses_api_key_)
      security["api_key"] =
          json::object{{"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"}};
    if (uses_sigv4_)
      security["sigv4"] = json::object{{"type", "apiKey"},
                                       {"name", "Authorization"},
                                       {"in", "header"},
                                       {"x-amazon-apigateway-authtype", "awsSigv4"}};
    if (oas3_) {
      json::object components;
      if (!schemas.empty()) components["schemas"] = std::move(schemas);
      if (!security.empty()) components["securitySchemes"] = std::move(security);
      if (!components.empty()) doc["components"] = std::move(components);
    } else {
      if (!security.empty()) doc["securityDefinitions"] = std::move(security);
      if (!schemas.empty()) doc["definitions"] = std::move(schemas);
    }
    if (apigateway_) {
      if (validators && !validators->empty()) {
        json::object out;
        for (const auto& [id, v] : *validators) {
          if (!v.is_object()) continue;
          const auto& o = v.get_object();
          out[StringMember(o, "name").empty() ? std::string(id)
                                              : std::string(StringMember(o, "name"))] =
              json::object{{"validateRequestBody", o.contains("validateRequestBody")
                                                       ? o.at("validateRequestBody")
                                                       : json::value(false)},
                           {"validateRequestParameters", o.contains("validateRequestParameters")
                                                             ? o.at("validateRequestParameters")
                                                             : json::value(false)}};
        }
        doc["x-amazon-apigateway-request-validators"] = std::move(out);
      }
      if (const auto* b = api.if_contains("binaryMediaTypes"); b && b->is_array())
        doc["x-amazon-apigateway-binary-media-types"] = *b;
      if (auto s = StringMember(api, "apiKeySource"); !s.empty() && s != "HEADER")
        doc["x-amazon-apigateway-api-key-source"] = s;
      if (const auto* g = deployment.if_contains("_gatewayResponses");
          g && g->is_object() && !g->get_object().empty()) {
        json::object out;
        for (const auto& [type, r] : g->get_object()) {
          if (!r.is_object()) continue;
          json::object response;
          for (std::string_view k : {"statusCode", "responseParameters", "responseTemplates"})
            if (const auto* v = r.get_object().if_contains(k);
                v && !(v->is_object() && v->get_object().empty()))
              response[k] = *v;
          out[type] = std::move(response);
        }
        doc["x-amazon-apigateway-gateway-responses"] = std::move(out);
      }
    }
    return doc;
  }

 private:
  bool oas3_, integrations_, apigateway_;
  bool uses_api_key_ = false, uses_sigv4_ = false;

  json::object Operation(const json::object& m, const json::object* validators,
                         const std::string& ref_prefix) {
    json::object op;
    if (!StringMember(m, "operationName").empty())
      op["operationId"] = StringMember(m, "operationName");
    json::array params;
    if (const auto* rp = m.if_contains("requestParameters"); rp && rp->is_object())
      for (const auto& [key, required] : rp->get_object()) {
        std::string_view k = key;
        constexpr std::string_view kPrefix = "method.request.";
        if (k.rfind(kPrefix, 0) != 0) continue;
        k.remove_prefix(kPrefix.size());
        auto dot = k.find('.');
        if (dot == std::string_view::npos) continue;
        std::string_view where = k.substr(0, dot);
        std::string in = where == "querystring" ? "query" : where == "path" ? "path" : "header";
        json::object p{{"name", k.substr(dot + 1)},
                       {"in", in},
                       {"required", in == "path" || (required.is_bool() && required.get_bool())}};
        if (oas3_)
          p["schema"] = json::object{{"type", "string"}};
        else
          p["type"] = "string";
        params.push_back(std::move(p));
      }
    if (const auto* models = m.if_contains("requestModels");
        models && models->is_object() && !models->get_object().empty()) {
      if (oas3_) {
        json::object content;
        for (const auto& [type, name] : models->get_object())
          if (name.is_string())
            content[type] = json::object{
                {"schema", json::object{{"$ref", ref_prefix + std::string(name.get_string())}}}};
        op["requestBody"] = json::object{{"content", std::move(content)}, {"required", true}};
      } else {
        json::array consumes;
        std::string model;
        for (const auto& [type, name] : models->get_object()) {
          consumes.emplace_back(type);
          if (model.empty() && name.is_string()) model = name.get_string();
        }
        op["consumes"] = std::move(consumes);
        params.push_back(json::object{{"in", "body"},
                                      {"name", model},
                                      {"required", true},
                                      {"schema", json::object{{"$ref", ref_prefix + model}}}});
      }
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    json::object responses;
    if (const auto* mr = m.if_contains("methodResponses"); mr && mr->is_object())
      for (const auto& [code, r] : mr->get_object()) {
        json::object out{{"description", std::string(code) + " response"}};
        if (!r.is_object()) continue;
        const auto& ro = r.get_object();
        if (const auto* rp = ro.if_contains("responseParameters"); rp && rp->is_object()) {
          json::object headers;
          constexpr std::string_view kHeader = "method.response.header.";
          for (const auto& [k, _] : rp->get_object())
            if (std::string_view(k).rfind(kHeader, 0) == 0)
              headers[std::string_view(k).substr(kHeader.size())] =
                  oas3_ ? json::object{{"schema", json::object{{"type", "string"}}}}
                        : json::object{{"type", "string"}};
          if (!headers.empty()) out["headers"] = std::move(headers);
        }
        if (const auto* rm = ro.if_contains("responseModels"); rm && rm->is_object())
          for (const auto& [type, name] : rm->get_object()) {
            if (!name.is_string() || name.get_string() == "Empty") continue;
            json::object schema{{"$ref", ref_prefix + std::string(name.get_string())}};
            if (oas3_) {
              json::value& content = out["content"];
              if (!content.is_object()) content = json::object();
              content.get_object()[type] = json::object{{"schema", std::move(schema)}};
            } else {
              out["schema"] = std::move(schema);
            }
          }
        responses[code] = std::move(out);
      }
    op["responses"] = std::move(responses);
    json::array security;
    if (StringMember(m, "authorizationType") == "AWS_IAM") {
      uses_sigv4_ = true;
      security.push_back(json::object{{"sigv4", json::array()}});
    }
    if (const auto* k = m.if_contains("apiKeyRequired"); k && k->is_bool() && k->get_bool()) {
      uses_api_key_ = true;
      security.push_back(json::object{{"api_key", json::array()}});
    }
    if (!security.empty()) op["security"] = std::move(security);
    if (apigateway_ && validators)
      if (auto id = StringMember(m, "requestValidatorId"); !id.empty())
        if (const auto* v = validators->if_contains(id); v && v->is_object())
          op["x-amazon-apigateway-request-validator"] =
              StringMember(v->get_object(), "name").empty()
                  ? std::string(id)
                  : std::string(StringMember(v->get_object(), "name"));
    if (integrations_)
      if (const auto* i = m.if_contains("methodIntegration"); i && i->is_object())
        op["x-amazon-apigateway-integration"] = Integration(i->get_object());
    return op;
  }

  static json::object Integration(const json::object& i) {
    json::object x{{"type", Lower(StringMember(i, "type"))}};
    if (!StringMember(i, "httpMethod").empty()) x["httpMethod"] = StringMember(i, "httpMethod");
    if (!StringMember(i, "uri").empty()) x["uri"] = StringMember(i, "uri");
    if (const auto* r = i.if_contains("integrationResponses"); r && r->is_object()) {
      json::object responses;
      for (const auto& [code, ir] : r->get_object()) {
        if (!ir.is_object()) continue;
        const auto& o = ir.get_object();
        json::object out{{"statusCode", code}};
        for (std::string_view m : {"responseParameters", "responseTemplates", "contentHandling"})
          if (const auto* v = o.if_contains(m)) out[m] = *v;
        std::string pattern(StringMember(o, "selectionPattern"));
        responses[pattern.empty() ? "default" : pattern] = std::move(out);
      }
      x["responses"] = std::move(responses);
    }
    for (std::string_view m :
         {"requestParameters", "requestTemplates", "contentHandling", "credentials",
          "connectionType", "cacheNamespace", "cacheKeyParameters", "timeoutInMillis"})
      if (const auto* v = i.if_contains(m)) x[m] = *v;
    x["passthroughBehavior"] = Lower(StringMember(i, "passthroughBehavior"));
    return x;
  }
};

}  // namespace

Result<Document> GetExport(RequestContext& ctx, Document& in) {
  std::string api_id(StringMember(in, "restApiId"));
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  std::string_view type = StringMember(in, "exportType");
  if (type != "oas30" && type != "swagger") {
    if (type == "postman")
      return NotBuilt("Exports of type postman are not implemented; use oas30 or swagger");
    return BadRequest("Invalid export type specified: " + std::string(type) +
                      ". Valid types are oas30, swagger");
  }
  std::string_view stage_name = StringMember(in, "stageName");
  if (stage_name.find('/') != std::string_view::npos) return StageNotFound();
  auto stage =
      LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kStage, api_id, stage_name));
  if (!stage) return std::move(stage).error();
  if (!*stage) return StageNotFound();
  json::object deployment;
  if (auto id = StringMember(**stage, "deploymentId"); !id.empty()) {
    auto d = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kDeploy, api_id, id));
    if (!d) return std::move(d).error();
    if (*d) deployment = std::move(**d);
  }
  bool integrations = false, apigateway = false;
  if (HasMember(in, "parameters") && in.at("parameters").is_object()) {
    std::string_view ext = StringMember(in.at("parameters").get_object(), "extensions");
    size_t pos = 0;
    while (pos <= ext.size()) {
      auto comma = ext.find(',', pos);
      std::string_view one = ext.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
      if (one == "integrations") integrations = true;
      if (one == "apigateway") apigateway = true;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  std::string_view accept = StringMember(in, "accepts");
  bool yaml = accept.find("yaml") != std::string_view::npos;
  std::string host = api_id + ".execute-api.localhost:" +
                     std::to_string(ctx.env->config ? ctx.env->config->port : 4566);
  json::value doc =
      Exporter(type == "oas30", integrations, apigateway).Build(*api, deployment, stage_name, host);
  std::string body = yaml ? execute_api::ToYaml(doc) : json::serialize(doc);
  std::string file = std::string(type == "oas30" ? "oas30" : "swagger") + "_" +
                     IsoDate(NowSeconds(ctx)) + (yaml ? ".yaml" : ".json");
  return Document(json::object{{"body", body},
                               {"contentType", yaml ? "application/yaml" : "application/json"},
                               {"contentDisposition", "attachment; filename=\"" + file + "\""}});
}

}  // namespace nimbus::apigateway
