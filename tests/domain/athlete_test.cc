#include "domain/athlete.h"

#include <gtest/gtest.h>

#include "domain/cursor.h"

namespace tt {
namespace {

using Fields = std::map<std::string, std::string>;

constexpr char kId[] = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

Fields FieldsOf(const Status& status) { return status.ok() ? Fields{} : status.error().fields; }

AthletePatch ValidCreate() {
  AthletePatch patch;
  patch.first_name = "Faith";
  patch.last_name = "Kipyegon";
  return patch;
}

std::string Repeat(std::string_view unit, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += unit;
  return out;
}

TEST(ApplyAthletePatch, CreatesFromTheNames) {
  Athlete athlete;
  ASSERT_TRUE(ApplyAthletePatch(ValidCreate(), true, athlete).ok());
  EXPECT_EQ(athlete.first_name, "Faith");
  EXPECT_EQ(athlete.last_name, "Kipyegon");
  EXPECT_FALSE(athlete.country);
  EXPECT_TRUE(athlete.disciplines.empty());
}

TEST(ApplyAthletePatch, CreatingRequiresBothNames) {
  Athlete athlete;
  EXPECT_EQ(FieldsOf(ApplyAthletePatch({}, true, athlete)),
            (Fields{{"first_name", "is required"}, {"last_name", "is required"}}));
  EXPECT_TRUE(ApplyAthletePatch({}, false, athlete).ok());
}

TEST(ApplyAthletePatch, LimitsNamesToOneTo100CodePoints) {
  AthletePatch patch;
  patch.first_name = Repeat("ø", 100);
  patch.last_name = Repeat("🏃", 100);
  Athlete athlete;
  EXPECT_TRUE(ApplyAthletePatch(patch, true, athlete).ok());
  patch.first_name = "";
  patch.last_name = Repeat("🏃", 101);
  EXPECT_EQ(FieldsOf(ApplyAthletePatch(patch, true, athlete)),
            (Fields{{"first_name", "must not be empty"},
                    {"last_name", "must be between 1 and 100 characters"}}));
}

TEST(ApplyAthletePatch, SetsAndClearsTheOptionalFields) {
  AthletePatch patch = ValidCreate();
  patch.bio = std::optional<std::string>("Three-time Olympic 1500m champion.");
  patch.birthday = std::optional<Date>(Date::Parse("1994-01-10"));
  patch.team = std::optional<std::string>("Kenya");
  patch.country = std::optional<std::string>("KEN");
  patch.disciplines = std::vector<std::string>{"1500m", "5000m", "mile"};
  Athlete athlete;
  ASSERT_TRUE(ApplyAthletePatch(patch, true, athlete).ok());
  EXPECT_EQ(athlete.country, "KEN");
  EXPECT_EQ(athlete.birthday->ToString(), "1994-01-10");
  EXPECT_EQ(athlete.disciplines, (std::vector<std::string>{"1500m", "5000m", "mile"}));

  AthletePatch clear;
  clear.bio = std::optional<std::string>();
  clear.birthday = std::optional<Date>();
  clear.team = std::optional<std::string>();
  clear.country = std::optional<std::string>();
  clear.disciplines = std::vector<std::string>{};
  ASSERT_TRUE(ApplyAthletePatch(clear, false, athlete).ok());
  EXPECT_FALSE(athlete.bio);
  EXPECT_FALSE(athlete.birthday);
  EXPECT_FALSE(athlete.team);
  EXPECT_FALSE(athlete.country);
  EXPECT_TRUE(athlete.disciplines.empty());
  EXPECT_EQ(athlete.first_name, "Faith");
}

TEST(ApplyAthletePatch, LimitsBioAndTeam) {
  AthletePatch patch;
  patch.bio = std::optional<std::string>(Repeat("é", 2000));
  patch.team = std::optional<std::string>(Repeat("é", 200));
  Athlete athlete;
  EXPECT_TRUE(ApplyAthletePatch(patch, false, athlete).ok());
  patch.bio = std::optional<std::string>(Repeat("é", 2001));
  patch.team = std::optional<std::string>("");
  const Fields fields = FieldsOf(ApplyAthletePatch(patch, false, athlete));
  EXPECT_EQ(fields,
            (Fields{{"bio", "must be at most 2000 characters"}, {"team", "must not be empty"}}));
}

TEST(ApplyAthletePatch, CountryMustBeAnAssignedAlpha3Code) {
  Athlete athlete;
  for (const char* code : {"KEN", "USA", "JAM", "ABW", "ZWE", "GBR", "NOR"}) {
    AthletePatch patch;
    patch.country = std::optional<std::string>(code);
    EXPECT_TRUE(ApplyAthletePatch(patch, false, athlete).ok()) << code;
  }
  for (const char* code : {"ken", "Ken", "KE", "KENY", "XXX", "UK", "", "EUR", "XKX"}) {
    AthletePatch patch;
    patch.country = std::optional<std::string>(code);
    EXPECT_TRUE(FieldsOf(ApplyAthletePatch(patch, false, athlete)).contains("country")) << code;
  }
}

TEST(IsCountryCode, KnowsTheWholeList) {
  EXPECT_TRUE(IsCountryCode("ABW"));  // first
  EXPECT_TRUE(IsCountryCode("ZWE"));  // last
  EXPECT_TRUE(IsCountryCode("SSD"));  // South Sudan, assigned 2011
  EXPECT_TRUE(IsCountryCode("BES"));
  EXPECT_FALSE(IsCountryCode("ANT"));  // Netherlands Antilles, withdrawn
  EXPECT_FALSE(IsCountryCode("AAA"));
  EXPECT_FALSE(IsCountryCode("ZZZ"));
  int count = 0;
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      for (char c = 'A'; c <= 'Z'; ++c) count += IsCountryCode(std::string{a, b, c}) ? 1 : 0;
    }
  }
  EXPECT_EQ(count, 249);
}

