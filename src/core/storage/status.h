#pragma once

#include <string>
#include <utility>

namespace nimbus::storage {

// Outcome of a storage call. Services map it to an ApiError (usually InternalFailure); a
// NotFound from Get is an ordinary answer, not a failure.
class StorageStatus {
 public:
  enum class Code { kOk, kNotFound, kIoError, kCorruption, kInvalidArgument };

  StorageStatus() = default;
  static StorageStatus Ok() { return {}; }
  static StorageStatus NotFound() { return StorageStatus(Code::kNotFound, ""); }
  static StorageStatus IoError(std::string m) {
    return StorageStatus(Code::kIoError, std::move(m));
  }
  static StorageStatus Corruption(std::string m) {
    return StorageStatus(Code::kCorruption, std::move(m));
  }
  static StorageStatus InvalidArgument(std::string m) {
    return StorageStatus(Code::kInvalidArgument, std::move(m));
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StorageStatus(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace nimbus::storage
