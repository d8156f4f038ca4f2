// Models (JSON Schema draft 4 documents, by name) and request validators (by id) of REST APIs,
// and the request validation a deployed method asks for.
#include "services/apigateway/validators.h"

#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/json_schema.h"
#include "services/apigateway/rest.h"

namespace nimbus::apigateway {

namespace {

ApiError ModelNotFound() { return NotFound("Invalid model name specified"); }
ApiError ValidatorNotFound() { return NotFound("Invalid Request Validator identifier specified"); }

bool ValidModelName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

// Every "$ref" string in a schema.
void CollectRefs(const json::value& v, std::vector<std::string>& out, int depth = 0) {
  if (depth > 64) return;
  if (v.is_object()) {
    for (const auto& [k, child] : v.get_object()) {
      if (k == "$ref" && child.is_string())
        out.emplace_back(child.get_string());
      else
        CollectRefs(child, out, depth + 1);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.get_array()) CollectRefs(child, out, depth + 1);
  }
}

// A model's schema text checked: JSON (an object) whose references to other models name models
// of the API.
Status CheckSchema(const RequestContext& ctx, std::string_view api_id, std::string_view text) {
  auto invalid = [](std::string what) {
    return BadRequest("Invalid model specified: Validation Result: warnings : [], errors : [" +
                      what + "]");
  };
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value schema = json::parse(text, ec, {}, opts);
  if (ec || !schema.is_object()) return invalid("Invalid model schema specified");
  std::vector<std::string> refs;
  CollectRefs(schema, refs);
  for (const auto& ref : refs) {
    if (ref.rfind("#", 0) == 0 && ref.rfind("#/definitions/", 0) != 0) continue;  // local
    std::string name = ModelNameOfRef(ref);
    if (name.empty()) return invalid("Invalid model reference specified: " + ref);
    auto m = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, name));
    if (!m) return std::move(m).error();
    if (!*m) return invalid("Invalid model name specified: " + name);
  }
  return Ok{};
}

// `v` with every reference to another model of the API replaced by that model's schema
// (GetModel's flatten); references deeper than 16 models stay references (cycles).
Status Flatten(const RequestContext& ctx, std::string_view api_id, json::value& v, int depth) {
  if (v.is_array()) {
    for (auto& child : v.get_array())
      if (auto st = Flatten(ctx, api_id, child, depth); !st) return st;
    return Ok{};
  }
  if (!v.is_object()) return Ok{};
  json::object& o = v.get_object();
  if (const auto* ref = o.if_contains("$ref"); ref && ref->is_string() && depth < 16) {
    std::string name = ModelNameOfRef(ref->get_string());
    if (!name.empty()) {
      auto m =
          LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, name));
      if (!m) return std::move(m).error();
      json::error_code ec;
      json::value schema = *m ? json::parse(StringMember(**m, "schema"), ec) : json::value();
      if (*m && !ec && schema.is_object()) {
        schema.get_object().erase("$schema");
        if (auto st = Flatten(ctx, api_id, schema, depth + 1); !st) return st;
        v = std::move(schema);
        return Ok{};
      }
    }
  }
  for (auto& [k, child] : o)
    if (auto st = Flatten(ctx, api_id, child, depth); !st) return st;
  return Ok{};
}

Status PatchModel(const RequestContext& ctx, std::string_view api_id, const PatchOp& p,
                  json::object& model) {
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.path == "/schema") {
    if (!p.value) return BadRequest("Invalid null or empty value in schema");
    auto st = CheckSchema(ctx, api_id, *p.value);
    if (!st) return st;
    model["schema"] = *p.value;
  } else if (p.path == "/description") {
    if (p.value)
      model["description"] = *p.value;
    else
      model.erase("description");
  } else {
    return InvalidPatchPath(p);
  }
  return Ok{};
}

