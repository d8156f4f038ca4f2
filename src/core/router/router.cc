#include "core/router/router.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "core/auth/chunked.h"
#include "core/auth/credentials.h"
#include "core/auth/sigv4.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/common/logging.h"
#include "core/protocol/codec.h"
#include "core/router/internal_response.h"
#include "core/storage/blob_store.h"
#include "core/storage/kv_store.h"
#include "nimbus_version.h"

namespace nimbus {

namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool IsFormRequest(const http::Request& r) {
  std::string_view ct = r.Header("content-type");
  return ct.find("application/x-www-form-urlencoded") != std::string_view::npos;
}

// The service named in the SigV4 credential scope (".../<region>/<service>/aws4_request").
std::string_view ScopeService(const http::Request& r, std::string* storage) {
  std::string_view cred;
  std::string_view authz = r.Header("authorization");
  if (!authz.empty()) {
    auto pos = authz.find("Credential=");
    if (pos == std::string_view::npos) return {};
    cred = authz.substr(pos + 11);
    auto end = cred.find_first_of(", ");
    cred = cred.substr(0, end);
  } else {
    auto pos = r.query.find("X-Amz-Credential=");
    if (pos == std::string::npos) return {};
    auto v = std::string_view(r.query).substr(pos + 17);
    v = v.substr(0, v.find('&'));
    auto decoded = UriDecode(v);
    if (!decoded) return {};
    *storage = std::move(*decoded);
    cred = *storage;
  }
  // AKID/date/region/service/aws4_request
  size_t slashes[4];
  size_t from = 0;
  for (int i = 0; i < 4; ++i) {
    auto p = cred.find('/', from);
    if (p == std::string_view::npos) return {};
    slashes[i] = p;
    from = p + 1;
  }
  return cred.substr(slashes[2] + 1, slashes[3] - slashes[2] - 1);
}

// Temporary credentials past their Expiration, in each protocol family's words.
ApiError ExpiredTokenError(const protocol::ServiceModel& model) {
  if (model.protocol == "rest-xml" && model.name == "s3")
    return ApiError("ExpiredToken", 400, "The provided token has expired.");
  if (model.protocol == "query")
    return ApiError("ExpiredToken", 403, "The security token included in the request is expired");
  return ApiError("ExpiredTokenException", 400,
                  "The security token included in the request is expired");
}

// Auth failures in each protocol family's words. The issue of record: every one is a 403.
ApiError AuthError(const protocol::ServiceModel& model, auth::AuthFailure failure,
                   std::string_view detail, bool unknown_key, bool missing) {
  bool s3 = model.protocol == "rest-xml" && model.name == "s3";
  bool query = model.protocol == "query";
  if (missing)
    return ApiError(
        s3 ? "AccessDenied"
           : (query ? "MissingAuthenticationToken" : "MissingAuthenticationTokenException"),
        403, s3 ? "Access Denied" : "Request is missing Authentication Token");
  if (unknown_key) {
    if (s3)
      return ApiError("InvalidAccessKeyId", 403,
                      "The AWS Access Key Id you provided does not exist in our records.");
    return ApiError(query ? "InvalidClientTokenId" : "UnrecognizedClientException", 403,
                    "The security token included in the request is invalid.");
  }
  switch (failure) {
    case auth::AuthFailure::kMalformed:
      return ApiError(s3 ? "AuthorizationHeaderMalformed" : "IncompleteSignature", s3 ? 400 : 403,
                      std::string(detail));
    case auth::AuthFailure::kClockSkew:
      if (s3) return ApiError("RequestTimeTooSkewed", 403, std::string(detail));
      return ApiError(query ? "SignatureDoesNotMatch" : "InvalidSignatureException", 403,
                      std::string(detail));
    case auth::AuthFailure::kRequestExpired:
      return ApiError("AccessDenied", 403, "Request has expired");
    case auth::AuthFailure::kContentHashMismatch:
      return ApiError("XAmzContentSHA256Mismatch", 400,
                      "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.");
    default:
      return ApiError(query || s3 ? "SignatureDoesNotMatch" : "InvalidSignatureException", 403,
                      std::string(detail));
  }
}

bool IsTwelveDigits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Data planes named by the Host: "<id><marker><anything>" belongs to one of `services`, asked in
// order until one knows the id: API Gateway ("<apiId>.execute-api.<host>"; REST APIs and HTTP
// APIs share that namespace, an API id is either's) and Lambda function URLs
// ("<urlId>.lambda-url.<region>.<host>").
struct DataPlaneHost {
  std::string_view marker;
  std::string_view services[2];
};
constexpr DataPlaneHost kDataPlaneHosts[] = {{".execute-api.", {"apigatewayv2", "apigateway"}},
                                             {".lambda-url.", {"lambda", {}}}};
// ...and by a path prefix: "/_aws/execute-api/<id>/<path>" (for clients that cannot set Host),
// standing for the host "<id>.<host_label>.localhost".
struct DataPlanePath {
  std::string_view prefix;
  std::string_view services[2];
  std::string_view host_label;
};
constexpr DataPlanePath kDataPlanePaths[] = {
    {"/_aws/execute-api/", {"apigatewayv2", "apigateway"}, "execute-api"}};

// The data-plane target a request names, if any.
std::optional<RouteDecision> DataPlaneRoute(const http::Request& r) {
  std::string_view host = r.HostName();
  for (const auto& h : kDataPlaneHosts) {
    auto pos = host.find(h.marker);
    if (pos == std::string_view::npos || pos == 0) continue;
    std::string_view id = host.substr(0, pos);
    if (id.find('.') != std::string_view::npos) continue;
    RouteDecision d;
    for (auto svc : h.services)
      if (!svc.empty()) d.data_plane_services.emplace_back(svc);
    d.data_plane =
        DataPlaneTarget{std::string(id), r.path.empty() ? "/" : r.path, std::string(host)};
    return d;
  }
  for (const auto& p : kDataPlanePaths) {
    if (!StartsWith(r.path, p.prefix)) continue;
    std::string_view rest = std::string_view(r.path).substr(p.prefix.size());
    auto slash = rest.find('/');
    std::string_view id = rest.substr(0, slash);  // empty: the service finds nothing (404)
    std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    RouteDecision d;
    for (auto svc : p.services)
      if (!svc.empty()) d.data_plane_services.emplace_back(svc);
    d.data_plane =
        DataPlaneTarget{std::string(id), std::move(path),
                        std::string(id) + "." + std::string(p.host_label) + ".localhost"};
    return d;
  }
  return std::nullopt;
}

// A plain-text answer that closes the connection: what the server says when no service can.
http::Response ClosingText(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "text/plain");
  r.body = std::move(body);
  r.close = true;
  return r;
}

