// Invoke: RequestResponse, Event (asynchronous, retried twice) and DryRun; qualifiers and alias
// routing; throttling by reserved and account concurrency; LogType=Tail.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <random>

#include "core/common/clock.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/protocol/event_stream.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace asio = boost::asio;

namespace {

std::string Str(const json::object& o, std::string_view k, std::string_view fallback = "") {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

double Roll() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// An X-Ray trace header as Lambda passes it to the runtime.
std::string NewTraceId(int64_t now_seconds) {
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08llx", static_cast<unsigned long long>(now_seconds));
  return "Root=1-" + std::string(epoch) + "-" + RandomHex(24) + ";Parent=" + RandomHex(16) +
         ";Sampled=0;Lineage=1:" + RandomHex(8) + ":0";
}

Result<runtime::FunctionSpec> SpecFor(LambdaState& s, const RequestContext& ctx,
                                      const ResolvedFunction& fn) {
  const json::object& c = fn.config;
  runtime::FunctionSpec spec;
  spec.function_name = Str(c, "FunctionName");
  spec.function_arn = FunctionArn(ctx.region, ctx.account_id, spec.function_name);
  spec.version = Str(c, "Version", "$LATEST");
  spec.runtime = Str(c, "Runtime");
  spec.handler = Str(c, "Handler");
  spec.role = Str(c, "Role");
  spec.memory_mb = static_cast<int>(c.at("MemorySize").to_number<int64_t>());
  spec.timeout_seconds = static_cast<int>(c.at("Timeout").to_number<int64_t>());
  spec.ephemeral_storage_mb = EphemeralStorageMb(c);
  if (const json::value* env = c.if_contains("Environment"); env && env->is_object()) {
    const json::value* vars = env->get_object().if_contains("Variables");
    if (vars && vars->is_object())
      for (const auto& [k, v] : vars->get_object())
        if (v.is_string())
          spec.environment.emplace_back(std::string(k), std::string(v.get_string()));
  }
  auto dir = CodeDir(s, fn.code);
  if (!dir) return std::move(dir).error();
  spec.code_dir = *dir;
  auto opt = OptDir(s, ctx, c);
  if (!opt) return std::move(opt).error();
  spec.opt_dir = *opt;
  spec.region = ctx.region;
  spec.account = ctx.account_id;
  spec.revision = Str(c, "RevisionId");
  return spec;
}

// The io_context under a handler's executor (a connection strand): environments live on the
// server's context, not on the strand of the connection that happened to start them.
asio::any_io_executor ServerExecutor(const asio::any_io_executor& ex) {
  auto& context = asio::query(ex, asio::execution::context);
  return static_cast<asio::io_context&>(context).get_executor();
}

json::value ParsedOrString(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::value(text);
  return v;
}

// The record AWS sends to an asynchronous invocation's destination.
std::string DestinationRecord(const runtime::Invocation& inv, const std::string& function_arn,
                              const std::string& condition, int attempts,
                              const runtime::InvocationOutcome& outcome, const std::string& version,
                              bool admitted) {
  json::object request_context;
  request_context["requestId"] = inv.request_id;
  request_context["functionArn"] = function_arn;
  request_context["condition"] = condition;
  request_context["approximateInvokeCount"] = attempts;
  json::object response_context;
  response_context["statusCode"] = admitted ? 200 : 429;
  response_context["executedVersion"] = version;
  if (admitted && outcome.kind != runtime::InvocationOutcome::Kind::kResponse)
    response_context["functionError"] = "Unhandled";
  json::object record;
  record["version"] = "1.0";
  record["timestamp"] = FormatIso8601(std::chrono::system_clock::now(), true);
  record["requestContext"] = std::move(request_context);
  record["requestPayload"] = ParsedOrString(inv.payload);
  record["responseContext"] = std::move(response_context);
  record["responsePayload"] = admitted ? ParsedOrString(outcome.payload) : json::value();
  return json::serialize(record);
}

// Runs an Event invocation: the first attempt now, then up to `max_retries` more after a
// function error, a timeout, a runtime exit or a throttle, waiting base × 1 and base × 2
// seconds, while the event is younger than its maximum age; then the outcome goes to the
// OnSuccess or OnFailure destination, and a failed event to the dead-letter queue.
Task<void> RunAsync(LambdaState* s, asio::any_io_executor executor, runtime::FunctionSpec spec,
                    runtime::Invocation invocation, int reserved, AsyncSettings settings,
                    std::string qualified_arn) {
  asio::steady_timer timer(executor);
  auto enqueued = std::chrono::steady_clock::now();
  runtime::InvocationOutcome outcome;
  bool admitted = false, ok = false, expired = false;
  int attempts = 0;
  for (int attempt = 0; attempt <= settings.max_retries; ++attempt) {
    if (attempt > 0) {
      timer.expires_after(std::chrono::seconds(s->async_retry_base_seconds * attempt));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (std::chrono::steady_clock::now() - enqueued >
          std::chrono::seconds(settings.max_age_seconds)) {
        expired = true;
        break;
      }
    }
    ++attempts;
    outcome = runtime::InvocationOutcome();
    auto admission = co_await s->pool->Invoke(executor, spec, invocation, reserved,
                                              kAccountConcurrency, &outcome);
    admitted = admission == runtime::EnvironmentPool::Admission::kAdmitted;
    ok = admitted && outcome.kind == runtime::InvocationOutcome::Kind::kResponse;
    if (ok) break;
    spdlog::info("lambda: asynchronous invocation {} of {} failed (attempt {} of {})",
                 invocation.request_id, spec.function_name, attempt + 1, settings.max_retries + 1);
  }
  std::string condition = ok ? "Success" : expired ? "EventAgeExceeded" : "RetriesExhausted";
  std::string destination = ok ? settings.on_success : settings.on_failure;
  if (!destination.empty()) {
    co_await SendToDestination(s->env, spec.account, spec.region, destination,
                               DestinationRecord(invocation, qualified_arn, condition, attempts,
                                                 outcome, spec.version, admitted),
                               invocation.request_id, "", "");
  }
  if (!ok && !settings.dead_letter.empty()) {
    std::string code = !admitted ? "429" : "200";
    std::string message;
    if (admitted) {
      json::error_code ec;
      json::value err = json::parse(outcome.payload, ec);
      if (!ec && err.is_object() && err.get_object().if_contains("errorMessage") &&
          err.get_object().at("errorMessage").is_string())
        message = std::string(err.get_object().at("errorMessage").get_string());
    }
    co_await SendToDestination(s->env, spec.account, spec.region, settings.dead_letter,
                               invocation.payload, invocation.request_id, code, message);
  }
}

}  // namespace

namespace {

// Accepts every value: basic_parser's syntax check alone, with json::parse's limits.
struct NoValueHandler {
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();
  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(size_t, json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view, size_t, json::error_code&) { return true; }
  bool on_key(json::string_view, size_t, json::error_code&) { return true; }
  bool on_string_part(json::string_view, size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

json::error_code JsonSyntaxError(std::string_view text) {
  json::basic_parser<NoValueHandler> parser{json::parse_options()};
  json::error_code ec;
  // As json::parse: one complete value, then nothing but whitespace.
  size_t n = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = json::error::extra_data;
  return ec;
}

namespace {

// An invocation checked and resolved: the function version (after alias routing) and the
// invocation the runtime receives.
struct Prepared {
  FunctionRef ref;
  std::shared_ptr<const InvokeTarget> target;
  runtime::Invocation inv;
};

std::string TargetKey(const RequestContext& ctx, const FunctionRef& ref) {
  std::string key;
  key.reserve(ctx.account_id.size() + ctx.region.size() + ref.name.size() +
              ref.qualifier.size() + 3);
  key.append(ctx.account_id).append(1, '\n').append(ctx.region).append(1, '\n');
  key.append(ref.name).append(1, '\n').append(ref.qualifier);
  return key;
}

// The function version `ref` names, from the cache when no write came since it was read.
// `dry_run`: resolved only (no spec, nothing unpacked or cached) unless it was cached.
Result<std::shared_ptr<const InvokeTarget>> FindTarget(LambdaState& s, const RequestContext& ctx,
                                                       const FunctionRef& ref, bool dry_run) {
  std::string key = TargetKey(ctx, ref);
  uint64_t generation = s.targets.generation();
  if (auto hit = s.targets.Find(key, generation)) return hit;
  auto fn = Resolve(ctx, ref);
  if (!fn) return std::move(fn).error();
  auto target = std::make_shared<InvokeTarget>();
  target->fn = std::move(*fn);
  if (dry_run) return std::shared_ptr<const InvokeTarget>(std::move(target));
  target->version = Str(target->fn.config, "Version", "$LATEST");
  auto spec = SpecFor(s, ctx, target->fn);
  if (!spec) return std::move(spec).error();
  target->spec = std::move(*spec);
  if (const json::value* c = target->fn.function.if_contains("concurrency"); c && c->is_number())
    target->reserved = static_cast<int>(c->to_number<int64_t>());
  std::shared_ptr<const InvokeTarget> out = std::move(target);
  s.targets.Store(std::move(key), generation, out);
  return out;
}

// What Invoke and InvokeWithResponseStream share: the function name and qualifier, the payload
// limits and JSON check, alias weights, DryRun (nullopt: answer 204), the environment spec and
// the client context.
Result<std::optional<Prepared>> Prepare(LambdaState& s, RequestContext& ctx, const json::object& in,
                                        std::string_view type) {
  auto ref = ParseFunctionName(in.at("FunctionName").get_string(), ctx.account_id, ctx.region);
  if (!ref) return std::move(ref).error();
  if (const json::value* q = in.if_contains("Qualifier"); q && q->is_string() && !q->get_string().empty()) {
    if (!ref->qualifier.empty() && ref->qualifier != q->get_string())
      return InvalidParameter(
          "The derived qualifier from the function name does not match "
          "the specified qualifier.");
    ref->qualifier = std::string(q->get_string());
  }
  bool dry_run = type == "DryRun";
  auto target = FindTarget(s, ctx, *ref, dry_run);
  if (!target) return std::move(target).error();
  std::string payload = Str(in, "Payload");
  if (type == "Event" && payload.size() > kMaxAsyncPayload)
    return RequestTooLarge("Request must be smaller than " + std::to_string(kMaxAsyncPayload) +
                           " bytes for the InvokeAsync operation");
  if (payload.size() > kMaxSyncPayload)
    return RequestTooLarge(
        "Request must be smaller than 6291456 bytes for the "
        "InvokeFunction operation");
  if (!payload.empty()) {
    if (json::error_code ec = JsonSyntaxError(payload))
      return ApiError("InvalidRequestContentException", 400,
                      "Could not parse request body into json: Could not parse payload into "
                      "json: " +
                          ec.message());
  }
  // An alias with weights sends a share of its invocations to the additional version.
  if (const auto& alias = (*target)->fn.alias) {
    std::string picked = PickAliasVersion(*alias, Roll());
    if (picked != Str(*alias, "FunctionVersion")) {
      auto other = FindTarget(s, ctx, FunctionRef{ref->name, picked}, dry_run);
      if (!other) return std::move(other).error();
      target = std::move(other);
    }
  }
  if (dry_run) return std::optional<Prepared>();

  Prepared p;
  p.target = std::move(*target);
  const runtime::FunctionSpec& spec = p.target->spec;
  p.inv.request_id = ctx.request_id;
  p.inv.payload = payload.empty() ? "{}" : std::move(payload);
  p.inv.invoked_function_arn = spec.function_arn;
  if (!ref->qualifier.empty()) p.inv.invoked_function_arn += ":" + ref->qualifier;
  if (std::string cc = Str(in, "ClientContext"); !cc.empty()) {
    auto decoded = Base64Decode(cc);
    if (!decoded)
      return InvalidParameter("Client context must be a valid Base64-encoded JSON object.");
    p.inv.client_context = *decoded;
  }
  p.inv.trace_id = NewTraceId(static_cast<int64_t>(ctx.env->clock->NowSeconds()));
  p.ref = std::move(*ref);
  return std::optional<Prepared>(std::move(p));
}

std::optional<ApiError> Throttled(runtime::EnvironmentPool::Admission admission) {
  if (admission == runtime::EnvironmentPool::Admission::kFunctionThrottled)
    return TooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded");
  if (admission == runtime::EnvironmentPool::Admission::kAccountThrottled)
    return TooManyRequests("ConcurrentInvocationLimitExceeded");
  return std::nullopt;
}

}  // namespace

std::shared_ptr<const InvokeTarget> InvokeTargetCache::Find(const std::string& key,
                                                            uint64_t generation) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) return nullptr;
  return it->second.target;
}

void InvokeTargetCache::Store(std::string key, uint64_t generation,
                              std::shared_ptr<const InvokeTarget> target) {
  std::lock_guard lock(mu_);
  if (generation != generation_.load(std::memory_order_acquire)) return;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[std::move(key)] = Entry{generation, std::move(target)};
}

void InvokeTargetCache::Invalidate() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  std::lock_guard lock(mu_);
  entries_.clear();
}

namespace {

// A streamed response goes out in chunks of at most this size (PayloadChunk events).
constexpr size_t kStreamChunkBytes = 64 * 1024;

}  // namespace

Task<Result<Document>> Invoke(LambdaState& s, RequestContext& ctx, Document input) {
  const auto& in = input.get_object();
  std::string type = Str(in, "InvocationType", "RequestResponse");
  auto prepared = Prepare(s, ctx, in, type);
  if (!prepared) co_return std::move(prepared).error();
  if (!*prepared) co_return json::value(json::object{{"StatusCode", 204}});
  Prepared& p = **prepared;
  auto executor = ServerExecutor(co_await asio::this_coro::executor);

  const InvokeTarget& target = *p.target;
  if (type == "Event") {
    AsyncSettings settings =
        LoadAsyncSettings(ctx, p.ref.name, p.ref.qualifier, target.fn.config);
    std::string qualified = target.spec.function_arn + ":" +
                            (p.ref.qualifier.empty() ? std::string("$LATEST") : p.ref.qualifier);
    asio::co_spawn(executor,
                   RunAsync(&s, executor, target.spec, std::move(p.inv), target.reserved,
                            std::move(settings), std::move(qualified)),
                   asio::detached);
    co_return json::value(json::object{{"StatusCode", 202}});
  }

  runtime::InvocationOutcome outcome;
  auto admission = co_await s.pool->Invoke(executor, target.spec, std::move(p.inv),
                                           target.reserved, kAccountConcurrency, &outcome);
  if (auto throttled = Throttled(admission)) co_return std::move(*throttled);
  json::object out{{"StatusCode", 200},
                   {"ExecutedVersion", target.version},
                   {"Payload", std::move(outcome.payload)}};
  if (outcome.kind != runtime::InvocationOutcome::Kind::kResponse ||
      !outcome.stream_error_type.empty())
    out["FunctionError"] = "Unhandled";
  if (Str(in, "LogType") == "Tail")
    out["LogResult"] = Base64Encode(runtime::LogTail(outcome.log, 4096));
  co_return json::value(std::move(out));
}

namespace {

// Runs a streamed invocation to its end and hands the outcome to its stream.
Task<void> RunStreamed(LambdaState* s, asio::any_io_executor executor,
                       std::shared_ptr<const InvokeTarget> target, runtime::Invocation invocation) {
  auto stream = invocation.response_stream;
  runtime::InvocationOutcome outcome;
  co_await s->pool->Run(executor, target->spec, std::move(invocation), &outcome);
  stream->Finish(std::move(outcome));
}

// PayloadChunk events of `bytes`, at most kStreamChunkBytes each, appended to `*events`.
void AppendPayloadChunks(std::string_view bytes, std::string* events) {
  for (size_t at = 0; at < bytes.size(); at += kStreamChunkBytes)
    *events += protocol::EncodeEvent("PayloadChunk", "application/octet-stream",
                                     bytes.substr(at, kStreamChunkBytes));
}

// InvokeWithResponseStream's body: a PayloadChunk event for each piece as the runtime streams it
// (or for the whole answer of a handler that does not stream, at its end), then InvokeComplete
// with the error raised mid-stream, or the function's error, and the log tail for LogType=Tail.
class EventStreamBody final : public http::ResponseBodyStream {
 public:
  EventStreamBody(std::shared_ptr<runtime::ResponseStream> stream, bool log_tail)
      : stream_(std::move(stream)), log_tail_(log_tail) {}

