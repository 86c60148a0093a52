// The feed over real HTTP, as ../shared/API.md specifies it: every upcoming competition at which
// an athlete the user follows has an event, by start_date then id, with those athletes (by name)
// and their events there (by instant). Dates are computed from today's UTC date, so the scenario
// holds on any day.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

// The items of a list page, copied out of the parsed body.
boost::json::array Items(const HttpResponse& response) {
  boost::json::value body = response.Json();
  return body.at("items").as_array();
}

class Feed : public ApiTest {
 protected:
  // The scenario: `fan_` follows athletes A (Faith Kipyegon) and B (Femke Bol), not C (Karsten
  // Warholm). Competitions, relative to today:
  //   past      -10..-8   A has an event                     (absent unless `from` reaches it)
  //   ongoing    -2..+2   B has an event
  //   shared    +30..+31  A and B have events, C too         (C not shown)
  //   only_c    +45       only C                             (never shown)
  //   only_a    +60       only A
  //   only_b    +60..+61  only B                             (same start as only_a: by id)
  //   nobody    +20       no events                          (never shown)
  void SetUp() override {
    ApiTest::SetUp();
    organizer_ = SignUp("organizer");
    fan_ = SignUp("fan");
    a_ = NewAthlete("Faith", "Kipyegon");
    b_ = NewAthlete("Femke", "Bol");
    c_ = NewAthlete("Karsten", "Warholm");
    past_ = NewCompetition("Past meet", -10, -8);
    ongoing_ = NewCompetition("Ongoing meet", -2, 2);
    shared_ = NewCompetition("Shared meet", 30, 31);
    only_c_ = NewCompetition("Only C", 45, 45);
    only_a_ = NewCompetition("Only A", 60, 60);
    only_b_ = NewCompetition("Only B", 60, 61);
    NewCompetition("Nobody", 20, 20);

    AddEvent(a_, past_, "1500m", DayFromToday(-9) + "T20:00:00+02:00");
    AddEvent(b_, ongoing_, "400mH", DayFromToday(1) + "T19:00:00+01:00");
    // At the shared meet (day D = +30): local-time order and instant order differ. The comments
    // give each instant in UTC; the local texts sort differently.
    const std::string d = DayFromToday(30);
    const std::string d1 = DayFromToday(31);
    a_final_ = AddEvent(a_, shared_, "1500m final", d + "T18:00:00+09:00");  // D 09:00Z
    a_heats_ = AddEvent(a_, shared_, "1500m heats", d + "T10:00:00+09:00");  // D 01:00Z
    a_relay_ = AddEvent(a_, shared_, "Relay", d + "T23:30:00-10:00");        // D+1 09:30Z
    a_mile_ = AddEvent(a_, shared_, "Mile", d1 + "T01:00:00+14:00");         // D 11:00Z
    b_shared_ = AddEvent(b_, shared_, "400mH", d + "T08:00:00-05:00");       // D 13:00Z
    AddEvent(c_, shared_, "400mH", d + "T12:00:00Z");
    AddEvent(c_, only_c_, "400m", DayFromToday(45) + "T12:00:00Z");
    AddEvent(a_, only_a_, "5000m", DayFromToday(60) + "T12:00:00Z");
    AddEvent(b_, only_b_, "400m", DayFromToday(61) + "T12:00:00Z");

    ASSERT_EQ(client().Put(FollowPath(a_), fan_.token).status, 204);
    ASSERT_EQ(client().Put(FollowPath(b_), fan_.token).status, 204);
  }

