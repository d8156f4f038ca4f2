// Asynchronous invocation settings (Put/Get/Update/Delete/ListFunctionEventInvokeConfigs) and
// the destinations an Event invocation's outcome is sent to (SQS, SNS, Lambda), plus the
// function's dead-letter queue.
#include <boost/json.hpp>

#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string ConfigPrefix(const RequestContext& ctx, std::string_view name) {
  return storage::ScopePrefix(ctx.account_id, ctx.region) + "e/" + std::string(name) + "/";
}

// The function (and qualifier) a config call names, checked to exist.
Result<FunctionRef> Target(RequestContext& ctx, const json::object& in) {
  auto ref = ParseFunctionName(in.at("FunctionName").get_string(), ctx.account_id, ctx.region);
  if (!ref) return ref;
  if (std::string q = Str(in, "Qualifier"); !q.empty()) ref->qualifier = q;
  if (ref->qualifier.empty()) ref->qualifier = "$LATEST";
  auto fn = Resolve(ctx, *ref);
  if (!fn) return std::move(fn).error();
  return ref;
}

std::string QualifiedArn(const RequestContext& ctx, const FunctionRef& ref) {
  return FunctionArn(ctx.region, ctx.account_id, ref.name) + ":" + ref.qualifier;
}

ApiError NoConfig(const std::string& arn) {
  return ResourceNotFound("The function " + arn + " doesn't have an EventInvokeConfig");
}

Status CheckDestinations(const json::object& config) {
  const json::value* d = config.if_contains("DestinationConfig");
  if (!d || !d->is_object()) return Ok{};
  for (const char* which : {"OnSuccess", "OnFailure"}) {
    const json::value* w = d->get_object().if_contains(which);
    if (!w || !w->is_object()) continue;
    std::string arn = Str(w->get_object(), "Destination");
    if (arn.empty()) continue;
    bool known = arn.rfind("arn:aws:sqs:", 0) == 0 || arn.rfind("arn:aws:sns:", 0) == 0 ||
                 arn.rfind("arn:aws:lambda:", 0) == 0 || arn.rfind("arn:aws:events:", 0) == 0;
    if (!known) return InvalidParameter("The destination ARN " + arn + " is invalid.");
  }
  return Ok{};
}

Result<Document> Store(LambdaState& s, RequestContext& ctx, const json::object& in, bool merge) {
  auto ref = Target(ctx, in);
  if (!ref) return std::move(ref).error();
  std::string key = ConfigPrefix(ctx, ref->name) + ref->qualifier;
  std::lock_guard lock(s.mu);
  json::object config;
  if (merge) {
    auto existing = LoadRecord(ctx, key);
    if (!existing) return std::move(existing).error();
    if (!*existing) return NoConfig(QualifiedArn(ctx, *ref));
    config = std::move(**existing);
  }
  for (const char* k : {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"})
    if (const json::value* v = in.if_contains(k)) config[k] = *v;
  config["FunctionArn"] = QualifiedArn(ctx, *ref);
  config["LastModified"] = ctx.env->clock->NowSeconds();
  if (auto st = CheckDestinations(config); !st) return std::move(st).error();
  auto st = storage::PutJson(*ctx.env->kv, kKeyspace, key, config);
  if (!st.ok()) return storage::StorageError(st);
  return json::value(std::move(config));
}

}  // namespace

Result<Document> PutFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx, Document& in) {
  return Store(s, ctx, in.get_object(), false);
}

Result<Document> UpdateFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx,
                                                 Document& in) {
  return Store(s, ctx, in.get_object(), true);
}

Result<Document> GetFunctionEventInvokeConfig(LambdaState&, RequestContext& ctx, Document& in) {
  auto ref = Target(ctx, in.get_object());
  if (!ref) return std::move(ref).error();
  auto rec = LoadRecord(ctx, ConfigPrefix(ctx, ref->name) + ref->qualifier);
  if (!rec) return std::move(rec).error();
  if (!*rec) return NoConfig(QualifiedArn(ctx, *ref));
  return json::value(std::move(**rec));
}

Result<Document> DeleteFunctionEventInvokeConfig(LambdaState& s, RequestContext& ctx,
                                                 Document& in) {
  auto ref = Target(ctx, in.get_object());
  if (!ref) return std::move(ref).error();
  std::string key = ConfigPrefix(ctx, ref->name) + ref->qualifier;
  std::lock_guard lock(s.mu);
  auto rec = LoadRecord(ctx, key);
  if (!rec) return std::move(rec).error();
  if (!*rec) return NoConfig(QualifiedArn(ctx, *ref));
  auto st = ctx.env->kv->Delete(kKeyspace, key);
  if (!st.ok()) return storage::StorageError(st);
  return json::value(json::object{});
}

