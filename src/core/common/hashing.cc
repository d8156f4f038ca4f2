#include "core/common/hashing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace nimbus {

namespace {
std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

template <class T, T kPoly>
constexpr std::array<T, 256> MakeReflectedTable() {
  std::array<T, 256> t{};
  for (T i = 0; i < 256; ++i) {
    T c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (kPoly ^ (c >> 1)) : (c >> 1);
    t[i] = c;
  }
  return t;
}
constexpr auto kCrc32Table = MakeReflectedTable<uint32_t, 0xEDB88320u>();
constexpr auto kCrc32cTable = MakeReflectedTable<uint32_t, 0x82F63B78u>();
constexpr auto kCrc64NvmeTable = MakeReflectedTable<uint64_t, 0x9A6C9329AC4BC9B5ull>();

template <class T>
T Reflected(const std::array<T, 256>& table, std::string_view data, T seed) {
  T c = ~seed;
  for (unsigned char b : data) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return ~c;
}
}  // namespace

std::string Sha256(std::string_view data) { return Digest(EVP_sha256(), data); }
std::string Sha1(std::string_view data) { return Digest(EVP_sha1(), data); }
std::string Md5(std::string_view data) { return Digest(EVP_md5(), data); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

uint32_t Crc32(std::string_view data, uint32_t seed) { return Reflected(kCrc32Table, data, seed); }
uint32_t Crc32c(std::string_view data, uint32_t seed) {
  return Reflected(kCrc32cTable, data, seed);
}
uint64_t Crc64Nvme(std::string_view data, uint64_t seed) {
  return Reflected(kCrc64NvmeTable, data, seed);
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}
Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256Stream::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}
std::string Sha256Stream::Final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

DigestStream::DigestStream(Algorithm algorithm) : ctx_(EVP_MD_CTX_new()) {
  const EVP_MD* md = algorithm == Algorithm::kMd5    ? EVP_md5()
                     : algorithm == Algorithm::kSha1 ? EVP_sha1()
                                                     : EVP_sha256();
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), md, nullptr);
}
DigestStream::~DigestStream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void DigestStream::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}
std::string DigestStream::Final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace nimbus
