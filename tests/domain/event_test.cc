#include "domain/event.h"

#include <gtest/gtest.h>

#include "domain/cursor.h"

namespace tt {
namespace {

using Fields = std::map<std::string, std::string>;

constexpr char kCompetitionId[] = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
constexpr char kEventId[] = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";

Fields FieldsOf(const Status& status) { return status.ok() ? Fields{} : status.error().fields; }

DateTime At(std::string_view text) { return DateTime::Parse(text).value(); }

EventPatch ValidCreate() {
  EventPatch patch;
  patch.competition_id = kCompetitionId;
  patch.name = "1500m final";
  patch.date_time = At("2026-07-05T14:30:00-07:00");
  return patch;
}

// A competition on 2026-07-04..2026-07-05.
Competition TwoDayMeet() {
  Competition competition;
  competition.id = kCompetitionId;
  competition.start_date = Date::Parse("2026-07-04").value();
  competition.end_date = Date::Parse("2026-07-05").value();
  return competition;
}

Status Fits(std::string_view date_time) {
  Event event;
  event.date_time = At(date_time);
  return CheckEventFitsCompetition(event, TwoDayMeet());
}

TEST(ApplyEventPatch, CreatesFromTheRequiredFields) {
  Event event;
  ASSERT_TRUE(ApplyEventPatch(ValidCreate(), true, event).ok());
  EXPECT_EQ(event.competition_id, kCompetitionId);
  EXPECT_EQ(event.name, "1500m final");
  EXPECT_EQ(event.date_time.ToString(), "2026-07-05T14:30:00-07:00");
  EXPECT_FALSE(event.notes);
}

TEST(ApplyEventPatch, CreatingRequiresCompetitionNameAndTime) {
  Event event;
  EXPECT_EQ(FieldsOf(ApplyEventPatch({}, true, event)), (Fields{{"competition_id", "is required"},
                                                                {"name", "is required"},
                                                                {"date_time", "is required"}}));
  EXPECT_TRUE(ApplyEventPatch({}, false, event).ok());
}

TEST(ApplyEventPatch, AMalformedCompetitionIdIsNoSuchCompetition) {
  EventPatch patch = ValidCreate();
  patch.competition_id = "PREFONTAINE";
  Event event;
  EXPECT_EQ(FieldsOf(ApplyEventPatch(patch, true, event)),
            (Fields{{"competition_id", "no such competition"}}));
}

TEST(ApplyEventPatch, LimitsNameAndNotes) {
  EventPatch patch = ValidCreate();
  patch.name = std::string(200, 'n');
  patch.notes = std::optional<std::string>(std::string(2000, 'n'));
  Event event;
  EXPECT_TRUE(ApplyEventPatch(patch, true, event).ok());
  patch.name = "";
  patch.notes = std::optional<std::string>(std::string(2001, 'n'));
  EXPECT_EQ(FieldsOf(ApplyEventPatch(patch, true, event)),
            (Fields{{"name", "must not be empty"}, {"notes", "must be at most 2000 characters"}}));
}

TEST(ApplyEventPatch, NullClearsNotes) {
  EventPatch patch = ValidCreate();
  patch.notes = std::optional<std::string>("Lane 4");
  Event event;
  ASSERT_TRUE(ApplyEventPatch(patch, true, event).ok());
  EventPatch clear;
  clear.notes = std::optional<std::string>();
  ASSERT_TRUE(ApplyEventPatch(clear, false, event).ok());
  EXPECT_FALSE(event.notes);
  EXPECT_EQ(event.name, "1500m final");
}

TEST(CheckEventFitsCompetition, AcceptsTheFirstAndLastMinuteOfTheMeet) {
  EXPECT_TRUE(Fits("2026-07-04T00:00:00Z").ok());
  EXPECT_TRUE(Fits("2026-07-05T23:59:59.999999Z").ok());
  EXPECT_TRUE(Fits("2026-07-04T00:00:00+14:00").ok());
  EXPECT_TRUE(Fits("2026-07-05T23:59:59-12:00").ok());
}

TEST(CheckEventFitsCompetition, RejectsTheDayBeforeAndTheDayAfter) {
  const Status before = Fits("2026-07-03T23:59:59Z");
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(before.error().fields,
            (Fields{{"date_time",
                     "must fall within the competition's dates (2026-07-04..2026-07-05) in its "
                     "own offset"}}));
  EXPECT_FALSE(Fits("2026-07-06T00:00:00Z").ok());
}

TEST(CheckEventFitsCompetition, ReadsTheDayInTheEventsOwnOffset) {
  // 20:00 in Eugene on the last day is already the day after in UTC: still inside.
  EXPECT_TRUE(Fits("2026-07-05T20:00:00-07:00").ok());
  // 06:00 in Tokyo on the first day is still the day before in UTC: still inside.
  EXPECT_TRUE(Fits("2026-07-04T06:00:00+09:00").ok());
  // The same instants written in UTC fall outside.
  EXPECT_FALSE(Fits("2026-07-06T03:00:00Z").ok());
  EXPECT_FALSE(Fits("2026-07-03T21:00:00Z").ok());
}

TEST(EventCursor, RoundTrips) {
  const EventCursor cursor{At("2026-07-05T14:30:00.25-07:00").instant(), kEventId};
  const auto decoded = DecodeEventCursor(EncodeEventCursor(cursor));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->instant, cursor.instant);
  EXPECT_EQ(decoded->id, kEventId);
}

TEST(EventCursor, RejectsOtherCursors) {
  EXPECT_FALSE(DecodeEventCursor(EncodeCursor({"2026-07-05T14:30:00Z", kEventId})));
  EXPECT_FALSE(DecodeEventCursor(EncodeCursor({"123", "nope"})));
  EXPECT_FALSE(DecodeEventCursor(EncodeCursor({"123", kEventId, "extra"})));
  EXPECT_FALSE(DecodeEventCursor(""));
}

}  // namespace
}  // namespace tt
