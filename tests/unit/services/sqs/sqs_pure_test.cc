#include <gtest/gtest.h>

#include "services/sqs/md5.h"
#include "services/sqs/message_input.h"
#include "services/sqs/receipt_handle.h"
#include "services/sqs/records.h"

namespace nimbus::sqs {
namespace {

MessageAttributes Number(std::string name, std::string value) {
  return {{std::move(name), "Number", std::move(value), false}};
}

// Digests AWS returned for these attributes (pinned by moto's SQS tests against AWS).
TEST(SqsMd5, MessageAttributesMatchAws) {
  EXPECT_EQ(Md5OfAttributes(Number("timestamp", "1493147359900")),
            "235c5c510d26fb653d073faed50ae77c");
  EXPECT_EQ(Md5OfAttributes(Number("timestamp", "1493147359901")),
            "994258b45346a2cc3f9cbb611aa7af30");
  EXPECT_EQ(Md5OfAttributes(Number("SOME_Valid.attribute-Name", "1493147359900")),
            "36655e7e9d7c0e8479fa3f3f42247ae7");
}

TEST(SqsMd5, BodyIsPlainMd5) { EXPECT_EQ(Md5OfBody("derp"), "58fd9edd83341c29f1aebba81c31e257"); }

TEST(SqsMd5, BinaryUsesTransportTypeTwo) {
  // name(4+3) type(4+6) transport(1) value(4+2), hashed: computed independently with Python's
  // hashlib over the same bytes.
  MessageAttributes a{{"bin", "Binary", "hi", true}};
  EXPECT_EQ(Md5OfAttributes(a), "696c92fc099b0808338e3642cffb3db2");
  EXPECT_EQ(Md5OfAttributes({}), "");
}

TEST(SqsReceiptHandle, RoundTrips) {
  ReceiptHandle h{0x1234567890abcdefULL, 42, 0xfeedfacecafebeefULL};
  auto text = EncodeReceiptHandle(h);
  auto back = DecodeReceiptHandle(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->queue_id, h.queue_id);
  EXPECT_EQ(back->seq, h.seq);
  EXPECT_EQ(back->nonce, h.nonce);
}

TEST(SqsReceiptHandle, RejectsGarbageAndTampering) {
  EXPECT_FALSE(DecodeReceiptHandle(""));
  EXPECT_FALSE(DecodeReceiptHandle("not-a-handle"));
  EXPECT_FALSE(DecodeReceiptHandle(std::string(500, 'A')));
  auto text = EncodeReceiptHandle({1, 2, 3});
  text[5] = text[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeReceiptHandle(text));
}

TEST(SqsBody, AllowedCharacters) {
  EXPECT_FALSE(FirstInvalidCharacter("hello\t\r\n world \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_EQ(FirstInvalidCharacter(std::string("a\x01", 2)), 1u);
  EXPECT_EQ(FirstInvalidCharacter("\xEF\xBF\xBF"), 0xFFFFu);  // U+FFFF is excluded
  EXPECT_TRUE(FirstInvalidCharacter("\xC0\x80"));             // overlong NUL
  EXPECT_TRUE(FirstInvalidCharacter("\xFF"));
}

TEST(SqsRecords, MessageRoundTrips) {
  Message m;
  m.id = "id-1";
  m.body = std::string("body\0with nul", 13);
  m.md5_body = "x";
  m.sent_ms = 1700000000123;
  m.visible_at_ms = 1700000005123;
  m.group_id = "g";
  m.attributes = {{"a", "String", "v", false}, {"b", "Binary", std::string("\0\1", 2), true}};
  Message back;
  ASSERT_TRUE(DecodeMessage(EncodeMessage(m), &back));
  EXPECT_EQ(back.body, m.body);
  EXPECT_EQ(back.sent_ms, m.sent_ms);
  EXPECT_EQ(back.visible_at_ms, m.visible_at_ms);
  ASSERT_EQ(back.attributes.size(), 2u);
  EXPECT_TRUE(back.attributes[1].binary);
  EXPECT_EQ(back.attributes[1].value, m.attributes[1].value);
  EXPECT_FALSE(DecodeMessage("garbage", &back));
}

}  // namespace
}  // namespace nimbus::sqs
