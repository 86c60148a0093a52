// Writing iCalendar (RFC 5545) text, which calendar apps parse unforgivingly: content lines end
// with CRLF and are folded at 75 octets (never inside a UTF-8 sequence), TEXT values are escaped,
// and times are written in UTC so that no VTIMEZONE is needed and no client shifts them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/time.h"

namespace tt::api {

class ICalendarWriter {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit ICalendarWriter(std::string& out) : out_(out) {}

  // BEGIN:<component> / END:<component>, e.g. "VCALENDAR", "VEVENT".
  void Begin(std::string_view component);
  void End(std::string_view component);
  // A property whose value is written as it is: `name` may carry parameters
  // ("REFRESH-INTERVAL;VALUE=DURATION"), `value` must already be in its type's form (an integer,
  // a duration, a URI). Control characters are dropped from it.
  void Raw(std::string_view name, std::string_view value);
  // A TEXT property: backslash, semicolon, comma and line breaks escaped, other control
  // characters dropped.
  void Text(std::string_view name, std::string_view value);
  // A DATE-TIME in UTC: `20270704T204500Z` (seconds kept, fractions dropped).
  void UtcDateTime(std::string_view name, Timestamp instant);
  // A DATE: `<name>;VALUE=DATE:20270704`.
  void DateValue(std::string_view name, Date date);

 private:
  // Writes `line` (without its CRLF) folded at 75 octets.
  void Line(std::string_view line);

  std::string& out_;
};

// RFC 5545 TEXT escaping (section 3.3.11) of `text`, without folding.
std::string EscapeText(std::string_view text);
// `20270704T204500Z`.
std::string FormatICalendarUtc(Timestamp instant);

}  // namespace tt::api