// The 413 the server answered before bodies over kStreamBodyBytes became streams: what every
// service but S3's uploads still answers for a body over http::kMaxBodyBytes.
http::Response EntityTooLargeText() { return ClosingText(413, "Request entity too large\n"); }

// A streamed body that could not be read (the client went away or timed out): nobody hears the
// answer; the connection closes.
http::Response BodyReadFailed() { return ClosingText(400, "Bad request\n"); }

// Reads a streamed body whole into request.body (for every consumer but the operations that take
// streams). The answer to send instead when it cannot: `too_large` for a body over the limit.
Task<std::optional<http::Response>> ReadStreamedBody(http::Request& request,
                                                     http::Response too_large) {
  bool over = false;
  std::string body;
  bool ok =
      co_await http::ReadWholeBody(request.body_stream.get(), http::kMaxBodyBytes, &body, &over);
  if (!ok) co_return over ? std::move(too_large) : BodyReadFailed();
  request.body = std::move(body);
  request.body_stream.reset();
  co_return std::nullopt;
}

// An aws-chunked body decoded as it streams in (and its chunk signatures checked on the way).
class ChunkedBodyStream final : public http::BodyStream {
 public:
  using ErrorOf = std::function<ApiError(const auth::ChunkedResult&)>;
  ChunkedBodyStream(std::shared_ptr<http::BodyStream> inner,
                    std::unique_ptr<auth::AwsChunkedDecoder> decoder, long long decoded_length,
                    ErrorOf error_of)
      : inner_(std::move(inner)), decoder_(std::move(decoder)), error_of_(std::move(error_of)) {
    if (decoded_length >= 0) length_ = static_cast<uint64_t>(decoded_length);
  }

