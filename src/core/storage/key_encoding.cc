#include "core/storage/key_encoding.h"

namespace nimbus::storage {

void AppendOrderedString(std::string* out, std::string_view s) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xff');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

bool ConsumeOrderedString(std::string_view* in, std::string* out) {
  std::string result;
  for (size_t i = 0; i < in->size(); ++i) {
    char c = (*in)[i];
    if (c != '\0') {
      result.push_back(c);
      continue;
    }
    if (i + 1 == in->size()) return false;
    char next = (*in)[++i];
    if (next == '\x01') {
      in->remove_prefix(i + 1);
      *out = std::move(result);
      return true;
    }
    if (next != '\xff') return false;
    result.push_back('\0');
  }
  return false;
}

void AppendUint64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

bool ConsumeUint64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t result = 0;
  for (int i = 0; i < 8; ++i) result = (result << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  *v = result;
  return true;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

std::string ScopePrefix(std::string_view account, std::string_view region) {
  std::string out;
  AppendOrderedString(&out, account);
  AppendOrderedString(&out, region);
  return out;
}

}  // namespace nimbus::storage
