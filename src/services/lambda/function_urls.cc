// Function URLs: the control plane (Create/Get/Update/Delete/ListFunctionUrlConfig(s)) and the
// data plane, requests to `<urlId>.lambda-url.<region>.<host>` answered by the function with
// the payload format 2.0 event (Lambda developer guide, "Lambda function URLs" and "Invoking
// Lambda function URLs").
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <cctype>

#include "core/auth/credentials.h"
#include "core/auth/sigv4.h"
#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "core/storage/kv_store.h"
#include "services/execute_api/cors.h"
#include "services/execute_api/lambda_proxy.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kNoSuchResource = "The resource you requested does not exist.";

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string UrlPrefix(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "u/" + std::string(name) + "/";
}

std::string UrlIdKey(std::string_view url_id) { return "!url/" + std::string(url_id); }

// 32 lowercase letters and digits, the same for the same function and qualifier (so a URL
// deleted and made again keeps its address, as on AWS).
std::string UrlId(const RequestContext& ctx, std::string_view name, std::string_view qualifier) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string digest = Sha256(ctx.account_id + "/" + ctx.region + "/" + std::string(name) + "/" +
                              std::string(qualifier));
  std::string out;
  for (size_t i = 0; i < 32; ++i) out += kAlphabet[static_cast<unsigned char>(digest[i]) % 36];
  return out;
}

// The function and qualifier ("$LATEST" when none) a URL call names. The qualifier must be an
// alias: the model's pattern ((?!^\d+$)^[0-9a-zA-Z-_]+$) rejects versions (and "$LATEST").
struct UrlTarget {
  std::string name;
  std::string qualifier;  // "$LATEST" or an alias name
  bool qualified = false;
};

Result<UrlTarget> TargetOf(const RequestContext& ctx, const json::object& in) {
  auto ref = ParseFunctionName(in.at("FunctionName").get_string(), ctx.account_id, ctx.region);
  if (!ref) return std::move(ref).error();
  std::string qualifier = ref->qualifier;
  if (const auto* q = in.if_contains("Qualifier"); q && q->is_string())
    qualifier = std::string(q->get_string());
  UrlTarget t{ref->name, "$LATEST", false};
  if (qualifier.empty()) return t;
  bool digits_only = true, valid = true;
  for (char c : qualifier) {
    if (!std::isdigit(static_cast<unsigned char>(c))) digits_only = false;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') valid = false;
  }
  if (!valid || digits_only || qualifier.size() > 128)
    return errors::Validation("1 validation error detected: Value '" + qualifier +
                              "' at 'qualifier' failed to satisfy constraint: Member must "
                              "satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
  t.qualifier = qualifier;
  t.qualified = true;
  return t;
}

std::string TargetArn(const RequestContext& ctx, const UrlTarget& t) {
  std::string arn = FunctionArn(ctx.region, ctx.account_id, t.name);
  return t.qualified ? arn + ":" + t.qualifier : arn;
}

// A stored config as the API shows it (members starting with '_' are internal).
json::object Public(const json::object& record, bool with_last_modified = true) {
  json::object out;
  for (const auto& [k, v] : record) {
    if (!k.empty() && k[0] == '_') continue;
    if (!with_last_modified && k == "LastModifiedTime") continue;
    out[k] = v;
  }
  return out;
}

ApiError NoSuchResource() { return ResourceNotFound(std::string(kNoSuchResource)); }

// The stored config of `t`, or ResourceNotFound as AWS words it for Get/Update/Delete.
Result<json::object> LoadConfig(const RequestContext& ctx, const UrlTarget& t) {
  auto fn = LoadRecord(ctx, FunctionKey(ctx, t.name));
  if (!fn) return std::move(fn).error();
  if (!*fn) return NoSuchResource();
  auto rec = LoadRecord(ctx, UrlPrefix(ctx, t.name) + t.qualifier);
  if (!rec) return std::move(rec).error();
  if (!*rec) return NoSuchResource();
  return std::move(**rec);
}

void CopySettings(const json::object& in, json::object* record) {
  for (const char* k : {"AuthType", "Cors", "InvokeMode"})
    if (const json::value* v = in.if_contains(k); v && !v->is_null()) (*record)[k] = *v;
}

std::string FunctionUrl(const RequestContext& ctx, std::string_view url_id) {
  uint16_t port = ctx.env->config ? ctx.env->config->port : 4566;
  return "http://" + std::string(url_id) + ".lambda-url." + ctx.region +
         ".localhost:" + std::to_string(port) + "/";
}

}  // namespace