Status PatchValidator(const PatchOp& p, json::object& v) {
  if (p.op != "replace") return InvalidPatchPath(p);
  if (p.path == "/name") {
    if (!p.value || p.value->empty()) return BadRequest("Invalid null or empty value in name");
    v["name"] = *p.value;
  } else if (p.path == "/validateRequestBody" || p.path == "/validateRequestParameters") {
    auto b = PatchBool(p);
    if (!b) return std::move(b).error();
    v[p.path.substr(1)] = *b;
  } else {
    return InvalidPatchPath(p);
  }
  return Ok{};
}

bool BoolOf(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_bool() && v->get_bool();
}

// Which methods of the API's resources use `pred`; "<path>/<METHOD>" of the first, or "".
template <typename Pred>
Result<std::string> FirstMethodWhere(const RequestContext& ctx, std::string_view api_id,
                                     Pred pred) {
  auto resources = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
  if (!resources) return std::move(resources).error();
  for (const auto& r : *resources) {
    const auto* methods = r.if_contains("resourceMethods");
    if (!methods || !methods->is_object()) continue;
    for (const auto& [name, m] : methods->get_object())
      if (m.is_object() && pred(m.get_object()))
        return std::string(StringMember(r, "path")) + "/" + std::string(name);
  }
  return std::string();
}

void AddModelHandlers(HandlerTable& t) {
  t.emplace_back("CreateModel", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string name(StringMember(in, "name"));
    if (!ValidModelName(name)) return BadRequest("Model name must be alphanumeric");
    if (StringMember(in, "contentType").empty())
      return BadRequest("Invalid null or empty value in contentType");
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, name);
    auto existing = LoadRecord(*ctx.env, key);
    if (!existing) return std::move(existing).error();
    if (*existing) return Conflict("Model name already exists for this REST API");
    json::object model{{"id", NewDeploymentId()},
                       {"name", name},
                       {"contentType", StringMember(in, "contentType")}};
    if (HasMember(in, "description")) model["description"] = StringMember(in, "description");
    if (HasMember(in, "schema")) {
      auto st = CheckSchema(ctx, api_id, StringMember(in, "schema"));
      if (!st) return std::move(st).error();
      model["schema"] = StringMember(in, "schema");
    }
    auto st = SaveRecord(ctx, key, model);
    if (!st) return std::move(st).error();
    return Document(std::move(model));
  });
  t.emplace_back("GetModel", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string_view name = StringMember(in, "modelName");
    if (name.find('/') != std::string_view::npos) return ModelNotFound();
    auto m = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, name));
    if (!m) return std::move(m).error();
    if (!*m) return ModelNotFound();
    const auto* flatten = in.get_object().if_contains("flatten");
    if (flatten && flatten->is_bool() && flatten->get_bool() &&
        !StringMember(**m, "schema").empty()) {
      json::error_code ec;
      json::value schema = json::parse(StringMember(**m, "schema"), ec);
      if (!ec) {
        if (auto st = Flatten(ctx, api_id, schema, 0); !st) return std::move(st).error();
        (**m)["schema"] = json::serialize(schema);
      }
    }
    return Document(std::move(**m));
  });
  t.emplace_back("GetModels", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kModel, api_id);
    if (!all) return std::move(all).error();
    return Page(in, std::move(*all));
  });
  t.emplace_back("UpdateModel", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string_view name = StringMember(in, "modelName");
    if (name.find('/') != std::string_view::npos) return ModelNotFound();
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, name);
    auto m = LoadRecord(*ctx.env, key);
    if (!m) return std::move(m).error();
    if (!*m) return ModelNotFound();
    for (const auto& p : PatchOps(in)) {
      auto st = PatchModel(ctx, api_id, p, **m);
      if (!st) return std::move(st).error();
    }
    auto st = SaveRecord(ctx, key, **m);
    if (!st) return std::move(st).error();
    return Document(std::move(**m));
  });
  t.emplace_back("DeleteModel", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string name(StringMember(in, "modelName"));
    if (name.find('/') != std::string::npos) return ModelNotFound();
    std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, name);
    auto m = LoadRecord(*ctx.env, key);
    if (!m) return std::move(m).error();
    if (!*m) return ModelNotFound();
    auto user = FirstMethodWhere(ctx, api_id, [&](const json::object& method) {
      const auto* models = method.if_contains("requestModels");
      if (!models || !models->is_object()) return false;
      for (const auto& [type, model] : models->get_object())
        if (model.is_string() && model.get_string() == name) return true;
      return false;
    });
    if (!user) return std::move(user).error();
    if (!user->empty())
      return Conflict("Cannot delete model '" + name +
                      "', is referenced in method request: " + *user);
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
}