  // One co_await and one co_return: the decoding is in Decode.
  Task<bool> Read(std::string* chunk) override {
    chunk->clear();
    bool ok = !failed_;
    while (ok && !done_ && chunk->empty()) {
      bool got = co_await inner_->Read(&raw_);
      ok = got ? Decode(chunk) : Fail(inner_->error());
    }
    co_return ok;
  }
  std::optional<uint64_t> length() const override { return length_; }
  bool done() const override { return done_; }
  const http::HeaderList& trailers() const override { return decoder_->result().trailers; }

 private:
  // Decodes the piece just read into `*chunk`; at the end of the body, checks it ended right.
  bool Decode(std::string* chunk) {
    if (raw_.empty()) {
      if (!decoder_->Finish()) return Fail(error_of_(decoder_->result()));
      done_ = true;
      return true;
    }
    if (decoder_->Feed(raw_, chunk)) return true;
    chunk->clear();
    return Fail(error_of_(decoder_->result()));
  }

  bool Fail(std::optional<ApiError> error) {
    failed_ = true;
    error_ = std::move(error);
    return false;
  }

  std::shared_ptr<http::BodyStream> inner_;
  std::unique_ptr<auth::AwsChunkedDecoder> decoder_;
  ErrorOf error_of_;
  std::optional<uint64_t> length_;
  std::string raw_;
  bool done_ = false, failed_ = false;
};

// A streamed body whose SHA-256 the signature covers (x-amz-content-sha256 of a signed
// payload): checked once the body has ended, before the handler can act on it.
class PayloadHashCheckStream final : public http::BodyStream {
 public:
  PayloadHashCheckStream(std::shared_ptr<http::BodyStream> inner, std::string expected_hex,
                         ApiError mismatch)
      : inner_(std::move(inner)),
        expected_hex_(std::move(expected_hex)),
        mismatch_(std::move(mismatch)) {}

  Task<bool> Read(std::string* chunk) override {
    chunk->clear();
    if (failed_) co_return false;
    if (done_) co_return true;
    if (!co_await inner_->Read(chunk)) {
      failed_ = true;
      error_ = inner_->error();
      co_return false;
    }
    if (!chunk->empty()) {
      hash_.Update(*chunk);
      co_return true;
    }
    std::string actual = HexEncode(hash_.Final());
    if (actual.size() != expected_hex_.size() ||
        !std::equal(actual.begin(), actual.end(), expected_hex_.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      failed_ = true;
      error_ = mismatch_;
      co_return false;
    }
    done_ = true;
    co_return true;
  }
  std::optional<uint64_t> length() const override { return inner_->length(); }
  bool done() const override { return done_; }

 private:
  std::shared_ptr<http::BodyStream> inner_;
  std::string expected_hex_;
  ApiError mismatch_;
  Sha256Stream hash_;
  bool done_ = false, failed_ = false;
};

}  // namespace

Router::Router(ServiceEnv* env, Registry* registry) : env_(env), registry_(registry) {
  // Routing reads only the models' metadata index; each model is parsed on its first request.
  for (const auto& svc : registry_->services()) {
    const auto* meta = protocol::GetMetadata(svc->name());
    if (!meta) continue;
    if (!meta->target_prefix.empty()) by_target_prefix_.emplace(meta->target_prefix, svc->name());
    if (!meta->signing_name.empty()) by_signing_name_.emplace(meta->signing_name, svc->name());
    if (meta->protocol == "query" || meta->aws_query_compatible)
      by_query_version_.emplace(meta->api_version, svc->name());
  }
}

