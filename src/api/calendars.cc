// Calendar subscriptions (iCalendar): an athlete's events, a competition with its start list, and
// a user's personal feed behind a secret token, plus creating and revoking that token.
//
// Calendar apps poll and cannot send headers, so the calendars are public GETs (the feed's
// secret is its path), answered with an ETag that hashes the text (CalendarEntityTag): any change
// to what a calendar shows changes it, and src/http answers If-None-Match with 304.
#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/calendar_encoding.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/lookups.h"
#include "domain/ids.h"
#include "security/tokens.h"

namespace tt::api {
namespace {

// An athlete calendar shows events from this long ago onwards...
constexpr auto kAthleteCalendarPast = std::chrono::days(90);
// ...and at most this many, the upcoming ones first (then the most recent past ones).
constexpr size_t kMaxAthleteCalendarEvents = 1000;
// A competition calendar shows at most this many of its events, in time order.
constexpr size_t kMaxCompetitionCalendarEvents = 5000;
// A feed calendar shows the first pages of the feed, read as the JSON feed's largest pages.
constexpr int kFeedCalendarPageSize = 200;
constexpr int kMaxFeedCalendarPages = 5;
// Store reads of up to this many rows each, and at most this many of them for one calendar (an
// athlete with more events than that in the window gets the first ones read).
constexpr int kCalendarReadSize = 1000;
constexpr int kMaxCalendarReads = 20;
// A calendar token is a session-style token: 43 characters of base64url (32 random bytes).
constexpr size_t kCalendarTokenLength = 43;
// When neither --public-url nor a usable Host header names the server.
constexpr std::string_view kFallbackUidDomain = "track-tracker.invalid";

// Where clients reach this server, for the URLs it hands out and the domain of calendar UIDs.
struct PublicBase {
  std::string url;   // "https://host[:port][/prefix]", no trailing slash
  std::string host;  // lowercase, without the port
};

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// The configured public URL wins; else the request's Host header, over plain HTTP (this server
// speaks no TLS itself). nullopt when neither is usable.
std::optional<PublicBase> PublicBaseOf(const Services& services, const Request& request) {
  const std::string& configured = services.options.public_url;
  if (!configured.empty()) {
    boost::system::result<boost::urls::url_view> url = boost::urls::parse_absolute_uri(configured);
    if (url && url->has_authority() && !url->host().empty()) {
      std::string base = configured;
      while (base.ends_with('/')) base.pop_back();
      return PublicBase{std::move(base), Lowercase(url->host())};
    }
  }
  boost::system::result<boost::urls::authority_view> authority =
      boost::urls::parse_authority(request.host);
  if (request.host.empty() || !authority || authority->has_userinfo() ||
      authority->host().empty()) {
    return std::nullopt;
  }
  return PublicBase{"http://" + std::string(authority->buffer()), Lowercase(authority->host())};
}

std::string UidDomain(const Services& services, const Request& request) {
  std::optional<PublicBase> base = PublicBaseOf(services, request);
  return base ? base->host : std::string(kFallbackUidDomain);
}

Response CalendarResponse(std::string text, bool personal) {
  Response response;
  response.content_type = "text/calendar; charset=utf-8";
  response.headers.emplace_back("ETag", CalendarEntityTag(text));
  // Revalidated on every use (cheap with the ETag); a personal feed is no shared cache's business.
  response.headers.emplace_back("Cache-Control", personal ? "private, no-cache" : "no-cache");
  response.body = std::move(text);
  return response;
}

bool IsWellFormedCalendarToken(std::string_view token) {
  if (token.size() != kCalendarTokenLength) return false;
  for (char c : token) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!allowed) return false;
  }
  return true;
}

std::string FullName(std::string_view first, std::string_view last) {
  std::string name(first);
  name += ' ';
  name += last;
  return name;
}

// The competitions `events` take place at, by id, in one store call.
boost::asio::awaitable<Result<std::map<std::string, Competition, std::less<>>>> CompetitionsOf(
    const Services& services, const std::vector<Event>& events) {
  std::set<std::string> wanted;
  for (const Event& event : events) wanted.insert(event.competition_id);
  std::vector<std::string> ids(wanted.begin(), wanted.end());
  Result<std::vector<Competition>> found = co_await services.store.GetCompetitions(ids);
  if (!found) co_return std::move(found).error();
  std::map<std::string, Competition, std::less<>> by_id;
  for (Competition& competition : *found) {
    std::string id = competition.id;
    by_id.emplace(std::move(id), std::move(competition));
  }
  co_return by_id;
}

}  // namespace

