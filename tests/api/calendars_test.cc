// The calendar handlers in process, on a real SQLite store and a fixed clock: which events an
// athlete calendar keeps, and the feed calendar's token checks.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "api/change_encoder.h"
#include "api/handlers.h"
#include "api/services.h"
#include "security/tokens.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/fast_hashing.h"
#include "support/faulty_store.h"
#include "support/run_sync.h"
#include "support/store_counters.h"
#include "support/temp_dir.h"

namespace tt::api {
namespace {

using testing::FastHashing;
using testing::FaultyStore;
using testing::RunSync;
using testing::TempDir;

class FixedClock final : public Clock {
 public:
  Timestamp Now() const override { return *ParseInstant("2027-01-01T00:00:00Z"); }
};

class Calendars : public ::testing::Test {
 protected:
  Calendars()
      // No feed cache: AFeedCalendarOf1000FollowsCostsWhatTheJsonFeedsPagesCost counts what
      // reading a feed costs, and a page the calendar read would be answered from the cache.
      : sqlite_(std::move(SqliteStore::Open({.path = (dir_.path() / "t.db").string(),
                                             .feed_cache_bytes = 0,
                                             .change_encoder = api::MakeChangeEncoder()},
                                            logger_)
                              .value())),
        store_(*sqlite_),
        hasher_(FastHashing()),
        services_{store_, hasher_, clock_, random_, logger_, {}} {
    // One long competition that every event below fits in.
    meet_.id = "00000000-0000-4000-8000-00000000c001";
    meet_.name = "Season";
    meet_.location = "Everywhere";
    meet_.start_date = *Date::Parse("2026-01-01");
    meet_.end_date = *Date::Parse("2028-12-31");
    EXPECT_TRUE(RunSync(store_.CreateCompetition(meet_)).ok());
  }

  std::string AddAthlete(int n) {
    User user;
    user.id = "00000000-0000-4000-8000-00000000a00" + std::to_string(n);
    user.username = "athlete" + std::to_string(n);
    user.display_name = user.username;
    EXPECT_TRUE(RunSync(store_.CreateUser(user, "hash")).ok());
    Athlete athlete;
    athlete.id = user.id;
    athlete.username = user.username;
    athlete.first_name = "A";
    athlete.last_name = std::to_string(n);
    EXPECT_TRUE(RunSync(store_.CreateAthlete(athlete)).ok());
    return user.id;
  }

  // Queues the writes of user and athlete number `n` on `io` (through `spawn`); returns its id.
  template <typename Spawn>
  std::string AddAthleteAsync(boost::asio::io_context&, int n, Spawn& spawn) {
    User user;
    user.id = TestId('b', n);
    user.username = "runner" + std::to_string(n);
    user.display_name = user.username;
    Athlete athlete;
    athlete.id = user.id;
    athlete.username = user.username;
    athlete.first_name = "Runner";
    athlete.last_name = std::to_string(n);
    spawn([this, user, athlete]() -> boost::asio::awaitable<Status> {
      if (Status created = co_await store_.CreateUser(user, "hash"); !created.ok())
        co_return created;
      co_return co_await store_.CreateAthlete(athlete);
    });
    return user.id;
  }

  // Events `hours` from the clock's now, each on its own hour, written concurrently so that the
  // group committer batches them.
  void AddEvents(const std::string& athlete_id, const std::vector<int>& hours) {
    boost::asio::io_context io;
    int failures = 0;
    for (int hour : hours) {
      Event event;
      event.id = NewEventId();
      event.athlete_id = athlete_id;
      event.competition_id = meet_.id;
      event.name = "h" + std::to_string(hour);
      event.date_time = *DateTime::Parse(FormatUtc(clock_.Now() + std::chrono::hours(hour)));
      boost::asio::co_spawn(
          io,
          [this, event, &failures]() -> boost::asio::awaitable<void> {
            if (!(co_await store_.CreateEvent(event)).ok()) ++failures;
          },
          boost::asio::detached);
    }
    io.run();
    EXPECT_EQ(failures, 0);
  }

