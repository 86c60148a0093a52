#include "domain/competition.h"

#include <gtest/gtest.h>

#include "domain/cursor.h"

namespace tt {
namespace {

using Fields = std::map<std::string, std::string>;

Date Day(std::string_view text) { return Date::Parse(text).value(); }

CompetitionPatch ValidCreate() {
  CompetitionPatch patch;
  patch.name = "Prefontaine Classic";
  patch.location = "Eugene, Oregon";
  patch.start_date = Day("2026-07-04");
  patch.end_date = Day("2026-07-05");
  return patch;
}

Competition Created() {
  Competition competition;
  EXPECT_TRUE(ApplyCompetitionPatch(ValidCreate(), /*creating=*/true, competition).ok());
  return competition;
}

Fields FieldsOf(const Status& status) { return status.ok() ? Fields{} : status.error().fields; }

TEST(ApplyCompetitionPatch, CreatesFromTheRequiredFields) {
  Competition competition;
  ASSERT_TRUE(ApplyCompetitionPatch(ValidCreate(), true, competition).ok());
  EXPECT_EQ(competition.name, "Prefontaine Classic");
  EXPECT_EQ(competition.location, "Eugene, Oregon");
  EXPECT_EQ(competition.start_date, Day("2026-07-04"));
  EXPECT_EQ(competition.end_date, Day("2026-07-05"));
  EXPECT_FALSE(competition.description);
  EXPECT_FALSE(competition.url);
}

TEST(ApplyCompetitionPatch, CreatingReportsEveryMissingRequiredField) {
  Competition competition;
  const Status status = ApplyCompetitionPatch({}, true, competition);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(FieldsOf(status), (Fields{{"name", "is required"},
                                      {"location", "is required"},
                                      {"start_date", "is required"},
                                      {"end_date", "is required"}}));
}

TEST(ApplyCompetitionPatch, PatchingRequiresNothing) {
  Competition competition = Created();
  EXPECT_TRUE(ApplyCompetitionPatch({}, false, competition).ok());
  EXPECT_EQ(competition.name, "Prefontaine Classic");
}

TEST(ApplyCompetitionPatch, AllowsASingleDayCompetition) {
  CompetitionPatch patch = ValidCreate();
  patch.end_date = patch.start_date;
  Competition competition;
  EXPECT_TRUE(ApplyCompetitionPatch(patch, true, competition).ok());
}

TEST(ApplyCompetitionPatch, RejectsEndBeforeStart) {
  CompetitionPatch patch = ValidCreate();
  patch.end_date = Day("2026-07-03");
  Competition competition;
  EXPECT_EQ(FieldsOf(ApplyCompetitionPatch(patch, true, competition)),
            (Fields{{"end_date", "must not be before start_date"}}));
}

TEST(ApplyCompetitionPatch, ChecksDatesAgainstTheStoredOnesWhenPatchingOnlyOne) {
  Competition competition = Created();  // 2026-07-04..2026-07-05
  CompetitionPatch patch;
  patch.start_date = Day("2026-07-06");
  EXPECT_EQ(FieldsOf(ApplyCompetitionPatch(patch, false, competition)),
            (Fields{{"end_date", "must not be before start_date"}}));

  competition = Created();
  patch = {};
  patch.end_date = Day("2026-07-10");
  EXPECT_TRUE(ApplyCompetitionPatch(patch, false, competition).ok());
  EXPECT_EQ(competition.end_date, Day("2026-07-10"));
}

TEST(ApplyCompetitionPatch, LimitsNameAndLocationToOneTo200CodePoints) {
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "é";
  CompetitionPatch patch = ValidCreate();
  patch.name = long_name;
  patch.location = "🏟";
  Competition competition;
  EXPECT_TRUE(ApplyCompetitionPatch(patch, true, competition).ok());

  patch.name = long_name + "é";
  patch.location = "";
  const Fields fields = FieldsOf(ApplyCompetitionPatch(patch, true, competition));
  EXPECT_EQ(fields, (Fields{{"name", "must be between 1 and 200 characters"},
                            {"location", "must not be empty"}}));
}

TEST(ApplyCompetitionPatch, LimitsDescriptionTo5000CodePoints) {
  CompetitionPatch patch = ValidCreate();
  patch.description = std::string(5000, 'x');
  Competition competition;
  EXPECT_TRUE(ApplyCompetitionPatch(patch, true, competition).ok());
  patch.description = std::string(5001, 'x');
  EXPECT_EQ(FieldsOf(ApplyCompetitionPatch(patch, true, competition)),
            (Fields{{"description", "must be at most 5000 characters"}}));
}

TEST(ApplyCompetitionPatch, AcceptsHttpUrlsAndRejectsOthers) {
  CompetitionPatch patch = ValidCreate();
  patch.url = "https://www.diamondleague.com/";
  Competition competition;
  ASSERT_TRUE(ApplyCompetitionPatch(patch, true, competition).ok());
  EXPECT_EQ(competition.url, "https://www.diamondleague.com/");

  patch.url = "javascript:alert(1)";
  const Fields fields = FieldsOf(ApplyCompetitionPatch(patch, true, competition));
  EXPECT_TRUE(fields.contains("url"));
  EXPECT_EQ(fields.size(), 1u);
}

TEST(ApplyCompetitionPatch, NullClearsUrlAndDescription) {
  CompetitionPatch create = ValidCreate();
  create.url = "https://example.com";
  create.description = "Diamond League meet";
  Competition competition;
  ASSERT_TRUE(ApplyCompetitionPatch(create, true, competition).ok());

  CompetitionPatch clear;
  clear.url = std::optional<std::string>();
  clear.description = std::optional<std::string>();
  ASSERT_TRUE(ApplyCompetitionPatch(clear, false, competition).ok());
  EXPECT_FALSE(competition.url);
  EXPECT_FALSE(competition.description);
}

TEST(ApplyCompetitionPatch, ReportsEveryProblemAtOnce) {
  CompetitionPatch patch = ValidCreate();
  patch.name = "";
  patch.url = "ftp://example.com";
  patch.end_date = Day("2026-01-01");
  Competition competition;
  const Fields fields = FieldsOf(ApplyCompetitionPatch(patch, true, competition));
  EXPECT_TRUE(fields.contains("name"));
  EXPECT_TRUE(fields.contains("url"));
  EXPECT_TRUE(fields.contains("end_date"));
}

TEST(CompetitionCursor, RoundTrips) {
  const CompetitionCursor cursor{Day("2026-07-04"), "3f2504e0-4f89-41d3-9a0c-0305e82c3301"};
  const auto decoded = DecodeCompetitionCursor(EncodeCompetitionCursor(cursor));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->start_date, cursor.start_date);
  EXPECT_EQ(decoded->id, cursor.id);
}

TEST(CompetitionCursor, RejectsCursorsWithABadDateOrIdOrShape) {
  EXPECT_FALSE(DecodeCompetitionCursor(
      EncodeCursor({"2026-02-30", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"})));
  EXPECT_FALSE(DecodeCompetitionCursor(EncodeCursor({"2026-07-04", "not-an-id"})));
  EXPECT_FALSE(DecodeCompetitionCursor(EncodeCursor({"2026-07-04"})));
  EXPECT_FALSE(DecodeCompetitionCursor("garbage!"));
  EXPECT_FALSE(DecodeCompetitionCursor(""));
}

}  // namespace
}  // namespace tt