void AddValidatorHandlers(HandlerTable& t) {
  t.emplace_back(
      "CreateRequestValidator", [](RequestContext& ctx, Document& in) -> Result<Document> {
        std::lock_guard lock(WriteMutex());
        std::string api_id(StringMember(in, "restApiId"));
        auto api = LoadApi(ctx, api_id);
        if (!api) return std::move(api).error();
        std::string id = NewDeploymentId();
        json::object v{{"id", id}};
        if (HasMember(in, "name")) v["name"] = StringMember(in, "name");
        for (std::string_view m : {"validateRequestBody", "validateRequestParameters"})
          v[m] = HasMember(in, m) && in.at(m).is_bool() && in.at(m).get_bool();
        auto st =
            SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kValidator, api_id, id), v);
        if (!st) return std::move(st).error();
        return Document(std::move(v));
      });
  t.emplace_back("GetRequestValidator", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string_view id = StringMember(in, "requestValidatorId");
    if (id.find('/') != std::string_view::npos) return ValidatorNotFound();
    auto v =
        LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kValidator, api_id, id));
    if (!v) return std::move(v).error();
    if (!*v) return ValidatorNotFound();
    return Document(std::move(**v));
  });
  t.emplace_back("GetRequestValidators", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kValidator, api_id);
    if (!all) return std::move(all).error();
    return Page(in, std::move(*all));
  });
  t.emplace_back(
      "UpdateRequestValidator", [](RequestContext& ctx, Document& in) -> Result<Document> {
        std::lock_guard lock(WriteMutex());
        std::string api_id(StringMember(in, "restApiId"));
        auto api = LoadApi(ctx, api_id);
        if (!api) return std::move(api).error();
        std::string_view id = StringMember(in, "requestValidatorId");
        if (id.find('/') != std::string_view::npos) return ValidatorNotFound();
        std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kValidator, api_id, id);
        auto v = LoadRecord(*ctx.env, key);
        if (!v) return std::move(v).error();
        if (!*v) return ValidatorNotFound();
        for (const auto& p : PatchOps(in)) {
          auto st = PatchValidator(p, **v);
          if (!st) return std::move(st).error();
        }
        auto st = SaveRecord(ctx, key, **v);
        if (!st) return std::move(st).error();
        return Document(std::move(**v));
      });
  t.emplace_back(
      "DeleteRequestValidator", [](RequestContext& ctx, Document& in) -> Result<Document> {
        std::lock_guard lock(WriteMutex());
        std::string api_id(StringMember(in, "restApiId"));
        auto api = LoadApi(ctx, api_id);
        if (!api) return std::move(api).error();
        std::string id(StringMember(in, "requestValidatorId"));
        if (id.find('/') != std::string::npos) return ValidatorNotFound();
        std::string key = ChildKey(ctx.account_id, ctx.region, Kind::kValidator, api_id, id);
        auto v = LoadRecord(*ctx.env, key);
        if (!v) return std::move(v).error();
        if (!*v) return ValidatorNotFound();
        auto user = FirstMethodWhere(ctx, api_id, [&](const json::object& method) {
          return StringMember(method, "requestValidatorId") == id;
        });
        if (!user) return std::move(user).error();
        if (!user->empty())
          return Conflict("Cannot delete request validator '" + id +
                          "', is referenced in method: " + *user);
        auto st = ctx.env->kv->Delete(kKeyspace, key);
        if (!st.ok()) return storage::StorageError(st);
        return Document(json::object());
      });
}

}  // namespace

