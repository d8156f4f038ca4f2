#include "services/dynamodb/streams/stream_records.h"

#include <gtest/gtest.h>

namespace nimbus::dynamodb {
namespace {

TEST(StreamSequencerTest, IncreasesAndFollowsTheClock) {
  StreamSequencer s;
  uint64_t a = s.Next(1000);
  uint64_t b = s.Next(1000);
  uint64_t c = s.Next(999);  // the clock never makes numbers go back
  uint64_t d = s.Next(5000);
  EXPECT_EQ(a, SequenceAt(1000));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(d, SequenceAt(5000));
}

TEST(StreamSequencerTest, SequenceNumbersSortAsText) {
  EXPECT_EQ(FormatSequenceNumber(42), "000000000000000000042");
  EXPECT_LT(FormatSequenceNumber(99), FormatSequenceNumber(100));
  uint64_t v = 0;
  EXPECT_TRUE(ParseSequenceNumber("000000000000000000042", &v));
  EXPECT_EQ(v, 42u);
  EXPECT_FALSE(ParseSequenceNumber("", &v));
  EXPECT_FALSE(ParseSequenceNumber("12a", &v));
  EXPECT_FALSE(ParseSequenceNumber("99999999999999999999999", &v));
}

TEST(StreamRecordKeyTest, RecordsOfAStreamSortBySequence) {
  EXPECT_LT(StreamRecordKey(7, 255), StreamRecordKey(7, 256));
  EXPECT_LT(StreamRecordKey(7, UINT64_MAX), StreamRecordKey(8, 0));
  EXPECT_EQ(StreamRecordKey(7, 1).substr(0, StreamPrefix(7).size()), StreamPrefix(7));
}

}  // namespace
}  // namespace nimbus::dynamodb
