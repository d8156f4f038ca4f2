#include "core/common/hashing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdlib>

namespace nimbus {

namespace {

// OpenSSL 3 looks an algorithm up in its provider store (under a lock) on every use of
// EVP_md5() and friends and builds a context per EVP_Digest: with SQS hashing every message
// body, that was a few percent of a SendMessageBatch's CPU, most of it lock traffic between the
// server threads. The algorithms are fetched once and each thread reuses one context.
const EVP_MD* Fetched(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (!md) std::abort();  // the default provider always has MD5, SHA1 and SHA256
  return md;
}
const EVP_MD* FetchedMd5() {
  static const EVP_MD* md = Fetched("MD5");
  return md;
}
const EVP_MD* FetchedSha1() {
  static const EVP_MD* md = Fetched("SHA1");
  return md;
}
const EVP_MD* FetchedSha256() {
  static const EVP_MD* md = Fetched("SHA256");
  return md;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  static thread_local Context context;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestInit_ex(context.ctx, md, nullptr);
  EVP_DigestUpdate(context.ctx, data.data(), data.size());
  EVP_DigestFinal_ex(context.ctx, out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Reflected CRCs, sliced by 8: table k maps a byte to its CRC after k more zero bytes, so eight
// input bytes fold in with eight lookups instead of eight dependent rounds (S3 computes a
// CRC64NVME of every upload).
template <class T, T kPoly>
constexpr std::array<std::array<T, 256>, 8> MakeReflectedTables() {
  std::array<std::array<T, 256>, 8> t{};
  for (unsigned i = 0; i < 256; ++i) {
    T c = static_cast<T>(i);
    for (int k = 0; k < 8; ++k) c = (c & 1) ? static_cast<T>(kPoly ^ (c >> 1)) : (c >> 1);
    t[0][i] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (unsigned i = 0; i < 256; ++i)
      t[k][i] = static_cast<T>((t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF]);
  return t;
}
constexpr auto kCrc32Tables = MakeReflectedTables<uint32_t, 0xEDB88320u>();
constexpr auto kCrc32cTables = MakeReflectedTables<uint32_t, 0x82F63B78u>();
constexpr auto kCrc64NvmeTables = MakeReflectedTables<uint64_t, 0x9A6C9329AC4BC9B5ull>();

template <class T>
T Reflected(const std::array<std::array<T, 256>, 8>& t, std::string_view data, T seed) {
  static_assert(sizeof(T) <= 8);
  T c = ~seed;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  while (n >= 8) {
    unsigned char b[8];
    for (int j = 0; j < 8; ++j) b[j] = p[j];
    for (size_t j = 0; j < sizeof(T); ++j) b[j] ^= static_cast<unsigned char>(c >> (8 * j));
    c = t[7][b[0]] ^ t[6][b[1]] ^ t[5][b[2]] ^ t[4][b[3]] ^ t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^
        t[0][b[7]];
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n, ++p) c = t[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return ~c;
}
}  // namespace

std::string Sha256(std::string_view data) { return Digest(FetchedSha256(), data); }
std::string Sha1(std::string_view data) { return Digest(FetchedSha1(), data); }
std::string Md5(std::string_view data) { return Digest(FetchedMd5(), data); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(FetchedSha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

uint32_t Crc32(std::string_view data, uint32_t seed) { return Reflected(kCrc32Tables, data, seed); }
uint32_t Crc32c(std::string_view data, uint32_t seed) {
  return Reflected(kCrc32cTables, data, seed);
}
uint64_t Crc64Nvme(std::string_view data, uint64_t seed) {
  return Reflected(kCrc64NvmeTables, data, seed);
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), FetchedSha256(), nullptr);
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
  const EVP_MD* md = algorithm == Algorithm::kMd5    ? FetchedMd5()
                     : algorithm == Algorithm::kSha1 ? FetchedSha1()
                                                     : FetchedSha256();
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
