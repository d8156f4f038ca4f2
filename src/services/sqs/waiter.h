#pragma once

// Included by .cc files only: pulls in Asio.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/system/error_code.hpp>

#include "services/sqs/model.h"

namespace nimbus::sqs {

// A ReceiveMessage waiting for messages. It holds no thread: the coroutine waits on the channel,
// which a sender (any thread) or the waiter's own timer fills. One wake-up is enough; later ones
// are dropped.
struct Waiter {
  explicit Waiter(const boost::asio::any_io_executor& executor) : channel(executor, 1) {}
  void Wake() { channel.try_send(boost::system::error_code()); }

  boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> channel;
};

}  // namespace nimbus::sqs