Result<Document> CreateFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  auto t = TargetOf(ctx, in);
  if (!t) return std::move(t).error();
  std::lock_guard lock(s.mu);
  auto fn = LoadRecord(ctx, FunctionKey(ctx, t->name));
  if (!fn) return std::move(fn).error();
  if (!*fn) return ResourceNotFound("Function does not exist");
  std::string key = UrlPrefix(ctx, t->name) + t->qualifier;
  auto existing = LoadRecord(ctx, key);
  if (!existing) return std::move(existing).error();
  if (*existing)
    return ResourceConflict("Failed to create function url config for [functionArn = " +
                            Str(**existing, "FunctionArn") +
                            "]. Error message:  FunctionUrlConfig exists for this Lambda function");
  if (t->qualified) {
    auto alias = LoadRecord(ctx, AliasKey(ctx, t->name, t->qualifier));
    if (!alias) return std::move(alias).error();
    if (!*alias) return ResourceNotFound("Function does not exist");
  }
  std::string url_id = UrlId(ctx, t->name, t->qualifier);
  std::string now = LastModifiedNow(ctx);
  json::object record{{"FunctionUrl", FunctionUrl(ctx, url_id)},
                      {"FunctionArn", TargetArn(ctx, *t)},
                      {"InvokeMode", "BUFFERED"}};
  CopySettings(in, &record);
  record["CreationTime"] = now;
  record["LastModifiedTime"] = now;
  record["_url_id"] = url_id;
  storage::WriteBatch batch;
  storage::PutJson(batch, kKeyspace, key, record);
  storage::PutJson(batch, kKeyspace, UrlIdKey(url_id),
                   json::object{{"account", ctx.account_id},
                                {"region", ctx.region},
                                {"name", t->name},
                                {"qualifier", t->qualifier}});
  if (auto st = ctx.env->kv->Write(batch); !st.ok()) return storage::StorageError(st);
  return json::value(Public(record, false));
}

Result<Document> GetFunctionUrlConfig(LambdaState&, RequestContext& ctx, Document& input) {
  auto t = TargetOf(ctx, input.get_object());
  if (!t) return std::move(t).error();
  auto rec = LoadConfig(ctx, *t);
  if (!rec) return std::move(rec).error();
  return json::value(Public(*rec));
}

Result<Document> UpdateFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  auto t = TargetOf(ctx, in);
  if (!t) return std::move(t).error();
  std::lock_guard lock(s.mu);
  auto rec = LoadConfig(ctx, *t);
  if (!rec) return std::move(rec).error();
  CopySettings(in, &*rec);
  (*rec)["LastModifiedTime"] = LastModifiedNow(ctx);
  auto st = storage::PutJson(*ctx.env->kv, kKeyspace, UrlPrefix(ctx, t->name) + t->qualifier, *rec);
  if (!st.ok()) return storage::StorageError(st);
  return json::value(Public(*rec));
}

Result<Document> DeleteFunctionUrlConfig(LambdaState& s, RequestContext& ctx, Document& input) {
  auto t = TargetOf(ctx, input.get_object());
  if (!t) return std::move(t).error();
  std::lock_guard lock(s.mu);
  auto rec = LoadConfig(ctx, *t);
  if (!rec) return std::move(rec).error();
  storage::WriteBatch batch;
  batch.Delete(kKeyspace, UrlPrefix(ctx, t->name) + t->qualifier);
  batch.Delete(kKeyspace, UrlIdKey(Str(*rec, "_url_id")));
  if (auto st = ctx.env->kv->Write(batch); !st.ok()) return storage::StorageError(st);
  return json::value(json::object{});
}

