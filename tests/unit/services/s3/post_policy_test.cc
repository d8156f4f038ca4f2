// Browser form uploads: multipart/form-data parsing and POST policy conditions.
#include "services/s3/post_policy.h"

#include <gtest/gtest.h>

#include <cstdint>

#include <boost/json.hpp>

namespace nimbus::s3 {
namespace {

// The whole body fed in pieces of `piece` bytes; the file field (if any) gets the file's bytes.
bool ParseMultipartForm(std::string_view content_type, std::string_view body,
                        std::vector<FormField>* fields, size_t piece = SIZE_MAX) {
  FormParser parser;
  if (!parser.Start(content_type)) return false;
  std::string file;
  for (size_t at = 0; at < body.size(); at += piece) parser.Feed(body.substr(at, piece), &file);
  auto state = parser.Finish();
  if (state != FormParser::State::kAfterFile && state != FormParser::State::kEnded) return false;
  *fields = std::move(parser.fields());
  if (state == FormParser::State::kAfterFile) fields->back().value = std::move(file);
  return true;
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& file) {
  std::string body = "preamble\r\n";
  for (const auto& [k, v] : fields)
    body += "--B\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  body +=
      "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n" +
      file + "\r\n--B\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nx\r\n--B--\r\n";
  return body;
}

TEST(S3PostForm, ParsesFieldsUpToTheFile) {
  std::vector<FormField> fields;
  ASSERT_TRUE(ParseMultipartForm("multipart/form-data; boundary=B",
                                 Form({{"Key", "k/${filename}"}, {"x-amz-meta-a", "1\r\n2"}},
                                      std::string("bin\0ary\r\n--", 12)),
                                 &fields));
  ASSERT_EQ(fields.size(), 3u);  // the field after the file is ignored
  EXPECT_EQ(fields[0].name, "key");
  EXPECT_EQ(fields[1].value, "1\r\n2");
  EXPECT_TRUE(fields[2].is_file);
  EXPECT_EQ(fields[2].filename, "a \"b\".txt");
  EXPECT_EQ(fields[2].content_type, "text/plain");
  EXPECT_EQ(fields[2].value, std::string("bin\0ary\r\n--", 12));
  EXPECT_EQ(FindField(fields, "x-amz-meta-a")->value, "1\r\n2");
}

TEST(S3PostForm, ParsesTheSameInAnyPieces) {
  // A file holding most of the delimiter, and a boundary split across pieces.
  std::string body = Form({{"key", "k"}}, "x\r\n--x\r\n-\r\n--");
  for (size_t piece : {1, 2, 3, 7, 64}) {
    std::vector<FormField> fields;
    ASSERT_TRUE(ParseMultipartForm("multipart/form-data; boundary=B", body, &fields, piece));
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[0].value, "k");
    EXPECT_EQ(fields[1].value, "x\r\n--x\r\n-\r\n--") << piece;
  }
}

TEST(S3PostForm, BoundsWhatPrecedesTheFile) {
  FormParser parser;
  ASSERT_TRUE(parser.Start("multipart/form-data; boundary=B"));
  std::string file;
  EXPECT_EQ(
      parser.Feed(Form({{"x-amz-meta-a", std::string(kMaxPostPreDataBytes, 'a')}}, "f"), &file),
      FormParser::State::kTooLarge);
  FormParser endless;
  ASSERT_TRUE(endless.Start("multipart/form-data; boundary=B"));
  EXPECT_EQ(endless.Feed("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n", &file),
            FormParser::State::kFields);
  FormParser::State state = FormParser::State::kFields;
  for (int i = 0; i < 100 && state == FormParser::State::kFields; ++i)
    state = endless.Feed(std::string(1000, 'v'), &file);
  EXPECT_EQ(state, FormParser::State::kTooLarge);
  // A file of any size passes through.
  FormParser big;
  ASSERT_TRUE(big.Start("multipart/form-data; boundary=B"));
  big.Feed("--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n", &file);
  size_t total = 0;
  for (int i = 0; i < 64; ++i) {
    file.clear();
    EXPECT_EQ(big.Feed(std::string(1 << 16, 'f'), &file), FormParser::State::kFile);
    total += file.size();
  }
  file.clear();
  EXPECT_EQ(big.Feed("\r\n--B--\r\n", &file), FormParser::State::kAfterFile);
  EXPECT_EQ(total + file.size(), 64u << 16);
  EXPECT_TRUE(file.size() < 16);
  EXPECT_EQ(big.Finish(), FormParser::State::kAfterFile);
}

TEST(S3PostForm, RejectsMalformedBodies) {
  std::vector<FormField> fields;
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data", "--B\r\n", &fields));
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data; boundary=B", "no delimiter", &fields));
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data; boundary=B",
                                  "--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--",
                                  &fields));  // no name
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data; boundary=B",
                                  "--B\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv",
                                  &fields));  // unterminated
}

TEST(S3PostPolicy, Conditions) {
  std::vector<FormField> fields = {{"key", "up/a.txt"},
                                   {"content-type", "image/png"},
                                   {"x-amz-meta-x", "1"},
                                   {"file", "data", true, "a.txt", ""}};
  auto now = Clock::TimePoint(std::chrono::seconds(1'700'000'000));
  auto policy = json::parse(R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [
      {"bucket": "b"}, ["starts-with", "$key", "up/"], ["starts-with", "$Content-Type", "image/"],
      {"x-amz-meta-x": "1"}, ["content-length-range", 1, 10]]})");
  EXPECT_TRUE(CheckPostPolicy(policy, fields, "b", "up/a.txt", 4, now).ok());
  EXPECT_EQ(CheckPostPolicy(policy, fields, "other", "up/a.txt", 4, now).error().code,
            "AccessDenied");
  EXPECT_EQ(CheckPostPolicy(policy, fields, "b", "down/a.txt", 4, now).error().code,
            "AccessDenied");
  EXPECT_EQ(CheckPostPolicy(policy, fields, "b", "up/a.txt", 11, now).error().code,
            "EntityTooLarge");
  EXPECT_EQ(CheckPostPolicy(policy, fields, "b", "up/a.txt", 0, now).error().code,
            "EntityTooSmall");
  fields.insert(fields.begin(), FormField{"x-amz-meta-y", "2"});
  auto extra = CheckPostPolicy(policy, fields, "b", "up/a.txt", 4, now);
  EXPECT_EQ(extra.error().message, "Invalid according to Policy: Extra input fields: x-amz-meta-y");
  auto later = Clock::TimePoint(std::chrono::seconds(1'900'000'000));
  EXPECT_EQ(CheckPostPolicy(policy, {}, "b", "k", 1, later).error().message,
            "Invalid according to Policy: Policy expired.");
  EXPECT_EQ(CheckPostPolicy(json::parse("[]"), {}, "b", "k", 1, now).error().code,
            "InvalidPolicyDocument");
  EXPECT_EQ(CheckPostPolicy(json::parse(R"({"expiration": "2030-01-01T00:00:00Z",
      "conditions": [["matches", "$key", ".*"]]})"),
                            {}, "b", "k", 1, now)
                .error()
                .code,
            "InvalidPolicyDocument");
}

}  // namespace
}  // namespace nimbus::s3
