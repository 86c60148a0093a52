// Athletes: an extension of a user (the athlete's id is the user's id), and who follows them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "domain/fields.h"
#include "domain/time.h"
#include "domain/validation.h"

namespace tt {

struct Athlete {
  std::string id;        // the user's id
  std::string username;  // the user's, read-only here
  std::string first_name;
  std::string last_name;
  std::optional<std::string> bio;
  std::optional<Date> birthday;
  std::optional<std::string> team;
  std::optional<std::string> country;  // ISO 3166-1 alpha-3, e.g. "KEN"
  std::vector<std::string> disciplines;
  int64_t follower_count = 0;  // derived by the store
  Timestamp created_at{};
  Timestamp updated_at{};
  int64_t version = 1;
};

struct AthletePatch {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::optional<std::string>> bio;
  std::optional<std::optional<Date>> birthday;
  std::optional<std::optional<std::string>> team;
  std::optional<std::optional<std::string>> country;
  std::optional<std::vector<std::string>> disciplines;
};

// True for an assigned ISO 3166-1 alpha-3 code in uppercase.
bool IsCountryCode(std::string_view code);

// Reports a `country` that is not an assigned ISO 3166-1 alpha-3 code in uppercase.
void CheckCountryCode(std::string_view field, const std::string& code, FieldErrors& errors);
// Reports more than 20 disciplines, or one (as `field[i]`) that is not 1-50 code points.
void CheckDisciplines(std::string_view field, const std::vector<std::string>& disciplines,
                      FieldErrors& errors);

// Athlete's members, in the order the contract's JSON shows them, each under the one name it has
// in JSON, as a SQLite column and as a DynamoDB attribute (domain/fields.h). username and
// follower_count are derived by each store (kDerived): SQLite joins the user and counts follows;
// DynamoDB keeps a copy of the username and a counter that follows move. The stores also keep the
// folded name keys (first_key, last_key), written by hand.
inline constexpr auto kAthleteFields = std::make_tuple(
    ServerField("id", &Athlete::id, FieldWrite::kCreation),
    ServerField("username", &Athlete::username, FieldWrite::kDerived),
    ClientField("first_name", &Athlete::first_name, &AthletePatch::first_name, Presence::kRequired,
                &LengthBetween<1, 100>),
    ClientField("last_name", &Athlete::last_name, &AthletePatch::last_name, Presence::kRequired,
                &LengthBetween<1, 100>),
    ClientField("bio", &Athlete::bio, &AthletePatch::bio, Presence::kOptional,
                &LengthBetween<0, 2000>),
    ClientField("birthday", &Athlete::birthday, &AthletePatch::birthday, Presence::kOptional),
    ClientField("team", &Athlete::team, &AthletePatch::team, Presence::kOptional,
                &LengthBetween<1, 200>),
    ClientField("country", &Athlete::country, &AthletePatch::country, Presence::kOptional,
                &CheckCountryCode),
    ClientField("disciplines", &Athlete::disciplines, &AthletePatch::disciplines,
                Presence::kOptional, &CheckDisciplines),
    ServerField("follower_count", &Athlete::follower_count, FieldWrite::kDerived),
    ServerField("created_at", &Athlete::created_at, FieldWrite::kCreation),
    ServerField("updated_at", &Athlete::updated_at, FieldWrite::kEveryWrite),
    ServerField("version", &Athlete::version, FieldWrite::kEveryWrite));

// Applies and validates, as ApplyCompetitionPatch does; `creating` requires the names.
Status ApplyAthletePatch(const AthletePatch& patch, bool creating, Athlete& athlete);

// Lists order athletes by (case-folded last name, case-folded first name, id); see FoldCase.
struct AthleteCursor {
  std::string last_name_key;
  std::string first_name_key;
  std::string id;
};
std::string EncodeAthleteCursor(const AthleteCursor& cursor);
std::optional<AthleteCursor> DecodeAthleteCursor(std::string_view text);
AthleteCursor CursorOf(const Athlete& athlete);

// GET /athletes: `prefix` matches the start of first or last name, case-insensitively.
struct AthleteQuery {
  std::optional<std::string> prefix;
  std::optional<AthleteCursor> after;
  int limit = 50;
};

// Both sides of a follow list newest follow first, by (followed_at desc, id desc), where `id` is
// the other side's: the followed athlete's in GET /users/{id}/following, the follower's in
// GET /athletes/{id}/followers.
struct FollowCursor {
  Timestamp followed_at{};
  std::string id;
};
std::string EncodeFollowCursor(const FollowCursor& cursor);
std::optional<FollowCursor> DecodeFollowCursor(std::string_view text);

struct FollowingQuery {
  std::string user_id;
  std::optional<FollowCursor> after;
  int limit = 50;
};

struct FollowedAthlete {
  Athlete athlete;
  Timestamp followed_at{};
};

// GET /athletes/{id}/followers: the users following an athlete, newest follow first.
struct FollowersQuery {
  std::string athlete_id;
  std::optional<FollowCursor> after;  // `id` is the follower's user id
  int limit = 50;
};

// A follower as anyone may see it: the user's public profile and when they followed.
struct Follower {
  std::string id;
  std::string username;
  std::string display_name;
  Timestamp followed_at{};
};

// Who an athlete is, in a line: what a start list shows beside each event.
struct AthleteSummary {
  std::string id;
  std::string first_name;
  std::string last_name;
  std::optional<std::string> country;
  std::optional<std::string> team;
};

}  // namespace tt
