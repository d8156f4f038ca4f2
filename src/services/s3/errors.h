#pragma once

// S3's errors, worded and shaped as S3 answers them (Amazon S3 API reference, "Error
// responses"): code, HTTP status, message and the extra <Error> elements S3 adds.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/api_error.h"

namespace nimbus::s3 {

ApiError NoSuchBucket(std::string_view bucket);
ApiError NoSuchKey(std::string_view key);
ApiError NoSuchVersion(std::string_view key, std::string_view version_id);
ApiError NoSuchUpload(std::string_view upload_id);
ApiError InvalidBucketName(std::string_view bucket);
ApiError BucketAlreadyExists(std::string_view bucket);
ApiError BucketAlreadyOwnedByYou(std::string_view bucket);
ApiError BucketNotEmpty(std::string_view bucket, bool versioned);
ApiError InvalidLocationConstraint(std::string_view constraint);
ApiError IllegalLocationConstraint(std::string_view constraint);
// InvalidArgument with <ArgumentName> and <ArgumentValue>.
ApiError InvalidArgument(std::string message, std::string_view name = {},
                         std::string_view value = {});
ApiError InvalidRequest(std::string message);
ApiError InvalidVersionId(std::string_view version_id);
ApiError InvalidRange(std::string_view requested, uint64_t size);
ApiError PreconditionFailed(std::string_view condition);
// 304, only for GET and HEAD (the server sends no body).
ApiError NotModified(std::string_view etag, std::string_view last_modified);
ApiError MethodNotAllowed(std::string_view method, std::string_view resource_type);
ApiError KeyTooLong(size_t size);
ApiError MetadataTooLarge(size_t size);
ApiError MalformedXML();
ApiError InvalidDigest();
ApiError BadDigest();  // Content-MD5 mismatch
// x-amz-checksum-<algorithm> mismatch: "The CRC32 you specified did not match the calculated
// checksum."
ApiError ChecksumMismatch(std::string_view algorithm);
ApiError InvalidStorageClass();
ApiError InvalidPart(std::string_view upload_id, uint32_t part_number, std::string_view etag);
ApiError InvalidPartOrder(std::string_view upload_id);
ApiError EntityTooSmall(uint64_t size, uint32_t part_number, std::string_view etag);
ApiError NoSuchConfiguration(std::string_view code, std::string_view bucket);
ApiError RequestExpired(std::string_view expires, std::string_view server_time);
ApiError InvalidTag(std::string message);
// A single upload (PutObject, UploadPart) over its limit, with <ProposedSize> and
// <MaxSizeAllowed>.
ApiError EntityTooLarge(uint64_t proposed_size, uint64_t max_size);
// A body that ended before its declared length (the client went away or stopped sending).
ApiError IncompleteBody();

}  // namespace nimbus::s3
