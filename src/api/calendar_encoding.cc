#include "api/calendar_encoding.h"

#include <algorithm>
#include <cstdint>

#include "api/icalendar_writer.h"

namespace tt::api {
namespace {

constexpr std::string_view kDash = " \u2014 ";  // an em dash between the parts of a summary

// What a VEVENT says of its own history: the last change of anything it shows.
void WriteStamps(ICalendarWriter& out, Timestamp created, Timestamp updated, int64_t sequence) {
  out.UtcDateTime("DTSTAMP", updated);
  out.UtcDateTime("CREATED", created);
  out.UtcDateTime("LAST-MODIFIED", updated);
  out.Raw("SEQUENCE", std::to_string(std::max<int64_t>(sequence, 0)));
}

void WriteCompetitionDetails(ICalendarWriter& out, const Competition& competition) {
  out.Text("LOCATION", competition.location);
  if (competition.url) out.Raw("URL;VALUE=URI", *competition.url);
}

}  // namespace

CalendarBuilder::CalendarBuilder(std::string_view name, std::string_view uid_domain)
    : uid_domain_(uid_domain) {
  ICalendarWriter out(text_);
  out.Begin("VCALENDAR");
  out.Raw("VERSION", "2.0");
  out.Raw("PRODID", "-//Track Tracker//Track Tracker API//EN");
  out.Raw("CALSCALE", "GREGORIAN");
  out.Raw("METHOD", "PUBLISH");
  out.Text("NAME", name);  // RFC 7986
  out.Text("X-WR-CALNAME", name);
  // How often subscribers should fetch it again (RFC 7986, and Apple's and Google's own name).
  out.Raw("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
  out.Raw("X-PUBLISHED-TTL", "PT1H");
}

void CalendarBuilder::AddCompetition(const Competition& competition) {
  ICalendarWriter out(text_);
  out.Begin("VEVENT");
  out.Raw("UID", "competition-" + competition.id + "@" + uid_domain_);
  WriteStamps(out, competition.created_at, competition.updated_at, competition.version - 1);
  out.DateValue("DTSTART", competition.start_date);
  out.DateValue("DTEND", Date::FromDaysSinceEpoch(competition.end_date.DaysSinceEpoch() + 1));
  out.Text("SUMMARY", competition.name);
  WriteCompetitionDetails(out, competition);
  if (competition.description) out.Text("DESCRIPTION", *competition.description);
  // A meet on the calendar is not time the subscriber is busy.
  out.Raw("TRANSP", "TRANSPARENT");
  out.End("VEVENT");
}

void CalendarBuilder::AddEvent(const Event& event, const Competition& competition,
                               std::string_view athlete_name) {
  ICalendarWriter out(text_);
  out.Begin("VEVENT");
  out.Raw("UID", "event-" + event.id + "@" + uid_domain_);
  // The VEVENT shows the competition's name and place too: a change to either is a change here.
  WriteStamps(out, event.created_at, std::max(event.updated_at, competition.updated_at),
              (event.version - 1) + (competition.version - 1));
  out.UtcDateTime("DTSTART", event.date_time.instant());
  std::string summary;
  if (athlete_name.empty()) {
    summary = event.name;
    summary += kDash;
    summary += competition.name;
  } else {
    summary = athlete_name;
    summary += kDash;
    summary += event.name;
  }
  out.Text("SUMMARY", summary);
  WriteCompetitionDetails(out, competition);
  if (event.notes) out.Text("DESCRIPTION", *event.notes);
  out.Raw("TRANSP", "TRANSPARENT");
  out.End("VEVENT");
}

std::string CalendarBuilder::Finish() {
  ICalendarWriter out(text_);
  out.End("VCALENDAR");
  return std::move(text_);
}

std::string CalendarEntityTag(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(hash >> shift) & 0xf];
  tag += '"';
  return tag;
}

}  // namespace tt::api