RouteDecision Router::Route(const http::Request& r) const {
  RouteDecision d;
  auto known = [&](std::string_view name) { return registry_->Find(name) != nullptr; };
  if (auto dp = DataPlaneRoute(r)) {
    std::erase_if(dp->data_plane_services, [&](const std::string& s) { return !known(s); });
    if (!dp->data_plane_services.empty()) {
      dp->service = dp->data_plane_services.front();
      return std::move(*dp);
    }
  }
  std::string_view host = r.HostName();
  // Virtual-hosted S3: <bucket>.s3.<anything> and <bucket>.s3-<region>...
  if (host.find(".s3.") != std::string_view::npos && known("s3")) {
    d.service = "s3";
    return d;
  }
  std::string_view target = r.Header("x-amz-target");
  if (!target.empty()) {
    d.envelope = RouteDecision::Envelope::kJson;
    auto dot = target.rfind('.');
    std::string prefix(target.substr(0, dot == std::string_view::npos ? 0 : dot));
    auto it = by_target_prefix_.find(prefix);
    if (it != by_target_prefix_.end()) {
      d.service = it->second;
    } else {
      d.unknown = prefix.empty() ? std::string(target) : prefix;
    }
    return d;
  }
  std::string scope_storage;
  std::string_view scope = ScopeService(r, &scope_storage);
  if (!scope.empty()) {
    std::string s(scope);
    // Both API Gateway models sign as "apigateway": v2 is the one under /v2/.
    if (s == "apigateway" && StartsWith(r.path, "/v2/") && known("apigatewayv2"))
      return RouteDecision{"apigatewayv2", {}, RouteDecision::Envelope::kJson};
    if (s == "apigateway" && known("apigateway"))
      return RouteDecision{"apigateway", {}, RouteDecision::Envelope::kJson};
    if (s == "sqs" && IsFormRequest(r))
      return RouteDecision{"sqs", {}, RouteDecision::Envelope::kQuery};
    auto it = by_signing_name_.find(s);
    if (it != by_signing_name_.end()) {
      d.service = it->second;
      return d;
    }
    d.unknown = s;
    d.envelope = IsFormRequest(r) ? RouteDecision::Envelope::kQuery
                 : r.Header("content-type").find("json") != std::string_view::npos
                     ? RouteDecision::Envelope::kJson
                     : RouteDecision::Envelope::kXml;
    return d;
  }
  // Unsigned requests (curl, load tools): path prefixes of the REST services.
  if (StartsWith(r.path, "/2015-03-31/") && known("lambda")) return RouteDecision{"lambda"};
  if (StartsWith(r.path, "/v2/apis") && known("apigatewayv2")) return RouteDecision{"apigatewayv2"};
  if (StartsWith(r.path, "/restapis") && known("apigateway")) return RouteDecision{"apigateway"};
  // Query protocol: Action (and Version) in the form body or query string.
  bool form = IsFormRequest(r) || r.query.find("Action=") != std::string::npos;
  if (form) {
    std::string action = http::FormParameter(r, "Action");
    if (!action.empty()) {
      d.envelope = RouteDecision::Envelope::kQuery;
      std::string version = http::FormParameter(r, "Version");
      auto it = by_query_version_.find(version);
      if (it != by_query_version_.end()) {
        d.service = it->second;
        return d;
      }
      for (const auto& svc : registry_->services()) {
        const auto* meta = protocol::GetMetadata(svc->name());
        if (!meta || (meta->protocol != "query" && !meta->aws_query_compatible)) continue;
        const auto* m = svc->model();
        if (m && m->FindOperation(action)) {
          d.service = svc->name();
          return d;
        }
      }
      d.unknown = "Action=" + action;
      return d;
    }
  }
  if (known("s3"))
    d.service = "s3";
  else
    d.unknown = "s3";
  return d;
}

