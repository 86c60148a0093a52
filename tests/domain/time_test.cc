#include "domain/time.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

bool IsDate(std::string_view text) { return Date::Parse(text).has_value(); }
bool IsDateTime(std::string_view text) { return DateTime::Parse(text).has_value(); }

Timestamp UtcInstant(int64_t days_since_epoch, hours h, minutes m, seconds s,
                     microseconds us = microseconds{0}) {
  return Timestamp{std::chrono::sys_days{std::chrono::days{days_since_epoch}}} + h + m + s + us;
}

TEST(Date, ParsesAndPrintsARealDay) {
  const auto date = Date::Parse("2026-06-13");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->ToString(), "2026-06-13");
}

TEST(Date, CountsDaysFromTheUnixEpoch) {
  EXPECT_EQ(Date::Parse("1970-01-01")->DaysSinceEpoch(), 0);
  EXPECT_EQ(Date::Parse("1970-01-02")->DaysSinceEpoch(), 1);
  EXPECT_EQ(Date::Parse("1969-12-31")->DaysSinceEpoch(), -1);
  EXPECT_EQ(Date::FromDaysSinceEpoch(20617).ToString(), "2026-06-13");
}

TEST(Date, AcceptsFebruary29InLeapYears) {
  EXPECT_TRUE(IsDate("2024-02-29"));
  EXPECT_TRUE(IsDate("2000-02-29"));  // divisible by 400
}

TEST(Date, RejectsFebruary29InCommonYears) {
  EXPECT_FALSE(IsDate("2023-02-29"));
  EXPECT_FALSE(IsDate("1900-02-29"));  // divisible by 100 but not 400
}

TEST(Date, RejectsDaysThatDoNotExist) {
  EXPECT_FALSE(IsDate("2021-02-30"));
  EXPECT_FALSE(IsDate("2021-04-31"));
  EXPECT_FALSE(IsDate("2021-13-01"));
  EXPECT_FALSE(IsDate("2021-00-10"));
  EXPECT_FALSE(IsDate("2021-01-00"));
  EXPECT_FALSE(IsDate("2021-01-32"));
}

TEST(Date, CoversYearsOneToNineThousandNineHundredNinetyNine) {
  EXPECT_TRUE(IsDate("0001-01-01"));
  EXPECT_TRUE(IsDate("9999-12-31"));
  EXPECT_FALSE(IsDate("0000-12-31"));
  EXPECT_EQ(Date::Parse("0001-01-01")->ToString(), "0001-01-01");
  EXPECT_EQ(Date::Parse("9999-12-31")->ToString(), "9999-12-31");
}

TEST(Date, RejectsMalformedText) {
  for (const char* text : {"", "2021-1-01", "2021-01-1", "21-01-01", "2021/01/01", "2021-01-01 ",
                           " 2021-01-01", "+2021-01-01", "2021-+1-01", "2021-01-+1", "20210101",
                           "2021-01-01T00:00:00Z", "10000-01-01", "2021-0a-01", "２０２１-01-01"}) {
    EXPECT_FALSE(IsDate(text)) << text;
  }
}

TEST(Date, OrdersChronologically) {
  EXPECT_LT(*Date::Parse("2025-12-31"), *Date::Parse("2026-01-01"));
  EXPECT_EQ(*Date::Parse("2026-01-01"), *Date::Parse("2026-01-01"));
}

TEST(Date, OfInstantIsTheUtcDay) {
  EXPECT_EQ(Date::OfInstant(*ParseInstant("2026-06-13T23:59:59.999999Z")).ToString(), "2026-06-13");
  EXPECT_EQ(Date::OfInstant(*ParseInstant("2026-06-13T20:00:00-07:00")).ToString(), "2026-06-14");
  EXPECT_EQ(Date::OfInstant(*ParseInstant("1969-12-31T23:59:59.5Z")).ToString(), "1969-12-31");
}

