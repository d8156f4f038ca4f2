#pragma once

// S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256): values are the base64 of
// the big-endian digest, sent as x-amz-checksum-<algorithm> headers or aws-chunked trailers and
// returned with ChecksumMode=ENABLED. Multipart objects carry either a full-object checksum
// (CRCs only) or a composite one: the checksum of the concatenated raw part checksums, "-N".

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"

namespace nimbus::s3 {

struct ChecksumAlgorithm {
  std::string_view name;    // "CRC32"
  std::string_view member;  // "ChecksumCRC32" (input/output member, header x-amz-checksum-crc32)
  bool crc;                 // may be a full-object checksum of a multipart upload
};

// The five algorithms S3 computes; null for any other name (case-insensitive).
const ChecksumAlgorithm* FindChecksumAlgorithm(std::string_view name);
const ChecksumAlgorithm* ChecksumAlgorithms(size_t* count);

// Base64 of the algorithm's digest of `data`.
std::string ComputeChecksum(const ChecksumAlgorithm& algorithm, std::string_view data);

// Feeds data in pieces; Final returns the base64 value (or the raw digest).
class ChecksumStream {
 public:
  explicit ChecksumStream(const ChecksumAlgorithm& algorithm);
  ~ChecksumStream();
  void Update(std::string_view data);
  std::string FinalRaw();
  std::string Final();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The composite checksum of parts: base64(digest(raw part checksums concatenated)) + "-N".
// `raw_parts` holds the decoded part checksums back to back.
std::string CompositeChecksum(const ChecksumAlgorithm& algorithm, std::string_view raw_parts,
                              size_t part_count);

// The checksum a request carries: the algorithm it names (x-amz-sdk-checksum-algorithm or a
// ChecksumAlgorithm member) and the value of at most one x-amz-checksum-* member.
struct RequestChecksum {
  const ChecksumAlgorithm* algorithm = nullptr;  // null: none requested
  std::string value;                             // empty: none sent (compute it)
};
// InvalidRequest for several checksum values, an unknown algorithm or a value that is not the
// base64 of a digest of the algorithm's size.
Result<RequestChecksum> ReadRequestChecksum(const json::object& input);

// Verifies `expected` (base64) against `data`; BadDigest on mismatch.
Status VerifyChecksum(const ChecksumAlgorithm& algorithm, std::string_view expected,
                      std::string_view data);

// Content-MD5 (base64 of the 16-byte MD5): InvalidDigest when malformed, BadDigest on mismatch.
Status VerifyContentMd5(std::string_view header, std::string_view data);
// Checks only the form of a Content-MD5 header; the raw digest when well formed.
std::optional<std::string> DecodeContentMd5(std::string_view header);

}  // namespace nimbus::s3