  // The event names of the athlete's calendar, in the order it lists them.
  std::vector<std::string> CalendarSummaries(const std::string& athlete_id) {
    Request request;
    request.method = "GET";
    request.path_params = {{"id", athlete_id}};
    Result<Response> response = RunSync(GetAthleteCalendar(services_, request));
    EXPECT_TRUE(response.ok());
    std::vector<std::string> names;
    if (!response.ok()) return names;
    const std::string& text = response->body;
    for (size_t at = 0; (at = text.find("\r\nSUMMARY:", at)) != std::string::npos; ++at) {
      const size_t start = at + 10;
      names.push_back(text.substr(start, text.find(" \u2014 ", start) - start));
    }
    return names;
  }

  std::string NewEventId() { return TestId('e', ++last_event_); }

  // A valid id whose last group is `kind` and `n` in decimal, zero-padded (n < 10^11).
  static std::string TestId(char kind, int n) {
    const std::string digits = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(1, kind) +
           std::string(11 - digits.size(), '0') + digits;
  }

  static std::vector<int> Hours(int from, int count) {
    std::vector<int> hours;
    for (int i = 0; i < count; ++i) hours.push_back(from + i);
    return hours;
  }
  static std::vector<std::string> Names(const std::vector<int>& hours) {
    std::vector<std::string> names;
    for (int hour : hours) names.push_back("h" + std::to_string(hour));
    return names;
  }