TEST(DateTime, KeepsTheExactTextItWasGiven) {
  for (const char* text :
       {"2026-06-13T16:39:57-07:00", "2026-06-13T16:39:57Z", "2026-06-13T16:39:57.5+05:30",
        "2026-06-13T16:39:57.123456789+00:00", "2026-06-13T16:39:57-00:00"}) {
    const auto date_time = DateTime::Parse(text);
    ASSERT_TRUE(date_time) << text;
    EXPECT_EQ(date_time->ToString(), text);
  }
}

TEST(DateTime, AcceptsLowercaseTAndZAndStoresThemUppercased) {
  const auto date_time = DateTime::Parse("2026-06-13t16:39:57z");
  ASSERT_TRUE(date_time);
  EXPECT_EQ(date_time->ToString(), "2026-06-13T16:39:57Z");
  EXPECT_EQ(DateTime::Parse("2026-06-13t16:39:57.25+02:00")->ToString(),
            "2026-06-13T16:39:57.25+02:00");
}

TEST(DateTime, InstantIsLocalTimeMinusOffset) {
  const auto date_time = DateTime::Parse("2026-06-13T16:39:57-07:00");
  ASSERT_TRUE(date_time);
  EXPECT_EQ(date_time->offset_minutes(), -7 * 60);
  EXPECT_EQ(date_time->instant(), UtcInstant(20617, hours{23}, minutes{39}, seconds{57}));
  EXPECT_EQ(DateTime::Parse("2026-06-13T05:30:00+05:30")->instant(),
            UtcInstant(20617, hours{0}, minutes{0}, seconds{0}));
  EXPECT_EQ(DateTime::Parse("2026-06-13T05:30:00+05:30")->offset_minutes(), 330);
}

TEST(DateTime, ComparesAsInstantsAcrossOffsets) {
  const auto in_los_angeles = DateTime::Parse("2026-06-13T16:39:57-07:00");
  const auto in_utc = DateTime::Parse("2026-06-13T23:39:57Z");
  const auto in_tokyo = DateTime::Parse("2026-06-14T08:39:57+09:00");
  const auto a_bit_later_in_utc = DateTime::Parse("2026-06-13T23:39:57.000001Z");
  EXPECT_EQ(in_los_angeles->instant(), in_utc->instant());
  EXPECT_EQ(in_tokyo->instant(), in_utc->instant());
  EXPECT_LT(in_tokyo->instant(), a_bit_later_in_utc->instant());
  EXPECT_NE(in_tokyo->ToString(), in_utc->ToString());
}

TEST(DateTime, KeepsFractionsToTheMicrosecondAndDropsTheRest) {
  const Timestamp whole = *ParseInstant("2026-06-13T16:39:57Z");
  EXPECT_EQ(DateTime::Parse("2026-06-13T16:39:57.5Z")->instant() - whole, microseconds{500000});
  EXPECT_EQ(DateTime::Parse("2026-06-13T16:39:57.000001Z")->instant() - whole, microseconds{1});
  EXPECT_EQ(DateTime::Parse("2026-06-13T16:39:57.123456789Z")->instant() - whole,
            microseconds{123456});
  EXPECT_EQ(DateTime::Parse("2026-06-13T16:39:57.0000009Z")->instant(), whole);
}

TEST(DateTime, LocalDateIsTheDayAsWrittenEvenWhenUtcIsAnotherDay) {
  // Late evening west of Greenwich is already tomorrow in UTC.
  const auto evening = DateTime::Parse("2026-06-13T20:00:00-07:00");
  EXPECT_EQ(evening->local_date().ToString(), "2026-06-13");
  EXPECT_EQ(Date::OfInstant(evening->instant()).ToString(), "2026-06-14");
  // Early morning east of Greenwich is still yesterday in UTC.
  const auto morning = DateTime::Parse("2026-06-13T01:00:00+09:00");
  EXPECT_EQ(morning->local_date().ToString(), "2026-06-13");
  EXPECT_EQ(Date::OfInstant(morning->instant()).ToString(), "2026-06-12");
  EXPECT_EQ(DateTime::Parse("2026-06-13T23:59:59.999999-23:59")->local_date().ToString(),
            "2026-06-13");
  EXPECT_EQ(DateTime::Parse("2026-06-13T00:00:00+23:59")->local_date().ToString(), "2026-06-13");
}

