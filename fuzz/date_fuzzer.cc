// Dates and date-times as clients send them (src/domain/time.h): whatever the text, parsing
// never crashes, and what parses comes back from ToString() unchanged in meaning.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/time.h"
#include "fuzz/fuzz_check.h"

namespace {

using tt::Date;
using tt::DateTime;
using tt::Timestamp;
using tt::fuzz::Escape;

std::string Uppercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void CheckDate(std::string_view text) {
  const std::optional<Date> date = Date::Parse(text);
  if (!date) return;
  // Only `YYYY-MM-DD` parses, so the text is already the one spelling of that day.
  TT_FUZZ_CHECK_MSG(date->ToString() == text, Escape(text) + " -> " + date->ToString());
  TT_FUZZ_CHECK(Date::Parse(date->ToString()) == date);
  TT_FUZZ_CHECK(Date::FromDaysSinceEpoch(date->DaysSinceEpoch()) == *date);
  const Timestamp midnight{std::chrono::sys_days{std::chrono::days{date->DaysSinceEpoch()}}};
  TT_FUZZ_CHECK(Date::OfInstant(midnight) == *date);
  TT_FUZZ_CHECK(Date::OfInstant(midnight + std::chrono::hours{24} - std::chrono::microseconds{1}) ==
                *date);
}

// The instants FormatUtc can spell as text ParseInstant reads back: years 0001 to 9999.
bool HasFourDigitUtcYear(Timestamp instant) {
  static const Timestamp kFirst{std::chrono::sys_days{std::chrono::year{1} / 1 / 1}};
  static const Timestamp kEnd{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}};
  return instant >= kFirst && instant < kEnd;
}

void CheckDateTime(std::string_view text) {
  const std::optional<DateTime> date_time = DateTime::Parse(text);
  const std::optional<Timestamp> instant = tt::ParseInstant(text);
  TT_FUZZ_CHECK(date_time.has_value() == instant.has_value());
  if (!date_time) return;
  TT_FUZZ_CHECK(*instant == date_time->instant());

  // Given back as received, `T` and `Z` uppercased (the only letters the syntax has).
  const std::string& written = date_time->ToString();
  TT_FUZZ_CHECK_MSG(written == Uppercase(text), Escape(text) + " -> " + Escape(written));
  const std::optional<DateTime> again = DateTime::Parse(written);
  TT_FUZZ_CHECK_MSG(again.has_value(), Escape(written));
  TT_FUZZ_CHECK(again->instant() == date_time->instant());
  TT_FUZZ_CHECK(again->offset_minutes() == date_time->offset_minutes());
  TT_FUZZ_CHECK(again->ToString() == written);

  TT_FUZZ_CHECK(date_time->offset_minutes() >= -(23 * 60 + 59) &&
                date_time->offset_minutes() <= 23 * 60 + 59);
  // The local day is the day as written, whatever the offset.
  const std::optional<Date> written_day = Date::Parse(text.substr(0, 10));
  TT_FUZZ_CHECK(written_day.has_value());
  TT_FUZZ_CHECK_MSG(date_time->local_date() == *written_day,
                    Escape(text) + " local day " + date_time->local_date().ToString());

  // FormatUtc is ParseInstant's inverse for the instants it can spell; an offset can move a
  // date-time of 0001-01-01 or 9999-12-31 into year 0000 or 10000, which it cannot.
  if (HasFourDigitUtcYear(date_time->instant())) {
    const std::string utc = tt::FormatUtc(date_time->instant());
    const std::optional<Timestamp> back = tt::ParseInstant(utc);
    TT_FUZZ_CHECK_MSG(back == date_time->instant(), Escape(text) + " -> " + utc);
    const std::optional<DateTime> utc_date_time = DateTime::Parse(utc);
    TT_FUZZ_CHECK(utc_date_time && utc_date_time->offset_minutes() == 0);
  }
}

// Days built from the input rather than parsed: every day of years 1..9999 prints and parses back.
void CheckDateFromDays(const uint8_t* data, size_t size) {
  if (size < 4) return;
  constexpr int64_t kFirstDay = -719162;  // 0001-01-01
  constexpr int64_t kLastDay = 2932896;   // 9999-12-31
  const uint32_t raw = static_cast<uint32_t>(data[0]) | static_cast<uint32_t>(data[1]) << 8 |
                       static_cast<uint32_t>(data[2]) << 16 | static_cast<uint32_t>(data[3]) << 24;
  const int64_t days = kFirstDay + static_cast<int64_t>(raw % (kLastDay - kFirstDay + 1));
  const Date date = Date::FromDaysSinceEpoch(days);
  const std::string text = date.ToString();
  TT_FUZZ_CHECK_MSG(Date::Parse(text) == date, std::to_string(days) + " -> " + text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = tt::fuzz::AsText(data, size);
  CheckDate(text);
  CheckDateTime(text);
  CheckDateFromDays(data, size);
  return 0;
}