std::vector<json::object> DefaultModels() {
  return {json::object{{"id", NewDeploymentId()},
                       {"name", "Empty"},
                       {"description", "This is a default empty schema model"},
                       {"contentType", "application/json"},
                       {"schema",
                        "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  "
                        "\"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"}},
          json::object{{"id", NewDeploymentId()},
                       {"name", "Error"},
                       {"description", "This is a default error schema model"},
                       {"contentType", "application/json"},
                       {"schema",
                        "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  "
                        "\"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  "
                        "\"properties\" : {\n    \"message\" : { \"type\" : \"string\" "
                        "}\n  }\n}"}}};
}

std::string ModelUrl(std::string_view api_id, std::string_view name) {
  return "https://apigateway.amazonaws.com/restapis/" + std::string(api_id) + "/models/" +
         std::string(name);
}

std::string ModelNameOfRef(std::string_view ref) {
  for (std::string_view prefix : {"#/definitions/", "#/components/schemas/"})
    if (ref.rfind(prefix, 0) == 0) return std::string(ref.substr(prefix.size()));
  constexpr std::string_view kUrl = "https://apigateway.amazonaws.com/restapis/";
  if (ref.rfind(kUrl, 0) == 0) {
    auto models = ref.find("/models/", kUrl.size());
    if (models != std::string_view::npos) return std::string(ref.substr(models + 8));
  }
  return "";
}

Status CheckMethodReferences(const RequestContext& ctx, std::string_view api_id,
                             const Document& in) {
  if (HasMember(in, "requestValidatorId")) {
    std::string_view id = StringMember(in, "requestValidatorId");
    if (id.empty() || id.find('/') != std::string_view::npos)
      return BadRequest("Invalid Request Validator identifier specified");
    auto v =
        LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kValidator, api_id, id));
    if (!v) return std::move(v).error();
    if (!*v) return BadRequest("Invalid Request Validator identifier specified");
  }
  if (HasMember(in, "requestModels") && in.at("requestModels").is_object()) {
    for (const auto& [type, name] : in.at("requestModels").get_object()) {
      std::string_view n = name.is_string() ? std::string_view(name.get_string()) : "";
      if (n.empty() || n.find('/') != std::string_view::npos)
        return BadRequest("Invalid model identifier specified: " + std::string(n));
      auto m = LoadRecord(*ctx.env, ChildKey(ctx.account_id, ctx.region, Kind::kModel, api_id, n));
      if (!m) return std::move(m).error();
      if (!*m) return BadRequest("Invalid model identifier specified: " + std::string(n));
    }
  }
  return Ok{};
}

Status SnapshotModels(const RequestContext& ctx, std::string_view api_id,
                      json::object& deployment) {
  auto models = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kModel, api_id);
  if (!models) return std::move(models).error();
  auto validators = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kValidator, api_id);
  if (!validators) return std::move(validators).error();
  json::object m, v;
  for (auto& x : *models) {
    std::string name(StringMember(x, "name"));
    m[name] = std::move(x);
  }
  for (auto& x : *validators) {
    std::string id(StringMember(x, "id"));
    v[id] = std::move(x);
  }
  deployment["_models"] = std::move(m);
  deployment["_validators"] = std::move(v);
  return Ok{};
}

