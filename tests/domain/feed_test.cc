#include "domain/feed.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

// Ids need only be distinct here; GroupFeed does not validate them.
Competition MakeCompetition(std::string id, std::string_view start, std::string_view end) {
  Competition competition;
  competition.id = std::move(id);
  competition.name = "Meet " + competition.id;
  competition.start_date = Date::Parse(start).value();
  competition.end_date = Date::Parse(end).value();
  return competition;
}

Athlete MakeAthlete(std::string id, std::string first_name, std::string last_name) {
  Athlete athlete;
  athlete.id = std::move(id);
  athlete.first_name = std::move(first_name);
  athlete.last_name = std::move(last_name);
  return athlete;
}

Event MakeEvent(std::string id, std::string athlete_id, std::string competition_id,
                std::string_view date_time) {
  Event event;
  event.id = std::move(id);
  event.athlete_id = std::move(athlete_id);
  event.competition_id = std::move(competition_id);
  event.name = "event " + event.id;
  event.date_time = DateTime::Parse(date_time).value();
  return event;
}

std::vector<std::string> AthleteIds(const FeedEntry& entry) {
  std::vector<std::string> ids;
  for (const FeedAthlete& athlete : entry.athletes) ids.push_back(athlete.id);
  return ids;
}

std::vector<std::string> EventIds(const FeedAthlete& athlete) {
  std::vector<std::string> ids;
  for (const Event& event : athlete.events) ids.push_back(event.id);
  return ids;
}

using Ids = std::vector<std::string>;

TEST(GroupFeed, GivesOneEntryPerCompetitionInTheOrderGiven) {
  const std::vector<Competition> competitions = {
      MakeCompetition("c-b", "2026-06-01", "2026-06-02"),
      MakeCompetition("c-a", "2026-07-01", "2026-07-01"),
  };
  const std::vector<Athlete> athletes = {MakeAthlete("a1", "Faith", "Kipyegon")};
  const std::vector<Event> events = {
      MakeEvent("e2", "a1", "c-a", "2026-07-01T18:00:00Z"),
      MakeEvent("e1", "a1", "c-b", "2026-06-01T18:00:00Z"),
  };
  const auto feed = GroupFeed(competitions, athletes, events);
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[0].competition.id, "c-b");
  EXPECT_EQ(feed[0].competition.name, "Meet c-b");
  EXPECT_EQ(feed[1].competition.id, "c-a");
  ASSERT_EQ(feed[0].athletes.size(), 1u);
  EXPECT_EQ(EventIds(feed[0].athletes[0]), Ids{"e1"});
  EXPECT_EQ(EventIds(feed[1].athletes[0]), Ids{"e2"});
}

TEST(GroupFeed, SortsAthletesByLastThenFirstNameIgnoringCase) {
  const std::vector<Competition> competitions = {MakeCompetition("c", "2026-06-01", "2026-06-02")};
  const std::vector<Athlete> athletes = {
      MakeAthlete("a-duplantis", "Mondo", "Duplantis"),
      MakeAthlete("a-degrasse", "Andre", "de Grasse"),  // byte order would put 'D' first
      MakeAthlete("a-kipyegon-faith", "faith", "Kipyegon"),
      MakeAthlete("a-kipyegon-beatrice", "Beatrice", "KIPYEGON"),
  };
  const std::vector<Event> events = {
      MakeEvent("e1", "a-duplantis", "c", "2026-06-01T18:00:00Z"),
      MakeEvent("e2", "a-kipyegon-faith", "c", "2026-06-01T19:00:00Z"),
      MakeEvent("e3", "a-degrasse", "c", "2026-06-01T20:00:00Z"),
      MakeEvent("e4", "a-kipyegon-beatrice", "c", "2026-06-01T21:00:00Z"),
  };
  const auto feed = GroupFeed(competitions, athletes, events);
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(AthleteIds(feed[0]),
            (Ids{"a-degrasse", "a-duplantis", "a-kipyegon-beatrice", "a-kipyegon-faith"}));
  EXPECT_EQ(feed[0].athletes[0].first_name, "Andre");
  EXPECT_EQ(feed[0].athletes[0].last_name, "de Grasse");
}

