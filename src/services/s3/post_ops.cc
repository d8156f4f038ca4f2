// Browser form uploads: POST /bucket with multipart/form-data (S3 API reference, "POST Object"),
// checked against the form's policy and stored through PutObject.
#include <boost/json.hpp>

#include "core/auth/credentials.h"
#include "core/auth/sigv4.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/http/http_types.h"
#include "core/protocol/codec.h"
#include "core/protocol/rest_xml_reader.h"
#include "services/s3/checksums.h"
#include "services/s3/errors.h"
#include "services/s3/post_policy.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

bool IsTwelveDigits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// x-amz-credential: AKID/date/region/service/aws4_request
struct FormCredential {
  std::string access_key, date, region, service;
};

bool ParseFormCredential(std::string_view text, FormCredential* out) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[4] != "aws4_request") return false;
  *out = {parts[0], parts[1], parts[2], parts[3]};
  return true;
}

// The file's bytes of a form whose fields the parser has read: the rest of the body passed
// through the parser as it arrives (`source`; null when the whole body was fed already). After
// the file, the rest of the body is read and dropped, as S3 ignores fields after the file.
class FormFileStream final : public http::BodyStream {
 public:
  FormFileStream(FormParser* parser, http::BodyStream* source, std::string first)
      : parser_(parser), source_(source), pending_(std::move(first)) {}

  // One co_await and one co_return, like the router's streams: the parsing is in Consume and
  // Settle.
  Task<bool> Read(std::string* chunk) override {
    chunk->clear();
    chunk->swap(pending_);
    bool ok = !failed_;
    while (ok && !done_ && chunk->empty()) {
      if (source_ && !source_->done()) {
        bool got = co_await source_->Read(&piece_);
        ok = got ? Consume(chunk) : Fail(source_->error());
      } else {
        ok = Settle();
      }
    }
    co_return ok;
  }
  std::optional<uint64_t> length() const override { return std::nullopt; }
  bool done() const override { return done_; }

  static ApiError FormError(FormParser::State state) {
    if (state == FormParser::State::kTooLarge) {
      // S3's wording, typo included.
      ApiError e("MaxPostPreDataLengthExceeded", 400,
                 "Your POST request fields preceeding the upload file was too large.");
      e.extra["MaxPostPreDataLengthBytes"] = std::to_string(kMaxPostPreDataBytes);
      return e;
    }
    return ApiError("MalformedPOSTRequest", 400,
                    "The body of your POST request is not well-formed multipart/form-data.");
  }

 private:
  // The piece just read: the file's bytes in it go to `*chunk`; after the file, it is dropped.
  bool Consume(std::string* chunk) {
    if (parser_->state() == FormParser::State::kFile) parser_->Feed(piece_, chunk);
    return true;
  }

  // The body has ended: well formed only if the file's part was closed.
  bool Settle() {
    if (parser_->Finish() != FormParser::State::kAfterFile)
      return Fail(FormError(parser_->state()));
    done_ = true;
    return true;
  }

  bool Fail(std::optional<ApiError> error) {
    failed_ = true;
    error_ = std::move(error);
    return false;
  }

  FormParser* parser_;
  http::BodyStream* source_;
  std::string pending_;
  std::string piece_;
  bool done_ = false;
  bool failed_ = false;
};

}  // namespace

