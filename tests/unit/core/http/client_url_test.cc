#include <gtest/gtest.h>

#include "core/http/client.h"

namespace nimbus::http {
namespace {

TEST(ParseHttpUrl, HttpDefaultsToPort80) {
  HttpUrl url;
  ASSERT_TRUE(ParseHttpUrl("http://example.com/a/b?x=1#frag", &url));
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "example.com");
  EXPECT_EQ(url.port, "80");
  EXPECT_EQ(url.host_header, "example.com");
  EXPECT_EQ(url.target, "/a/b?x=1");
}

TEST(ParseHttpUrl, HttpsDefaultsToPort443) {
  HttpUrl url;
  ASSERT_TRUE(ParseHttpUrl("HTTPS://Example.com", &url));
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "Example.com");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.target, "/");
  ASSERT_TRUE(ParseHttpUrl("https://localhost:8443?q", &url));
  EXPECT_EQ(url.port, "8443");
  EXPECT_EQ(url.host_header, "localhost:8443");
  EXPECT_EQ(url.target, "/?q");
}

TEST(ParseHttpUrl, BracketedIpv6Hosts) {
  HttpUrl url;
  ASSERT_TRUE(ParseHttpUrl("https://[::1]/x", &url));
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.host_header, "[::1]");
  ASSERT_TRUE(ParseHttpUrl("http://[::1]:9000/x", &url));
  EXPECT_EQ(url.port, "9000");
  EXPECT_FALSE(ParseHttpUrl("https://[::1/x", &url));
}

TEST(ParseHttpUrl, RefusesOtherUrls) {
  HttpUrl url;
  EXPECT_FALSE(ParseHttpUrl("ftp://example.com/", &url));
  EXPECT_FALSE(ParseHttpUrl("https://", &url));
  EXPECT_FALSE(ParseHttpUrl("https:/example.com", &url));
  EXPECT_FALSE(ParseHttpUrl("https://user@example.com/", &url));
  EXPECT_FALSE(ParseHttpUrl("https://example.com:/", &url));
  EXPECT_FALSE(ParseHttpUrl("httpsx://example.com/", &url));
}

}  // namespace
}  // namespace nimbus::http