Task<http::Response> Router::Handle(http::Request& request) {
  auto t0 = std::chrono::steady_clock::now();
  const bool internal =
      StartsWith(request.path, "/_nimbus/") || request.path == "/_localstack/health" ||
      request.path == "/_localstack/init" || StartsWith(request.path, "/_localstack/init/");
  // A streamed body goes on as a stream only to S3 (which may take it); every other service
  // reads it whole, with the limit and the 413 it always had. A form-encoded body is read first
  // too: its Action may route it elsewhere.
  if (request.body_stream && (internal || IsFormRequest(request) || [&] {
        RouteDecision r = Route(request);
        return r.service != "s3" || r.data_plane.has_value();
      }())) {
    if (auto failed = co_await ReadStreamedBody(request, EntityTooLargeText()))
      co_return std::move(*failed);
  }
  if (internal) co_return co_await HandleInternal(request);

  std::string request_id = NewRequestId();
  RouteDecision route = Route(request);
  http::Response response;
  std::string service_name = route.service.empty() ? route.unknown : route.service;
  if (route.service.empty()) {
    ApiError err("NotImplemented", 501,
                 "nimbus does not serve the service '" + route.unknown + "'.", false);
    response.status = err.http_status;
    switch (route.envelope) {
      case RouteDecision::Envelope::kJson:
        response.SetHeader("content-type", "application/x-amz-json-1.1");
        response.SetHeader("x-amzn-ErrorType", err.code);
        response.body =
            json::serialize(json::object{{"__type", err.code}, {"message", err.message}});
        break;
      case RouteDecision::Envelope::kQuery:
        response.SetHeader("content-type", "text/xml");
        response.body =
            "<?xml version=\"1.0\" "
            "encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>Receiver</Type>"
            "<Code>" +
            err.code + "</Code><Message>" + XmlEscape(err.message) +
            "</Message></Error><RequestId>" + request_id + "</RequestId></ErrorResponse>";
        break;
      case RouteDecision::Envelope::kXml:
        response.SetHeader("content-type", "application/xml");
        response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + err.code +
                        "</Code><Message>" + XmlEscape(err.message) + "</Message><RequestId>" +
                        request_id + "</RequestId></Error>";
        break;
    }
    response.SetHeader("x-amzn-RequestId", request_id);
  } else if (route.data_plane) {
    response = co_await DispatchDataPlane(request, route, request_id, &service_name);
  } else {
    response = co_await Dispatch(request, route, request_id);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string_view op = response.Header("x-nimbus-operation");
  std::string operation(op.empty() ? "-" : op);
  // The operation name travels on an internal header, removed before the response leaves.
  for (auto it = response.headers.begin(); it != response.headers.end(); ++it) {
    if (it->first == "x-nimbus-operation") {
      response.headers.erase(it);
      break;
    }
  }
  metrics_.Record(service_name, operation, response.status, seconds);
  spdlog::info("request id={} service={} operation={} status={} ms={:.3f}", request_id,
               service_name, operation, response.status, seconds * 1000.0);
  co_return response;
}

Task<http::Response> Router::DispatchDataPlane(const http::Request& request,
                                               const RouteDecision& route,
                                               std::string_view request_id,
                                               std::string* service_name) {
  std::optional<http::Response> response;
  for (const auto& name : route.data_plane_services) {
    Service* svc = registry_->Find(name);
    try {
      response = co_await svc->HandleDataPlane(request, *route.data_plane, request_id);
    } catch (const std::exception& e) {
      spdlog::error("request id={} service={} data plane raised: {}", request_id, name, e.what());
      *service_name = name;
      co_return JsonResponse(500, json::object{{"message", "Internal Server Error"}});
    }
    if (response) {
      *service_name = name;
      break;
    }
  }
  if (!response) co_return JsonResponse(404, json::object{{"message", "Not Found"}});
  if (response->Header("x-nimbus-operation").empty())
    response->SetHeader("x-nimbus-operation", "Invoke");
  co_return std::move(*response);
}

Task<http::Response> Router::Dispatch(http::Request& request, const RouteDecision& route,
                                      std::string_view request_id) {
  Service* svc = registry_->Find(route.service);
  const protocol::ServiceModel* model = svc ? svc->model() : nullptr;
  http::Response response;
  if (!model) {
    response.status = 500;
    co_return response;
  }
  const protocol::Codec* codec = protocol::CodecFor(model->protocol);
  if (model->aws_query_compatible && route.envelope == RouteDecision::Envelope::kQuery)
    codec = svc->QueryCodec() ? svc->QueryCodec() : protocol::CodecFor("query");
  auto fail = [&](const ApiError& err) {
    http::Response r;
    codec->EncodeError(*model, err, request_id, &r);
    return r;
  };
  if (auto early = co_await svc->HandleBeforeAuth(request, request_id)) co_return std::move(*early);
  if (request.body_stream) {
    // Only S3 requests get here with a stream. Operations that do not take one (bucket
    // configuration bodies) read it whole, as S3 reads such bodies before
    // acting on them; one over the limit is what S3 answers for an XML body too long.
    auto streamed_op = codec->ResolveOperation(*model, request);
    if (!streamed_op || !svc->AcceptsBodyStream((*streamed_op)->name)) {
      http::Response too_large =
          fail(ApiError("MaxMessageLengthExceeded", 400, "Your request was too big."));
      too_large.close = true;
      if (auto failed = co_await ReadStreamedBody(request, std::move(too_large)))
        co_return std::move(*failed);
    }
  }

  // Authentication.
  const Config& config = *env_->config;
  auth::RequestView view{request.method,   request.path, request.query,
                         &request.headers, request.body, request.body_stream != nullptr};
  auth::AuthResult parse_failure;
  auto sig = auth::ParseSignature(view, &parse_failure);
  RequestContext ctx;
  ctx.request_id = std::string(request_id);
  ctx.account_id = config.account;
  ctx.region = config.region;
  ctx.service = route.service;
  ctx.http = &request;
  ctx.env = env_;
  std::optional<auth::Credential> cred;
  if (sig) {
    ctx.access_key_id = sig->access_key_id;
    if (!sig->region.empty()) ctx.region = sig->region;
    cred = env_->credentials->Find(sig->access_key_id);
    if (cred)
      ctx.account_id = cred->account_id;
    else if (IsTwelveDigits(sig->access_key_id))
      ctx.account_id = sig->access_key_id;
  }
  if (config.strict_auth) {
    if (!parse_failure.ok())
      co_return fail(AuthError(*model, parse_failure.failure, parse_failure.message, false, false));
    if (!sig) co_return fail(AuthError(*model, auth::AuthFailure::kNone, "", false, true));
    if (!cred) co_return fail(AuthError(*model, auth::AuthFailure::kNone, "", true, false));
    // A streamed body's hash is known only at its end: the header must say what to expect.
    if (request.body_stream && !sig->presigned && sig->payload_hash.empty())
      co_return fail(ApiError("InvalidRequest", 400,
                              "Missing required header for this request: x-amz-content-sha256"));
    // A header signature's date is the client's real clock, which tests do not move: its skew
    // window is real time. A presigned URL's lifetime is an expiry like any other: the clock.
    auto verdict =
        auth::Verify(view, *sig, cred->secret_access_key,
                     sig->presigned ? env_->clock->Now() : std::chrono::system_clock::now());
    if (!verdict.ok())
      co_return fail(AuthError(*model, verdict.failure, verdict.message, false, false));
    if (cred->expires_at > 0 && env_->clock->NowSeconds() >= cred->expires_at)
      co_return fail(ExpiredTokenError(*model));
  }
  if (cred && !cred->principal_arn.empty()) {
    ctx.caller_arn = cred->principal_arn;
  } else {
    ctx.caller_arn = "arn:aws:iam::" + ctx.account_id + ":root";
  }
  ctx.caller_user_id = cred && !cred->user_id.empty() ? cred->user_id : ctx.account_id;

  // aws-chunked payloads: decode (and in strict mode verify) before the codec sees the body; a
  // streamed body as the handler reads it.
  if (sig && (sig->payload_mode == auth::PayloadMode::kStreamingSigned ||
              sig->payload_mode == auth::PayloadMode::kStreamingSignedTrailer ||
              sig->payload_mode == auth::PayloadMode::kStreamingUnsignedTrailer)) {
    std::string signing_key;
    if (config.strict_auth && cred)
      signing_key = auth::SigningKey(cred->secret_access_key, sig->date, sig->region, sig->service);
    std::string scope = sig->date + "/" + sig->region + "/" + sig->service + "/aws4_request";
    long long decoded_length = -1;
    if (auto dl = request.Header("x-amz-decoded-content-length"); !dl.empty()) {
      try {
        decoded_length = std::stoll(std::string(dl));
      } catch (...) {
        co_return fail(ApiError("InvalidArgument", 400, "Invalid x-amz-decoded-content-length"));
      }
    }
    auto chunked_error = [model](const auth::ChunkedResult& decoded) {
      if (!decoded.auth.ok())
        return AuthError(*model, decoded.auth.failure, decoded.auth.message, false, false);
      return ApiError(
          "IncompleteBody", 400,
          decoded.message.empty() ? "The request body terminated unexpectedly" : decoded.message);
    };
    if (request.body_stream) {
      request.body_stream = std::make_shared<ChunkedBodyStream>(
          std::move(request.body_stream),
          std::make_unique<auth::AwsChunkedDecoder>(sig->payload_mode, std::move(signing_key),
                                                    sig->amz_date, std::move(scope), sig->signature,
                                                    decoded_length),
          decoded_length, chunked_error);
    } else {
      auto decoded = auth::DecodeAwsChunked(request.body, sig->payload_mode, signing_key,
                                            sig->amz_date, scope, sig->signature, decoded_length);
      if (!decoded.auth.ok() || decoded.malformed) co_return fail(chunked_error(decoded));
      request.body = std::move(decoded.payload);
      for (auto& t : decoded.trailers) request.headers.push_back(std::move(t));
    }
  } else if (request.body_stream && config.strict_auth && sig &&
             sig->payload_mode == auth::PayloadMode::kSigned && !sig->payload_hash.empty()) {
    request.body_stream = std::make_shared<PayloadHashCheckStream>(
        std::move(request.body_stream), sig->payload_hash,
        AuthError(*model, auth::AuthFailure::kContentHashMismatch, "", false, false));
  }

  auto op = codec->ResolveOperation(*model, request);
  if (!op) co_return fail(op.error());
  const protocol::Operation& operation = **op;
  ctx.operation = operation.name;

  auto respond = [&](http::Response r) {
    r.SetHeader("x-nimbus-operation", operation.name);
    return r;
  };
  auto input = codec->DecodeInput(*model, operation, request);
  if (!input) {
    ApiError err = std::move(input).error();
    const auto& serialization_code = svc->validation().serialization_error_code;
    if (err.code == "SerializationException" && !serialization_code.empty())
      err.code = serialization_code;
    co_return respond(fail(err));
  }
  if (operation.input) {
    auto st = protocol::Validate(*operation.input, *input, svc->validation());
    if (!st) co_return respond(fail(st.error()));
  }
  const OperationHandler* handler = svc->FindHandler(operation.name);
  if (!handler) co_return respond(fail(errors::NotImplemented(route.service, operation.name)));
  Result<Document> result = errors::InternalFailure();
  try {
    result = co_await (*handler)(ctx, std::move(*input));
  } catch (const std::exception& e) {
    spdlog::error("request id={} service={} operation={} raised: {}", request_id, route.service,
                  operation.name, e.what());
    result = errors::InternalFailure();
  }
  if (!result) co_return respond(fail(result.error()));
  codec->EncodeOutput(*model, operation, *result, request_id, &response);
  for (auto& [k, v] : ctx.response_headers) response.SetHeader(k, v);
  if (ctx.response_status) response.status = ctx.response_status;
  if (ctx.response_body_source) {
    response.body.clear();
    response.body_source = std::move(ctx.response_body_source);
    response.body_source_length = ctx.response_body_length;
  }
  if (ctx.response_body_stream) {
    response.body.clear();
    response.body_stream = std::move(ctx.response_body_stream);
  }
  co_return respond(std::move(response));
}

Task<http::Response> Router::HandleInternal(http::Request& request) {
  const std::string& path = request.path;
  if (path == "/_nimbus/health" && (request.method == "GET" || request.method == "HEAD")) {
    json::object services;
    for (const auto& svc : registry_->services()) {
      const auto* meta = protocol::GetMetadata(svc->name());
      size_t total = meta ? meta->operation_count : 0;
      json::object s;
      s["state"] = svc->implemented_count() > 0 ? "running" : "not_implemented";
      s["operations"] = total;
      s["implemented"] = svc->implemented_count();
      services[svc->name()] = std::move(s);
    }
    json::object body;
    body["version"] = NIMBUS_VERSION;
    body["uptime_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    body["region"] = env_->config->region;
    body["account"] = env_->config->account;
    body["auth"] = env_->config->strict_auth ? "strict" : "permissive";
    body["storage"] = env_->config->ephemeral ? "memory" : "rocksdb";
    body["services"] = std::move(services);
    co_return JsonResponse(200, body);
  }
  // LocalStack's health shape, for compose files and CI scripts that wait on it unchanged:
  // services map to "running" (implemented) or "disabled".
  if (path == "/_localstack/health" && (request.method == "GET" || request.method == "HEAD")) {
    json::object services;
    for (const auto& svc : registry_->services())
      services[svc->name()] = svc->implemented_count() > 0 ? "running" : "disabled";
    co_return JsonResponse(200, json::object{{"services", std::move(services)},
                                             {"edition", "nimbus"},
                                             {"version", NIMBUS_VERSION}});
  }
  if (path == "/_nimbus/state") co_return HandleState(request);
  // LocalStack's init-hook status: GET /_localstack/init and /_localstack/init/<stage>.
  if (StartsWith(path, "/_localstack/init") && request.method == "GET") {
    static const InitHooks kNone({}, {});
    const InitHooks& hooks = init_hooks_ ? *init_hooks_ : kNone;
    if (path == "/_localstack/init") co_return JsonResponse(200, hooks.Describe());
    if (StartsWith(path, "/_localstack/init/")) {
      auto stage = hooks.DescribeStage(std::string_view(path).substr(18));
      if (stage) co_return JsonResponse(200, *stage);
      co_return JsonResponse(404, json::object{{"message", "no such stage"}});
    }
  }
  if (path == "/_nimbus/reset" && request.method == "POST") {
    auto st = env_->kv->Clear();
    auto bst = env_->blobs->Clear();
    if (!st.ok() || !bst.ok()) {
      spdlog::error("reset failed: {} {}", st.message(), bst.message());
      co_return JsonResponse(500, json::object{{"reset", false}});
    }
    for (const auto& svc : registry_->services()) svc->Reset();
    spdlog::info("state reset: all services wiped");
    co_return JsonResponse(200, json::object{{"reset", true}});
  }
  // Time control for tests: {"advance_seconds": N} moves the one process clock forward, so
  // expiries, delays and visibility timeouts pass without waiting. Off unless enabled.
  if (path == "/_nimbus/clock") {
    if (request.method == "POST") {
      if (!env_->config->clock_control)
        co_return JsonResponse(403, json::object{{"message",
                                                  "clock control is disabled; start nimbus "
                                                  "with --enable-clock-control"}});
      json::error_code ec;
      auto body = json::parse(request.body, ec);
      const json::value* adv =
          !ec && body.is_object() ? body.get_object().if_contains("advance_seconds") : nullptr;
      if (!adv || !adv->is_number() || adv->to_number<double>() < 0)
        co_return JsonResponse(
            400, json::object{{"message", "expected {\"advance_seconds\": <number >= 0>}"}});
      env_->clock->Advance(
          std::chrono::milliseconds(static_cast<int64_t>(adv->to_number<double>() * 1000.0)));
      for (const auto& svc : registry_->services()) svc->ClockAdvanced();
    } else if (request.method != "GET") {
      co_return JsonResponse(405, json::object{{"message", "use GET or POST"}});
    }
    co_return JsonResponse(200,
                           json::object{{"now", env_->clock->NowSeconds()},
                                        {"offset_seconds", env_->clock->Offset().count() / 1000.0},
                                        {"control", env_->config->clock_control}});
  }
  if (path == "/_nimbus/metrics" && request.method == "GET") {
    http::Response r;
    r.SetHeader("content-type", "text/plain; version=0.0.4");
    r.body = metrics_.RenderPrometheus();
    co_return r;
  }
  // /_nimbus/<service>/...: the service's own internal endpoints.
  std::string_view rest = std::string_view(path).substr(std::string_view("/_nimbus/").size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (Service* svc = registry_->Find(rest.substr(0, slash))) {
      auto response = co_await svc->HandleInternal(request);
      if (response) co_return std::move(*response);
    }
  }
  co_return JsonResponse(404, json::object{{"message", "Not Found"}});
}

}  // namespace nimbus
