#include "domain/event.h"

#include "domain/case_folding.h"
#include "domain/cursor.h"
#include "domain/ids.h"
#include "domain/text.h"

namespace tt {

Status ApplyEventPatch(const EventPatch& patch, bool creating, Event& event) {
  FieldErrors errors;
  if (creating && !patch.competition_id) errors.Add("competition_id", "is required");
  if (creating && !patch.name) errors.Add("name", "is required");
  if (creating && !patch.date_time) errors.Add("date_time", "is required");

  if (patch.competition_id) {
    // A malformed id names no competition, so it gets the same answer as an unknown one.
    if (!IsValidId(*patch.competition_id)) {
      errors.Add("competition_id", std::string(kNoSuchCompetitionMessage));
    }
    event.competition_id = *patch.competition_id;
  }
  if (patch.name) {
    CheckLength("name", *patch.name, 1, 200, errors);
    event.name = *patch.name;
  }
  if (patch.date_time) event.date_time = *patch.date_time;
  if (patch.notes) {
    if (*patch.notes) CheckLength("notes", **patch.notes, 0, 2000, errors);
    event.notes = *patch.notes;
  }
  return errors.ToStatus();
}

Status CheckEventFitsCompetition(const Event& event, const Competition& competition) {
  const Date day = event.date_time.local_date();
  if (day >= competition.start_date && day <= competition.end_date) return Status::Ok();
  return Error::Validation(
      {{"date_time", "must fall within the competition's dates (" +
                         competition.start_date.ToString() + ".." +
                         competition.end_date.ToString() + ") in its own offset"}});
}

std::string EncodeEventCursor(const EventCursor& cursor) {
  return EncodeCursor({std::to_string(cursor.instant.time_since_epoch().count()), cursor.id});
}

std::optional<EventCursor> DecodeEventCursor(std::string_view text) {
  const auto parts = DecodeCursor(text, 2);
  if (!parts) return std::nullopt;
  const auto micros = internal::ParseCanonicalInt64((*parts)[0]);
  if (!micros || !IsValidId((*parts)[1])) return std::nullopt;
  return EventCursor{Timestamp{std::chrono::microseconds{*micros}}, (*parts)[1]};
}

bool MatchesDiscipline(std::string_view event_name, std::string_view discipline) {
  if (discipline.empty()) return true;
  return FoldCase(event_name).starts_with(FoldCase(discipline));
}

}  // namespace tt
