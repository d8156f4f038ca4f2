#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include "core/common/task.h"
#include "services/lambda/runtime/environment.h"

namespace nimbus::lambda::runtime {

// The bytes a runtime streams for one invocation (InvokeWithResponseStream, function URLs in
// RESPONSE_STREAM mode) on their way from the Runtime API connection that reads them to the
// client connection that writes them, which may run on another thread; then the invocation's
// outcome. Bounded: a writer waits while kWindowBytes are queued, so a slow client slows the
// runtime down instead of filling memory. Thread-safe; one writer and one reader.
class ResponseStream {
 public:
  static constexpr size_t kWindowBytes = 1 << 20;

  explicit ResponseStream(const boost::asio::any_io_executor& executor);

  // The writer: the Runtime API handler of the runtime's streamed answer.
  // The content type the runtime declared, set before the first Write.
  void SetContentType(std::string type);
  // Queues `piece` (not empty), waiting while the window is full. False when nobody will read
  // it any more (the reader abandoned the stream, or the invocation was finished): the writer
  // drops the rest of the answer.
  Task<bool> Write(std::string piece);

  // The invocation's end, after every Write of its answer: the reader gets the pieces still
  // queued, then the end. Wakes a writer still waiting (its Write answers false).
  void Finish(InvocationOutcome outcome);

  // The reader: the next piece into `*piece`, waiting for one; empty at the end, when outcome()
  // is set.
  Task<void> Read(std::string* piece);
  // The reader is gone (the client disconnected): queued and later pieces are dropped.
  void Abandon();

  std::string content_type() const;
  // The invocation's outcome; valid once Read has returned the end.
  const InvocationOutcome& outcome() const { return outcome_; }

 private:
  using Signal = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

  mutable std::mutex mu_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  std::string content_type_;
  bool finished_ = false;
  bool abandoned_ = false;
  InvocationOutcome outcome_;
  Signal readable_;  // a piece or the end was queued
  Signal writable_;  // room in the window, or nobody reads any more
};

}  // namespace nimbus::lambda::runtime
