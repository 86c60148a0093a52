// iCalendar text as RFC 5545 spells it: escaping, folding, UTC times, and the calendar shapes.
#include "api/icalendar_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/calendar_encoding.h"

namespace tt::api {
namespace {

// The physical lines of `text`, each of which must end with CRLF.
std::vector<std::string> PhysicalLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "the text does not end with CRLF";
    if (end == std::string::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// Undoes the folding: a CRLF followed by a space is removed.
std::string Unfold(std::string text) {
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  return text;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const size_t length = byte < 0x80         ? 1
                          : (byte >> 5) == 6  ? 2
                          : (byte >> 4) == 14 ? 3
                          : (byte >> 3) == 30 ? 4
                                              : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

TEST(ICalendarText, EscapesBackslashSemicolonCommaAndLineBreaks) {
  EXPECT_EQ(EscapeText("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
  // Other control characters are not allowed in a value; HTAB is.
  EXPECT_EQ(EscapeText(std::string("x\x01y\x7fz\tw", 8)), "xyz\tw");
  EXPECT_EQ(EscapeText("Zürich: \"Weltklasse\" 🏃"), "Zürich: \"Weltklasse\" 🏃");
}

TEST(ICalendarText, FoldsLongLinesAt75OctetsWithoutSplittingACharacter) {
  // Every offset of a multi-byte character against the fold boundary.
  for (size_t pad = 0; pad < 8; ++pad) {
    std::string value(pad, 'x');
    for (int i = 0; i < 40; ++i) value += i % 2 == 0 ? "é🏃" : "ü, ";
    std::string text;
    ICalendarWriter out(text);
    out.Text("SUMMARY", value);
    std::vector<std::string> lines = PhysicalLines(text);
    ASSERT_GT(lines.size(), 2u);
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_LE(lines[i].size(), 75u) << "line " << i;
      EXPECT_TRUE(IsValidUtf8(lines[i])) << "line " << i << " splits a character";
      if (i > 0) {
        EXPECT_EQ(lines[i].front(), ' ');
      }
    }
    EXPECT_EQ(Unfold(text), "SUMMARY:" + EscapeText(value) + "\r\n");
  }
}

TEST(ICalendarText, ShortLinesAreNotFolded) {
  std::string text;
  ICalendarWriter out(text);
  out.Raw("X", std::string(73, 'a'));  // "X:" + 73 = 75 octets
  EXPECT_EQ(text, "X:" + std::string(73, 'a') + "\r\n");
}

TEST(ICalendarText, WritesUtcDateTimesAndDates) {
  EXPECT_EQ(FormatICalendarUtc(DateTime::Parse("2027-07-04T13:45:09.5-07:00")->instant()),
            "20270704T204509Z");
  std::string text;
  ICalendarWriter out(text);
  out.DateValue("DTSTART", *Date::Parse("2027-01-09"));
  EXPECT_EQ(text, "DTSTART;VALUE=DATE:20270109\r\n");
}

Competition MakeCompetition() {
  Competition competition;
  competition.id = "c1";
  competition.name = "Meet, the; best";
  competition.location = "Oslo";
  competition.start_date = *Date::Parse("2027-12-30");
  competition.end_date = *Date::Parse("2027-12-31");
  competition.url = "https://example.com/meet";
  competition.version = 3;
  competition.created_at = *ParseInstant("2026-01-01T00:00:00Z");
  competition.updated_at = *ParseInstant("2026-02-01T00:00:00Z");
  return competition;
}

TEST(CalendarBuilder, CompetitionIsAllDayWithAnExclusiveEndAcrossTheYear) {
  CalendarBuilder calendar("Name", "api.example.com");
  calendar.AddCompetition(MakeCompetition());
  const std::string text = calendar.Finish();
  EXPECT_NE(text.find("UID:competition-c1@api.example.com\r\n"), std::string::npos);
  EXPECT_NE(text.find("DTSTART;VALUE=DATE:20271230\r\n"), std::string::npos);
  EXPECT_NE(text.find("DTEND;VALUE=DATE:20280101\r\n"), std::string::npos);
  EXPECT_NE(text.find("SEQUENCE:2\r\n"), std::string::npos);
  EXPECT_NE(text.find("DTSTAMP:20260201T000000Z\r\n"), std::string::npos);
  EXPECT_NE(text.find("SUMMARY:Meet\\, the\\; best\r\n"), std::string::npos);
  EXPECT_TRUE(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  EXPECT_TRUE(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
}

TEST(CalendarBuilder, EventIsTimedInUtcAndCountsTheCompetitionsChangesToo) {
  Event event;
  event.id = "e1";
  event.name = "1500m";
  event.date_time = *DateTime::Parse("2027-12-31T23:30:00-05:00");
  event.version = 2;
  event.created_at = *ParseInstant("2026-01-01T00:00:00Z");
  event.updated_at = *ParseInstant("2026-01-15T00:00:00Z");
  CalendarBuilder calendar("Name", "d");
  calendar.AddEvent(event, MakeCompetition());
  calendar.AddEvent(event, MakeCompetition(), "Faith Kipyegon");
  const std::string text = calendar.Finish();
  EXPECT_NE(text.find("DTSTART:20280101T043000Z\r\n"), std::string::npos);
  EXPECT_EQ(text.find("TZID"), std::string::npos);
  EXPECT_NE(text.find("SEQUENCE:3\r\n"), std::string::npos);                      // 1 + 2
  EXPECT_NE(text.find("LAST-MODIFIED:20260201T000000Z\r\n"), std::string::npos);  // the later
  EXPECT_NE(text.find("SUMMARY:1500m \u2014 Meet\\, the\\; best\r\n"), std::string::npos);
  EXPECT_NE(text.find("SUMMARY:Faith Kipyegon \u2014 1500m\r\n"), std::string::npos);
}

TEST(CalendarBuilder, EntityTagFollowsEveryByte) {
  EXPECT_EQ(CalendarEntityTag("a"), CalendarEntityTag("a"));
  EXPECT_NE(CalendarEntityTag("a"), CalendarEntityTag("b"));
  EXPECT_NE(CalendarEntityTag("ab"), CalendarEntityTag("ba"));
  EXPECT_EQ(CalendarEntityTag("").size(), 18u);  // quotes and 16 hex digits
}

}  // namespace
}  // namespace tt::api
