#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace nimbus {

// The one clock of the process. Everything time-driven (signatures, expiries, TTLs, visibility
// timeouts) asks it, so tests can move time. Thread-safe.
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Wall-clock time plus the offset set by Advance (zero unless a test moved time).
  TimePoint Now() const;
  int64_t NowMillis() const;
  double NowSeconds() const;

  // Moves the clock forward by `delta` (never backwards).
  void Advance(std::chrono::milliseconds delta);
  std::chrono::milliseconds Offset() const { return std::chrono::milliseconds(offset_ms_.load()); }

 private:
  std::atomic<int64_t> offset_ms_{0};
};

// ISO 8601 forms AWS uses: "2015-08-30T12:36:00Z" (Iso8601) and "2015-08-30T12:36:00.000Z".
std::string FormatIso8601(Clock::TimePoint tp, bool millis = false);
// "20150830T123600Z", SigV4's x-amz-date form.
std::string FormatAmzDate(Clock::TimePoint tp);
// RFC 1123 / HTTP date: "Sun, 30 Aug 2015 12:36:00 GMT".
std::string FormatHttpDate(Clock::TimePoint tp);
// Parses "20150830T123600Z"; false on malformed input.
bool ParseAmzDate(std::string_view s, Clock::TimePoint* out);
// Parses ISO 8601 ("2015-08-30T12:36:00Z", with optional fraction and offset); false if malformed.
bool ParseIso8601(std::string_view s, double* epoch_seconds);
// Parses an RFC 1123 HTTP date; false if malformed.
bool ParseHttpDate(std::string_view s, double* epoch_seconds);

}  // namespace nimbus
