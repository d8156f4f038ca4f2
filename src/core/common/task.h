#pragma once

// Coroutine type for handlers: an Asio awaitable running on the server's executor. Only the
// light awaitable header is pulled in here; the full Asio headers stay in .cc files.
#include <boost/asio/awaitable.hpp>

namespace nimbus {
template <class T>
using Task = boost::asio::awaitable<T>;
}  // namespace nimbus
