#include "core/common/clock.h"

#include <cstdio>
#include <ctime>
#include <string_view>

namespace nimbus {

Clock::TimePoint Clock::Now() const {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(offset_ms_.load());
}

int64_t Clock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
}

double Clock::NowSeconds() const { return static_cast<double>(NowMillis()) / 1000.0; }

void Clock::Advance(std::chrono::milliseconds delta) {
  if (delta.count() > 0) offset_ms_.fetch_add(delta.count());
}

namespace {
std::tm ToTm(Clock::TimePoint tp) {
  std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool FromFields(int y, int mo, int d, int h, int mi, int s, std::time_t* out) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  *out = timegm(&tm);
  return true;
}
}  // namespace

std::string FormatIso8601(Clock::TimePoint tp, bool millis) {
  std::tm tm = ToTm(tp);
  char buf[96];
  if (millis) {
    int ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count() %
        1000);
    if (ms < 0) ms += 1000;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  } else {
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  return buf;
}

std::string FormatAmzDate(Clock::TimePoint tp) {
  std::tm tm = ToTm(tp);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string FormatHttpDate(Clock::TimePoint tp) {
  std::tm tm = ToTm(tp);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool ParseAmzDate(std::string_view s, Clock::TimePoint* out) {
  // YYYYMMDDTHHMMSSZ
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  if (!AllDigits(s.substr(0, 8)) || !AllDigits(s.substr(9, 6))) return false;
  std::time_t t;
  if (!FromFields(Num(s.substr(0, 4)), Num(s.substr(4, 2)), Num(s.substr(6, 2)),
                  Num(s.substr(9, 2)), Num(s.substr(11, 2)), Num(s.substr(13, 2)), &t))
    return false;
  *out = std::chrono::system_clock::from_time_t(t);
  return true;
}

bool ParseIso8601(std::string_view s, double* epoch_seconds) {
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return false;
  if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2)) ||
      !AllDigits(s.substr(11, 2)) || !AllDigits(s.substr(14, 2)) || !AllDigits(s.substr(17, 2)))
    return false;
  std::time_t t;
  if (!FromFields(Num(s.substr(0, 4)), Num(s.substr(5, 2)), Num(s.substr(8, 2)),
                  Num(s.substr(11, 2)), Num(s.substr(14, 2)), Num(s.substr(17, 2)), &t))
    return false;
  double frac = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    double scale = 0.1;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  long offset = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      if (s.size() - i != 6 || s[i + 3] != ':' || !AllDigits(s.substr(i + 1, 2)) ||
          !AllDigits(s.substr(i + 4, 2)))
        return false;
      offset = Num(s.substr(i + 1, 2)) * 3600 + Num(s.substr(i + 4, 2)) * 60;
      if (s[i] == '+') offset = -offset;
      i += 6;
    }
  }
  if (i != s.size()) return false;
  *epoch_seconds = static_cast<double>(t + offset) + frac;
  return true;
}

bool ParseHttpDate(std::string_view s, double* epoch_seconds) {
  // "Sun, 30 Aug 2015 12:36:00 GMT"
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return false;
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int mo = 0;
  for (int m = 0; m < 12; ++m)
    if (s.substr(8, 3) == kMonths[m]) mo = m + 1;
  if (mo == 0 || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(12, 4)) ||
      !AllDigits(s.substr(17, 2)) || !AllDigits(s.substr(20, 2)) || !AllDigits(s.substr(23, 2)))
    return false;
  std::time_t t;
  if (!FromFields(Num(s.substr(12, 4)), mo, Num(s.substr(5, 2)), Num(s.substr(17, 2)),
                  Num(s.substr(20, 2)), Num(s.substr(23, 2)), &t))
    return false;
  *epoch_seconds = static_cast<double>(t);
  return true;
}

}  // namespace nimbus
