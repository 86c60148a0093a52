#include "api/icalendar_writer.h"

#include <chrono>
#include <cstdio>

namespace tt::api {
namespace {

constexpr size_t kMaxLineOctets = 75;  // excluding the CRLF (RFC 5545 section 3.1)

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Control characters other than HTAB are not allowed in property values.
bool IsDroppedControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && c != '\t') || byte == 0x7f;
}

}  // namespace

std::string EscapeText(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        escaped += "\\\\";
        break;
      case ';':
        escaped += "\\;";
        break;
      case ',':
        escaped += "\\,";
        break;
      case '\r':
        // CRLF and a lone CR are one line break each.
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        escaped += "\\n";
        break;
      case '\n':
        escaped += "\\n";
        break;
      default:
        if (!IsDroppedControl(c)) escaped += c;
    }
  }
  return escaped;
}

std::string FormatICalendarUtc(Timestamp instant) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(instant);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(seconds - day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

void ICalendarWriter::Begin(std::string_view component) {
  std::string line = "BEGIN:";
  line += component;
  Line(line);
}

void ICalendarWriter::End(std::string_view component) {
  std::string line = "END:";
  line += component;
  Line(line);
}

void ICalendarWriter::Raw(std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  for (char c : value) {
    if (!IsDroppedControl(c)) line += c;
  }
  Line(line);
}

void ICalendarWriter::Text(std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  line += EscapeText(value);
  Line(line);
}

void ICalendarWriter::UtcDateTime(std::string_view name, Timestamp instant) {
  Raw(name, FormatICalendarUtc(instant));
}

void ICalendarWriter::DateValue(std::string_view name, Date date) {
  std::string text = date.ToString();  // YYYY-MM-DD
  std::string value = text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2);
  std::string property(name);
  property += ";VALUE=DATE";
  Raw(property, value);
}

void ICalendarWriter::Line(std::string_view line) {
  // The first physical line takes 75 octets; each continuation starts with a space, which counts.
  size_t budget = kMaxLineOctets;
  while (line.size() > budget) {
    size_t cut = budget;
    // Never split a UTF-8 sequence: back off to the start of the character at the cut.
    while (cut > 0 && IsContinuationByte(line[cut])) --cut;
    if (cut == 0) cut = budget;  // not UTF-8 at all; cannot happen with validated text
    out_.append(line.substr(0, cut));
    out_ += "\r\n ";
    line.remove_prefix(cut);
    budget = kMaxLineOctets - 1;
  }
  out_.append(line);
  out_ += "\r\n";
}

}  // namespace tt::api
