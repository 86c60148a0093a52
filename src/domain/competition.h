// Competitions (meets): what makes one valid and how lists of them are asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "domain/fields.h"
#include "domain/time.h"
#include "domain/validation.h"

namespace tt {

struct Competition {
  std::string id;
  std::string name;      // 1-200 code points
  std::string location;  // 1-200 code points
  Date start_date;
  Date end_date;  // >= start_date
  std::optional<std::string> description;
  std::optional<std::string> url;         // http(s)
  std::optional<std::string> created_by;  // user id; null once that user is deleted
  Timestamp created_at{};
  Timestamp updated_at{};
  int64_t version = 1;
};

// Fields given in a create or PATCH body; absent members are left alone, and the nullable
// ones may be set to null.
struct CompetitionPatch {
  std::optional<std::string> name;
  std::optional<std::string> location;
  std::optional<Date> start_date;
  std::optional<Date> end_date;
  std::optional<std::optional<std::string>> description;
  std::optional<std::optional<std::string>> url;
};

// Competition's members, in the order the contract's JSON shows them, each under the one name it
// has in JSON, as a SQLite column and as a DynamoDB attribute (domain/fields.h). A plain new
// member is one more line here (and a column in a SQLite migration).
inline constexpr auto kCompetitionFields = std::make_tuple(
    ServerField("id", &Competition::id, FieldWrite::kCreation),
    ClientField("name", &Competition::name, &CompetitionPatch::name, Presence::kRequired,
                &LengthBetween<1, 200>),
    ClientField("location", &Competition::location, &CompetitionPatch::location,
                Presence::kRequired, &LengthBetween<1, 200>),
    ClientField("start_date", &Competition::start_date, &CompetitionPatch::start_date,
                Presence::kRequired),
    ClientField("end_date", &Competition::end_date, &CompetitionPatch::end_date,
                Presence::kRequired),
    ClientField("description", &Competition::description, &CompetitionPatch::description,
                Presence::kOptional, &LengthBetween<0, 5000>),
    ClientField("url", &Competition::url, &CompetitionPatch::url, Presence::kOptional, &HttpUrl),
    ServerField("created_by", &Competition::created_by, FieldWrite::kCreation),
    ServerField("created_at", &Competition::created_at, FieldWrite::kCreation),
    ServerField("updated_at", &Competition::updated_at, FieldWrite::kEveryWrite),
    ServerField("version", &Competition::version, FieldWrite::kEveryWrite));

// Applies `patch` to `competition` and validates the result. With `creating`, name, location,
// start_date and end_date are required. Reports every problem at once; on error `competition`
// may be partly changed and must be discarded.
Status ApplyCompetitionPatch(const CompetitionPatch& patch, bool creating,
                             Competition& competition);

// The keyset position of a competition in lists ordered by (start_date, id).
struct CompetitionCursor {
  Date start_date;
  std::string id;
};
std::string EncodeCompetitionCursor(const CompetitionCursor& cursor);
std::optional<CompetitionCursor> DecodeCompetitionCursor(std::string_view text);

// GET /competitions: those overlapping from..to (inclusive), whose name or location contains
// `text` (case-insensitively), ordered by (start_date, id), after `after`.
struct CompetitionQuery {
  std::optional<Date> from;
  std::optional<Date> to;
  std::optional<std::string> text;
  std::optional<CompetitionCursor> after;
  int limit = 50;
};

// One page of a list: `has_more` says whether items follow the last one.
template <typename T>
struct Page {
  std::vector<T> items;
  bool has_more = false;
};

}  // namespace tt
