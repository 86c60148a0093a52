// Calendars as iCalendar text (RFC 5545): competitions as all-day VEVENTs, athletes' events as
// timed VEVENTs in UTC. Pure: the handlers in calendars.cc read the data and pass it in.
//
// Each item has a UID that is stable across fetches (`competition-<id>@<domain>`,
// `event-<id>@<domain>`), so a calendar app updates it instead of adding a copy; its SEQUENCE
// counts the versions of what it shows, and DTSTAMP/LAST-MODIFIED are when that last changed.
#pragma once

#include <string>
#include <string_view>

#include "domain/competition.h"
#include "domain/event.h"

namespace tt::api {

class CalendarBuilder {
 public:
  // `name` titles the calendar in apps (X-WR-CALNAME); `uid_domain` ends every UID.
  CalendarBuilder(std::string_view name, std::string_view uid_domain);

  // An all-day VEVENT from the competition's start_date to the day after its end_date
  // (DTEND is exclusive).
  void AddCompetition(const Competition& competition);
  // A timed VEVENT for `event` at `competition`. The summary is "<event> — <competition>", or
  // "<athlete_name> — <event>" when an athlete is named (calendars that list the competition
  // itself too).
  void AddEvent(const Event& event, const Competition& competition,
                std::string_view athlete_name = {});

  // The whole calendar. Call once, last.
  std::string Finish();

 private:
  std::string text_;
  std::string uid_domain_;
};

// A strong entity tag for a calendar's text ("\"<16 hex digits>\""): a 64-bit FNV-1a hash of
// the bytes, so it changes whenever anything the calendar shows changes.
std::string CalendarEntityTag(std::string_view text);

}  // namespace tt::api