Result<Document> ListFunctionUrlConfigs(LambdaState&, RequestContext& ctx, Document& input) {
  const auto& in = input.get_object();
  auto ref = ParseFunctionName(in.at("FunctionName").get_string(), ctx.account_id, ctx.region);
  if (!ref) return std::move(ref).error();
  auto fn = LoadRecord(ctx, FunctionKey(ctx, ref->name));
  if (!fn) return std::move(fn).error();
  if (!*fn) return NoSuchResource();
  std::vector<std::string> keys;
  std::vector<json::object> items;
  std::string prefix = UrlPrefix(ctx, ref->name);
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, prefix, "",
                              [&](std::string_view key, json::value& doc) {
                                keys.emplace_back(key.substr(prefix.size()));
                                items.push_back(Public(doc.get_object()));
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  size_t max_items = 50;
  if (const json::value* m = in.if_contains("MaxItems"); m && m->is_number())
    max_items = static_cast<size_t>(m->to_number<int64_t>());
  size_t i = MarkerStart(keys, Str(in, "Marker"));
  json::array list;
  for (; i < keys.size() && list.size() < max_items; ++i) list.push_back(items[i]);
  json::object out{{"FunctionUrlConfigs", std::move(list)}};
  if (i < keys.size()) out["NextMarker"] = keys[i - 1];
  return json::value(std::move(out));
}

Status DeleteFunctionUrls(const RequestContext& ctx, std::string_view name,
                          std::string_view qualifier, storage::WriteBatch* batch) {
  std::string prefix = UrlPrefix(ctx, name);
  auto st = storage::ScanJson(
      *ctx.env->kv, kKeyspace, prefix, "", [&](std::string_view key, json::value& doc) {
        if (!qualifier.empty() && key.substr(prefix.size()) != qualifier) return true;
        batch->Delete(kKeyspace, key);
        batch->Delete(kKeyspace, UrlIdKey(Str(doc.get_object(), "_url_id")));
        return true;
      });
  if (!st.ok()) return storage::StorageError(st);
  return Ok{};
}

// ---- Data plane ----

namespace {

http::Response Message(int status, std::string_view message) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "application/json");
  r.body = json::serialize(json::object{{"Message", message}});
  return r;
}

// AuthType AWS_IAM: the request must carry a SigV4 signature for the "lambda" signing name.
// It is verified when the key is known (always under --auth strict, where unknown keys fail).
// Returns the caller's credential (for requestContext.authorizer), or nullopt when refused.
struct Caller {
  std::string access_key_id, account_id, arn, user_id;
};
std::optional<Caller> Authenticate(ServiceEnv& env, const http::Request& request) {
  auth::RequestView view{request.method, request.path, request.query, &request.headers,
                         request.body};
  auth::AuthResult failure;
  auto sig = auth::ParseSignature(view, &failure);
  if (!sig || !failure.ok() || sig->service != "lambda") return std::nullopt;
  auto cred = env.credentials ? env.credentials->Find(sig->access_key_id) : std::nullopt;
  Caller caller;
  caller.access_key_id = sig->access_key_id;
  caller.account_id = env.config ? env.config->account : "000000000000";
  if (cred) {
    if (!auth::Verify(view, *sig, cred->secret_access_key, env.clock->Now()).ok())
      return std::nullopt;
    caller.account_id = cred->account_id;
    caller.arn = cred->principal_arn;
    caller.user_id = cred->user_id;
  } else if (env.config && env.config->strict_auth) {
    return std::nullopt;
  }
  if (caller.arn.empty()) caller.arn = "arn:aws:iam::" + caller.account_id + ":root";
  if (caller.user_id.empty()) caller.user_id = caller.account_id;
  return caller;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What Node's `awslambda.HttpResponseStream.from` declares: the answer begins with a prelude,
// JSON {statusCode, headers, cookies} ended by 8 NUL bytes, before the body.
constexpr std::string_view kPreludeContentType =
    "application/vnd.awslambda.http-integration-response";
constexpr std::string_view kPreludeEnd{"\0\0\0\0\0\0\0\0", 8};
constexpr size_t kMaxPreludeBytes = 64 * 1024;

// A function URL's streamed body: what followed the prelude in the pieces read so far, then each
// piece as the function writes it.
class UrlStreamBody final : public http::ResponseBodyStream {
 public:
  UrlStreamBody(std::shared_ptr<runtime::ResponseStream> stream, std::string first)
      : stream_(std::move(stream)), first_(std::move(first)) {}

  Task<bool> Read(std::string* chunk) override {
    if (!first_.empty()) {
      *chunk = std::move(first_);
      first_.clear();
      co_return true;
    }
    co_await stream_->Read(chunk);
    co_return true;
  }
  void Abandon() override { stream_->Abandon(); }

 private:
  std::shared_ptr<runtime::ResponseStream> stream_;
  std::string first_;
};

// The status, headers and cookies of a prelude; false when it is no JSON object.
bool ApplyPrelude(std::string_view text, http::Response* r) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return false;
  const json::object& o = v.get_object();
  if (const auto* code = o.if_contains("statusCode"); code && code->is_number()) {
    auto status = code->to_number<int64_t>(ec);
    if (!ec && status >= 100 && status <= 599) r->status = static_cast<int>(status);
  }
  if (const auto* headers = o.if_contains("headers"); headers && headers->is_object()) {
    for (const auto& [k, val] : headers->get_object())
      r->headers.emplace_back(
          Lower(k), val.is_string() ? std::string(val.get_string()) : json::serialize(val));
  }
  if (const auto* cookies = o.if_contains("cookies"); cookies && cookies->is_array()) {
    for (const auto& c : cookies->get_array())
      if (c.is_string()) r->headers.emplace_back("set-cookie", std::string(c.get_string()));
  }
  return true;
}