  Account NewAthlete(std::string_view first, std::string_view last) {
    Account account = SignUp("athlete");
    HttpResponse created =
        client().Post("/athletes", {{"first_name", first}, {"last_name", last}}, account.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return account;
  }

  std::string NewCompetition(std::string_view name, int start, int end) {
    return Str(
        CreateCompetition(organizer_, name, DayFromToday(start), DayFromToday(end)).at("id"));
  }

  std::string AddEvent(const Account& athlete, const std::string& competition_id,
                       std::string_view name, const std::string& date_time) {
    HttpResponse created = client().Post(
        "/athletes/" + athlete.id + "/events",
        {{"competition_id", competition_id}, {"name", name}, {"date_time", date_time}},
        athlete.token);
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return "";
    return Str(created.Json().at("id"));
  }

  std::string FollowPath(const Account& athlete) const {
    return "/users/" + fan_.id + "/following/" + athlete.id;
  }

  std::string FeedPath(std::string_view query = "") const {
    return "/users/" + fan_.id + "/feed" + std::string(query);
  }

  // The entries of one feed page (which must be the last).
  boost::json::array Entries(std::string_view query = "", std::string_view token = "") {
    HttpResponse feed = client().Get(FeedPath(query), token.empty() ? fan_.token : token);
    EXPECT_EQ(feed.status, 200) << feed.body;
    if (feed.status != 200) return {};
    EXPECT_TRUE(feed.Json().at("next_cursor").is_null());
    return feed.Json().at("items").as_array();
  }

  // The competition ids of the entries, in order.
  static std::vector<std::string> CompetitionIds(const boost::json::array& entries) {
    std::vector<std::string> ids;
    for (const auto& entry : entries) ids.push_back(Str(entry.at("competition").at("id")));
    return ids;
  }

  // The entry for `competition_id`, or null when absent.
  static const boost::json::object* EntryFor(const boost::json::array& entries,
                                             const std::string& competition_id) {
    for (const auto& entry : entries) {
      if (Str(entry.at("competition").at("id")) == competition_id) return &entry.as_object();
    }
    return nullptr;
  }

  static std::vector<std::string> AthleteIds(const boost::json::object& entry) {
    std::vector<std::string> ids;
    for (const auto& athlete : entry.at("athletes").as_array())
      ids.push_back(Str(athlete.at("id")));
    return ids;
  }

  // only_a and only_b start the same day: the feed orders them by id.
  std::vector<std::string> SameStartInIdOrder() const {
    return only_a_ < only_b_ ? std::vector<std::string>{only_a_, only_b_}
                             : std::vector<std::string>{only_b_, only_a_};
  }

  Account organizer_, fan_, a_, b_, c_;
  std::string past_, ongoing_, shared_, only_c_, only_a_, only_b_;
  std::string a_final_, a_heats_, a_relay_, a_mile_, b_shared_;
};

TEST_F(Feed, ListsUpcomingCompetitionsOfFollowedAthletesOnceEachByStartDateThenId) {
  boost::json::array entries = Entries();
  std::vector<std::string> expected = {ongoing_, shared_};
  for (const std::string& id : SameStartInIdOrder()) expected.push_back(id);
  EXPECT_EQ(CompetitionIds(entries), expected);
  // The past competition (ended before today) and the competition only C attends are absent.
  EXPECT_EQ(EntryFor(entries, past_), nullptr);
  EXPECT_EQ(EntryFor(entries, only_c_), nullptr);
}

TEST_F(Feed, EntriesNestTheFollowedAthletesByNameAndTheirEventsByInstant) {
  boost::json::array entries = Entries();
  const boost::json::object* shared = EntryFor(entries, shared_);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(shared->size(), 2u);
  const auto& competition = shared->at("competition").as_object();
  EXPECT_EQ(Str(competition.at("name")), "Shared meet");
  EXPECT_EQ(Str(competition.at("start_date")), DayFromToday(30));
  EXPECT_EQ(Str(competition.at("end_date")), DayFromToday(31));
  EXPECT_EQ(Str(competition.at("location")), "Hayward Field, Eugene");
  EXPECT_EQ(competition.at("version").as_int64(), 1);

  // Bol before Kipyegon; Warholm, not followed, is not there.
  EXPECT_EQ(AthleteIds(*shared), (std::vector<std::string>{b_.id, a_.id}));
  const auto& athletes = shared->at("athletes").as_array();
  ASSERT_EQ(athletes.size(), 2u);
  const auto& bol = athletes[0].as_object();
  EXPECT_EQ(bol.size(), 4u);
  EXPECT_EQ(Str(bol.at("first_name")), "Femke");
  EXPECT_EQ(Str(bol.at("last_name")), "Bol");
  const auto& bol_events = bol.at("events").as_array();
  ASSERT_EQ(bol_events.size(), 1u);
  const auto& bol_event = bol_events[0].as_object();
  EXPECT_EQ(bol_event.size(), 3u);
  EXPECT_EQ(Str(bol_event.at("id")), b_shared_);
  EXPECT_EQ(Str(bol_event.at("name")), "400mH");
  EXPECT_EQ(Str(bol_event.at("date_time")), DayFromToday(30) + "T08:00:00-05:00");

  const auto& kipyegon = athletes[1].as_object();
  EXPECT_EQ(Str(kipyegon.at("first_name")), "Faith");
  EXPECT_EQ(Str(kipyegon.at("last_name")), "Kipyegon");
  std::vector<std::string> event_ids;
  for (const auto& event : kipyegon.at("events").as_array())
    event_ids.push_back(Str(event.at("id")));
  EXPECT_EQ(event_ids, (std::vector<std::string>{a_heats_, a_final_, a_mile_, a_relay_}));
  EXPECT_EQ(Str(kipyegon.at("events").at(0).at("date_time")), DayFromToday(30) + "T10:00:00+09:00");

  // The ongoing competition shows B alone, with the event there only.
  const boost::json::object* ongoing = EntryFor(entries, ongoing_);
  ASSERT_NE(ongoing, nullptr);
  EXPECT_EQ(AthleteIds(*ongoing), (std::vector<std::string>{b_.id}));
  EXPECT_EQ(ongoing->at("athletes").at(0).at("events").as_array().size(), 1u);
}

TEST_F(Feed, PagingWithLimitOneWalksEveryEntryExactlyOnce) {
  std::vector<std::string> all = CompetitionIds(Entries());
  ASSERT_EQ(all.size(), 4u);
  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    HttpResponse response = client().Get(
        FeedPath("?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor)), fan_.token);
    ASSERT_EQ(response.status, 200) << response.body;
    const boost::json::array items = Items(response);
    ASSERT_LE(items.size(), 1u);
    for (const auto& entry : items) {
      paged.push_back(Str(entry.at("competition").at("id")));
      // A page holds whole entries: the shared meet still has both athletes.
      if (paged.back() == shared_) {
        EXPECT_EQ(entry.at("athletes").as_array().size(), 2u);
      }
    }
    if (response.Json().at("next_cursor").is_null()) break;
    cursor = Str(response.Json().at("next_cursor"));
  }
  EXPECT_EQ(paged, all);
}

TEST_F(Feed, FromSetsTheFirstDayAnEntryMayEndOn) {
  std::vector<std::string> with_past = CompetitionIds(Entries("?from=" + DayFromToday(-20)));
  ASSERT_EQ(with_past.size(), 5u);
  EXPECT_EQ(with_past.front(), past_);
  // The last day of a competition still counts.
  EXPECT_EQ(CompetitionIds(Entries("?from=" + DayFromToday(-8))).front(), past_);
  EXPECT_EQ(CompetitionIds(Entries("?from=" + DayFromToday(-7))).front(), ongoing_);
  // Later than the ongoing and shared competitions.
  EXPECT_EQ(CompetitionIds(Entries("?from=" + DayFromToday(40))), SameStartInIdOrder());
  EXPECT_TRUE(Entries("?from=" + DayFromToday(100)).empty());
}

TEST_F(Feed, BadParametersAre422NamingThem) {
  HttpResponse from = client().Get(FeedPath("?from=2026-02-30"), fan_.token);
  EXPECT_EQ(from.status, 422);
  EXPECT_TRUE(NamesField(from, "from"));
  EXPECT_EQ(client().Get(FeedPath("?from=today"), fan_.token).status, 422);
  HttpResponse limit = client().Get(FeedPath("?limit=0"), fan_.token);
  EXPECT_EQ(limit.status, 422);
  EXPECT_TRUE(NamesField(limit, "limit"));
  EXPECT_EQ(client().Get(FeedPath("?limit=201"), fan_.token).status, 422);
  EXPECT_EQ(client().Get(FeedPath("?limit=many"), fan_.token).status, 422);
  HttpResponse cursor = client().Get(FeedPath("?cursor=garbage"), fan_.token);
  EXPECT_EQ(cursor.status, 422);
  EXPECT_TRUE(NamesField(cursor, "cursor"));
}

TEST_F(Feed, OnlyTheUserOrAnAdminMayReadIt) {
  HttpResponse other = client().Get(FeedPath(), c_.token);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(ErrorCodeOf(other), "forbidden");
  HttpResponse anonymous = client().Get(FeedPath());
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(ErrorCodeOf(anonymous), "unauthenticated");

  std::vector<std::string> own = CompetitionIds(Entries());
  GrantAdmin(organizer_);
  organizer_.token = SignIn(organizer_.username, organizer_.password);
  EXPECT_EQ(CompetitionIds(Entries("", organizer_.token)), own);
  EXPECT_EQ(client().Get(std::string("/users/") + kUnknownId + "/feed", organizer_.token).status,
            404);
}

TEST_F(Feed, AUserWhoFollowsNobodyHasAnEmptyFeed) {
  Account loner = SignUp("loner");
  HttpResponse feed = client().Get("/users/" + loner.id + "/feed", loner.token);
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_TRUE(feed.Json().at("items").as_array().empty());
  EXPECT_TRUE(feed.Json().at("next_cursor").is_null());
}

TEST_F(Feed, UnfollowingAnAthleteRemovesItsEventsAndTheCompetitionsOnlyItAttended) {
  ASSERT_EQ(client().Delete(FollowPath(a_), fan_.token).status, 204);
  boost::json::array entries = Entries();
  EXPECT_EQ(CompetitionIds(entries), (std::vector<std::string>{ongoing_, shared_, only_b_}));
  const boost::json::object* shared = EntryFor(entries, shared_);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(AthleteIds(*shared), (std::vector<std::string>{b_.id}));
  // Following C now brings its competitions in.
  ASSERT_EQ(client().Put(FollowPath(c_), fan_.token).status, 204);
  entries = Entries();
  EXPECT_NE(EntryFor(entries, only_c_), nullptr);
  EXPECT_EQ(AthleteIds(*EntryFor(entries, shared_)), (std::vector<std::string>{b_.id, c_.id}));
}

TEST_F(Feed, DeletingAnAthleteProfileRemovesItFromTheFeed) {
  ASSERT_EQ(client().Delete("/athletes/" + b_.id, b_.token).status, 204);
  boost::json::array entries = Entries();
  EXPECT_EQ(CompetitionIds(entries), (std::vector<std::string>{shared_, only_a_}));
  const boost::json::object* shared = EntryFor(entries, shared_);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(AthleteIds(*shared), (std::vector<std::string>{a_.id}));
}

TEST_F(Feed, DeletingACompetitionRemovesItsEntry) {
  ASSERT_EQ(client().Delete("/competitions/" + shared_, organizer_.token).status, 204);
  boost::json::array entries = Entries();
  std::vector<std::string> expected = {ongoing_};
  for (const std::string& id : SameStartInIdOrder()) expected.push_back(id);
  EXPECT_EQ(CompetitionIds(entries), expected);
}

TEST_F(Feed, DeletingAnEventRemovesItAndAnEntryLeftWithoutFollowedEvents) {
  HttpResponse events = client().Get("/athletes/" + b_.id + "/events");
  ASSERT_EQ(events.status, 200);
  std::string ongoing_event;
  for (const auto& event : Items(events)) {
    if (Str(event.at("competition_id")) == ongoing_) ongoing_event = Str(event.at("id"));
  }
  ASSERT_FALSE(ongoing_event.empty());
  ASSERT_EQ(client().Delete("/athletes/" + b_.id + "/events/" + ongoing_event, b_.token).status,
            204);
  boost::json::array entries = Entries();
  EXPECT_EQ(EntryFor(entries, ongoing_), nullptr);
  ASSERT_EQ(client().Delete("/athletes/" + a_.id + "/events/" + a_mile_, a_.token).status, 204);
  entries = Entries();
  const boost::json::object* shared = EntryFor(entries, shared_);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(shared->at("athletes").at(1).at("events").as_array().size(), 3u);
}

}  // namespace
}  // namespace tt::testing
