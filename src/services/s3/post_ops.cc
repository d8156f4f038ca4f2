// Browser form uploads: POST /bucket with multipart/form-data (S3 API reference, "POST Object"),
// checked against the form's policy and stored through PutObject.
#include <boost/json.hpp>

#include "core/auth/credentials.h"
#include "core/auth/sigv4.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/protocol/codec.h"
#include "core/protocol/rest_xml_reader.h"
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

}  // namespace

http::Response S3Service::PostObject(const http::Request& request, std::string_view bucket,
                                     std::string_view request_id) {
  http::Response response;
  auto fail = [&](ApiError e) {
    protocol::CodecFor("rest-xml")->EncodeError(*model(), e, request_id, &response);
    return response;
  };
  std::vector<FormField> fields;
  if (!ParseMultipartForm(request.Header("content-type"), request.body, &fields))
    return fail(ApiError("MalformedPOSTRequest", 400,
                         "The body of your POST request is not well-formed multipart/form-data."));
  auto b = GetBucket(bucket);
  if (!b) return fail(std::move(b).error());
  const FormField* key_field = FindField(fields, "key");
  if (!key_field)
    return fail(InvalidArgument(
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the "
        "order of the fields.",
        "key", ""));
  const FormField* file = nullptr;
  for (const auto& f : fields)
    if (f.is_file) file = &f;
  if (!file)
    return fail(InvalidArgument("POST requires exactly one file upload per request.", "file", "0"));
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
      return fail(ApiError("AccessDenied", 403, "Access Denied"));
    if (!known)
      return fail(ApiError("InvalidAccessKeyId", 403,
                           "The AWS Access Key Id you provided does not exist in our records."));
    std::string key_bytes =
        auth::SigningKey(known->secret_access_key, cred.date, cred.region, cred.service);
    if (HexEncode(HmacSha256(key_bytes, policy_field->value)) != signature->value)
      return fail(ApiError("SignatureDoesNotMatch", 403,
                           "The request signature we calculated does not match the signature "
                           "you provided. Check your key and signing method."));
  }
  if (policy_field) {
    auto decoded = Base64Decode(policy_field->value);
    json::error_code ec;
    json::value policy = decoded ? json::parse(*decoded, ec) : json::value();
    if (!decoded || ec)
      return fail(ApiError("InvalidPolicyDocument", 400, "Invalid Policy: Invalid JSON."));
    auto st = CheckPostPolicy(policy, fields, bucket, key, file->value.size(), env_->clock->Now());
    if (!st) return fail(std::move(st).error());
  }

  // The upload is a PutObject of the form's fields.
  json::object in{{"Bucket", bucket}, {"Key", key}, {"Body", json::string(file->value)}};
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
    if (!doc) return fail(std::move(doc).error());
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
  auto put = PutObject(ctx, Input(doc));
  if (!put) return fail(std::move(put).error());
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
    return response;
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
  return response;
}

}  // namespace nimbus::s3