  Task<bool> Read(std::string* chunk) override {
    chunk->clear();
    if (done_) co_return true;
    co_await stream_->Read(&piece_);
    if (!piece_.empty()) {
      AppendPayloadChunks(piece_, chunk);
      co_return true;
    }
    done_ = true;
    const runtime::InvocationOutcome& outcome = stream_->outcome();
    json::object complete;
    if (outcome.kind == runtime::InvocationOutcome::Kind::kResponse) {
      // A handler that does not stream answers once, at its end (a streamed answer's bytes went
      // out already and are not in the payload).
      if (!outcome.streamed) AppendPayloadChunks(outcome.payload, chunk);
      if (!outcome.stream_error_type.empty()) {
        complete["ErrorCode"] = outcome.stream_error_type;
        complete["ErrorDetails"] = outcome.stream_error_body;
      }
    } else {
      // The function failed before answering (or died mid-stream): its error in InvokeComplete.
      complete["ErrorCode"] = "Unhandled";
      complete["ErrorDetails"] = outcome.payload;
    }
    if (log_tail_) complete["LogResult"] = Base64Encode(runtime::LogTail(outcome.log, 4096));
    *chunk +=
        protocol::EncodeEvent("InvokeComplete", "application/json", json::serialize(complete));
    co_return true;
  }

