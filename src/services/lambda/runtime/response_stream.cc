#include "services/lambda/runtime/response_stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nimbus::lambda::runtime {

namespace asio = boost::asio;

// Each signal holds at most one wake-up; a waiter checks its condition under the mutex before
// it waits, so a wake-up sent between the check and the wait is not lost (it is buffered), and a
// stale one only makes it check again.
ResponseStream::ResponseStream(const asio::any_io_executor& executor)
    : readable_(executor, 1), writable_(executor, 1) {}

void ResponseStream::SetContentType(std::string type) {
  std::lock_guard lock(mu_);
  content_type_ = std::move(type);
}

std::string ResponseStream::content_type() const {
  std::lock_guard lock(mu_);
  return content_type_;
}

Task<bool> ResponseStream::Write(std::string piece) {
  for (;;) {
    bool gone = false, queued = false;
    {
      std::lock_guard lock(mu_);
      if (abandoned_ || finished_) {
        gone = true;
      } else if (queue_.empty() || queued_bytes_ + piece.size() <= kWindowBytes) {
        queued_bytes_ += piece.size();
        queue_.push_back(std::move(piece));
        queued = true;
      }
    }
    if (gone) co_return false;
    if (queued) {
      readable_.try_send(boost::system::error_code());
      co_return true;
    }
    co_await writable_.async_receive(asio::as_tuple(asio::use_awaitable));
  }
}

void ResponseStream::Finish(InvocationOutcome outcome) {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    outcome_ = std::move(outcome);
  }
  readable_.try_send(boost::system::error_code());
  writable_.try_send(boost::system::error_code());
}

Task<void> ResponseStream::Read(std::string* piece) {
  piece->clear();
  for (;;) {
    bool got = false, end = false;
    {
      std::lock_guard lock(mu_);
      if (!queue_.empty()) {
        *piece = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= piece->size();
        got = true;
      } else if (finished_) {
        end = true;
      }
    }
    if (got) {
      writable_.try_send(boost::system::error_code());
      co_return;
    }
    if (end) co_return;
    co_await readable_.async_receive(asio::as_tuple(asio::use_awaitable));
  }
}

void ResponseStream::Abandon() {
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  writable_.try_send(boost::system::error_code());
}

}  // namespace nimbus::lambda::runtime
