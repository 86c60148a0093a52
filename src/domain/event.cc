#include "domain/event.h"

#include "domain/case_folding.h"
#include "domain/cursor.h"
#include "domain/ids.h"
#include "domain/text.h"

namespace tt {

void CheckCompetitionId(std::string_view field, const std::string& id, FieldErrors& errors) {
  if (!IsValidId(id)) errors.Add(field, std::string(kNoSuchCompetitionMessage));
}

Status ApplyEventPatch(const EventPatch& patch, bool creating, Event& event) {
  FieldErrors errors;
  ApplyPatchFields(kEventFields, patch, creating, event, errors);
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