  void Abandon() override { stream_->Abandon(); }

 private:
  std::shared_ptr<runtime::ResponseStream> stream_;
  bool log_tail_;
  bool done_ = false;
  std::string piece_;
};

}  // namespace

Result<StartedStream> StartStreamedInvoke(LambdaState& s, RequestContext& ctx,
                                          const json::object& in,
                                          const asio::any_io_executor& handler_executor) {
  auto prepared = Prepare(s, ctx, in, Str(in, "InvocationType", "RequestResponse"));
  if (!prepared) return std::move(prepared).error();
  if (!*prepared) return StartedStream{};
  Prepared& p = **prepared;
  auto admission = s.pool->Admit(p.target->spec, p.target->reserved, kAccountConcurrency);
  if (auto throttled = Throttled(admission)) return std::move(*throttled);
  auto executor = ServerExecutor(handler_executor);
  StartedStream started;
  started.stream = std::make_shared<runtime::ResponseStream>(executor);
  started.executed_version = p.target->version;
  p.inv.response_stream = started.stream;
  asio::co_spawn(executor, RunStreamed(&s, executor, std::move(p.target), std::move(p.inv)),
                 asio::detached);
  return started;
}

// InvokeWithResponseStream: the function's answer as an event stream of PayloadChunk events and
// a final InvokeComplete, each event sent as the runtime streams its piece. A handler that
// streams (Node's awslambda.streamifyResponse, or a custom runtime posting with
// "Lambda-Runtime-Function-Response-Mode: streaming") sends what it writes as it writes it, up
// to 20 MiB; any other handler's answer is one chunk at its end. The status and headers go out
// once the invocation is admitted (throttles are errors before it).
Task<Result<Document>> InvokeWithResponseStream(LambdaState& s, RequestContext& ctx,
                                                Document input) {
  const auto& in = input.get_object();
  auto started = StartStreamedInvoke(s, ctx, in, co_await asio::this_coro::executor);
  if (!started) co_return std::move(started).error();
  if (!started->stream) co_return json::value(json::object{{"StatusCode", 204}});
  ctx.response_body_stream =
      std::make_shared<EventStreamBody>(started->stream, Str(in, "LogType") == "Tail");
  co_return json::value(json::object{
      {"StatusCode", 200}, {"ExecutedVersion", started->executed_version}, {"EventStream", ""}});
}

}  // namespace nimbus::lambda
