#include "domain/competition.h"

#include "domain/cursor.h"
#include "domain/ids.h"

namespace tt {

Status ApplyCompetitionPatch(const CompetitionPatch& patch, bool creating,
                             Competition& competition) {
  FieldErrors errors;
  ApplyPatchFields(kCompetitionFields, patch, creating, competition, errors);

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
