#include "domain/time.h"

#include <cstdio>

namespace tt {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `width` ASCII digits at `pos`; nullopt if any is missing or not a digit.
std::optional<int> ReadDigits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<year_month_day> ParseYearMonthDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = ReadDigits(text, 0, 4);
  const auto month = ReadDigits(text, 5, 2);
  const auto day = ReadDigits(text, 8, 2);
  if (!year || !month || !day || *year < 1) return std::nullopt;
  const year_month_day ymd{std::chrono::year{*year},
                           std::chrono::month{static_cast<unsigned>(*month)},
                           std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;  // month 13, day 0, 2021-02-30, 2023-02-29, ...
  return ymd;
}

// Writes `value` (0-99) as two digits.
char* PutTwoDigits(char* out, unsigned value) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
  return out + 2;
}

// Writes `YYYY-MM-DD` at `out` (at most 24 characters) and returns the end. Years outside
// 0-9999 never come from Parse, but a timestamp can hold one: they print in full.
char* PutYearMonthDay(char* out, const year_month_day& ymd) {
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    out += std::snprintf(out, 16, "%d", year);
  } else {
    out = PutTwoDigits(out, static_cast<unsigned>(year) / 100);
    out = PutTwoDigits(out, static_cast<unsigned>(year) % 100);
  }
  *out++ = '-';
  out = PutTwoDigits(out, static_cast<unsigned>(ymd.month()));
  *out++ = '-';
  return PutTwoDigits(out, static_cast<unsigned>(ymd.day()));
}

}  // namespace

std::optional<Date> Date::Parse(std::string_view text) {
  const auto ymd = ParseYearMonthDay(text);
  if (!ymd) return std::nullopt;
  return Date(sys_days{*ymd}.time_since_epoch().count());
}

Date Date::FromDaysSinceEpoch(int64_t days_since_epoch) { return Date(days_since_epoch); }

Date Date::OfInstant(Timestamp instant) {
  return Date(std::chrono::floor<days>(instant).time_since_epoch().count());
}

std::string Date::ToString() const {
  TimeTextBuffer buffer;
  return std::string(FormatDate(*this, buffer));
}

std::string_view FormatDate(Date date, TimeTextBuffer& buffer) {
  const char* end =
      PutYearMonthDay(buffer.data(), year_month_day{sys_days{days{date.DaysSinceEpoch()}}});
  return std::string_view(buffer.data(), static_cast<size_t>(end - buffer.data()));
}

std::optional<DateTime> DateTime::Parse(std::string_view text) {
  // The shortest valid form is `YYYY-MM-DDTHH:MM:SSZ`.
  if (text.size() < 20) return std::nullopt;
  const auto ymd = ParseYearMonthDay(text.substr(0, 10));
  if (!ymd) return std::nullopt;
  if (text[10] != 'T' && text[10] != 't') return std::nullopt;
  if (text[13] != ':' || text[16] != ':') return std::nullopt;
  const auto hour = ReadDigits(text, 11, 2);
  const auto minute = ReadDigits(text, 14, 2);
  const auto second = ReadDigits(text, 17, 2);
  // No leap seconds: an instant with second 60 has no representation in sys_time.
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }

  size_t pos = 19;
  int64_t micros = 0;
  if (text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits < 1 || digits > 9) return std::nullopt;
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }

  int offset_minutes = 0;
  size_t zone_pos = pos;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    if (pos + 6 > text.size() || text[pos + 3] != ':') return std::nullopt;
    const auto offset_hours = ReadDigits(text, pos + 1, 2);
    const auto offset_mins = ReadDigits(text, pos + 4, 2);
    if (!offset_hours || !offset_mins || *offset_hours > 23 || *offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = *offset_hours * 60 + *offset_mins;
    if (text[pos] == '-') offset_minutes = -offset_minutes;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  DateTime result;
  result.instant_ = Timestamp{sys_days{*ymd}} + std::chrono::hours{*hour} +
                    std::chrono::minutes{*minute} + std::chrono::seconds{*second} +
                    std::chrono::microseconds{micros} - std::chrono::minutes{offset_minutes};
  result.offset_minutes_ = offset_minutes;
  result.text_ = std::string(text);
  result.text_[10] = 'T';
  if (result.text_[zone_pos] == 'z') result.text_[zone_pos] = 'Z';
  return result;
}

Date DateTime::local_date() const {
  return Date::OfInstant(instant_ + std::chrono::minutes{offset_minutes_});
}

std::string FormatUtc(Timestamp instant) {
  TimeTextBuffer buffer;
  return std::string(FormatUtc(instant, buffer));
}

std::string_view FormatUtc(Timestamp instant, TimeTextBuffer& buffer) {
  const auto day = std::chrono::floor<days>(instant);
  const std::chrono::hh_mm_ss time_of_day{instant - day};
  char* out = PutYearMonthDay(buffer.data(), year_month_day{day});
  *out++ = 'T';
  out = PutTwoDigits(out, static_cast<unsigned>(time_of_day.hours().count()));
  *out++ = ':';
  out = PutTwoDigits(out, static_cast<unsigned>(time_of_day.minutes().count()));
  *out++ = ':';
  out = PutTwoDigits(out, static_cast<unsigned>(time_of_day.seconds().count()));
  *out++ = '.';
  auto micros = static_cast<unsigned>(time_of_day.subseconds().count());
  for (int i = 5; i >= 0; --i) {
    out[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  out += 6;
  *out++ = 'Z';
  return std::string_view(buffer.data(), static_cast<size_t>(out - buffer.data()));
}

std::optional<Timestamp> ParseInstant(std::string_view text) {
  const auto date_time = DateTime::Parse(text);
  if (!date_time) return std::nullopt;
  return date_time->instant();
}

}  // namespace tt
