#include "domain/competition.h"

#include "domain/cursor.h"
#include "domain/ids.h"

namespace tt {

Status ApplyCompetitionPatch(const CompetitionPatch& patch, bool creating,
                             Competition& competition) {
  FieldErrors errors;
  const auto require = [&](std::string_view field, bool present) {
    if (creating && !present) errors.Add(field, "is required");
  };
  require("name", patch.name.has_value());
  require("location", patch.location.has_value());
  require("start_date", patch.start_date.has_value());
  require("end_date", patch.end_date.has_value());

  if (patch.name) {
    CheckLength("name", *patch.name, 1, 200, errors);
    competition.name = *patch.name;
  }
  if (patch.location) {
    CheckLength("location", *patch.location, 1, 200, errors);
    competition.location = *patch.location;
  }
  if (patch.start_date) competition.start_date = *patch.start_date;
  if (patch.end_date) competition.end_date = *patch.end_date;
  if (patch.description) {
    if (*patch.description) CheckLength("description", **patch.description, 0, 5000, errors);
    competition.description = *patch.description;
  }
  if (patch.url) {
    if (*patch.url) CheckHttpUrl("url", **patch.url, errors);
    competition.url = *patch.url;
  }

  // Only compare dates that are both known; a missing one is already reported.
  if (!errors.Has("start_date") && !errors.Has("end_date") &&
      competition.end_date < competition.start_date) {
    errors.Add("end_date", "must not be before start_date");
  }
  return errors.ToStatus();
}

std::string EncodeCompetitionCursor(const CompetitionCursor& cursor) {
  return EncodeCursor({cursor.start_date.ToString(), cursor.id});
}

std::optional<CompetitionCursor> DecodeCompetitionCursor(std::string_view text) {
  const auto parts = DecodeCursor(text, 2);
  if (!parts) return std::nullopt;
  const auto start_date = Date::Parse((*parts)[0]);
  if (!start_date || !IsValidId((*parts)[1])) return std::nullopt;
  return CompetitionCursor{*start_date, (*parts)[1]};
}

}  // namespace tt
