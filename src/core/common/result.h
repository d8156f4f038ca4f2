#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "core/common/api_error.h"

namespace nimbus {

// Result<T>: a value or the ApiError a client sees. Handlers return it instead of throwing;
// exceptions are reserved for bugs and become InternalFailure at the router.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(runtime/explicit)
  Result(ApiError error) : v_(std::move(error)) {}  // NOLINT(runtime/explicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  ApiError& error() & { return std::get<1>(v_); }
  const ApiError& error() const& { return std::get<1>(v_); }
  ApiError&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, ApiError> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;

}  // namespace nimbus
