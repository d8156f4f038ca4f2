// ResponseStream: the pieces of a streamed answer from the Runtime API to the client, in order,
// bounded by its window; a reader that goes away or an invocation that ends releases the writer.
#include "services/lambda/runtime/response_stream.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

namespace nimbus::lambda::runtime {
namespace {

namespace asio = boost::asio;

// Runs what is ready until nothing is (a coroutine waiting on the stream stays suspended).
void RunReady(asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) {
  }
}

TEST(ResponseStreamTest, PiecesInOrderThenTheOutcome) {
  asio::io_context io;
  auto stream = std::make_shared<ResponseStream>(io.get_executor());
  std::vector<std::string> got;
  bool ended = false;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        std::string piece;
        for (;;) {
          co_await stream->Read(&piece);
          if (piece.empty()) break;
          got.push_back(piece);
        }
        ended = true;
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        stream->SetContentType("text/plain");
        EXPECT_TRUE(co_await stream->Write("one"));
        EXPECT_TRUE(co_await stream->Write("two"));
        InvocationOutcome outcome;
        outcome.streamed = true;
        outcome.stream_error_type = "RangeError";
        stream->Finish(std::move(outcome));
      },
      asio::detached);
  RunReady(io);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(ended);
  EXPECT_EQ(stream->content_type(), "text/plain");
  EXPECT_EQ(stream->outcome().stream_error_type, "RangeError");
}

TEST(ResponseStreamTest, WriterWaitsForRoomInTheWindow) {
  asio::io_context io;
  auto stream = std::make_shared<ResponseStream>(io.get_executor());
  const std::string half(ResponseStream::kWindowBytes / 2 + 1, 'x');
  int written = 0;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        for (int i = 0; i < 3; ++i) {
          EXPECT_TRUE(co_await stream->Write(half));
          ++written;
        }
      },
      asio::detached);
  RunReady(io);
  // The second piece does not fit beside the first: the writer waits for the reader.
  EXPECT_EQ(written, 1);
  std::string piece;
  asio::co_spawn(
      io, [&]() -> Task<void> { co_await stream->Read(&piece); }, asio::detached);
  RunReady(io);
  EXPECT_EQ(piece.size(), half.size());
  EXPECT_EQ(written, 2);
}

TEST(ResponseStreamTest, AbandonAndFinishReleaseTheWriter) {
  for (bool abandon : {true, false}) {
    asio::io_context io;
    auto stream = std::make_shared<ResponseStream>(io.get_executor());
    const std::string big(ResponseStream::kWindowBytes, 'x');
    std::vector<bool> results;
    asio::co_spawn(
        io,
        [&]() -> Task<void> {
          results.push_back(co_await stream->Write(big));
          results.push_back(co_await stream->Write(big));  // waits: the window is full
          results.push_back(co_await stream->Write("more"));
        },
        asio::detached);
    RunReady(io);
    EXPECT_EQ(results, std::vector<bool>{true});
    if (abandon) {
      stream->Abandon();
    } else {
      stream->Finish(InvocationOutcome());
    }
    RunReady(io);
    EXPECT_EQ(results, (std::vector<bool>{true, false, false}));
    if (!abandon) {
      // What was queued before the end is still read, then the end.
      std::string piece, after;
      asio::co_spawn(
          io,
          [&]() -> Task<void> {
            co_await stream->Read(&piece);
            co_await stream->Read(&after);
          },
          asio::detached);
      RunReady(io);
      EXPECT_EQ(piece.size(), big.size());
      EXPECT_TRUE(after.empty());
    }
  }
}

}  // namespace
}  // namespace nimbus::lambda::runtime
