// Calendar dates and instants as the contract spells them: dates are `YYYY-MM-DD` (real calendar
// dates), event times are RFC 3339 with an offset that is kept, and stored timestamps are UTC.
// Pure functions; no clock is read here (see clock.h).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tt {

// Microseconds since the Unix epoch, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// A proleptic Gregorian calendar date between 0001-01-01 and 9999-12-31.
class Date {
 public:
  Date() = default;
  // Returns nullopt unless `text` is exactly `YYYY-MM-DD` naming a real day (leap years count).
  static std::optional<Date> Parse(std::string_view text);
  static Date FromDaysSinceEpoch(int64_t days);
  // The UTC calendar day of `instant`.
  static Date OfInstant(Timestamp instant);

  int64_t DaysSinceEpoch() const { return days_; }
  std::string ToString() const;  // `YYYY-MM-DD`
  auto operator<=>(const Date&) const = default;

 private:
  explicit Date(int64_t days) : days_(days) {}
  int64_t days_ = 0;  // days since 1970-01-01
};

// An RFC 3339 date-time with an explicit offset (`Z` or `±HH:MM`), e.g.
// `2026-06-13T16:39:57-07:00`. It is the instant plus the offset it was written in, so it can be
// given back exactly as received while being compared as an instant.
class DateTime {
 public:
  DateTime() = default;
  // Accepts `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or `±HH:MM` (`T` and `Z` in either
  // case, fraction of 1 to 9 digits). Returns nullopt for anything else, for impossible dates and
  // times (including leap second 60) and for offsets beyond ±23:59.
  static std::optional<DateTime> Parse(std::string_view text);

  Timestamp instant() const { return instant_; }  // fractions below a microsecond are dropped
  int offset_minutes() const { return offset_minutes_; }
  // The calendar day read in the date-time's own offset (the local day at the venue).
  Date local_date() const;
  // The text it was parsed from with `T` and `Z` uppercased: same instant, same offset.
  const std::string& ToString() const { return text_; }

 private:
  Timestamp instant_{};
  int offset_minutes_ = 0;
  std::string text_;
};

// `2026-11-25T14:36:07.123456Z`: RFC 3339 in UTC with microseconds, for created_at/updated_at.
std::string FormatUtc(Timestamp instant);

// The same texts as Date::ToString and FormatUtc, written into a caller's buffer without
// allocating (encoders call them for every date of every item); the view points into `buffer`.
using TimeTextBuffer = std::array<char, 48>;
std::string_view FormatDate(Date date, TimeTextBuffer& buffer);
std::string_view FormatUtc(Timestamp instant, TimeTextBuffer& buffer);
// Inverse of FormatUtc for any RFC 3339 text; nullopt when invalid.
std::optional<Timestamp> ParseInstant(std::string_view text);

}  // namespace tt