TEST(ApplyAthletePatch, AllowsAtMost20DisciplinesOf1To50CodePoints) {
  AthletePatch patch;
  patch.disciplines = std::vector<std::string>(20, Repeat("ü", 50));
  Athlete athlete;
  EXPECT_TRUE(ApplyAthletePatch(patch, false, athlete).ok());

  patch.disciplines = std::vector<std::string>(21, "100m");
  EXPECT_EQ(FieldsOf(ApplyAthletePatch(patch, false, athlete)),
            (Fields{{"disciplines", "must have at most 20 items"}}));

  patch.disciplines = std::vector<std::string>{"100m", "200m", "", Repeat("ü", 51)};
  EXPECT_EQ(FieldsOf(ApplyAthletePatch(patch, false, athlete)),
            (Fields{{"disciplines[2]", "must not be empty"},
                    {"disciplines[3]", "must be between 1 and 50 characters"}}));
}

TEST(AthleteCursor, CursorOfUsesCaseFoldedNames) {
  Athlete athlete;
  athlete.id = kId;
  athlete.first_name = "Mondo";
  athlete.last_name = "DUPLANTIS";
  const AthleteCursor cursor = CursorOf(athlete);
  EXPECT_EQ(cursor.last_name_key, "duplantis");
  EXPECT_EQ(cursor.first_name_key, "mondo");
  EXPECT_EQ(cursor.id, kId);
  athlete.last_name = "ÅSTRÖM";
  EXPECT_EQ(CursorOf(athlete).last_name_key, "åström");
}

TEST(AthleteCursor, RoundTrips) {
  const AthleteCursor cursor{"kipyegon", "faith", kId};
  const auto decoded = DecodeAthleteCursor(EncodeAthleteCursor(cursor));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->last_name_key, "kipyegon");
  EXPECT_EQ(decoded->first_name_key, "faith");
  EXPECT_EQ(decoded->id, kId);
}

TEST(AthleteCursor, RejectsOtherCursors) {
  EXPECT_FALSE(DecodeAthleteCursor(EncodeCursor({"kipyegon", "faith", "nope"})));
  EXPECT_FALSE(DecodeAthleteCursor(EncodeCursor({"kipyegon", kId})));
  EXPECT_FALSE(DecodeAthleteCursor("%%%"));
}

TEST(FollowCursor, RoundTripsMicroseconds) {
  const FollowCursor cursor{Timestamp{std::chrono::microseconds{1781361597123456}}, kId};
  const auto decoded = DecodeFollowCursor(EncodeFollowCursor(cursor));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->followed_at, cursor.followed_at);
  EXPECT_EQ(decoded->id, kId);

  const FollowCursor before_epoch{Timestamp{std::chrono::microseconds{-5}}, kId};
  EXPECT_EQ(DecodeFollowCursor(EncodeFollowCursor(before_epoch))->followed_at,
            before_epoch.followed_at);
}

TEST(FollowCursor, RejectsNonCanonicalNumbersAndBadIds) {
  EXPECT_TRUE(DecodeFollowCursor(EncodeCursor({"17", kId})));
  for (const char* number : {"", "017", "+17", "-0", "1.5", "17x", " 17", "99999999999999999999"}) {
    EXPECT_FALSE(DecodeFollowCursor(EncodeCursor({number, kId}))) << number;
  }
  EXPECT_FALSE(DecodeFollowCursor(EncodeCursor({"17", "x"})));
}

}  // namespace
}  // namespace tt