std::optional<std::string> ValidateInvocation(const json::object& deployment,
                                              const json::object& method,
                                              const http::Request& request) {
  std::string_view validator_id = StringMember(method, "requestValidatorId");
  if (validator_id.empty()) return std::nullopt;
  const auto* validators = deployment.if_contains("_validators");
  if (!validators || !validators->is_object()) return std::nullopt;
  const auto* validator = validators->get_object().if_contains(validator_id);
  if (!validator || !validator->is_object()) return std::nullopt;
  const json::object& rules = validator->get_object();

  if (BoolOf(rules, "validateRequestParameters")) {
    std::vector<std::string> missing;
    std::vector<std::pair<std::string, std::string>> query;
    bool query_parsed = false;
    if (const auto* params = method.if_contains("requestParameters"); params && params->is_object())
      for (const auto& [key, required] : params->get_object()) {
        if (!required.is_bool() || !required.get_bool()) continue;
        std::string_view k = key;
        constexpr std::string_view kPrefix = "method.request.";
        if (k.rfind(kPrefix, 0) != 0) continue;
        k.remove_prefix(kPrefix.size());
        auto dot = k.find('.');
        if (dot == std::string_view::npos) continue;
        std::string_view where = k.substr(0, dot), name = k.substr(dot + 1);
        bool present = true;
        if (where == "querystring" || where == "multivaluequerystring") {
          if (!query_parsed) {
            query = http::ParseQuery(request.query, true);
            query_parsed = true;
          }
          present = false;
          for (const auto& [qk, qv] : query) present = present || qk == name;
        } else if (where == "header" || where == "multivalueheader") {
          std::string lower(name);
          for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          present = request.HasHeader(lower);
        }
        if (!present) missing.emplace_back(name);
      }
    if (!missing.empty()) {
      std::string msg = "Missing required request parameters: [";
      for (size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + missing[i];
      return msg + "]";
    }
  }

  if (BoolOf(rules, "validateRequestBody")) {
    const auto* request_models = method.if_contains("requestModels");
    if (!request_models || !request_models->is_object()) return std::nullopt;
    std::string type(request.Header("content-type"));
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type.empty()) type = "application/json";  // what API Gateway assumes without one
    const auto& rm = request_models->get_object();
    std::string_view model_name = StringMember(rm, type);
    if (model_name.empty()) model_name = StringMember(rm, "$default");
    if (model_name.empty() || model_name == "Empty") return std::nullopt;
    const auto* models = deployment.if_contains("_models");
    if (!models || !models->is_object()) return std::nullopt;
    const auto* model = models->get_object().if_contains(model_name);
    if (!model || !model->is_object()) return std::nullopt;
    std::string_view schema_text = StringMember(model->get_object(), "schema");
    if (schema_text.empty()) return std::nullopt;
    json::parse_options opts;
    opts.max_depth = 64;
    json::error_code ec;
    json::value schema = json::parse(schema_text, ec, {}, opts);
    if (ec) return std::nullopt;
    json::value body = json::parse(request.body, ec, {}, opts);
    if (ec) return std::string("Invalid request body");
    // Other models, parsed once per invocation as they are referred to.
    std::map<std::string, json::value, std::less<>> parsed;
    const json::object& all = models->get_object();
    SchemaResolver resolve = [&](std::string_view ref) -> const json::value* {
      std::string name = ModelNameOfRef(ref);
      if (name.empty()) return nullptr;
      if (auto it = parsed.find(name); it != parsed.end()) return &it->second;
      const auto* other = all.if_contains(name);
      if (!other || !other->is_object()) return nullptr;
      json::error_code e;
      json::value s = json::parse(StringMember(other->get_object(), "schema"), e, {}, opts);
      if (e) return nullptr;
      return &parsed.emplace(name, std::move(s)).first->second;
    };
    if (auto violation = ValidateJsonSchema(schema, body, resolve)) {
      spdlog::debug("apigateway: request body rejected by model {}: {}", model_name, *violation);
      return std::string("Invalid request body");
    }
  }
  return std::nullopt;
}

HandlerTable ModelHandlers() {
  HandlerTable t;
  AddModelHandlers(t);
  AddValidatorHandlers(t);
  return t;
}

}  // namespace nimbus::apigateway
