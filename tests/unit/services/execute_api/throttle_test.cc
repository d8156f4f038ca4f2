// Token buckets of API Gateway throttling: full at first, refilled at the rate, capped at the
// burst, started over when the limit changes.
#include "services/execute_api/throttle.h"

#include <gtest/gtest.h>

namespace nimbus::execute_api {
namespace {

TEST(TokenBuckets, BurstThenRefillAtTheRate) {
  TokenBuckets b;
  ThrottleLimit limit{2.0, 3};  // 2 a second, 3 at once
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.TryTake("k", limit, 1000)) << i;
  EXPECT_FALSE(b.TryTake("k", limit, 1000));
  EXPECT_FALSE(b.TryTake("k", limit, 1400));  // 0.8 of a token back
  EXPECT_TRUE(b.TryTake("k", limit, 1500));   // one token at 500 ms
  EXPECT_FALSE(b.TryTake("k", limit, 1500));
  // Never more than the burst, however long the wait.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.TryTake("k", limit, 100000)) << i;
  EXPECT_FALSE(b.TryTake("k", limit, 100000));
}

TEST(TokenBuckets, BucketsAreSeparateByName) {
  TokenBuckets b;
  ThrottleLimit limit{0.0, 1};
  EXPECT_TRUE(b.TryTake("a", limit, 0));
  EXPECT_FALSE(b.TryTake("a", limit, 0));
  EXPECT_TRUE(b.TryTake("b", limit, 0));
}

TEST(TokenBuckets, ZeroBurstRefusesEverything) {
  TokenBuckets b;
  ThrottleLimit limit{100.0, 0};
  EXPECT_FALSE(b.TryTake("z", limit, 0));
  EXPECT_FALSE(b.TryTake("z", limit, 60000));
}

TEST(TokenBuckets, ANewLimitStartsFull) {
  TokenBuckets b;
  ThrottleLimit one{0.0, 1};
  EXPECT_TRUE(b.TryTake("k", one, 0));
  EXPECT_FALSE(b.TryTake("k", one, 0));
  ThrottleLimit two{0.0, 2};
  EXPECT_TRUE(b.TryTake("k", two, 0));
  EXPECT_TRUE(b.TryTake("k", two, 0));
  EXPECT_FALSE(b.TryTake("k", two, 0));
}

TEST(TokenBuckets, UnsetBurstHoldsTheRate) {
  TokenBuckets b;
  ThrottleLimit rate_only{2.0, -1};
  EXPECT_TRUE(b.TryTake("r", rate_only, 0));
  EXPECT_TRUE(b.TryTake("r", rate_only, 0));
  EXPECT_FALSE(b.TryTake("r", rate_only, 0));
}

TEST(TokenBuckets, ForgetDropsByPrefix) {
  TokenBuckets b;
  ThrottleLimit limit{0.0, 1};
  EXPECT_TRUE(b.TryTake("api1/x", limit, 0));
  EXPECT_TRUE(b.TryTake("api2/x", limit, 0));
  b.Forget("api1/");
  EXPECT_TRUE(b.TryTake("api1/x", limit, 0));
  EXPECT_FALSE(b.TryTake("api2/x", limit, 0));
}

}  // namespace
}  // namespace nimbus::execute_api
