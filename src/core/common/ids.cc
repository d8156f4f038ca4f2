#include "core/common/ids.h"

#include <cstdint>
#include <random>

namespace nimbus {

namespace {
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}
}  // namespace

std::string NewUuid() {
  uint64_t a = Rng()(), b = Rng()();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  static const char* kHex = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = kHex[(v >> (i * 4)) & 15];
    }
  };
  put(a, 16);
  put(b, 16);
  return out;
}

std::string NewRequestId() { return NewUuid(); }

std::string RandomHex(size_t length) {
  static const char* kHex = "0123456789abcdef";
  std::string out(length, '0');
  for (auto& c : out) c = kHex[Rng()() & 15];
  return out;
}

std::string RandomAlnum(size_t length, bool upper_only) {
  static const char* kAll = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static const char* kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(length, 'A');
  for (auto& c : out) c = upper_only ? kUpper[Rng()() % 36] : kAll[Rng()() % 62];
  return out;
}

std::string NewAccessKeyId(std::string_view prefix) {
  return std::string(prefix) + RandomAlnum(20 - prefix.size(), true);
}

std::string NewSecretKey() {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(40, 'A');
  for (auto& c : out) c = kChars[Rng()() & 63];
  return out;
}

std::string Arn(std::string_view service, std::string_view region, std::string_view account,
                std::string_view resource) {
  std::string out = "arn:aws:";
  out.append(service).append(":").append(region).append(":").append(account).append(":");
  out.append(resource);
  return out;
}

}  // namespace nimbus
