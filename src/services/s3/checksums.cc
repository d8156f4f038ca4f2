#include "services/s3/checksums.h"

#include <cctype>

#include "core/common/encoding.h"
#include "core/common/hashing.h"
#include "services/s3/errors.h"

namespace nimbus::s3 {

namespace {

constexpr ChecksumAlgorithm kAlgorithms[] = {
    {"CRC32", "ChecksumCRC32", true},         {"CRC32C", "ChecksumCRC32C", true},
    {"CRC64NVME", "ChecksumCRC64NVME", true}, {"SHA1", "ChecksumSHA1", false},
    {"SHA256", "ChecksumSHA256", false},
};

// Members of checksum algorithms S3 knows but nimbus does not compute.
constexpr std::string_view kUnsupportedMembers[] = {
    "ChecksumMD5", "ChecksumSHA512", "ChecksumXXHASH64", "ChecksumXXHASH3", "ChecksumXXHASH128"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string BigEndian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

size_t DigestSize(const ChecksumAlgorithm& a) {
  if (a.name == "CRC32" || a.name == "CRC32C") return 4;
  if (a.name == "CRC64NVME") return 8;
  if (a.name == "SHA1") return 20;
  return 32;
}

}  // namespace

const ChecksumAlgorithm* FindChecksumAlgorithm(std::string_view name) {
  for (const auto& a : kAlgorithms)
    if (EqualsIgnoreCase(a.name, name)) return &a;
  return nullptr;
}

const ChecksumAlgorithm* ChecksumAlgorithms(size_t* count) {
  *count = std::size(kAlgorithms);
  return kAlgorithms;
}

struct ChecksumStream::Impl {
  const ChecksumAlgorithm* algorithm;
  uint64_t crc = 0;
  std::unique_ptr<DigestStream> digest;
};

ChecksumStream::ChecksumStream(const ChecksumAlgorithm& algorithm) : impl_(new Impl) {
  impl_->algorithm = &algorithm;
  if (algorithm.name == "SHA1")
    impl_->digest = std::make_unique<DigestStream>(DigestStream::Algorithm::kSha1);
  else if (algorithm.name == "SHA256")
    impl_->digest = std::make_unique<DigestStream>(DigestStream::Algorithm::kSha256);
}

ChecksumStream::~ChecksumStream() = default;

void ChecksumStream::Update(std::string_view data) {
  std::string_view name = impl_->algorithm->name;
  if (impl_->digest)
    impl_->digest->Update(data);
  else if (name == "CRC32")
    impl_->crc = Crc32(data, static_cast<uint32_t>(impl_->crc));
  else if (name == "CRC32C")
    impl_->crc = Crc32c(data, static_cast<uint32_t>(impl_->crc));
  else
    impl_->crc = Crc64Nvme(data, impl_->crc);
}

std::string ChecksumStream::FinalRaw() {
  if (impl_->digest) return impl_->digest->Final();
  return BigEndian(impl_->crc, static_cast<int>(DigestSize(*impl_->algorithm)));
}

std::string ChecksumStream::Final() { return Base64Encode(FinalRaw()); }

std::string ComputeChecksum(const ChecksumAlgorithm& algorithm, std::string_view data) {
  ChecksumStream s(algorithm);
  s.Update(data);
  return s.Final();
}

std::string CompositeChecksum(const ChecksumAlgorithm& algorithm, std::string_view raw_parts,
                              size_t part_count) {
  return ComputeChecksum(algorithm, raw_parts) + "-" + std::to_string(part_count);
}

Result<RequestChecksum> ReadRequestChecksum(const json::object& input) {
  RequestChecksum out;
  for (std::string_view m : kUnsupportedMembers)
    if (input.contains(m))
      return InvalidRequest("The " + std::string(m.substr(8)) +
                            " checksum algorithm is not supported by nimbus.");
  int values = 0;
  for (const auto& a : kAlgorithms) {
    auto* v = input.if_contains(a.member);
    if (!v || !v->is_string()) continue;
    ++values;
    out.algorithm = &a;
    out.value = std::string(v->get_string());
    auto raw = Base64Decode(out.value);
    if (!raw || raw->size() != DigestSize(a))
      return InvalidRequest("Value for x-amz-checksum-" + Lower(a.name) + " header is invalid.");
  }
  if (values > 1)
    return InvalidRequest(
        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  if (auto* alg = input.if_contains("ChecksumAlgorithm"); alg && alg->is_string()) {
    const ChecksumAlgorithm* named = FindChecksumAlgorithm(alg->get_string());
    if (!named)
      return InvalidRequest(
          "Checksum algorithm provided is unsupported. Please try again with "
          "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    if (out.algorithm && out.algorithm != named)
      return InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    out.algorithm = named;
  }
  return out;
}

Status VerifyChecksum(const ChecksumAlgorithm& algorithm, std::string_view expected,
                      std::string_view data) {
  if (ComputeChecksum(algorithm, data) != expected) return ChecksumMismatch(algorithm.name);
  return Ok{};
}

std::optional<std::string> DecodeContentMd5(std::string_view header) {
  auto raw = Base64Decode(header);
  if (!raw || raw->size() != 16) return std::nullopt;
  return raw;
}

Status VerifyContentMd5(std::string_view header, std::string_view data) {
  auto raw = DecodeContentMd5(header);
  if (!raw) return InvalidDigest();
  if (*raw != Md5(data)) return BadDigest();
  return Ok{};
}

}  // namespace nimbus::s3
