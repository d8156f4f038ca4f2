#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nimbus {

// Raw digests (binary strings); HexEncode them for the hex forms AWS uses.
std::string Sha256(std::string_view data);
std::string Sha1(std::string_view data);
std::string Md5(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
uint32_t Crc32(std::string_view data, uint32_t seed = 0);   // IEEE (zlib) polynomial
uint32_t Crc32c(std::string_view data, uint32_t seed = 0);  // Castagnoli
uint64_t Crc64Nvme(std::string_view data, uint64_t seed = 0);

// Incremental SHA-256 for streamed bodies.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  std::string Final();  // raw digest; the stream must not be updated afterwards

 private:
  void* ctx_;
};

// Incremental MD5, SHA-1 or SHA-256 (S3 ETags and checksums of bodies copied in pieces).
class DigestStream {
 public:
  enum class Algorithm { kMd5, kSha1, kSha256 };
  explicit DigestStream(Algorithm algorithm);
  ~DigestStream();
  DigestStream(const DigestStream&) = delete;
  DigestStream& operator=(const DigestStream&) = delete;
  void Update(std::string_view data);
  std::string Final();  // raw digest; the stream must not be updated afterwards

 private:
  void* ctx_;
};

}  // namespace nimbus
