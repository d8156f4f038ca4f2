// The Runtime API of an execution environment: the runtime's invocation/next long poll, its
// answers (response, error, init/error) and the endpoints extensions call.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/common/document.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "services/lambda/runtime/environment_state.h"
#include "services/lambda/runtime/response_stream.h"

namespace nimbus::lambda::runtime {

namespace {

using State = ExecutionEnvironment::State;

http::Response JsonResponse(int status, const json::value& body) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "application/json");
  r.body = json::serialize(body);
  return r;
}

http::Response RuntimeApiError(int status, std::string_view type, std::string_view message) {
  return JsonResponse(status, json::object{{"errorMessage", message}, {"errorType", type}});
}

// The error document a runtime posted, or one made from its text when it is not JSON.
std::string ErrorDocument(const std::string& body, std::string_view header_type) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object()) return body;
  json::object o{{"errorMessage", body},
                 {"errorType", header_type.empty() ? "Unhandled" : header_type}};
  return json::serialize(o);
}

// GET /2018-06-01/runtime/invocation/next: long-polls (no thread held) until an invocation is
// waiting, then hands it over with AWS's headers.
Task<http::Response> NextInvocation(std::shared_ptr<State> st) {
  for (;;) {
    std::shared_ptr<Pending> deliver;
    {
      std::lock_guard lock(st->mu);
      if (st->dead || st->killed)
        co_return RuntimeApiError(500, "Runtime.Shutdown", "The environment is shutting down");
      if (!st->init_done) {
        st->init_done = true;
        st->init_ms = MillisSince(st->started);
      }
      auto& p = st->pending;
      // A runtime that has exited (not reaped yet) never gets it: the exit settles it.
      if (p && !p->delivered && !p->finished && ProcessExited(st->child.pidfd))
        co_return RuntimeApiError(500, "Runtime.Shutdown", "The environment is shutting down");
      if (p && !p->delivered && !p->finished) {
        p->delivered = true;
        p->delivered_at = SteadyClock::now();
        deliver = p;
      }
    }
    if (deliver) {
      const Invocation& inv = deliver->invocation;
      http::Response r;
      r.SetHeader("content-type", "application/json");
      r.SetHeader("lambda-runtime-aws-request-id", inv.request_id);
      r.SetHeader("lambda-runtime-deadline-ms",
                  std::to_string(WallMillis() + st->spec.timeout_seconds * 1000LL));
      r.SetHeader("lambda-runtime-invoked-function-arn", inv.invoked_function_arn);
      r.SetHeader("lambda-runtime-trace-id", inv.trace_id);
      if (!inv.client_context.empty())
        r.SetHeader("lambda-runtime-client-context", inv.client_context);
      r.body = inv.payload;
      co_return r;
    }
    auto [ec] = co_await st->next_signal.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return RuntimeApiError(500, "Runtime.Shutdown", "The environment is shutting down");
  }
}

// POST .../invocation/{id}/response and /error.
http::Response PostResult(State& st, const std::string& request_id, bool is_error,
                          const http::Request& request) {
  std::vector<LogEvent> emitted;
  http::Response out;
  bool streaming = request.Header("lambda-runtime-function-response-mode") == "streaming";
  std::lock_guard emit_lock(st.emit_mu);
  {
    std::lock_guard lock(st.mu);
    // Output the function wrote before answering is already in the pipe: take it first.
    st.ReadOutputLocked(&emitted);
    auto p = st.pending;
    if (!p || p->invocation.request_id != request_id || !p->delivered) {
      out = RuntimeApiError(400, "InvalidRequestID", "Invalid request ID");
    } else if (p->finished || p->streaming) {
      out = RuntimeApiError(400, "InvalidStateTransition",
                            "State transition from Ready to InvocationResponse failed for "
                            "runtime. Error: State transition is not allowed");
    } else if (!is_error && streaming) {
      // The trailers (Beast adds them to the fields) carry an error raised mid-stream.
      p->streamed = true;
      p->content_type = std::string(request.Header("content-type"));
      if (p->content_type.empty()) p->content_type = "application/octet-stream";
      p->stream_error_type = std::string(request.Header("lambda-runtime-function-error-type"));
      if (!p->stream_error_type.empty()) {
        auto body = Base64Decode(request.Header("lambda-runtime-function-error-body"));
        p->stream_error_body = body ? *body : std::string();
      }
      if (request.body.size() > kMaxStreamedResponseBytes) {
        p->stream_error_type = "Function.ResponseSizeTooLarge";
        p->stream_error_body =
            "Response payload size exceeded maximum allowed payload size (20971520 bytes).";
      }
      st.FinishLocked(p, InvocationOutcome::Kind::kResponse, request.body);
      out = JsonResponse(202, json::object{{"status", "OK"}});
    } else if (!is_error && request.body.size() > kMaxResponseBytes) {
      json::object e{{"errorMessage",
                      "Response payload size exceeded maximum allowed payload "
                      "size (6291556 bytes)."},
                     {"errorType", "Function.ResponseSizeTooLarge"}};
      st.FinishLocked(p, InvocationOutcome::Kind::kFunctionError, json::serialize(e));
      out = RuntimeApiError(413, "RequestEntityTooLarge",
                            "Exceeded maximum allowed payload size (6291556 bytes).");
    } else if (is_error) {
      st.FinishLocked(
          p, InvocationOutcome::Kind::kFunctionError,
          ErrorDocument(request.body, request.Header("lambda-runtime-function-error-type")));
      out = JsonResponse(202, json::object{{"status", "OK"}});
    } else {
      st.FinishLocked(p, InvocationOutcome::Kind::kResponse, request.body);
      out = JsonResponse(202, json::object{{"status", "OK"}});
    }
  }
  st.Emit(std::move(emitted));
  return out;
}