// InvokeMode RESPONSE_STREAM: waits for the function's first bytes (the prelude, when it wrote
// one with HttpResponseStream.from), answers the status and headers at once and streams the
// body as the function writes it. A handler that does not stream answers as in BUFFERED mode.
// nullopt: a 502 (the function failed before its first byte).
Task<std::optional<http::Response>> StreamedUrlResponse(
    std::shared_ptr<runtime::ResponseStream> stream) {
  std::string head, piece;
  bool ended = false;
  for (;;) {
    co_await stream->Read(&piece);
    if (piece.empty()) {
      ended = true;
      break;
    }
    head += piece;
    if (stream->content_type() != kPreludeContentType) break;
    if (head.find(kPreludeEnd) != std::string::npos) break;
    if (head.size() > kMaxPreludeBytes) {
      stream->Abandon();
      co_return std::nullopt;
    }
  }
  if (ended) {
    const runtime::InvocationOutcome& outcome = stream->outcome();
    if (outcome.kind != runtime::InvocationOutcome::Kind::kResponse) co_return std::nullopt;
    if (!outcome.streamed) co_return execute_api::ResponseFromLambda(outcome.payload, true);
    if (head.empty() && !outcome.stream_error_type.empty()) co_return std::nullopt;
  }
  http::Response r;
  std::string content_type = stream->content_type();
  if (content_type == kPreludeContentType) {
    size_t at = head.find(kPreludeEnd);
    if (at == std::string::npos || !ApplyPrelude(std::string_view(head).substr(0, at), &r))
      co_return std::nullopt;
    head.erase(0, at + kPreludeEnd.size());
    content_type = "application/octet-stream";
  }
  if (r.Header("content-type").empty()) r.SetHeader("content-type", content_type);
  if (ended) {
    r.body = std::move(head);
  } else {
    r.body_stream = std::make_shared<UrlStreamBody>(std::move(stream), std::move(head));
  }
  co_return r;
}

}  // namespace

