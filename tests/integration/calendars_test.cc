// Calendar subscriptions over real HTTP, read back by two iCalendar parsers we did not write
// (ical.js and python3-icalendar): the athlete, competition and personal feed calendars, the
// feed's secret token, and their answers to bad input.
#include <string>
#include <vector>

#include "api_fixture.h"
#include "icalendar/icalendar_readers.h"

namespace tt::testing {
namespace {

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
// Commas, semicolons, quotes, accents and an emoji, long enough to be folded across lines.
constexpr const char* kTrickyName =
    "Meeting de Paris, Stade Charléty; \"Diamond League\" — finale 🏃‍♀️ été 2027, "
    "très "
    "attendue";

class Calendars : public ApiTest {
 protected:
  Account NewAthlete(std::string_view first, std::string_view last) {
    Account account = SignUp("athlete");
    HttpResponse created =
        client().Post("/athletes", {{"first_name", first}, {"last_name", last}, {"country", "KEN"}},
                      account.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return account;
  }

  std::string NewCompetition(const Account& owner, std::string_view name, std::string_view start,
                             std::string_view end) {
    boost::json::object body = CompetitionBody(name, start, end);
    body["location"] = "Paris, France";
    body["url"] = "https://example.com/meet?x=1";
    HttpResponse created = client().Post("/competitions", body, owner.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? Str(created.Json().at("id")) : "";
  }

  std::string AddEvent(const Account& athlete, const std::string& competition_id,
                       std::string_view name, std::string_view date_time,
                       std::optional<std::string_view> notes = std::nullopt) {
    boost::json::object body{
        {"competition_id", competition_id}, {"name", name}, {"date_time", date_time}};
    if (notes) body["notes"] = *notes;
    HttpResponse created =
        client().Post("/athletes/" + athlete.id + "/events", body, athlete.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? Str(created.Json().at("id")) : "";
  }

  // GET `path` as a calendar app would; checks what every calendar answer must be.
  HttpResponse GetCalendar(const std::string& path) {
    HttpResponse calendar = client().Get(path);
    EXPECT_EQ(calendar.status, 200) << path << ": " << calendar.body;
    EXPECT_EQ(calendar.Header("content-type"), "text/calendar; charset=utf-8");
    EXPECT_FALSE(calendar.HasHeader("content-disposition"));
    EXPECT_FALSE(calendar.Header("etag").empty());
    // CRLF line ends, and no line over 75 octets.
    size_t start = 0;
    while (start < calendar.body.size()) {
      const size_t end = calendar.body.find("\r\n", start);
      EXPECT_NE(end, std::string::npos) << "a line does not end with CRLF";
      if (end == std::string::npos) break;
      EXPECT_LE(end - start, 75u) << calendar.body.substr(start, end - start);
      EXPECT_EQ(calendar.body.substr(start, end - start).find('\n'), std::string::npos);
      start = end + 2;
    }
    return calendar;
  }

  // The calendar as `reader` read it.
  boost::json::object Read(ICalendarReader reader, const HttpResponse& calendar) {
    boost::json::value read = ReadICalendar(reader, calendar.body, dir_.path());
    return read.is_object() ? read.as_object() : boost::json::object{};
  }

  static const boost::json::object* EventWithUid(const boost::json::object& calendar,
                                                 const std::string& uid) {
    for (const auto& event : calendar.at("events").as_array()) {
      if (Str(event.at("uid")) == uid) return &event.as_object();
    }
    return nullptr;
  }

  std::string uid_domain_ = "127.0.0.1";  // the test client's Host header
};

TEST_F(Calendars, AnAthleteCalendarReadsBackInTwoParsers) {
  Account owner = SignUp("owner");
  const std::string meet = NewCompetition(owner, kTrickyName, "2027-07-03", "2027-07-04");
  const std::string past_meet =
      NewCompetition(owner, "Autumn meet", DayFromToday(-200), DayFromToday(-10));
  Account faith = NewAthlete("Faith", "Kipyegon");
  const std::string final_id = AddEvent(faith, meet, "1500m final", "2027-07-04T13:45:00-07:00",
                                        "Lane 4.\nBring spikes; and a C:\\ drive, obviously");
  const std::string recent_id =
      AddEvent(faith, past_meet, "800m", DayFromToday(-30) + "T10:00:00+02:00");
  AddEvent(faith, past_meet, "800m heats", DayFromToday(-120) + "T10:00:00Z");  // too old

  HttpResponse calendar = GetCalendar("/athletes/" + faith.id + "/calendar.ics");
  for (ICalendarReader reader : kICalendarReaders) {
    SCOPED_TRACE(NameOf(reader));
    boost::json::object read = Read(reader, calendar);
    ASSERT_FALSE(read.empty());
    EXPECT_EQ(Str(read.at("version")), "2.0");
    EXPECT_EQ(Str(read.at("method")), "PUBLISH");
    EXPECT_EQ(Str(read.at("refresh")), "PT1H");
    ASSERT_EQ(read.at("events").as_array().size(), 2u) << calendar.body;

    const boost::json::object* final_event =
        EventWithUid(read, "event-" + final_id + "@" + uid_domain_);
    ASSERT_NE(final_event, nullptr) << calendar.body;
    EXPECT_EQ(Str(final_event->at("summary")), std::string("1500m final \u2014 ") + kTrickyName);
    EXPECT_EQ(Str(final_event->at("location")), "Paris, France");
    EXPECT_EQ(Str(final_event->at("url")), "https://example.com/meet?x=1");
    EXPECT_EQ(Str(final_event->at("description")),
              "Lane 4.\nBring spikes; and a C:\\ drive, obviously");
    const boost::json::object& start = final_event->at("start").as_object();
    EXPECT_FALSE(start.at("is_date").as_bool());
    EXPECT_TRUE(start.at("utc").as_bool()) << "a UTC instant, not a floating time";
    EXPECT_EQ(start.at("unix").as_int64(), 1814733900);  // 2027-07-04T20:45:00Z
    EXPECT_EQ(final_event->at("sequence").as_int64(), 0);

    const boost::json::object* recent =
        EventWithUid(read, "event-" + recent_id + "@" + uid_domain_);
    ASSERT_NE(recent, nullptr) << "an event 30 days ago is shown";
    EXPECT_EQ(Str(recent->at("summary")), "800m \u2014 Autumn meet");
  }
  // The same text on every fetch: the same UIDs, the same ETag.
  HttpResponse again = GetCalendar("/athletes/" + faith.id + "/calendar.ics");
  EXPECT_EQ(again.body, calendar.body);
  EXPECT_EQ(again.Header("etag"), calendar.Header("etag"));
}

TEST_F(Calendars, ACompetitionCalendarIsAnAllDayEventPlusEveryEventNamingItsAthlete) {
  Account owner = SignUp("owner");
  const std::string meet = NewCompetition(owner, "Bislett Games", "2027-06-10", "2027-06-11");
  Account faith = NewAthlete("Faith", "Kipyegon");
  Account jakob = NewAthlete("Jakob", "Ingebrigtsen");
  const std::string late = AddEvent(faith, meet, "1500m", "2027-06-11T21:00:00+02:00");
  const std::string early = AddEvent(jakob, meet, "5000m", "2027-06-10T12:00:00-03:00");

  HttpResponse calendar = GetCalendar("/competitions/" + meet + "/calendar.ics");
  for (ICalendarReader reader : kICalendarReaders) {
    SCOPED_TRACE(NameOf(reader));
    boost::json::object read = Read(reader, calendar);
    ASSERT_FALSE(read.empty());
    const boost::json::array& events = read.at("events").as_array();
    ASSERT_EQ(events.size(), 3u);
    const boost::json::object* day = EventWithUid(read, "competition-" + meet + "@" + uid_domain_);
    ASSERT_NE(day, nullptr);
    EXPECT_EQ(Str(day->at("summary")), "Bislett Games");
    EXPECT_TRUE(day->at("start").at("is_date").as_bool());
    EXPECT_TRUE(Str(day->at("start").at("text")).starts_with("2027-06-10"));
    // RFC 5545's DTEND is exclusive: the day after end_date.
    EXPECT_TRUE(day->at("end").at("is_date").as_bool());
    EXPECT_TRUE(Str(day->at("end").at("text")).starts_with("2027-06-12"));

    const boost::json::object* jakob_event =
        EventWithUid(read, "event-" + early + "@" + uid_domain_);
    ASSERT_NE(jakob_event, nullptr);
    EXPECT_EQ(Str(jakob_event->at("summary")), "Jakob Ingebrigtsen \u2014 5000m");
    EXPECT_EQ(jakob_event->at("start").at("unix").as_int64(), 1812639600);  // 15:00Z
    const boost::json::object* faith_event =
        EventWithUid(read, "event-" + late + "@" + uid_domain_);
    ASSERT_NE(faith_event, nullptr);
    EXPECT_EQ(Str(faith_event->at("summary")), "Faith Kipyegon \u2014 1500m");
  }
}

TEST_F(Calendars, TheFeedCalendarAnswersToItsTokenUntilRotatedOrRevoked) {
  Account owner = SignUp("owner");
  const std::string meet = NewCompetition(owner, "Prefontaine Classic", "2027-07-03", "2027-07-04");
  Account faith = NewAthlete("Faith", "Kipyegon");
  const std::string event = AddEvent(faith, meet, "1500m final", "2027-07-04T13:45:00-07:00");
  Account fan = SignUp("fan");
  ASSERT_EQ(client().Put("/users/" + fan.id + "/following/" + faith.id, fan.token).status, 204);

  HttpResponse created = client().Post("/users/" + fan.id + "/calendar-token", {}, fan.token,
                                       {{"Host", "calendars.test:8443"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  const std::string url = Str(created.Json().at("url"));
  const std::string prefix = "http://calendars.test:8443/calendars/";
  ASSERT_TRUE(url.starts_with(prefix)) << url;
  ASSERT_TRUE(url.ends_with(".ics")) << url;
  const std::string token = url.substr(prefix.size(), url.size() - prefix.size() - 4);
  EXPECT_EQ(token.size(), 43u) << "32 random bytes";
  EXPECT_EQ(Str(created.Json().at("webcal_url")),
            "webcal://calendars.test:8443/calendars/" + token + ".ics");

  const std::string path = "/calendars/" + token + ".ics";
  HttpResponse calendar = GetCalendar(path);
  EXPECT_EQ(calendar.Header("cache-control"), "private, no-cache");
  for (ICalendarReader reader : kICalendarReaders) {
    SCOPED_TRACE(NameOf(reader));
    boost::json::object read = Read(reader, calendar);
    ASSERT_FALSE(read.empty());
    ASSERT_EQ(read.at("events").as_array().size(), 2u) << calendar.body;
    const boost::json::object* day = EventWithUid(read, "competition-" + meet + "@" + uid_domain_);
    ASSERT_NE(day, nullptr);
    EXPECT_TRUE(day->at("start").at("is_date").as_bool());
    const boost::json::object* timed = EventWithUid(read, "event-" + event + "@" + uid_domain_);
    ASSERT_NE(timed, nullptr);
    EXPECT_EQ(Str(timed->at("summary")), "Faith Kipyegon \u2014 1500m final");
  }
  // The token never reaches the log: requests are logged by route template.
  server().WaitForLog("route=/calendars/{token}.ics");
  EXPECT_EQ(server().Log().find(token), std::string::npos);

  // Rotating makes a new token and ends the old one at once.
  HttpResponse rotated = client().Post("/users/" + fan.id + "/calendar-token", {}, fan.token);
  ASSERT_EQ(rotated.status, 201);
  const std::string new_url = Str(rotated.Json().at("url"));
  const std::string new_path = new_url.substr(new_url.find("/calendars/"));
  EXPECT_NE(new_path, path);
  EXPECT_EQ(client().Get(path).status, 404);
  EXPECT_EQ(GetCalendar(new_path).body, calendar.body);

  // Only the user manages its token; revoking ends it.
  Account other = SignUp("other");
  EXPECT_EQ(client().Post("/users/" + fan.id + "/calendar-token", {}, other.token).status, 403);
  EXPECT_EQ(client().Delete("/users/" + fan.id + "/calendar-token", other.token).status, 403);
  EXPECT_EQ(client().Post("/users/" + fan.id + "/calendar-token", {}).status, 401);
  EXPECT_EQ(client().Delete("/users/" + fan.id + "/calendar-token", fan.token).status, 204);
  EXPECT_EQ(client().Get(new_path).status, 404);
  EXPECT_EQ(client().Delete("/users/" + fan.id + "/calendar-token", fan.token).status, 204);

  // Deleting the account ends a token too.
  HttpResponse last = client().Post("/users/" + fan.id + "/calendar-token", {}, fan.token);
  ASSERT_EQ(last.status, 201);
  const std::string last_url = Str(last.Json().at("url"));
  ASSERT_EQ(client().Delete("/users/" + fan.id, fan.token).status, 204);
  EXPECT_EQ(client().Get(last_url.substr(last_url.find("/calendars/"))).status, 404);
}

TEST_F(Calendars, ThePublicUrlSettingWinsOverTheHostHeader) {
  server().Terminate();
  ServerProcess configured(dir_.path() / "public.db",
                           {"--public-url", "https://cal.example.com/tt/"});
  HttpClient client(configured.port());
  const std::string username = UniqueName("fan");
  ASSERT_EQ(
      client.Post("/users", {{"username", username}, {"password", "correct horse battery"}}).status,
      201);
  HttpResponse session =
      client.Post("/sessions", {{"username", username}, {"password", "correct horse battery"}});
  ASSERT_EQ(session.status, 201);
  HttpResponse me = client.Get("/users/me", Str(session.Json().at("token")));
  HttpResponse created = client.Post("/users/" + Str(me.Json().at("id")) + "/calendar-token", {},
                                     Str(session.Json().at("token")));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(Str(created.Json().at("url")).starts_with("https://cal.example.com/tt/calendars/"));
  EXPECT_TRUE(
      Str(created.Json().at("webcal_url")).starts_with("webcal://cal.example.com/tt/calendars/"));

  CommandResult refused =
      RunServerCommand({"serve", "--public-url", "ftp://x", "--listen", "127.0.0.1:0", "--db",
                        "sqlite:" + (dir_.path() / "x.db").string()});
  EXPECT_EQ(refused.exit_status, 2) << refused.output;
  EXPECT_NE(refused.output.find("--public-url"), std::string::npos) << refused.output;
}

// What one calendar request costs the store: SQL statements on SQLite, calls on DynamoDB, read
// from /metrics around it. docs/BENCHMARKS.md quotes these figures.
TEST_F(Calendars, ACalendarCostsAFewStorageCallsAndTheFeedNoMoreThanItsJsonPages) {
  // A server that sends no webhooks (the dispatcher's rounds would be counted too) and keeps no
  // feed pages or JSON: this counts what reads cost, and the JSON feed would be answered from
  // the pages the feed calendar read.
  server_ = std::make_unique<ServerProcess>(
      dir_.path() / "quiet.db", std::vector<std::string>{"--no-webhook-dispatch", "--feed-cache-mb",
                                                         "0", "--response-cache-mb", "0"});
  client_ = std::make_unique<HttpClient>(server_->port());
  const std::string counter = TestBackend() == Backend::kDynamoDb ? "tt_dynamodb_calls_total "
                                                                  : "tt_sqlite_statements_total ";
  auto store_calls = [&] {
    const std::string metrics = client().Get("/metrics").body;
    const size_t at = metrics.find("\n" + counter);
    EXPECT_NE(at, std::string::npos);
    return at == std::string::npos ? 0 : std::stoll(metrics.substr(at + counter.size() + 1));
  };
  auto cost_of = [&](const std::string& path, const std::string& token = "") {
    const long long before = store_calls();
    EXPECT_EQ(client().Get(path, token).status, 200) << path;
    return store_calls() - before;
  };

  Account owner = SignUp("owner");
  Account fan = SignUp("fan");
  std::vector<std::string> meets;
  for (int i = 0; i < 3; ++i) {
    meets.push_back(NewCompetition(owner, "Meet " + std::to_string(i),
                                   "2027-0" + std::to_string(i + 6) + "-10",
                                   "2027-0" + std::to_string(i + 6) + "-12"));
  }
  for (int a = 0; a < 3; ++a) {
    Account athlete = NewAthlete("Runner", "Number" + std::to_string(a));
    for (int i = 0; i < 3; ++i) {
      AddEvent(athlete, meets[i], "800m", "2027-0" + std::to_string(i + 6) + "-11T18:00:00Z");
    }
    ASSERT_EQ(client().Put("/users/" + fan.id + "/following/" + athlete.id, fan.token).status, 204);
    if (a == 0) {
      const long long athlete_calendar = cost_of("/athletes/" + athlete.id + "/calendar.ics");
      std::printf("%s: athlete calendar %lld\n", counter.c_str(), athlete_calendar);
      EXPECT_LE(athlete_calendar, 4);  // the athlete, its events, their competitions
    }
  }
  const long long competition_calendar = cost_of("/competitions/" + meets[0] + "/calendar.ics");
  std::printf("%s: competition calendar %lld\n", counter.c_str(), competition_calendar);
  EXPECT_LE(competition_calendar, 3);  // the competition, its start list (and its athletes)

  HttpResponse token = client().Post("/users/" + fan.id + "/calendar-token", {}, fan.token);
  ASSERT_EQ(token.status, 201);
  const std::string url = Str(token.Json().at("url"));
  const long long feed_calendar = cost_of(url.substr(url.find("/calendars/")));
  // The JSON feed in pages as large as the calendar reads (its session lookup stands for the
  // calendar's token lookup).
  const long long json_feed = cost_of("/users/" + fan.id + "/feed?limit=200", fan.token);
  std::printf("%s: feed calendar %lld, JSON feed %lld\n", counter.c_str(), feed_calendar,
              json_feed);
  EXPECT_LE(feed_calendar, json_feed);

  EXPECT_EQ(client().Get("/calendars/" + std::string(43, '!') + ".ics").status, 404);
  const long long before = store_calls();
  EXPECT_EQ(client().Get("/calendars/" + std::string(42, 'a') + ".ics").status, 404);
  EXPECT_EQ(store_calls(), before) << "a malformed token costs no storage call";
}

TEST_F(Calendars, UnknownOrMalformedNamesAreNotFound) {
  for (const std::string& path : std::vector<std::string>{
           "/athletes/" + std::string(kUnknownId) + "/calendar.ics", "/athletes/nope/calendar.ics",
           "/competitions/" + std::string(kUnknownId) + "/calendar.ics",
           "/competitions/%00/calendar.ics", "/calendars/x.ics",
           "/calendars/" + std::string(43, 'a') + ".ics",
           "/calendars/" + std::string(43, '*') + ".ics",
           "/calendars/" + std::string(200, 'a') + ".ics"}) {
    HttpResponse response = client().Get(path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(ErrorCodeOf(response), "not_found") << path;
  }
  Account user = SignUp();
  EXPECT_EQ(client().Post("/users/nope/calendar-token", {}, user.token).status, 404);
  // A user who is not an athlete has no calendar.
  EXPECT_EQ(client().Get("/athletes/" + user.id + "/calendar.ics").status, 404);
}

}  // namespace
}  // namespace tt::testing