  Logger logger_{LogLevel::kOff};
  TempDir dir_;
  std::unique_ptr<SqliteStore> sqlite_;
  FaultyStore store_;
  PasswordHasher hasher_;
  FixedClock clock_;
  SodiumRandom random_;
  Services services_;
  Competition meet_;
  int last_event_ = 0;
};

TEST_F(Calendars, AthleteCalendarShowsTheLast90DaysAndWhatIsUpcoming) {
  const std::string athlete = AddAthlete(1);
  // 91 days ago (out), 89 days ago and yesterday (in), and two upcoming.
  AddEvents(athlete, {-91 * 24, -89 * 24, -24, 0, 48});
  EXPECT_EQ(CalendarSummaries(athlete), Names({-89 * 24, -24, 0, 48}));
}

TEST_F(Calendars, AthleteCalendarOverTheCapKeepsTheUpcomingEvents) {
  const std::string busy = AddAthlete(1);
  AddEvents(busy, Hours(-30, 30));  // the last 30 hours
  AddEvents(busy, Hours(0, 1005));  // more upcoming events than the cap
  EXPECT_EQ(CalendarSummaries(busy), Names(Hours(0, 1000))) << "the soonest 1,000 upcoming";

  const std::string fuller = AddAthlete(2);
  AddEvents(fuller, Hours(-30, 30));
  AddEvents(fuller, Hours(0, 990));
  // The room left after the upcoming ones goes to the most recent past ones.
  std::vector<std::string> expected = Names(Hours(-10, 10));
  for (const std::string& name : Names(Hours(0, 990))) expected.push_back(name);
  EXPECT_EQ(CalendarSummaries(fuller), expected);
}

// The feed calendar reads the feed as the JSON feed's largest pages would, so for a user
// following 1,000 athletes it costs the statements of those pages plus the token's lookup (where
// the JSON feed looks its session up). docs/BENCHMARKS.md quotes the figures.
TEST_F(Calendars, AFeedCalendarOf1000FollowsCostsWhatTheJsonFeedsPagesCost) {
  User fan;
  fan.id = "00000000-0000-4000-8000-00000000f000";
  fan.username = "fan";
  fan.display_name = "Fan";
  ASSERT_TRUE(RunSync(store_.CreateUser(fan, "hash")).ok());
  std::vector<Competition> meets;
  for (int m = 0; m < 300; ++m) {
    Competition meet = meet_;
    meet.id = TestId('d', m);
    meet.name = "Meet " + std::to_string(m);
    meet.start_date = Date::FromDaysSinceEpoch(Date::OfInstant(clock_.Now()).DaysSinceEpoch() + m);
    meet.end_date = meet.start_date;
    meets.push_back(meet);
  }
  boost::asio::io_context io;
  int failures = 0;
  auto spawn = [&](auto write) {
    boost::asio::co_spawn(
        io,
        [write, &failures]() -> boost::asio::awaitable<void> {
          Status written = co_await write();
          if (!written.ok()) ++failures;
        },
        boost::asio::detached);
  };
  for (const Competition& meet : meets) {
    spawn([this, meet] { return store_.CreateCompetition(meet); });
  }
  io.run();
  io.restart();
  std::vector<std::string> athletes;
  for (int a = 0; a < 1000; ++a) athletes.push_back(AddAthleteAsync(io, a, spawn));
  io.run();
  io.restart();
  for (int a = 0; a < 1000; ++a) {
    const std::string athlete_id = athletes[a];
    spawn([this, athlete_id, fan] { return store_.Follow(fan.id, athlete_id, clock_.Now()); });
    // Two events each, at meets spread over the year.
    for (int k = 0; k < 2; ++k) {
      const Competition& meet = meets[(a * 7 + k * 131) % meets.size()];
      Event event;
      event.id = NewEventId();
      event.athlete_id = athlete_id;
      event.competition_id = meet.id;
      event.name = "800m";
      event.date_time = *DateTime::Parse(meet.start_date.ToString() + "T18:00:00Z");
      spawn([this, event] { return store_.CreateEvent(event); });
    }
  }
  io.run();
  ASSERT_EQ(failures, 0);

  auto statements = [&] {
    return testing::CounterValue(store_.Counters(), "tt_sqlite_statements_total");
  };
  const std::string token = NewSessionToken(random_);
  ASSERT_TRUE(RunSync(store_.SetCalendarToken(fan.id, HashSessionToken(token), clock_.Now())).ok());

  uint64_t before = statements();
  Request calendar;
  calendar.method = "GET";
  calendar.path_params = {{"token", token}};
  Result<Response> answered = RunSync(GetFeedCalendar(services_, calendar));
  ASSERT_TRUE(answered.ok());
  const uint64_t calendar_cost = statements() - before;
  size_t competitions = 0;
  for (size_t at = 0; (at = answered->body.find("UID:competition-", at)) != std::string::npos;
       ++at) {
    ++competitions;
  }
  EXPECT_EQ(competitions, meets.size());

  // The JSON feed, page after page of 200, as a client would read the same competitions.
  before = statements();
  FeedQuery query;
  query.user_id = fan.id;
  query.from = Date::OfInstant(clock_.Now());
  query.limit = 200;
  int pages = 0;
  while (true) {
    Result<Page<FeedEntry>> page = RunSync(store_.Feed(query));
    ASSERT_TRUE(page.ok());
    ++pages;
    if (!page->has_more) break;
    query.after = CompetitionCursor{page->items.back().competition.start_date,
                                    page->items.back().competition.id};
  }
  const uint64_t json_cost = statements() - before;
  std::printf(
      "SQLite statements for 1,000 follows (%zu competitions): feed calendar %llu, "
      "JSON feed in %d pages of 200 %llu plus its session lookup\n",
      competitions, static_cast<unsigned long long>(calendar_cost), pages,
      static_cast<unsigned long long>(json_cost));
  // The token lookup stands where the JSON feed's session lookup would.
  EXPECT_LE(calendar_cost, json_cost + 1);
}

TEST_F(Calendars, MalformedFeedTokensAreNotFoundWithoutAStorageCall) {
  // Any call to the store would answer 500 now: a 404 shows that none was made.
  store_.Fail("FindCalendarTokenUser", Error::Internal());
  const std::string good_shape(43, 'a');
  for (const std::string& token :
       {std::string(), std::string(42, 'a'), std::string(44, 'a'), good_shape.substr(1) + "=",
        good_shape.substr(1) + "+", good_shape.substr(1) + "/", good_shape.substr(1) + "."}) {
    Request request;
    request.method = "GET";
    request.path_params = {{"token", token}};
    Result<Response> response = RunSync(GetFeedCalendar(services_, request));
    ASSERT_FALSE(response.ok()) << token;
    EXPECT_EQ(response.error().code, ErrorCode::kNotFound) << token;
  }
  Request well_formed;
  well_formed.method = "GET";
  well_formed.path_params = {{"token", good_shape}};
  Result<Response> reached = RunSync(GetFeedCalendar(services_, well_formed));
  ASSERT_FALSE(reached.ok());
  EXPECT_EQ(reached.error().code, ErrorCode::kInternal) << "a well-formed token is looked up";
}

}  // namespace
}  // namespace tt::api
