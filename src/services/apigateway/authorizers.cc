// CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer (patch operations), DeleteAuthorizer for
// REST APIs: Lambda authorizers of type TOKEN (one header) and REQUEST (headers, query string
// parameters, stage variables, context variables). COGNITO_USER_POOLS is not built.
#include <boost/json.hpp>
#include <cctype>
#include <regex>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/http/http_types.h"
#include "core/storage/json_store.h"
#include "core/storage/kv_store.h"
#include "services/apigateway/method_auth.h"
#include "services/apigateway/rest.h"

namespace nimbus::apigateway {

namespace {

constexpr std::string_view kCopied[] = {"name",
                                        "type",
                                        "authType",
                                        "authorizerUri",
                                        "authorizerCredentials",
                                        "identitySource",
                                        "identityValidationExpression",
                                        "authorizerResultTtlInSeconds",
                                        "providerARNs"};

std::string_view Str(const json::object& o, std::string_view member) {
  const auto* v = o.if_contains(member);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// One identity source of a REQUEST authorizer.
bool ValidRequestSource(std::string_view s) {
  for (std::string_view prefix :
       {"method.request.header.", "method.request.querystring.", "stageVariables.", "context."})
    if (s.rfind(prefix, 0) == 0 && s.size() > prefix.size()) return true;
  return false;
}

// AWS's rules for an authorizer record (CreateAuthorizer's input or a patched record); fills in
// the defaults.
Status CheckAuthorizer(json::object& record) {
  std::string type(Str(record, "type"));
  if (type == "COGNITO_USER_POOLS")
    return NotBuilt("COGNITO_USER_POOLS authorizers are not implemented in nimbus.");
  if (type != "TOKEN" && type != "REQUEST")
    return BadRequest(
        "Invalid authorizer type specified. Valid options are TOKEN, REQUEST, "
        "COGNITO_USER_POOLS");
  if (Str(record, "name").empty()) return BadRequest("Authorizer name must be non-empty");
  std::string_view uri = Str(record, "authorizerUri");
  if (uri.empty()) return BadRequest("Authorizer URI is required for authorizer of type " + type);
  if (uri.rfind("arn:aws:apigateway:", 0) != 0 ||
      uri.find(":lambda:path/") == std::string_view::npos)
    return BadRequest("Invalid Authorizer URI specified: " + std::string(uri) +
                      ". Authorizer URIs have the form arn:aws:apigateway:<region>:lambda:path/"
                      "2015-03-31/functions/<function ARN>/invocations");
  if (!record.contains("authorizerResultTtlInSeconds") ||
      record.at("authorizerResultTtlInSeconds").is_null())
    record["authorizerResultTtlInSeconds"] = 300;
  const auto& ttl = record.at("authorizerResultTtlInSeconds");
  if (!ttl.is_int64() || ttl.get_int64() < 0 || ttl.get_int64() > 3600)
    return BadRequest("Invalid authorizer TTL specified: the value must be between 0 and 3600");
  std::string_view source = Str(record, "identitySource");
  if (type == "TOKEN") {
    constexpr std::string_view kHeader = "method.request.header.";
    if (source.rfind(kHeader, 0) != 0 || source.size() == kHeader.size() ||
        source.find(',') != std::string_view::npos)
      return BadRequest(
          "Invalid identity source specified: a TOKEN authorizer takes one header, "
          "method.request.header.<name>");
    std::string_view expression = Str(record, "identityValidationExpression");
    if (!expression.empty()) {
      try {
        std::regex check{std::string(expression)};
      } catch (const std::regex_error&) {
        return BadRequest("Invalid identity validation expression specified: " +
                          std::string(expression));
      }
    }
    return Ok{};
  }
  if (source.empty()) {
    if (ttl.get_int64() > 0)
      return BadRequest("Identity source is required when authorizer caching is enabled");
    return Ok{};
  }
  size_t pos = 0;
  while (pos <= source.size()) {
    auto comma = source.find(',', pos);
    std::string part =
        Trim(source.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (!ValidRequestSource(part))
      return BadRequest("Invalid identity source specified: " + part +
                        ". Identity sources are method.request.header.<name>, "
                        "method.request.querystring.<name>, stageVariables.<name> or "
                        "context.<name>");
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return Ok{};
}

Result<json::object> LoadAuthorizer(const RequestContext& ctx, std::string_view api_id,
                                    std::string_view id, std::string* key) {
  if (id.empty() || id.find('/') != std::string_view::npos) return AuthorizerNotFound();
  *key = ChildKey(ctx.account_id, ctx.region, Kind::kAuthorizer, api_id, id);
  auto r = LoadRecord(*ctx.env, *key);
  if (!r) return std::move(r).error();
  if (!*r) return AuthorizerNotFound();
  return std::move(**r);
}

std::string NewAuthorizerId() {
  // Six lowercase alphanumerics, as AWS's (the deployment id has the same form).
  return NewDeploymentId();
}

Status PatchAuthorizer(const PatchOp& p, json::object& record) {
  if (p.op != "replace") return InvalidPatchPath(p);
  static constexpr std::string_view kStrings[] = {"/name",
                                                  "/type",
                                                  "/authType",
                                                  "/authorizerUri",
                                                  "/authorizerCredentials",
                                                  "/identitySource",
                                                  "/identityValidationExpression"};
  for (auto path : kStrings) {
    if (p.path != path) continue;
    if (p.value && !p.value->empty())
      record[path.substr(1)] = *p.value;
    else
      record.erase(path.substr(1));
    return Ok{};
  }
  if (p.path == "/authorizerResultTtlInSeconds") {
    std::string v = p.value.value_or("");
    bool digits = !v.empty() && v.size() <= 6;
    for (char c : v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits)
      return BadRequest("Invalid authorizer TTL specified: the value must be between 0 and 3600");
    record["authorizerResultTtlInSeconds"] = std::stoll(v);
    return Ok{};
  }
  return InvalidPatchPath(p);
}

}  // namespace

Status CheckMethodAuthorizer(const RequestContext& ctx, std::string_view api_id,
                             std::string_view auth, std::string_view authorizer_id) {
  std::string key;
  auto a = LoadAuthorizer(ctx, api_id, authorizer_id, &key);
  if (!a) {
    if (a.error().code == "NotFoundException") return BadRequest("Invalid authorizer ID specified");
    return std::move(a).error();
  }
  std::string_view type = Str(*a, "type");
  bool lambda = type == "TOKEN" || type == "REQUEST";
  if ((auth == "CUSTOM") != lambda)
    return BadRequest("Invalid authorizer ID specified: authorizer " + std::string(authorizer_id) +
                      " is of type " + std::string(type));
  return Ok{};
}

HandlerTable AuthorizerHandlers() {
  HandlerTable t;
  t.emplace_back("CreateAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string id = NewAuthorizerId();
    json::object record{{"id", id}};
    for (auto m : kCopied)
      if (HasMember(in, m)) record[m] = in.get_object().at(m);
    auto st = CheckAuthorizer(record);
    if (!st) return std::move(st).error();
    st = SaveRecord(ctx, ChildKey(ctx.account_id, ctx.region, Kind::kAuthorizer, api_id, id),
                    record);
    if (!st) return std::move(st).error();
    return Document(std::move(record));
  });
  t.emplace_back("GetAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key;
    auto a = LoadAuthorizer(ctx, api_id, StringMember(in, "authorizerId"), &key);
    if (!a) return std::move(a).error();
    return Document(std::move(*a));
  });
  t.emplace_back("GetAuthorizers", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    auto all = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kAuthorizer, api_id);
    if (!all) return std::move(all).error();
    return Page(in, std::move(*all));
  });
  t.emplace_back("UpdateAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key;
    auto a = LoadAuthorizer(ctx, api_id, StringMember(in, "authorizerId"), &key);
    if (!a) return std::move(a).error();
    json::object record = std::move(*a);
    for (const auto& p : PatchOps(in)) {
      auto st = PatchAuthorizer(p, record);
      if (!st) return std::move(st).error();
    }
    auto st = CheckAuthorizer(record);
    if (!st) return std::move(st).error();
    st = SaveRecord(ctx, key, record);
    if (!st) return std::move(st).error();
    return Document(std::move(record));
  });
  t.emplace_back("DeleteAuthorizer", [](RequestContext& ctx, Document& in) -> Result<Document> {
    std::lock_guard lock(WriteMutex());
    std::string api_id(StringMember(in, "restApiId"));
    auto api = LoadApi(ctx, api_id);
    if (!api) return std::move(api).error();
    std::string key;
    std::string id(StringMember(in, "authorizerId"));
    auto a = LoadAuthorizer(ctx, api_id, id, &key);
    if (!a) return std::move(a).error();
    auto resources = LoadChildren(*ctx.env, ctx.account_id, ctx.region, Kind::kResource, api_id);
    if (!resources) return std::move(resources).error();
    for (const auto& r : *resources) {
      const auto* methods = r.if_contains("resourceMethods");
      if (!methods || !methods->is_object()) continue;
      for (const auto& [name, m] : methods->get_object())
        if (m.is_object() && Str(m.get_object(), "authorizerId") == id)
          return Conflict("Cannot delete authorizer '" + std::string(Str(*a, "name")) +
                          "', is referenced in method: " + std::string(name) + " " +
                          std::string(Str(r, "path")));
    }
    auto st = ctx.env->kv->Delete(kKeyspace, key);
    if (!st.ok()) return storage::StorageError(st);
    return Document(json::object());
  });
  return t;
}

