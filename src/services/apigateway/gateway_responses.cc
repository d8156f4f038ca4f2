// Gateway responses of REST APIs: PutGatewayResponse, GetGatewayResponse(s),
// UpdateGatewayResponse, DeleteGatewayResponse, and how the data plane renders its own errors
// through them.
#include "services/apigateway/gateway_responses.h"

#include <boost/json.hpp>
#include <optional>

#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/mapping.h"
#include "services/apigateway/resource_tree.h"
#include "services/apigateway/rest.h"
#include "services/apigateway/vtl.h"

namespace nimbus::apigateway {

namespace {

// GatewayResponseType in the model's order, with the status each answers by default
// (developer guide, "Gateway response types for API Gateway"; 0: none, the DEFAULT_ types).
struct TypeInfo {
  std::string_view type;
  int status;
};
constexpr TypeInfo kTypes[] = {
    {"DEFAULT_4XX", 0},
    {"DEFAULT_5XX", 0},
    {"RESOURCE_NOT_FOUND", 404},
    {"UNAUTHORIZED", 401},
    {"INVALID_API_KEY", 403},
    {"ACCESS_DENIED", 403},
    {"AUTHORIZER_FAILURE", 500},
    {"AUTHORIZER_CONFIGURATION_ERROR", 500},
    {"INVALID_SIGNATURE", 403},
    {"EXPIRED_TOKEN", 403},
    {"MISSING_AUTHENTICATION_TOKEN", 403},
    {"INTEGRATION_FAILURE", 504},
    {"INTEGRATION_TIMEOUT", 504},
    {"API_CONFIGURATION_ERROR", 500},
    {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"BAD_REQUEST_PARAMETERS", 400},
    {"BAD_REQUEST_BODY", 400},
    {"REQUEST_TOO_LARGE", 413},
    {"THROTTLED", 429},
    {"QUOTA_EXCEEDED", 429},
    {"WAF_FILTERED", 403},
};

constexpr std::string_view kDefaultTemplate = "{\"message\":$context.error.messageString}";

const TypeInfo* FindType(std::string_view type) {
  for (const auto& t : kTypes)
    if (t.type == type) return &t;
  return nullptr;
}

// DEFAULT_4XX or DEFAULT_5XX: which of them a type (or, for an error, its status) falls back to.
std::string_view FallbackOf(int status) { return status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"; }

const json::object* Customized(const json::object* responses, std::string_view type) {
  if (!responses) return nullptr;
  const auto* r = responses->if_contains(type);
  return r && r->is_object() ? &r->get_object() : nullptr;
}

// The gateway response of `type` as it applies: its customization, else its DEFAULT_ type's
// customization (parameters, templates, status), else API Gateway's default. `status_set`
// tells whether the status came from a customization.
struct Effective {
  json::object view;  // GetGatewayResponse's answer
  bool status_set = false;
};
Effective EffectiveResponse(const TypeInfo& t, const json::object* responses) {
  Effective out;
  if (const json::object* own = Customized(responses, t.type)) {
    out.view = *own;
    out.view["defaultResponse"] = false;
    out.status_set = own->contains("statusCode");
    return out;
  }
  out.view = json::object{{"responseType", t.type}};
  json::object params;
  json::object templates{{"application/json", kDefaultTemplate}};
  const json::object* fallback = nullptr;
  if (t.status) fallback = Customized(responses, FallbackOf(t.status));
  if (fallback) {
    if (const auto* p = fallback->if_contains("responseParameters"); p && p->is_object())
      params = p->get_object();
    if (const auto* m = fallback->if_contains("responseTemplates"); m && m->is_object())
      templates = m->get_object();
  }
  if (fallback && fallback->contains("statusCode")) {
    out.view["statusCode"] = fallback->at("statusCode");
    out.status_set = true;
  } else if (t.status) {
    out.view["statusCode"] = std::to_string(t.status);
  }
  out.view["responseParameters"] = std::move(params);
  out.view["responseTemplates"] = std::move(templates);
  out.view["defaultResponse"] = true;
  return out;
}

ApiError BadType(std::string_view type) {
  return BadRequest("Invalid response type specified: " + std::string(type));
}

ApiError GatewayResponseNotFound() { return NotFound("Invalid Gateway Response specified"); }

ApiError InvalidMapping(std::string_view what) {
  return BadRequest(
      "Invalid mapping expression specified: Validation Result: warnings : [], errors : [" +
      std::string(what) + "]");
}

// responseParameters: "gatewayresponse.{header,querystring,path}.<name>" mapped from a
// 'literal', method.request.{header,querystring,path,multivalueheader,multivaluequerystring}.X,
// stageVariables.X or context.X.
Status CheckParameters(const json::value& params) {
  if (!params.is_object()) return Ok{};
  for (const auto& [k, v] : params.get_object()) {
    std::string_view key = k;
    bool key_ok = false;
    for (std::string_view prefix :
         {"gatewayresponse.header.", "gatewayresponse.querystring.", "gatewayresponse.path."})
      key_ok = key_ok || (key.rfind(prefix, 0) == 0 && key.size() > prefix.size());
    if (!key_ok) return InvalidMapping("Invalid mapping expression specified: " + std::string(key));
    std::string_view value = v.is_string() ? std::string_view(v.get_string()) : std::string_view();
    bool value_ok = value.size() >= 2 && value.front() == '\'' && value.back() == '\'';
    for (std::string_view prefix :
         {"method.request.header.", "method.request.querystring.", "method.request.path.",
          "method.request.multivalueheader.", "method.request.multivaluequerystring.",
          "stageVariables.", "context."})
      value_ok = value_ok || (value.rfind(prefix, 0) == 0 && value.size() > prefix.size());
    if (!value_ok)
      return InvalidMapping("Invalid mapping expression parameter specified: " +
                            std::string(value));
  }
  return Ok{};
}

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

Result<Document> PutGatewayResponse(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  std::string api_id(StringMember(in, "restApiId"));
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  json::object given;
  for (std::string_view k : {"statusCode", "responseParameters", "responseTemplates"})
    if (HasMember(in, k)) given[k] = in.at(k);
  auto record = GatewayResponseFromInput(StringMember(in, "responseType"), given);
  if (!record) return std::move(record).error();
  auto st =
      SaveRecord(ctx, GatewayResponseKey(ctx, api_id, StringMember(in, "responseType")), *record);
  if (!st) return std::move(st).error();
  (*record)["defaultResponse"] = false;
  return Document(std::move(*record));
}

Result<Document> GetGatewayResponse(RequestContext& ctx, Document& in) {
  std::string api_id(StringMember(in, "restApiId"));
  const TypeInfo* type = FindType(StringMember(in, "responseType"));
  if (!type) return BadType(StringMember(in, "responseType"));
  auto responses = LoadGatewayResponses(ctx, api_id);
  if (!responses) return std::move(responses).error();
  return Document(EffectiveResponse(*type, &*responses).view);
}

Result<Document> GetGatewayResponses(RequestContext& ctx, Document& in) {
  std::string api_id(StringMember(in, "restApiId"));
  auto responses = LoadGatewayResponses(ctx, api_id);
  if (!responses) return std::move(responses).error();
  // Page pages by "id": the types' two-digit positions in the model's order stand in.
  std::vector<json::object> items;
  for (const auto& type : kTypes) {
    size_t n = items.size();
    items.push_back(EffectiveResponse(type, &*responses).view);
    items.back()["id"] =
        std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
  }
  auto page = Page(in, std::move(items));
  if (!page) return page;
  if (auto* list = page->as_object().if_contains("items"); list && list->is_array())
    for (auto& item : list->as_array())
      if (item.is_object()) item.as_object().erase("id");
  return page;
}

Status PatchGatewayResponse(const PatchOp& p, json::object& record) {
  if (p.path == "/statusCode") {
    if (p.op == "remove") {
      record.erase("statusCode");
      return Ok{};
    }
    if (p.op != "replace" && p.op != "add") return InvalidPatchPath(p);
    if (auto c = CheckStatusCode(p.value.value_or("")); !c) return c;
    record["statusCode"] = p.value.value_or("");
    return Ok{};
  }
  if (auto name = PatchMapKey(p, "responseParameters"))
    return PatchStringMap(p, record, "responseParameters", *name, false);
  if (auto media = PatchMapKey(p, "responseTemplates"))
    return PatchStringMap(p, record, "responseTemplates", *media, false);
  return InvalidPatchPath(p);
}

Result<Document> UpdateGatewayResponse(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  std::string api_id(StringMember(in, "restApiId"));
  std::string type_name(StringMember(in, "responseType"));
  const TypeInfo* type = FindType(type_name);
  if (!type) return BadType(type_name);
  auto responses = LoadGatewayResponses(ctx, api_id);
  if (!responses) return std::move(responses).error();
  // A response never put starts from the type's own default (not DEFAULT_4XX/5XX's).
  const json::object* own = Customized(&*responses, type->type);
  json::object record = own ? *own : EffectiveResponse(*type, nullptr).view;
  record.erase("defaultResponse");
  for (const auto& p : PatchOps(in))
    if (auto st = PatchGatewayResponse(p, record); !st) return std::move(st).error();
  if (auto* params = record.if_contains("responseParameters"))
    if (auto st = CheckParameters(*params); !st) return std::move(st).error();
  for (std::string_view m : {"responseParameters", "responseTemplates"})
    if (!record.contains(m)) record[m] = json::object();
  auto st = SaveRecord(ctx, GatewayResponseKey(ctx, api_id, type_name), record);
  if (!st) return std::move(st).error();
  record["defaultResponse"] = false;
  return Document(std::move(record));
}

Result<Document> DeleteGatewayResponse(RequestContext& ctx, Document& in) {
  std::lock_guard lock(WriteMutex());
  std::string api_id(StringMember(in, "restApiId"));
  std::string type_name(StringMember(in, "responseType"));
  if (!FindType(type_name)) return BadType(type_name);
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  std::string key = GatewayResponseKey(ctx, api_id, type_name);
  auto existing = LoadRecord(*ctx.env, key);
  if (!existing) return std::move(existing).error();
  if (!*existing) return GatewayResponseNotFound();
  auto st = ctx.env->kv->Delete(kKeyspace, key);
  if (!st.ok()) return storage::StorageError(st);
  return Document(json::object());
}

}  // namespace

std::string GatewayResponseKey(const RequestContext& ctx, std::string_view api_id,
                               std::string_view type) {
  return ChildKey(ctx.account_id, ctx.region, Kind::kGatewayResponse, api_id, type);
}

Result<json::object> GatewayResponseFromInput(std::string_view type, const json::object& in) {
  if (!FindType(type)) return BadType(type);
  json::object record{{"responseType", type}};
  if (const auto* code = in.if_contains("statusCode")) {
    std::string_view c = code->is_string() ? std::string_view(code->get_string()) : "";
    if (auto st = CheckStatusCode(c); !st) return std::move(st).error();
    record["statusCode"] = c;
  }
  json::object params, templates;
  if (const auto* p = in.if_contains("responseParameters"); p && p->is_object()) {
    if (auto st = CheckParameters(*p); !st) return std::move(st).error();
    params = p->get_object();
  }
  if (const auto* m = in.if_contains("responseTemplates"); m && m->is_object())
    templates = m->get_object();
  record["responseParameters"] = std::move(params);
  record["responseTemplates"] = std::move(templates);
  return record;
}

Result<json::object> LoadGatewayResponses(const RequestContext& ctx, std::string_view api_id) {
  auto api = LoadApi(ctx, api_id);
  if (!api) return std::move(api).error();
  auto records = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kGatewayResponse, api_id);
  if (!records) return std::move(records).error();
  json::object out;
  for (auto& r : *records) {
    std::string type(Str(r, "responseType"));
    out[type] = std::move(r);
  }
  return out;
}

Status SnapshotGatewayResponses(const RequestContext& ctx, std::string_view api_id,
                                json::object& deployment) {
  auto responses = LoadGatewayResponses(ctx, api_id);
  if (!responses) return std::move(responses).error();
  deployment["_gatewayResponses"] = std::move(*responses);
  return Ok{};
}

http::Response RenderGatewayResponse(const GatewayError& error, const GatewayRequest& req) {
  http::Response r;
  r.status = error.status;
  if (!error.error_type.empty()) r.SetHeader("x-amzn-errortype", error.error_type);
  const TypeInfo* type = FindType(error.type);
  if (!req.responses || req.responses->empty() || !type) {
    // Nothing customized: API Gateway's default, {"message": ...}.
    r.SetHeader("content-type", "application/json");
    r.body = json::serialize(json::object{{"message", error.message}});
    return r;
  }
  // An error of no type of its own (DEFAULT_4XX, DEFAULT_5XX) takes the DEFAULT_ type of its
  // status; EffectiveResponse falls back from the others.
  if (type->status == 0) type = FindType(FallbackOf(error.status));
  Effective eff = EffectiveResponse(*type, req.responses);
  if (eff.status_set) {
    int status = std::atoi(std::string(Str(eff.view, "statusCode")).c_str());
    if (status >= 100 && status <= 599) r.status = status;
  }

  vtl::Bindings b;
  b.body = req.request ? req.request->body : std::string();
  static const std::vector<std::pair<std::string, std::string>> kNoPath;
  if (req.request)
    b.params =
        MethodRequestParams(*req.request, req.path_parameters ? *req.path_parameters : kNoPath);
  if (req.stage_variables) b.stage_variables = *req.stage_variables;
  json::object identity;
  if (req.request) {
    identity["sourceIp"] = req.request->remote_address;
    identity["userAgent"] = std::string(req.request->Header("user-agent"));
  }
  b.context = json::object{
      {"requestId", req.request_id},
      {"extendedRequestId", req.request_id},
      {"apiId", req.api_id},
      {"stage", req.stage},
      {"resourcePath", req.resource_path},
      {"resourceId", req.resource_id},
      {"httpMethod", req.request ? std::string_view(req.request->method) : std::string_view()},
      {"domainName", req.request ? req.request->HostName() : std::string_view()},
      {"identity", std::move(identity)},
      {"error",
       json::object{
           {"message", error.message.is_string() ? error.message : json::value(json::string())},
           {"messageString", json::serialize(error.message)},
           {"responseType", error.type},
           {"validationErrorString", error.type == "BAD_REQUEST_BODY" && error.message.is_string()
                                         ? error.message
                                         : json::value("")}}}};

  if (const auto* params = eff.view.if_contains("responseParameters");
      params && params->is_object())
    for (const auto& [k, v] : params->get_object()) {
      constexpr std::string_view kHeader = "gatewayresponse.header.";
      std::string_view key = k;
      if (key.rfind(kHeader, 0) != 0 || !v.is_string()) continue;
      if (auto value = RequestSource(v.get_string(), b))
        r.SetHeader(key.substr(kHeader.size()), *value);
    }

  std::string content_type = "application/json";
  const json::value* chosen = nullptr;
  if (const auto* templates = eff.view.if_contains("responseTemplates");
      templates && templates->is_object() && !templates->get_object().empty()) {
    const auto& map = templates->get_object();
    std::string accept = req.request ? MediaType(req.request->Header("accept")) : std::string();
    for (const auto& [k, v] : map)
      if (MediaType(k) == accept) chosen = &v, content_type = k;
    if (!chosen)
      if ((chosen = map.if_contains("application/json"))) content_type = "application/json";
    if (!chosen) chosen = &map.begin()->value(), content_type = map.begin()->key();
  }
  std::string text = chosen && chosen->is_string() ? std::string(chosen->get_string())
                     : chosen                      ? std::string()
                                                   : std::string(kDefaultTemplate);
  auto rendered = vtl::Render(text, b);
  r.body = rendered.ok() ? std::move(rendered.output)
                         : json::serialize(json::object{{"message", error.message}});
  if (r.Header("content-type").empty()) r.SetHeader("content-type", content_type);
  return r;
}

HandlerTable GatewayResponseHandlers() {
  HandlerTable t;
  t.emplace_back("PutGatewayResponse", &PutGatewayResponse);
  t.emplace_back("GetGatewayResponse", &GetGatewayResponse);
  t.emplace_back("GetGatewayResponses", &GetGatewayResponses);
  t.emplace_back("UpdateGatewayResponse", &UpdateGatewayResponse);
  t.emplace_back("DeleteGatewayResponse", &DeleteGatewayResponse);
  return t;
}

}  // namespace nimbus::apigateway