Reply GetAthleteCalendar(const Services& services, const Request& request) {
  Result<Athlete> athlete = co_await PathAthlete(services, request);
  if (!athlete) co_return std::move(athlete).error();

  // One pass in time order from the window's start: past events kept newest-last up to the cap,
  // upcoming ones until the cap is reached by them alone.
  const Timestamp now = services.clock.Now();
  const Timestamp window_start = now - kAthleteCalendarPast;
  EventQuery query;
  query.athlete_id = athlete->id;
  // Local days run up to a day either side of UTC days; the instant decides below.
  query.from = Date::FromDaysSinceEpoch(Date::OfInstant(window_start).DaysSinceEpoch() - 1);
  query.limit = kCalendarReadSize;
  std::deque<Event> past;
  std::vector<Event> upcoming;
  for (int reads = 0; reads < kMaxCalendarReads && upcoming.size() < kMaxAthleteCalendarEvents;
       ++reads) {
    Result<Page<Event>> page = co_await services.store.ListEvents(query);
    if (!page) co_return std::move(page).error();
    if (!page->items.empty()) {
      const Event& last = page->items.back();
      query.after = EventCursor{last.date_time.instant(), last.id};
    }
    for (Event& event : page->items) {
      const Timestamp instant = event.date_time.instant();
      if (instant < window_start) continue;
      if (instant < now) {
        past.push_back(std::move(event));
        if (past.size() > kMaxAthleteCalendarEvents) past.pop_front();
      } else if (upcoming.size() < kMaxAthleteCalendarEvents) {
        upcoming.push_back(std::move(event));
      }
    }
    if (!page->has_more || page->items.empty()) break;
  }
  while (past.size() + upcoming.size() > kMaxAthleteCalendarEvents) past.pop_front();
  std::vector<Event> events(std::make_move_iterator(past.begin()),
                            std::make_move_iterator(past.end()));
  events.insert(events.end(), std::make_move_iterator(upcoming.begin()),
                std::make_move_iterator(upcoming.end()));

  Result<std::map<std::string, Competition, std::less<>>> competitions =
      co_await CompetitionsOf(services, events);
  if (!competitions) co_return std::move(competitions).error();
  CalendarBuilder calendar(
      FullName(athlete->first_name, athlete->last_name) + " \u2014 Track Tracker",
      UidDomain(services, request));
  for (const Event& event : events) {
    auto competition = competitions->find(event.competition_id);
    // Deleted between the two reads: the event went with it.
    if (competition != competitions->end()) calendar.AddEvent(event, competition->second);
  }
  co_return CalendarResponse(calendar.Finish(), /*personal=*/false);
}

Reply GetCompetitionCalendar(const Services& services, const Request& request) {
  Result<Competition> competition = co_await PathCompetition(services, request);
  if (!competition) co_return std::move(competition).error();
  CalendarBuilder calendar(competition->name, UidDomain(services, request));
  calendar.AddCompetition(*competition);

  StartListQuery query;
  query.competition_id = competition->id;
  query.limit = kCalendarReadSize;
  size_t shown = 0;
  for (int reads = 0; reads < kMaxCalendarReads && shown < kMaxCompetitionCalendarEvents; ++reads) {
    Result<Page<StartListEntry>> page = co_await services.store.ListCompetitionEvents(query);
    if (!page) co_return std::move(page).error();
    for (const StartListEntry& entry : page->items) {
      if (shown == kMaxCompetitionCalendarEvents) break;
      calendar.AddEvent(entry.event, *competition,
                        FullName(entry.athlete.first_name, entry.athlete.last_name));
      ++shown;
    }
    if (!page->has_more || page->items.empty()) break;
    const Event& last = page->items.back().event;
    query.after = EventCursor{last.date_time.instant(), last.id};
  }
  co_return CalendarResponse(calendar.Finish(), /*personal=*/false);
}

Reply GetFeedCalendar(const Services& services, const Request& request) {
  // Checked before any storage call: a token of the wrong shape cannot be one we issued.
  std::string_view token = request.PathParam("token");
  if (!IsWellFormedCalendarToken(token)) co_return Error::NotFound("no such calendar");
  Result<User> user = co_await services.store.FindCalendarTokenUser(HashSessionToken(token));
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) co_return Error::NotFound("no such calendar");
    co_return std::move(user).error();
  }

  CalendarBuilder calendar("Track Tracker \u2014 " + user->display_name + "'s athletes",
                           UidDomain(services, request));
  FeedQuery query;
  query.user_id = user->id;
  query.from = Date::OfInstant(services.clock.Now());
  query.limit = kFeedCalendarPageSize;
  for (int pages = 0; pages < kMaxFeedCalendarPages; ++pages) {
    Result<Page<FeedEntry>> page = co_await services.store.Feed(query);
    if (!page) co_return std::move(page).error();
    for (const FeedEntry& entry : page->items) {
      calendar.AddCompetition(entry.competition);
      for (const FeedAthlete& athlete : entry.athletes) {
        const std::string name = FullName(athlete.first_name, athlete.last_name);
        for (const Event& event : athlete.events) calendar.AddEvent(event, entry.competition, name);
      }
    }
    if (!page->has_more || page->items.empty()) break;
    const Competition& last = page->items.back().competition;
    query.after = CompetitionCursor{last.start_date, last.id};
  }
  co_return CalendarResponse(calendar.Finish(), /*personal=*/true);
}

Reply CreateCalendarToken(const Services& services, const Request& request) {
  Result<Principal> principal =
      co_await AuthenticateSelf(services, request, "you can only manage your own calendar token");
  if (!principal) co_return std::move(principal).error();
  std::optional<PublicBase> base = PublicBaseOf(services, request);
  if (!base) {
    co_return Error::BadRequest(
        "the Host header is missing or malformed, and no public URL is configured "
        "(--public-url)");
  }
  const std::string token = NewSessionToken(services.random);
  Status set = co_await services.store.SetCalendarToken(principal->user.id, HashSessionToken(token),
                                                        services.clock.Now());
  if (!set) co_return std::move(set).error();

  const std::string url = base->url + "/calendars/" + token + ".ics";
  const std::string webcal = "webcal://" + url.substr(url.find("://") + 3);
  Response response = JsonResponse(201, boost::json::object{{"url", url}, {"webcal_url", webcal}});
  // The answer holds a secret.
  response.headers.emplace_back("Cache-Control", "no-store");
  co_return response;
}

Reply DeleteCalendarToken(const Services& services, const Request& request) {
  Result<Principal> principal =
      co_await AuthenticateSelf(services, request, "you can only manage your own calendar token");
  if (!principal) co_return std::move(principal).error();
  Status deleted = co_await services.store.DeleteCalendarToken(principal->user.id);
  if (!deleted) co_return std::move(deleted).error();
  co_return NoContent();
}

}  // namespace tt::api
