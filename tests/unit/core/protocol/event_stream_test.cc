#include "core/protocol/event_stream.h"

#include <gtest/gtest.h>

#include "core/common/encoding.h"

namespace nimbus::protocol {
namespace {

// The bytes botocore's EventStreamBuffer decodes as this event (prelude and message CRCs
// computed independently with zlib.crc32).
TEST(EventStreamTest, EncodesAnEventAsBotocoreDecodesIt) {
  std::string m = EncodeEvent("PayloadChunk", "application/octet-stream", "hi");
  EXPECT_EQ(HexEncode(m),
            "0000006c0000005ab25efdcf0b3a6576656e742d7479706507000c5061796c6f61644368756e6b0d3a"
            "636f6e74656e742d747970650700186170706c69636174696f6e2f6f637465742d73747265616d0d3a"
            "6d6573736167652d747970650700056576656e7468691162e469");
}

TEST(EventStreamTest, EmptyPayloadAndNoHeaders) {
  std::string m = EncodeEventStreamMessage({}, "");
  ASSERT_EQ(m.size(), 16u);  // prelude and message CRC only
  EXPECT_EQ(static_cast<unsigned char>(m[3]), 16);
  EXPECT_EQ(static_cast<unsigned char>(m[7]), 0);
}

TEST(EventStreamTest, BinaryPayloadIsKeptAsIs) {
  std::string payload("\0\x01\xff\n", 4);
  std::string m = EncodeEventStreamMessage({{":message-type", "event"}}, payload);
  EXPECT_EQ(m.substr(m.size() - 4 - payload.size(), payload.size()), payload);
}

}  // namespace
}  // namespace nimbus::protocol
