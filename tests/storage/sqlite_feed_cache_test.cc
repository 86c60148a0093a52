// The SQLite store's feed cache (sqlite/feed_cache.h) in the store: a feed read after an
// answered write shows that write, whichever write it was, and the writes that cannot change a
// feed leave the cached pages alone. The typed feed tests (store_test.cc) run with the cache on.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/sqlite/sqlite_store.h"
#include "storage/store_test_fixture.h"
#include "support/stale_reads.h"
#include "support/store_counters.h"

namespace tt {
namespace {

// The fixture's store keeps its caches on (SqliteStoreOptions' defaults); factory_.OpenUncached()
// reads the same data without them.
class SqliteFeedCacheTest : public StoreTest<testing::SqliteStoreFactory> {
 protected:
  // The first page of `user_id`'s feed as text: every field a feed shows, or the error.
  static std::string FeedText(Store& store, const std::string& user_id) {
    Result<Page<FeedEntry>> page = RunSync(store.Feed(FeedQuery{user_id, D("2026-01-01"), {}, 50}));
    if (!page.ok()) return Describe(page);
    std::string text = page->has_more ? "more\n" : "\n";
    for (const FeedEntry& entry : page->items) {
      const Competition& competition = entry.competition;
      text += competition.id + " " + competition.name + " " + competition.start_date.ToString() +
              " v" + std::to_string(competition.version) + "\n";
      for (const FeedAthlete& athlete : entry.athletes) {
        text += "  " + athlete.id + " " + athlete.first_name + " " + athlete.last_name + "\n";
        for (const Event& event : athlete.events) {
          text += "    " + event.id + " " + event.name + " " + event.date_time.ToString() + " v" +
                  std::to_string(event.version) + "\n";
        }
      }
    }
    return text;
  }

