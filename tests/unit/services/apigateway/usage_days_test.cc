// Days of API Gateway usage: UTC calendar days, and where a quota period (DAY, WEEK with offset
// 0 on Sunday, MONTH with offset 0 on the first) starts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/apigateway/usage.h"

namespace nimbus::apigateway {
namespace {

int64_t Day(std::string_view text) { return ParseDay(text).value(); }

TEST(UsageDays, ParseAndFormat) {
  EXPECT_EQ(Day("1970-01-01"), 0);
  EXPECT_EQ(Day("2026-11-25"), DayOf(1795564800.0));
  EXPECT_EQ(FormatDay(Day("2024-02-29")), "2024-02-29");
  EXPECT_EQ(DayOf(86399.9), 0);
  EXPECT_EQ(DayOf(86400.0), 1);
  for (std::string_view bad : {"2023-02-29", "2026-13-01", "2026-1-01", "20260101", "",
                               "abcd-ef-gh", "1969-12-31", "2026-01-01T00:00:00Z"})
    EXPECT_FALSE(ParseDay(bad).has_value()) << bad;
}

TEST(UsageDays, PeriodStarts) {
  json::object day{{"period", "DAY"}, {"limit", 5}};
  EXPECT_EQ(PeriodStart(day, Day("2026-11-25")), Day("2026-11-25"));
  // 2026-11-25 is a Wednesday.
  json::object week{{"period", "WEEK"}, {"offset", 0}};
  EXPECT_EQ(PeriodStart(week, Day("2026-11-25")), Day("2026-11-22"));
  EXPECT_EQ(PeriodStart(week, Day("2026-11-22")), Day("2026-11-22"));
  json::object monday{{"period", "WEEK"}, {"offset", 1}};
  EXPECT_EQ(PeriodStart(monday, Day("2026-11-25")), Day("2026-11-23"));
  EXPECT_EQ(PeriodStart(monday, Day("2026-11-22")), Day("2026-11-16"));
  json::object month{{"period", "MONTH"}, {"offset", 0}};
  EXPECT_EQ(PeriodStart(month, Day("2026-11-25")), Day("2026-11-01"));
  json::object tenth{{"period", "MONTH"}, {"offset", 9}};
  EXPECT_EQ(PeriodStart(tenth, Day("2026-11-25")), Day("2026-11-10"));
  EXPECT_EQ(PeriodStart(tenth, Day("2026-11-05")), Day("2026-10-10"));
  EXPECT_EQ(PeriodStart(tenth, Day("2026-01-05")), Day("2025-12-10"));
}

}  // namespace
}  // namespace nimbus::apigateway