// The error a streamed answer reported after its bytes, from its trailers.
void StreamErrorFromTrailers(const http::HeaderList& trailers, Pending* p) {
  for (const auto& [name, value] : trailers) {
    if (name == "lambda-runtime-function-error-type") {
      p->stream_error_type = value;
    } else if (name == "lambda-runtime-function-error-body") {
      auto body = Base64Decode(value);
      p->stream_error_body = body ? *body : std::string();
    }
  }
}

// POST .../invocation/{id}/response of a runtime streaming its answer with chunked encoding
// ("Lambda-Runtime-Function-Response-Mode: streaming"): each piece goes on to the invocation's
// response stream as it arrives (or into the payload when the caller takes the answer whole), up
// to 20 MiB; the trailers carry an error raised mid-stream. The invocation ends with the body.
// A reader that went away (the client disconnected) does not stop the runtime: the rest of the
// body is read and dropped, so the invocation ends normally and the environment stays warm.
Task<http::Response> PostStreamedResponse(std::shared_ptr<State> st, std::string request_id,
                                          http::Request& request) {
  std::shared_ptr<Pending> p;
  std::shared_ptr<ResponseStream> sink;
  std::string content_type(request.Header("content-type"));
  if (content_type.empty()) content_type = "application/octet-stream";
  {
    std::lock_guard lock(st->mu);
    p = st->pending;
    if (!p || p->invocation.request_id != request_id || !p->delivered)
      co_return RuntimeApiError(400, "InvalidRequestID", "Invalid request ID");
    if (p->finished || p->streaming)
      co_return RuntimeApiError(400, "InvalidStateTransition",
                                "State transition from Ready to InvocationResponse failed for "
                                "runtime. Error: State transition is not allowed");
    p->streaming = true;
    sink = p->invocation.response_stream;
  }
  if (sink) sink->SetContentType(content_type);
  std::string piece, payload;
  size_t total = 0;
  bool forward = true, too_large = false, ok = true;
  for (;;) {
    if (!co_await request.body_stream->Read(&piece)) {
      ok = false;
      break;
    }
    if (piece.empty()) break;
    if (too_large) continue;
    if (total + piece.size() > kMaxStreamedResponseBytes) {
      piece.resize(kMaxStreamedResponseBytes - total);
      too_large = true;
    }
    total += piece.size();
    if (!sink) {
      payload += piece;
    } else if (forward && !piece.empty()) {
      forward = co_await sink->Write(std::move(piece));
    }
  }
  if (!ok) {
    // The runtime's connection broke mid-answer: its exit, or the function's timeout, ends the
    // invocation. Nobody hears this answer.
    std::lock_guard lock(st->mu);
    if (st->pending == p) p->streaming = false;
    http::Response r = RuntimeApiError(400, "InvalidRequest", "The response body was cut short");
    r.close = true;
    co_return r;
  }
  std::vector<LogEvent> emitted;
  {
    std::lock_guard emit_lock(st->emit_mu);
    {
      std::lock_guard lock(st->mu);
      // Output the function wrote before it ended its answer is in the pipe: take it first.
      st->ReadOutputLocked(&emitted);
      if (!p->finished) {
        p->streamed = true;
        p->content_type = content_type;
        StreamErrorFromTrailers(request.body_stream->trailers(), p.get());
        if (too_large) {
          p->stream_error_type = "Function.ResponseSizeTooLarge";
          p->stream_error_body =
              "Response payload size exceeded maximum allowed payload size (20971520 bytes).";
        }
        st->FinishLocked(p, InvocationOutcome::Kind::kResponse, std::move(payload));
      }
    }
    st->Emit(std::move(emitted));
  }
  co_return JsonResponse(202, json::object{{"status", "OK"}});
}

}  // namespace