  uint64_t FeedCacheHits() {
    return testing::CounterValue(store().Counters(), "tt_sqlite_feed_cache_hits_total");
  }
};

TEST_F(SqliteFeedCacheTest, EveryWriteThatChangesAFeedIsSeenByTheNextRead) {
  const User fan = AddUser("fan");
  Athlete warholm = AddAthlete("Karsten", "Warholm");
  const Athlete mclaughlin = AddAthlete("Sydney", "McLaughlin");
  const Competition bislett = AddCompetition("Bislett Games", "2026-06-11", "2026-06-11", "Oslo");
  Competition pre = AddCompetition("Prefontaine Classic", "2026-07-04", "2026-07-05");
  Event heat = AddEvent(warholm, bislett, "2026-06-11T19:00:00+02:00", "400m hurdles");
  AddEvent(mclaughlin, pre, "2026-07-05T13:00:00-07:00", "400m hurdles");
  ASSERT_OK(RunSync(store().Follow(fan.id, warholm.id, At(5))));
  std::unique_ptr<Store> uncached = factory_.OpenUncached();
  ASSERT_NE(uncached, nullptr);

  std::string shown = FeedText(store(), fan.id);
  // After each write: the first read shows it (the page cached before is gone), and equals what
  // the uncached store reads; the read after it is answered from the cache.
  auto expect_seen = [&](const std::string& write) {
    SCOPED_TRACE(write);
    const std::string after = FeedText(store(), fan.id);
    EXPECT_NE(after, shown) << "the write changed nothing a feed shows, so this proves nothing";
    EXPECT_EQ(after, FeedText(*uncached, fan.id));
    const uint64_t hits = FeedCacheHits();
    EXPECT_EQ(FeedText(store(), fan.id), after);
    EXPECT_EQ(FeedCacheHits(), hits + 1);
    shown = after;
  };

  Event at_pre = AddEvent(warholm, pre, "2026-07-04T12:00:00-07:00", "400m");
  expect_seen("CreateEvent");
  heat.name = "400m hurdles final";
  heat.version = 2;
  ASSERT_OK(RunSync(store().UpdateEvent(heat, 1)));
  expect_seen("UpdateEvent");
  ASSERT_OK(RunSync(store().Follow(fan.id, mclaughlin.id, At(6))));
  expect_seen("Follow");
  warholm.first_name = "K.";
  warholm.version = 2;
  ASSERT_OK(RunSync(store().UpdateAthlete(warholm, 1)));
  expect_seen("UpdateAthlete");
  pre.name = "Prefontaine Classic 2026";
  pre.version = 2;
  ASSERT_OK(RunSync(store().UpdateCompetition(pre, 1)));
  expect_seen("UpdateCompetition");
  ASSERT_OK(RunSync(store().Unfollow(fan.id, mclaughlin.id)));
  expect_seen("Unfollow");
  ASSERT_OK(RunSync(store().DeleteEvent(heat.id, std::nullopt)));
  expect_seen("DeleteEvent");
  ASSERT_OK(RunSync(store().DeleteAthlete(warholm.id, std::nullopt)));
  expect_seen("DeleteAthlete");
  ASSERT_OK(RunSync(store().Follow(fan.id, mclaughlin.id, At(7))));
  expect_seen("Follow again");
  ASSERT_OK(RunSync(store().DeleteCompetition(pre.id, std::nullopt)));
  expect_seen("DeleteCompetition");
  AddEvent(mclaughlin, bislett, "2026-06-11T20:00:00+02:00", "400m");
  expect_seen("CreateEvent again");
  ASSERT_OK(RunSync(store().DeleteUser(mclaughlin.id, std::nullopt)));
  expect_seen("DeleteUser of the athlete's user");
  EXPECT_EQ(at_pre.competition_id, pre.id);
}

TEST_F(SqliteFeedCacheTest, AFeedThatFailedIsNotKept) {
  // No write is noted between the two reads (a new user's creation notes nothing): only not
  // keeping the first answer lets the second see the user.
  const User fan = MakeUser("fan");
  EXPECT_EQ(CodeOf(RunSync(store().Feed(FeedQuery{fan.id, D("2026-01-01"), {}, 50}))), "not_found");
  ASSERT_OK(RunSync(store().CreateUser(fan, "hash")));
  Result<Page<FeedEntry>> page = RunSync(store().Feed(FeedQuery{fan.id, D("2026-01-01"), {}, 50}));
  ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());
}

TEST_F(SqliteFeedCacheTest, SignInsAndSessionsLeaveTheCachedPagesAlone) {
  const User fan = AddUser("fan");
  const Athlete athlete = AddAthlete("Faith", "Kipyegon");
  const Competition meet = AddCompetition("Diamond League Final", "2026-09-03", "2026-09-04");
  AddEvent(athlete, meet, "2026-09-04T20:00:00+02:00", "1500m");
  ASSERT_OK(RunSync(store().Follow(fan.id, athlete.id, At(5))));
  const std::string shown = FeedText(store(), fan.id);

  AddSession(fan, "token-hash");
  ASSERT_OK(RunSync(store().RecordSignInFailure("fan", At(9))));
  ASSERT_OK(RunSync(store().DeleteSession("token-hash")));
  const uint64_t hits = FeedCacheHits();
  EXPECT_EQ(FeedText(store(), fan.id), shown);
  EXPECT_EQ(FeedCacheHits(), hits + 1);
}

// Store::ReadGeneration's contract on SQLite: a scope's generation moves with each write that
// can change its reads, before that write is answered, and with no other.
TEST_F(SqliteFeedCacheTest, ReadGenerationsMoveWithTheWritesOfTheirScopeOnly) {
  const User fan = AddUser("fan");
  const Athlete athlete = AddAthlete("Mondo", "Duplantis");
  Competition meet = AddCompetition("Bislett Games", "2026-06-11", "2026-06-11", "Oslo");
  auto generations = [&] {
    return std::make_pair(store().ReadGeneration(ReadScope::kCompetitions).value_or(0),
                          store().ReadGeneration(ReadScope::kFeeds).value_or(0));
  };
  ASSERT_TRUE(store().ReadGeneration(ReadScope::kCompetitions).has_value());
  ASSERT_TRUE(store().ReadGeneration(ReadScope::kFeeds).has_value());

  auto before = generations();
  AddEvent(athlete, meet, "2026-06-11T19:00:00+02:00", "Pole vault");
  ASSERT_OK(RunSync(store().Follow(fan.id, athlete.id, At(5))));
  EXPECT_EQ(generations().first, before.first) << "an event or a follow changes no competition";
  EXPECT_NE(generations().second, before.second);

  before = generations();
  meet.name = "Bislett Games 2026";
  meet.version = 2;
  ASSERT_OK(RunSync(store().UpdateCompetition(meet, 1)));
  EXPECT_NE(generations().first, before.first);
  EXPECT_NE(generations().second, before.second);

  before = generations();
  AddSession(fan, "token-hash");
  ASSERT_OK(RunSync(store().RecordSignInFailure("fan", At(9))));
  EXPECT_EQ(generations(), before) << "sessions and sign-in failures change neither";

  before = generations();
  ASSERT_OK(RunSync(store().DeleteUser(fan.id, std::nullopt)));
  EXPECT_NE(generations().first, before.first) << "created_by of its competitions may change";
  EXPECT_NE(generations().second, before.second);
}

TEST_F(SqliteFeedCacheTest, NoFeedReadShowsAnEventOlderThanAnAnsweredWrite) {
  const User fan = AddUser("fan");
  const Athlete athlete = AddAthlete("Jakob", "Ingebrigtsen");
  const Competition meet = AddCompetition("Bislett Games", "2026-06-11", "2026-06-11", "Oslo");
  Event event = AddEvent(athlete, meet, "2026-06-11T20:30:00+02:00", "5000m v1");
  ASSERT_OK(RunSync(store().Follow(fan.id, athlete.id, At(5))));

  const testing::StaleReads counted = testing::CountStaleReads(
      4, 200,
      [&](int) -> int64_t {
        Result<Page<FeedEntry>> page =
            RunSync(store().Feed(FeedQuery{fan.id, D("2026-01-01"), {}, 50}));
        if (page.ok() && page->items.size() == 1 && page->items[0].athletes.size() == 1 &&
            page->items[0].athletes[0].events.size() == 1) {
          return page->items[0].athletes[0].events[0].version;
        }
        return 0;
      },
      [&](int64_t version) {
        event.version = version;
        event.name = "5000m v" + std::to_string(version);
        return RunSync(store().UpdateEvent(event, version - 1)).ok();
      });
  EXPECT_EQ(counted.stale, 0) << "of " << counted.reads << " reads";
  EXPECT_GT(FeedCacheHits(), 0U);
}

}  // namespace
}  // namespace tt
