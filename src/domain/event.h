// An athlete's calendar: events, each one discipline at one competition.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/fields.h"
#include "domain/time.h"
#include "domain/validation.h"

namespace tt {

struct Event {
  std::string id;
  std::string athlete_id;
  std::string competition_id;
  std::string name;  // 1-200 code points, e.g. "100m heats"
  DateTime date_time;
  std::optional<std::string> notes;  // at most 2000 code points
  Timestamp created_at{};
  Timestamp updated_at{};
  int64_t version = 1;
};

struct EventPatch {
  std::optional<std::string> competition_id;
  std::optional<std::string> name;
  std::optional<DateTime> date_time;
  std::optional<std::optional<std::string>> notes;
};

// What a 422 says of a `competition_id` that names no competition, whether malformed (here) or
// well-formed but unknown (the API layer, once it has asked the store).
inline constexpr std::string_view kNoSuchCompetitionMessage = "no such competition";

// Reports a `competition_id` that is not a well-formed id: it names no competition, so it gets
// the answer an unknown one gets.
void CheckCompetitionId(std::string_view field, const std::string& id, FieldErrors& errors);

// Event's members, in the order the contract's JSON shows them, each under the one name it has in
// JSON, as a SQLite column and as a DynamoDB attribute (domain/fields.h). The stores also keep
// columns and attributes derived from date_time (instant, local_date), written by hand.
inline constexpr auto kEventFields = std::make_tuple(
    ServerField("id", &Event::id, FieldWrite::kCreation),
    ServerField("athlete_id", &Event::athlete_id, FieldWrite::kCreation),
    ClientField("competition_id", &Event::competition_id, &EventPatch::competition_id,
                Presence::kRequired, &CheckCompetitionId),
    ClientField("name", &Event::name, &EventPatch::name, Presence::kRequired,
                &LengthBetween<1, 200>),
    ClientField("date_time", &Event::date_time, &EventPatch::date_time, Presence::kRequired),
    ClientField("notes", &Event::notes, &EventPatch::notes, Presence::kOptional,
                &LengthBetween<0, 2000>),
    ServerField("created_at", &Event::created_at, FieldWrite::kCreation),
    ServerField("updated_at", &Event::updated_at, FieldWrite::kEveryWrite),
    ServerField("version", &Event::version, FieldWrite::kEveryWrite));

// Applies and validates the event's own fields; `creating` requires competition_id, name and
// date_time. Whether the competition exists and its dates fit is checked by
// CheckEventFitsCompetition once the competition is read.
Status ApplyEventPatch(const EventPatch& patch, bool creating, Event& event);

// 422 on `date_time` unless the event's local day lies within the competition's dates.
Status CheckEventFitsCompetition(const Event& event, const Competition& competition);

// Calendars order events by (instant of date_time, id).
struct EventCursor {
  Timestamp instant{};
  std::string id;
};
std::string EncodeEventCursor(const EventCursor& cursor);
std::optional<EventCursor> DecodeEventCursor(std::string_view text);

// GET /athletes/{id}/events: from/to are inclusive and compared with each event's local day.
struct EventQuery {
  std::string athlete_id;
  std::optional<Date> from;
  std::optional<Date> to;
  std::optional<EventCursor> after;
  int limit = 50;
};

// GET /competitions/{id}/events: the start list, the competition's events by (instant of
// date_time, id), each with its athlete.
struct StartListQuery {
  std::string competition_id;
  // Keeps only events whose name starts with it, compared case-folded; empty keeps every event.
  std::string discipline;
  std::optional<EventCursor> after;
  int limit = 50;
};

struct StartListEntry {
  Event event;
  AthleteSummary athlete;
};

// True when `event_name` starts with `discipline` case-insensitively (FoldCase on both sides), so
// that "100m" keeps "100m heats" and "100M final" but not "1000m". Every store filters with it.
bool MatchesDiscipline(std::string_view event_name, std::string_view discipline);

}  // namespace tt