Task<Result<Document>> TestInvokeAuthorizer(RequestContext& ctx, Document in) {
  std::string api_id(StringMember(in, "restApiId"));
  auto api = LoadApi(ctx, api_id);
  if (!api) co_return std::move(api).error();
  std::string key;
  auto authorizer = LoadAuthorizer(ctx, api_id, StringMember(in, "authorizerId"), &key);
  if (!authorizer) co_return std::move(authorizer).error();

  // The request the input describes: GET pathWithQueryString with its headers and body.
  http::Request request;
  request.method = "GET";
  std::string target(StringMember(in, "pathWithQueryString"));
  if (target.empty() || target[0] != '/') target = "/" + target;
  request.target = target;
  auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  auto add_headers = [&](std::string_view member, bool lists) {
    if (!HasMember(in, member) || !in.at(member).is_object()) return;
    for (const auto& [name, v] : in.at(member).get_object()) {
      std::string lower(name);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!lists && v.is_string()) request.headers.emplace_back(lower, std::string(v.get_string()));
      if (lists && v.is_array())
        for (const auto& item : v.get_array())
          if (item.is_string()) request.headers.emplace_back(lower, std::string(item.get_string()));
    }
  };
  add_headers("headers", false);
  add_headers("multiValueHeaders", true);
  request.body = std::string(StringMember(in, "body"));
  request.remote_address = ctx.http ? ctx.http->remote_address : "127.0.0.1";

  execute_api::Invocation inv;
  inv.request = &request;
  inv.account_id = ctx.account_id;
  inv.api_id = api_id;
  inv.domain_name = api_id + ".execute-api.localhost";
  inv.domain_prefix = api_id;
  inv.stage = "test-invoke-stage";
  inv.request_id = NewRequestId();
  inv.path = UriDecode(request.path).value_or(request.path);
  inv.rest_path = inv.path;
  inv.resource_path = inv.path;
  if (HasMember(in, "stageVariables") && in.at("stageVariables").is_object())
    inv.stage_variables = in.at("stageVariables").get_object();
  inv.time_epoch_ms = ctx.env->clock->NowMillis();
  inv.rest_api = true;
  // The method ARN API Gateway's test invocations name.
  std::string method_arn = "arn:aws:execute-api:" + ctx.region + ":" + ctx.account_id + ":" +
                           api_id + "/ESTestInvoke-stage/GET/";
  auto run = co_await RunAuthorizer(*ctx.env, *authorizer, inv, method_arn, false);
  json::object out{{"latency", run.latency_ms}};
  std::string log = "Execution log for request " + inv.request_id +
                    "\nStarting authorizer: " + key.substr(key.rfind('/') + 1) +
                    " for request: " + inv.request_id + "\n";
  if (run.refusal) {
    out["clientStatus"] = run.refusal->status;
    log += "Unauthorized request or authorizer failure: " + std::to_string(run.refusal->status);
  } else {
    out["clientStatus"] = 200;
    out["principalId"] = run.answer.at("principalId");
    out["policy"] = json::serialize(run.answer.at("policyDocument"));
    log += "Successfully completed authorizer execution";
  }
  out["log"] = log;
  co_return Document(std::move(out));
}

}  // namespace nimbus::apigateway