Result<Document> ListFunctionEventInvokeConfigs(LambdaState&, RequestContext& ctx, Document& in) {
  auto ref = ParseFunctionName(in.get_object().at("FunctionName").get_string(), ctx.account_id,
                               ctx.region);
  if (!ref) return std::move(ref).error();
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  json::array list;
  auto st = storage::ScanJson(*ctx.env->kv, kKeyspace, ConfigPrefix(ctx, ref->name), "",
                              [&](std::string_view, json::value& doc) {
                                list.push_back(std::move(doc));
                                return true;
                              });
  if (!st.ok()) return storage::StorageError(st);
  return json::value(json::object{{"FunctionEventInvokeConfigs", std::move(list)}});
}

AsyncSettings LoadAsyncSettings(const RequestContext& ctx, std::string_view name,
                                std::string_view qualifier, const json::object& config) {
  AsyncSettings out;
  if (const json::value* d = config.if_contains("DeadLetterConfig"); d && d->is_object())
    out.dead_letter = Str(d->get_object(), "TargetArn");
  auto rec = LoadRecord(
      ctx, ConfigPrefix(ctx, name) + std::string(qualifier.empty() ? "$LATEST" : qualifier));
  if (!rec || !*rec) return out;
  const json::object& c = **rec;
  if (const json::value* v = c.if_contains("MaximumRetryAttempts"); v && v->is_number())
    out.max_retries = static_cast<int>(v->to_number<int64_t>());
  if (const json::value* v = c.if_contains("MaximumEventAgeInSeconds"); v && v->is_number())
    out.max_age_seconds = static_cast<int>(v->to_number<int64_t>());
  if (const json::value* d = c.if_contains("DestinationConfig"); d && d->is_object()) {
    for (const char* which : {"OnSuccess", "OnFailure"}) {
      const json::value* w = d->get_object().if_contains(which);
      if (!w || !w->is_object()) continue;
      (std::string_view(which) == "OnSuccess" ? out.on_success : out.on_failure) =
          Str(w->get_object(), "Destination");
    }
  }
  return out;
}

Task<void> SendToDestination(ServiceEnv* env, std::string account, std::string region,
                             std::string arn, std::string body, std::string request_id,
                             std::string error_code, std::string error_message) {
  RequestContext ctx;
  ctx.request_id = request_id;
  ctx.account_id = account;
  ctx.region = region;
  ctx.caller_arn = "arn:aws:iam::" + account + ":root";
  ctx.caller_user_id = account;
  ctx.service = "lambda";
  ctx.env = env;
  // arn:aws:<service>:<region>:<account>:<resource>
  std::vector<std::string> parts;
  size_t from = 0;
  for (int i = 0; i < 5; ++i) {
    size_t p = arn.find(':', from);
    if (p == std::string::npos) break;
    parts.push_back(arn.substr(from, p - from));
    from = p + 1;
  }
  if (parts.size() < 5) co_return;
  std::string service = parts[2];
  std::string resource = arn.substr(from);
  Result<Document> r = json::value();
  if (service == "sqs") {
    json::object get_url;
    get_url["QueueName"] = resource;
    get_url["QueueOwnerAWSAccountId"] = parts[4];
    auto url = co_await env->registry->Call(ctx, "sqs", "GetQueueUrl", json::value(get_url));
    if (!url) {
      r = std::move(url).error();
    } else {
      json::object send;
      send["QueueUrl"] = url->at("QueueUrl");
      send["MessageBody"] = body;
      if (!error_code.empty()) {
        // A dead-letter message carries the failure as message attributes.
        json::object attrs;
        auto attr = [](const std::string& v) {
          json::object a;
          a["DataType"] = "String";
          a["StringValue"] = v;
          return a;
        };
        attrs["RequestID"] = attr(request_id);
        attrs["ErrorCode"] = attr(error_code);
        attrs["ErrorMessage"] = attr(error_message.empty() ? error_code : error_message);
        send["MessageAttributes"] = std::move(attrs);
      }
      r = co_await env->registry->Call(ctx, "sqs", "SendMessage", json::value(send));
    }
  } else if (service == "sns") {
    json::object publish;
    publish["TopicArn"] = arn;
    publish["Message"] = body;
    r = co_await env->registry->Call(ctx, "sns", "Publish", json::value(publish));
  } else if (service == "lambda") {
    json::object invoke;
    invoke["FunctionName"] = arn;
    invoke["InvocationType"] = "Event";
    invoke["Payload"] = body;
    r = co_await env->registry->Call(ctx, "lambda", "Invoke", json::value(invoke));
  } else if (service == "events") {
    json::object entry;
    entry["Source"] = "lambda";
    entry["DetailType"] = "Lambda Function Invocation Result";
    entry["Detail"] = body;
    entry["EventBusName"] = arn;
    json::object put;
    put["Entries"] = json::array{entry};
    r = co_await env->registry->Call(ctx, "events", "PutEvents", json::value(put));
  }
  if (!r)
    spdlog::warn("lambda: cannot send invocation {} to {}: {}", request_id, arn, r.error().message);
}

}  // namespace nimbus::lambda