Task<http::Response> HandleRuntimeApi(std::weak_ptr<State> weak, http::Request& request) {
  auto st = weak.lock();
  if (!st) co_return RuntimeApiError(500, "Runtime.Shutdown", "The environment is gone");
  std::string_view path = request.path;
  constexpr std::string_view kInvocation = "/2018-06-01/runtime/invocation/";
  if (request.body_stream) {
    // A chunked body (the listener streams only those): a streamed answer goes on as it
    // arrives; any other is read whole first, its trailers joining the headers.
    if (request.method == "POST" && path.substr(0, kInvocation.size()) == kInvocation &&
        path.ends_with("/response") &&
        request.Header("lambda-runtime-function-response-mode") == "streaming") {
      std::string_view id = path.substr(kInvocation.size());
      id.remove_suffix(std::string_view("/response").size());
      co_return co_await PostStreamedResponse(st, std::string(id), request);
    }
    bool too_large = false;
    std::string body;
    if (!co_await http::ReadWholeBody(request.body_stream.get(), kMaxBodyBytes, &body,
                                      &too_large)) {
      http::Response r = too_large ? RuntimeApiError(413, "RequestEntityTooLarge",
                                                     "Exceeded maximum allowed payload size.")
                                   : RuntimeApiError(400, "InvalidRequest", "Bad request");
      r.close = true;
      co_return r;
    }
    request.body = std::move(body);
    for (const auto& t : request.body_stream->trailers()) request.headers.push_back(t);
    request.body_stream.reset();
  }
  if (path == "/2018-06-01/runtime/invocation/next" && request.method == "GET")
    co_return co_await NextInvocation(st);
  if (path.substr(0, kInvocation.size()) == kInvocation && request.method == "POST") {
    std::string_view rest = path.substr(kInvocation.size());
    auto slash = rest.find('/');
    if (slash != std::string_view::npos) {
      std::string id(rest.substr(0, slash));
      std::string_view what = rest.substr(slash + 1);
      if (what == "response" || what == "error")
        co_return PostResult(*st, id, what == "error", request);
    }
  }
  if (path == "/2018-06-01/runtime/init/error" && request.method == "POST") {
    std::string body =
        ErrorDocument(request.body, request.Header("lambda-runtime-function-error-type"));
    {
      std::lock_guard lock(st->mu);
      st->init_error = body;
      if (st->pending) st->FinishLocked(st->pending, InvocationOutcome::Kind::kInitError, body);
    }
    co_return JsonResponse(202, json::object{{"status", "OK"}});
  }
  if (path == "/2020-01-01/extension/register" && request.method == "POST") {
    http::Response r = JsonResponse(200, json::object{{"functionName", st->spec.function_name},
                                                      {"functionVersion", st->spec.version},
                                                      {"handler", st->spec.handler}});
    r.SetHeader("lambda-extension-identifier", NewUuid());
    co_return r;
  }
  if (path == "/2020-01-01/extension/event/next" && request.method == "GET") {
    // Extensions hear of no invocations here; they are told to shut down with the environment.
    co_await st->death.async_receive(asio::as_tuple(asio::use_awaitable));
    co_return JsonResponse(200, json::object{{"eventType", "SHUTDOWN"},
                                             {"shutdownReason", "spindown"},
                                             {"deadlineMs", WallMillis() + 2000}});
  }
  if ((path == "/2020-01-01/extension/init/error" || path == "/2020-01-01/extension/exit/error") &&
      request.method == "POST")
    co_return JsonResponse(202, json::object{{"status", "OK"}});
  if ((path == "/2022-07-01/telemetry" || path == "/2020-08-15/logs") && request.method == "PUT")
    co_return JsonResponse(200, json::object{});
  co_return RuntimeApiError(404, "NotFound", "No such Runtime API route");
}

}  // namespace nimbus::lambda::runtime