TEST(GroupFeed, BreaksNameTiesById) {
  const std::vector<Competition> competitions = {MakeCompetition("c", "2026-06-01", "2026-06-02")};
  const std::vector<Athlete> athletes = {MakeAthlete("id-2", "Sam", "Lee"),
                                         MakeAthlete("id-1", "SAM", "lee")};
  const std::vector<Event> events = {MakeEvent("e1", "id-2", "c", "2026-06-01T18:00:00Z"),
                                     MakeEvent("e2", "id-1", "c", "2026-06-01T18:00:00Z")};
  EXPECT_EQ(AthleteIds(GroupFeed(competitions, athletes, events)[0]), (Ids{"id-1", "id-2"}));
}

TEST(GroupFeed, SortsEventsByInstantNotByLocalTime) {
  const std::vector<Competition> competitions = {MakeCompetition("c", "2026-06-01", "2026-06-02")};
  const std::vector<Athlete> athletes = {MakeAthlete("a", "Faith", "Kipyegon")};
  const std::vector<Event> events = {
      // 10:00 in Los Angeles is 17:00 UTC: the last of the three.
      MakeEvent("e-la", "a", "c", "2026-06-01T10:00:00-07:00"),
      // 18:00 in Tokyo is 09:00 UTC: the first.
      MakeEvent("e-tokyo", "a", "c", "2026-06-01T18:00:00+09:00"),
      MakeEvent("e-utc", "a", "c", "2026-06-01T12:00:00Z"),
      // The same instant as e-utc: the id decides.
      MakeEvent("e-london", "a", "c", "2026-06-01T13:00:00+01:00"),
  };
  const auto feed = GroupFeed(competitions, athletes, events);
  ASSERT_EQ(feed.size(), 1u);
  ASSERT_EQ(feed[0].athletes.size(), 1u);
  EXPECT_EQ(EventIds(feed[0].athletes[0]), (Ids{"e-tokyo", "e-london", "e-utc", "e-la"}));
  EXPECT_EQ(feed[0].athletes[0].events[0].date_time.ToString(), "2026-06-01T18:00:00+09:00");
}

TEST(GroupFeed, IgnoresEventsOfUnknownCompetitionsOrAthletes) {
  const std::vector<Competition> competitions = {MakeCompetition("c", "2026-06-01", "2026-06-02")};
  const std::vector<Athlete> athletes = {MakeAthlete("a", "Faith", "Kipyegon")};
  const std::vector<Event> events = {
      MakeEvent("e-known", "a", "c", "2026-06-01T12:00:00Z"),
      MakeEvent("e-other-meet", "a", "c-unknown", "2026-06-01T12:00:00Z"),
      MakeEvent("e-other-athlete", "a-unknown", "c", "2026-06-01T12:00:00Z"),
  };
  const auto feed = GroupFeed(competitions, athletes, events);
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(AthleteIds(feed[0]), Ids{"a"});
  EXPECT_EQ(EventIds(feed[0].athletes[0]), Ids{"e-known"});
}

TEST(GroupFeed, ListsOnlyAthletesWithAnEventAtTheCompetition) {
  const std::vector<Competition> competitions = {MakeCompetition("c1", "2026-06-01", "2026-06-02"),
                                                 MakeCompetition("c2", "2026-06-05", "2026-06-06")};
  const std::vector<Athlete> athletes = {MakeAthlete("a1", "Faith", "Kipyegon"),
                                         MakeAthlete("a2", "Mondo", "Duplantis")};
  const std::vector<Event> events = {MakeEvent("e1", "a1", "c1", "2026-06-01T12:00:00Z"),
                                     MakeEvent("e2", "a2", "c2", "2026-06-05T12:00:00Z")};
  const auto feed = GroupFeed(competitions, athletes, events);
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(AthleteIds(feed[0]), Ids{"a1"});
  EXPECT_EQ(AthleteIds(feed[1]), Ids{"a2"});
}

TEST(GroupFeed, KeepsAnEntryForACompetitionWithoutEventsAndNamesEachCompetitionOnce) {
  const Competition quiet = MakeCompetition("c", "2026-06-01", "2026-06-02");
  const auto feed = GroupFeed({quiet, quiet}, {}, {});
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(feed[0].competition.id, "c");
  EXPECT_TRUE(feed[0].athletes.empty());
}

TEST(GroupFeed, OfNothingIsEmpty) { EXPECT_TRUE(GroupFeed({}, {}, {}).empty()); }

}  // namespace
}  // namespace tt
