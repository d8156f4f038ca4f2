// AppendResponseHead against the Beast message the server builds for the same answer: the bytes
// on the wire must be the same.
#include "core/http/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace nimbus::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr std::string_view kDate = "Wed, 25 Nov 2026 16:00:00 GMT";

// The server's Beast path for a plain answer, serialized.
std::string BeastBytes(Response out, unsigned version, bool close, bool head_request) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version};
  bool has_length = false;
  for (auto& [k, v] : out.headers) {
    if (beast::iequals(k, "content-length")) has_length = true;
    res.insert(k, v);
  }
  if (res.find(bhttp::field::date) == res.end()) res.set(bhttp::field::date, kDate);
  res.keep_alive(!close);
  if (head_request) {
    if (!has_length) res.content_length(out.body.size());
  } else if (out.status == 204 || out.status == 304 || out.status < 200) {
    res.erase(bhttp::field::content_length);
  } else {
    res.body() = std::move(out.body);
    res.prepare_payload();
  }
  std::string bytes;
  bhttp::response_serializer<bhttp::string_body> sr{res};
  beast::error_code ec;
  do {
    sr.next(ec, [&](beast::error_code& ec, const auto& buffers) {
      ec = {};
      for (auto b : beast::buffers_range_ref(buffers))
        bytes.append(static_cast<const char*>(b.data()), b.size());
      sr.consume(beast::buffer_bytes(buffers));
    });
  } while (!ec && !sr.is_done());
  return bytes;
}

std::string OurBytes(const Response& out, unsigned version, bool close, bool head_request) {
  std::string head = "unchanged";
  bool send_body = false;
  if (!AppendResponseHead(out, version, close, head_request, kDate, &head, &send_body))
    return "fallback";
  EXPECT_EQ(head.substr(0, 9), "unchanged");
  head.erase(0, 9);
  if (send_body) head += out.body;
  return head;
}

void ExpectSame(const Response& out) {
  for (unsigned version : {10u, 11u})
    for (bool close : {false, true})
      for (bool head_request : {false, true}) {
        SCOPED_TRACE(testing::Message() << "status " << out.status << " version " << version
                                        << " close " << close << " HEAD " << head_request);
        EXPECT_EQ(OurBytes(out, version, close, head_request),
                  BeastBytes(out, version, close, head_request));
      }
}

Response Make(int status, HeaderList headers, std::string body) {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(ResponseHead, SameBytesAsBeast) {
  const std::vector<int> statuses = {100, 101, 199, 200, 201, 204, 206, 299, 301,
                                     304, 307, 400, 404, 413, 500, 503, 599, 999};
  const std::vector<HeaderList> header_sets = {
      {},
      {{"content-type", "application/json"}, {"x-amzn-RequestId", "abc"}},
      {{"Content-Type", "text/plain"}, {"Content-Length", "12345"}, {"ETag", "\"e\""}},
      {{"date", "Mon, 01 Jan 2024 00:00:00 GMT"}, {"x-amz-meta-a", "  padded\t"}},
      {{"x-empty", ""}, {"x-ws", " \t "}, {"content-length", "0"}},
      {{"Server", "nimbus"}, {"x-amz-id-2", "id"}, {"DATE", "d"}, {"Content-LENGTH", "7"}},
  };
  for (int status : statuses)
    for (const auto& headers : header_sets)
      for (std::string body : {std::string(), std::string("hello"), std::string(1024, 'x')})
        ExpectSame(Make(status, headers, body));
}

TEST(ResponseHead, LeavesUnusualAnswersToBeast) {
  std::string head;
  bool send_body = false;
  for (const auto& headers : std::vector<HeaderList>{
           {{"Connection", "close"}},
           {{"transfer-encoding", "chunked"}},
           {{"set-cookie", "a=1"}, {"x", "y"}, {"Set-Cookie", "b=2"}},
           {{"x-big", std::string(70000, 'v')}},
       }) {
    EXPECT_FALSE(
        AppendResponseHead(Make(200, headers, "b"), 11, false, false, kDate, &head, &send_body));
    EXPECT_TRUE(head.empty());
  }
  EXPECT_FALSE(AppendResponseHead(Make(99, {}, ""), 11, false, false, kDate, &head, &send_body));
  EXPECT_FALSE(AppendResponseHead(Make(1000, {}, ""), 11, false, false, kDate, &head, &send_body));
  EXPECT_TRUE(head.empty());
}

TEST(ResponseHead, ExactBytesOfACommonAnswer) {
  std::string head;
  bool send_body = false;
  ASSERT_TRUE(AppendResponseHead(Make(200, {{"Content-Type", "text/plain"}}, "hi"), 11, false,
                                 false, kDate, &head, &send_body));
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Wed, 25 Nov 2026 16:00:00 "
            "GMT\r\nContent-Length: 2\r\n\r\n");
  EXPECT_TRUE(send_body);
  head.clear();
  ASSERT_TRUE(
      AppendResponseHead(Make(204, {}, "ignored"), 10, true, false, kDate, &head, &send_body));
  EXPECT_EQ(head, "HTTP/1.0 204 No Content\r\nDate: Wed, 25 Nov 2026 16:00:00 GMT\r\n\r\n");
  EXPECT_FALSE(send_body);
}

}  // namespace
}  // namespace nimbus::http