TEST(DateTime, RejectsImpossibleTimesAndLeapSeconds) {
  EXPECT_TRUE(IsDateTime("2026-06-13T23:59:59Z"));
  EXPECT_FALSE(IsDateTime("2026-06-13T24:00:00Z"));
  EXPECT_FALSE(IsDateTime("2026-06-13T23:60:00Z"));
  EXPECT_FALSE(IsDateTime("2016-12-31T23:59:60Z"));
  EXPECT_FALSE(IsDateTime("2023-02-29T12:00:00Z"));
  EXPECT_TRUE(IsDateTime("2024-02-29T12:00:00Z"));
}

TEST(DateTime, RejectsInvalidOffsets) {
  EXPECT_TRUE(IsDateTime("2026-06-13T12:00:00+23:59"));
  EXPECT_TRUE(IsDateTime("2026-06-13T12:00:00-23:59"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00+24:00"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00+05:60"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00+0530"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00+05"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00+5:30"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00"));  // no offset at all
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00UTC"));
  EXPECT_FALSE(IsDateTime("2026-06-13T12:00:00Z+01:00"));
}

TEST(DateTime, RejectsMalformedText) {
  for (const char* text :
       {"", "2026-06-13", "2026-06-13 12:00:00Z", "2026-06-13T12:00Z", "2026-06-13T12:00:0Z",
        "2026-06-13T1:00:00Z", "2026-06-13T12:00:00.Z", "2026-06-13T12:00:00.1234567890Z",
        "2026-06-13T12:00:00,5Z", "2026-06-13X12:00:00Z", "2026-06-13T12:00:00Z ",
        "2026-06-13T12:00:00.5a+01:00", "2026-6-13T12:00:00Z", "2026-06-13T12-00-00Z"}) {
    EXPECT_FALSE(IsDateTime(text)) << text;
  }
}

TEST(FormatUtc, PrintsMicrosecondsAndZ) {
  EXPECT_EQ(FormatUtc(UtcInstant(20617, hours{14}, minutes{36}, seconds{7}, microseconds{123456})),
            "2026-06-13T14:36:07.123456Z");
  EXPECT_EQ(FormatUtc(UtcInstant(0, hours{0}, minutes{0}, seconds{0})),
            "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatUtc(UtcInstant(-1, hours{23}, minutes{59}, seconds{59}, microseconds{1})),
            "1969-12-31T23:59:59.000001Z");
  // Dates never go past 9999, but a timestamp can: its year prints in full.
  EXPECT_EQ(FormatUtc(UtcInstant(2932897, hours{1}, minutes{2}, seconds{3}, microseconds{40})),
            "10000-01-01T01:02:03.000040Z");
  TimeTextBuffer buffer;
  EXPECT_EQ(FormatUtc(UtcInstant(20617, hours{9}, minutes{5}, seconds{0}), buffer),
            "2026-06-13T09:05:00.000000Z");
  EXPECT_EQ(FormatDate(Date::FromDaysSinceEpoch(20617), buffer), "2026-06-13");
}

TEST(ParseInstant, InvertsFormatUtc) {
  const Timestamp instant =
      UtcInstant(20617, hours{14}, minutes{36}, seconds{7}, microseconds{123456});
  EXPECT_EQ(ParseInstant(FormatUtc(instant)), instant);
}

TEST(ParseInstant, AcceptsAnyOffsetAndRejectsInvalidText) {
  EXPECT_EQ(ParseInstant("2026-06-13T16:36:07.123456+02:00"),
            UtcInstant(20617, hours{14}, minutes{36}, seconds{7}, microseconds{123456}));
  EXPECT_FALSE(ParseInstant("2026-06-13"));
  EXPECT_FALSE(ParseInstant("yesterday"));
}

}  // namespace
}  // namespace tt