Task<std::optional<http::Response>> ServeFunctionUrl(LambdaState& s, const http::Request& request,
                                                     const DataPlaneTarget& target,
                                                     std::string_view router_request_id) {
  ServiceEnv& env = *s.env;
  std::string url_id = Lower(target.id);
  std::string request_id = NewRequestId();
  auto not_found = [&] {
    http::Response r = Message(404, "Not Found");
    r.SetHeader("x-amzn-RequestId", request_id);
    return r;
  };
  json::value owner;
  auto st = storage::GetJson(*env.kv, kKeyspace, UrlIdKey(url_id), &owner);
  if (!st.ok() || !owner.is_object()) co_return not_found();
  const json::object& o = owner.get_object();
  RequestContext ctx = InternalContext(&env, Str(o, "account"), Str(o, "region"));
  ctx.request_id = std::string(router_request_id);
  std::string name = Str(o, "name"), qualifier = Str(o, "qualifier");
  auto rec = LoadRecord(ctx, UrlPrefix(ctx, name) + qualifier);
  if (!rec || !*rec) co_return not_found();
  const json::object& config = **rec;

  execute_api::Cors cors;
  if (const auto* c = config.if_contains("Cors"); c && c->is_object())
    cors.config = &c->get_object();
  auto finish = [&](http::Response r) {
    if (cors.config) execute_api::AddCorsHeaders(cors, request, &r);
    r.SetHeader("x-amzn-RequestId", request_id);
    return r;
  };
  // Browsers send preflights unsigned: they are answered from the configuration, before auth.
  if (cors.config && execute_api::IsPreflight(request)) {
    http::Response r = execute_api::Preflight(cors, request, 200);
    r.SetHeader("x-amzn-RequestId", request_id);
    co_return r;
  }

  execute_api::Invocation inv;
  inv.request = &request;
  inv.account_id = "anonymous";
  if (Str(config, "AuthType") == "AWS_IAM") {
    auto caller = Authenticate(env, request);
    if (!caller) {
      http::Response r = Message(403, "Forbidden");
      r.SetHeader("x-amzn-ErrorType", "AccessDeniedException");
      co_return finish(std::move(r));
    }
    inv.account_id = caller->account_id;
    inv.authorizer = json::object{{"iam", json::object{{"accessKey", caller->access_key_id},
                                                       {"accountId", caller->account_id},
                                                       {"callerId", caller->user_id},
                                                       {"cognitoIdentity", nullptr},
                                                       {"principalOrgId", nullptr},
                                                       {"userArn", caller->arn},
                                                       {"userId", caller->user_id}}}};
  }
  inv.api_id = url_id;
  inv.domain_name = target.domain_name;
  inv.domain_prefix = url_id;
  inv.stage = "$default";
  inv.route_key = "$default";
  inv.request_id = request_id;
  inv.path = UriDecode(target.path).value_or(target.path);
  inv.time_epoch_ms = env.clock->NowMillis();

  std::string function = FunctionArn(ctx.region, ctx.account_id, name);
  if (qualifier != "$LATEST") function += ":" + qualifier;
  json::object invoke;
  invoke["FunctionName"] = function;
  invoke["InvocationType"] = "RequestResponse";
  invoke["Payload"] = execute_api::EventV2(inv);
  if (Str(config, "InvokeMode") == "RESPONSE_STREAM") {
    auto started = StartStreamedInvoke(s, ctx, invoke, co_await asio::this_coro::executor);
    if (!started) {
      spdlog::info("lambda: function URL {}: invocation of {} failed: {} {}", url_id, function,
                   started.error().code, started.error().message);
      if (started.error().code == "TooManyRequestsException")
        co_return finish(Message(429, "Rate Exceeded."));
      co_return finish(Message(502, "Internal Server Error"));
    }
    auto response = co_await StreamedUrlResponse(std::move(started->stream));
    if (!response) {
      http::Response r;
      r.status = 502;
      r.SetHeader("content-type", "application/json");
      r.body = "Internal Server Error";
      co_return finish(std::move(r));
    }
    co_return finish(std::move(*response));
  }
  auto result =
      co_await env.registry->Call(ctx, "lambda", "Invoke", json::value(std::move(invoke)));
  if (!result) {
    spdlog::info("lambda: function URL {}: Invoke of {} failed: {} {}", url_id, function,
                 result.error().code, result.error().message);
    if (result.error().code == "TooManyRequestsException")
      co_return finish(Message(429, "Rate Exceeded."));
    co_return finish(Message(502, "Internal Server Error"));
  }
  const json::object& out = result->as_object();
  // A function error (or an answer that is no HTTP response) is a 502 with this body
  // (developer guide, "Invoking Lambda function URLs").
  auto bad_gateway = [&] {
    http::Response r;
    r.status = 502;
    r.SetHeader("content-type", "application/json");
    r.body = "Internal Server Error";
    return finish(std::move(r));
  };
  if (out.contains("FunctionError")) co_return bad_gateway();
  const auto* payload = out.if_contains("Payload");
  std::string_view text = payload && payload->is_string() ? std::string_view(payload->get_string())
                                                          : std::string_view();
  auto response = execute_api::ResponseFromLambda(text, true);
  if (!response) co_return bad_gateway();
  co_return finish(std::move(*response));
}

}  // namespace nimbus::lambda
