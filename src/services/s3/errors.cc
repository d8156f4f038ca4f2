#include "services/s3/errors.h"

#include <string>

namespace nimbus::s3 {

ApiError NoSuchBucket(std::string_view bucket) {
  ApiError e("NoSuchBucket", 404, "The specified bucket does not exist");
  e.extra["BucketName"] = bucket;
  return e;
}

ApiError NoSuchKey(std::string_view key) {
  ApiError e("NoSuchKey", 404, "The specified key does not exist.");
  e.extra["Key"] = key;
  return e;
}

ApiError NoSuchVersion(std::string_view key, std::string_view version_id) {
  ApiError e("NoSuchVersion", 404, "The specified version does not exist.");
  e.extra["Key"] = key;
  e.extra["VersionId"] = version_id;
  return e;
}

ApiError NoSuchUpload(std::string_view upload_id) {
  ApiError e("NoSuchUpload", 404,
             "The specified upload does not exist. The upload ID may be invalid, or the upload "
             "may have been aborted or completed.");
  e.extra["UploadId"] = upload_id;
  return e;
}

ApiError InvalidBucketName(std::string_view bucket) {
  ApiError e("InvalidBucketName", 400, "The specified bucket is not valid.");
  e.extra["BucketName"] = bucket;
  return e;
}

ApiError BucketAlreadyExists(std::string_view bucket) {
  ApiError e("BucketAlreadyExists", 409,
             "The requested bucket name is not available. The bucket namespace is shared by all "
             "users of the system. Please select a different name and try again.");
  e.extra["BucketName"] = bucket;
  return e;
}

ApiError BucketAlreadyOwnedByYou(std::string_view bucket) {
  ApiError e("BucketAlreadyOwnedByYou", 409,
             "Your previous request to create the named bucket succeeded and you already own it.");
  e.extra["BucketName"] = bucket;
  return e;
}

ApiError BucketNotEmpty(std::string_view bucket, bool versioned) {
  ApiError e("BucketNotEmpty", 409,
             versioned ? "The bucket you tried to delete is not empty. You must delete all "
                         "versions in the bucket."
                       : "The bucket you tried to delete is not empty");
  e.extra["BucketName"] = bucket;
  return e;
}

ApiError InvalidLocationConstraint(std::string_view constraint) {
  ApiError e("InvalidLocationConstraint", 400, "The specified location-constraint is not valid");
  e.extra["LocationConstraint"] = constraint;
  return e;
}

ApiError IllegalLocationConstraint(std::string_view constraint) {
  std::string what = constraint.empty() ? "unspecified" : std::string(constraint);
  return ApiError("IllegalLocationConstraintException", 400,
                  "The " + what +
                      " location constraint is incompatible for the region specific endpoint "
                      "this request was sent to.");
}

ApiError InvalidArgument(std::string message, std::string_view name, std::string_view value) {
  ApiError e("InvalidArgument", 400, std::move(message));
  if (!name.empty()) {
    e.extra["ArgumentName"] = name;
    e.extra["ArgumentValue"] = value;
  }
  return e;
}

ApiError InvalidRequest(std::string message) {
  return ApiError("InvalidRequest", 400, std::move(message));
}

ApiError InvalidVersionId(std::string_view version_id) {
  return InvalidArgument("Invalid version id specified", "versionId", version_id);
}

ApiError InvalidRange(std::string_view requested, uint64_t size) {
  ApiError e("InvalidRange", 416, "The requested range is not satisfiable");
  e.extra["RangeRequested"] = requested;
  e.extra["ActualObjectSize"] = std::to_string(size);
  return e;
}

ApiError PreconditionFailed(std::string_view condition) {
  ApiError e("PreconditionFailed", 412,
             "At least one of the pre-conditions you specified did not hold");
  e.extra["Condition"] = condition;
  return e;
}

ApiError NotModified(std::string_view etag, std::string_view last_modified) {
  ApiError e("304", 304, "Not Modified");
  e.headers.emplace_back("ETag", std::string(etag));
  e.headers.emplace_back("Last-Modified", std::string(last_modified));
  return e;
}

ApiError MethodNotAllowed(std::string_view method, std::string_view resource_type) {
  ApiError e("MethodNotAllowed", 405, "The specified method is not allowed against this resource.");
  e.extra["Method"] = method;
  e.extra["ResourceType"] = resource_type;
  return e;
}

ApiError KeyTooLong(size_t size) {
  ApiError e("KeyTooLongError", 400, "Your key is too long");
  e.extra["Size"] = std::to_string(size);
  e.extra["MaxSizeAllowed"] = "1024";
  return e;
}

ApiError MetadataTooLarge(size_t size) {
  ApiError e("MetadataTooLarge", 400,
             "Your metadata headers exceed the maximum allowed metadata size");
  e.extra["Size"] = std::to_string(size);
  e.extra["MaxSizeAllowed"] = "2048";
  return e;
}

ApiError MalformedXML() {
  return ApiError("MalformedXML", 400,
                  "The XML you provided was not well-formed or did not validate against our "
                  "published schema");
}

ApiError EntityTooLarge(uint64_t proposed_size, uint64_t max_size) {
  ApiError e("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size");
  e.extra["ProposedSize"] = std::to_string(proposed_size);
  e.extra["MaxSizeAllowed"] = std::to_string(max_size);
  return e;
}

ApiError IncompleteBody() {
  return ApiError("IncompleteBody", 400,
                  "You did not provide the number of bytes specified by the Content-Length HTTP "
                  "header.");
}

ApiError InvalidDigest() {
  return ApiError("InvalidDigest", 400, "The Content-MD5 you specified was invalid.");
}

ApiError BadDigest() {
  return ApiError("BadDigest", 400,
                  "The Content-MD5 you specified did not match what we received.");
}

ApiError ChecksumMismatch(std::string_view algorithm) {
  return ApiError(
      "BadDigest", 400,
      "The " + std::string(algorithm) + " you specified did not match the calculated checksum.");
}

ApiError InvalidStorageClass() {
  return ApiError("InvalidStorageClass", 400, "The storage class you specified is not valid");
}

ApiError InvalidPart(std::string_view upload_id, uint32_t part_number, std::string_view etag) {
  ApiError e("InvalidPart", 400,
             "One or more of the specified parts could not be found.  The part may not have been "
             "uploaded, or the specified entity tag may not match the part's entity tag.");
  e.extra["UploadId"] = upload_id;
  e.extra["PartNumber"] = std::to_string(part_number);
  e.extra["ETag"] = etag;
  return e;
}

ApiError InvalidPartOrder(std::string_view upload_id) {
  ApiError e("InvalidPartOrder", 400,
             "The list of parts was not in ascending order. Parts must be ordered by part "
             "number.");
  e.extra["UploadId"] = upload_id;
  return e;
}

ApiError EntityTooSmall(uint64_t size, uint32_t part_number, std::string_view etag) {
  ApiError e("EntityTooSmall", 400,
             "Your proposed upload is smaller than the minimum allowed size");
  e.extra["ProposedSize"] = std::to_string(size);
  e.extra["MinSizeAllowed"] = "5242880";
  e.extra["PartNumber"] = std::to_string(part_number);
  e.extra["ETag"] = etag;
  return e;
}

ApiError NoSuchConfiguration(std::string_view code, std::string_view bucket) {
  std::string message;
  if (code == "NoSuchTagSet") {
    message = "The TagSet does not exist";
  } else if (code == "NoSuchCORSConfiguration") {
    message = "The CORS configuration does not exist";
  } else if (code == "NoSuchBucketPolicy") {
    message = "The bucket policy does not exist";
  } else if (code == "NoSuchLifecycleConfiguration") {
    message = "The lifecycle configuration does not exist";
  } else if (code == "OwnershipControlsNotFoundError") {
    message = "The bucket ownership controls were not found";
  } else if (code == "NoSuchPublicAccessBlockConfiguration") {
    message = "The public access block configuration was not found";
  } else if (code == "NoSuchWebsiteConfiguration") {
    message = "The specified bucket does not have a website configuration";
  } else {
    message = "The configuration does not exist";
  }
  ApiError e(std::string(code), 404, std::move(message));
  e.extra["BucketName"] = bucket;
  return e;
}

ApiError RequestExpired(std::string_view expires, std::string_view server_time) {
  ApiError e("AccessDenied", 403, "Request has expired");
  e.extra["Expires"] = expires;
  e.extra["ServerTime"] = server_time;
  return e;
}

ApiError InvalidTag(std::string message) { return ApiError("InvalidTag", 400, std::move(message)); }

}  // namespace nimbus::s3