Task<http::Response> S3Service::PostObject(http::Request& request, std::string bucket,
                                           std::string request_id) {
  http::Response response;
  auto fail = [&](ApiError e) {
    protocol::CodecFor("rest-xml")->EncodeError(*model(), e, request_id, &response);
    return response;
  };
  // The fields before the file: the whole body when it is in memory, else as much of the
  // stream as they take.
  FormParser parser;
  if (!parser.Start(request.Header("content-type")))
    co_return fail(FormFileStream::FormError(FormParser::State::kMalformed));
  std::string file_start;
  http::BodyStream* source = request.body_stream.get();
  if (!source) {
    parser.Feed(request.body, &file_start);
    parser.Finish();
  } else {
    std::string piece;
    while (parser.state() == FormParser::State::kFields) {
      if (!co_await source->Read(&piece)) {
        if (source->error()) co_return fail(*source->error());
        response.status = 400;  // the client went away: nobody hears this
        response.close = true;
        co_return response;
      }
      if (piece.empty())
        parser.Finish();
      else
        parser.Feed(piece, &file_start);
    }
  }
  if (parser.state() == FormParser::State::kMalformed ||
      parser.state() == FormParser::State::kTooLarge)
    co_return fail(FormFileStream::FormError(parser.state()));
  const std::vector<FormField>& fields = parser.fields();
  auto b = GetBucket(bucket);
  if (!b) co_return fail(std::move(b).error());
  const FormField* key_field = FindField(fields, "key");
  if (!key_field)
    co_return fail(InvalidArgument(
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the "
        "order of the fields.",
        "key", ""));
  const FormField* file = nullptr;
  for (const auto& f : fields)
    if (f.is_file) file = &f;
  if (!file)
    co_return fail(
        InvalidArgument("POST requires exactly one file upload per request.", "file", "0"));
  std::string key = key_field->value;
  if (auto pos = key.find("${filename}"); pos != std::string::npos)
    key.replace(pos, 11, file->filename);

  // Who signs: SigV4 fields, or the legacy AWSAccessKeyId/signature pair.
  const Config& config = *env_->config;
  RequestContext ctx;
  ctx.request_id = std::string(request_id);
  ctx.account_id = config.account;
  ctx.region = config.region;
  ctx.service = "s3";
  ctx.operation = "PostObject";
  ctx.http = &request;
  ctx.env = env_;
  std::string access_key;
  FormCredential cred;
  const FormField* credential = FindField(fields, "x-amz-credential");
  bool sigv4 = credential && ParseFormCredential(credential->value, &cred);
  if (sigv4) {
    access_key = cred.access_key;
    ctx.region = cred.region;
  } else if (const FormField* v2 = FindField(fields, "awsaccesskeyid")) {
    access_key = v2->value;
  }
  std::optional<auth::Credential> known;
  if (!access_key.empty()) known = env_->credentials->Find(access_key);
  if (known)
    ctx.account_id = known->account_id;
  else if (IsTwelveDigits(access_key))
    ctx.account_id = access_key;
  ctx.access_key_id = access_key;

  const FormField* policy_field = FindField(fields, "policy");
  if (config.strict_auth) {
    // The policy is what is signed: HMAC-SHA256 with the SigV4 signing key of its date,
    // region and service (S3 API reference, "Calculating a signature" for POST).
    const FormField* signature = FindField(fields, "x-amz-signature");
    if (!policy_field || !sigv4 || !signature)
      co_return fail(ApiError("AccessDenied", 403, "Access Denied"));
    if (!known)
      co_return fail(ApiError("InvalidAccessKeyId", 403,
                              "The AWS Access Key Id you provided does not exist in our records."));
    std::string key_bytes =
        auth::SigningKey(known->secret_access_key, cred.date, cred.region, cred.service);
    if (HexEncode(HmacSha256(key_bytes, policy_field->value)) != signature->value)
      co_return fail(ApiError("SignatureDoesNotMatch", 403,
                              "The request signature we calculated does not match the signature "
                              "you provided. Check your key and signing method."));
  }
  json::value policy;
  if (policy_field) {
    auto decoded = Base64Decode(policy_field->value);
    json::error_code ec;
    if (decoded) policy = json::parse(*decoded, ec);
    if (!decoded || ec)
      co_return fail(ApiError("InvalidPolicyDocument", 400, "Invalid Policy: Invalid JSON."));
  }

  // The upload is a PutObject of the form's fields.
  json::object in{{"Bucket", bucket}, {"Key", key}};
  const std::pair<std::string_view, std::string_view> kHeaderFields[] = {
      {"content-type", "ContentType"},
      {"cache-control", "CacheControl"},
      {"content-disposition", "ContentDisposition"},
      {"content-encoding", "ContentEncoding"},
      {"expires", "Expires"},
      {"x-amz-storage-class", "StorageClass"},
      {"x-amz-website-redirect-location", "WebsiteRedirectLocation"},
      {"x-amz-server-side-encryption", "ServerSideEncryption"},
      {"x-amz-checksum-crc32", "ChecksumCRC32"},
      {"x-amz-checksum-crc32c", "ChecksumCRC32C"},
      {"x-amz-checksum-crc64nvme", "ChecksumCRC64NVME"},
      {"x-amz-checksum-sha1", "ChecksumSHA1"},
      {"x-amz-checksum-sha256", "ChecksumSHA256"},
      {"content-md5", "ContentMD5"}};
  for (const auto& [field, member] : kHeaderFields)
    if (const FormField* f = FindField(fields, field)) in[member] = f->value;
  if (!in.contains("ContentType") && !file->content_type.empty())
    in["ContentType"] = file->content_type;
  json::object metadata;
  for (const auto& f : fields)
    if (!f.is_file && f.name.substr(0, 11) == "x-amz-meta-") metadata[f.name.substr(11)] = f.value;
  if (!metadata.empty()) in["Metadata"] = std::move(metadata);
  if (const FormField* tagging = FindField(fields, "tagging")) {
    // The tagging field is a <Tagging> document; PutObject takes the header form.
    const protocol::Shape* shape = model()->FindShape("Tagging");
    auto doc =
        shape ? protocol::ReadXmlBody(tagging->value, *shape) : Result<Document>(MalformedXML());
    if (!doc) co_return fail(std::move(doc).error());
    std::string header;
    if (auto* set = doc->is_object() ? doc->get_object().if_contains("TagSet") : nullptr;
        set && set->is_array()) {
      for (const auto& t : set->get_array()) {
        if (!t.is_object()) continue;
        if (!header.empty()) header += "&";
        header += UriEncode(StrOf(t.get_object(), "Key")) + "=" +
                  UriEncode(StrOf(t.get_object(), "Value"));
      }
    }
    in["Tagging"] = header;
  }
  Document doc = json::value(std::move(in));
  Input input(doc);
  auto plan = PlanPutObject(input);
  if (!plan) co_return fail(std::move(plan).error());

  // The file, streamed to a blob with its digests; then the policy's length range, and the
  // object is made.
  std::vector<const ChecksumAlgorithm*> algorithms{
      plan->checksum.algorithm ? plan->checksum.algorithm : FindChecksumAlgorithm("CRC64NVME")};
  FormFileStream file_stream(&parser, source, std::move(file_start));
  auto received = co_await ReceiveBody(file_stream, std::move(algorithms));
  if (!received) co_return fail(std::move(received).error());
  Status allowed = policy_field ? CheckPostPolicy(policy, fields, bucket, key, received->size,
                                                  env_->clock->Now())
                                : Status(Ok{});
  Result<Document> put = allowed ? FinishPutObject(ctx, input, std::move(*plan), *received)
                                 : Result<Document>(std::move(allowed).error());
  if (!put && !received->blob.empty()) DeleteBlobs(std::vector<std::string>{received->blob});
  if (!put) co_return fail(std::move(put).error());
  const json::object& out = put->get_object();
  std::string etag = StrOf(out, "ETag");
  std::string location = "http://" + std::string(request.Header("host")) + "/" +
                         std::string(bucket) + "/" + UriEncode(key, true);

  response.SetHeader("x-amz-request-id", request_id);
  response.SetHeader("x-amz-id-2", Base64Encode(Sha256(request_id)));
  response.SetHeader("ETag", etag);
  response.SetHeader("Location", location);
  if (auto v = StrOf(out, "VersionId"); !v.empty()) response.SetHeader("x-amz-version-id", v);
  const FormField* redirect = FindField(fields, "success_action_redirect");
  if (!redirect) redirect = FindField(fields, "redirect");
  if (redirect && !redirect->value.empty()) {
    std::string target = redirect->value;
    target += target.find('?') == std::string::npos ? "?" : "&";
    target += "bucket=" + UriEncode(bucket) + "&key=" + UriEncode(key) + "&etag=" + UriEncode(etag);
    response.status = 303;
    response.SetHeader("Location", target);
    co_return response;
  }
  const FormField* status = FindField(fields, "success_action_status");
  std::string code = status ? status->value : "204";
  if (code == "200") {
    response.status = 200;
  } else if (code == "201") {
    response.status = 201;
    response.SetHeader("content-type", "application/xml");
    response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>" +
                    XmlEscape(location) + "</Location><Bucket>" + XmlEscape(bucket) +
                    "</Bucket><Key>" + XmlEscape(key) + "</Key><ETag>" + XmlEscape(etag) +
                    "</ETag></PostResponse>";
  } else {
    response.status = 204;
  }
  co_return response;
}

}  // namespace nimbus::s3
