// The feed cache on its own: its key, its size estimate, its budget, and the coarse invalidation
// (any note drops every page). The generation rule is BoundedCache's, as for competitions.
#include "storage/sqlite/feed_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tt::sqlite {
namespace {

Date D(std::string_view text) { return Date::Parse(text).value(); }

FeedQuery Query(std::string user_id = "user-1") {
  return FeedQuery{std::move(user_id), D("2026-06-01"), std::nullopt, 50};
}

// A page of `competitions` entries, each with one athlete and `events` events.
Page<FeedEntry> MakePage(int competitions, int events = 1) {
  Page<FeedEntry> page;
  for (int c = 0; c < competitions; ++c) {
    FeedEntry entry;
    entry.competition.id = "competition-" + std::to_string(c);
    entry.competition.name = "A meet with a name longer than a short string's buffer";
    FeedAthlete athlete{"athlete-" + std::to_string(c), "Femke", "Bol", {}};
    for (int e = 0; e < events; ++e) {
      Event event;
      event.id = "event-" + std::to_string(c) + "-" + std::to_string(e);
      event.name = "400m hurdles, the final of the evening";
      athlete.events.push_back(event);
    }
    entry.athletes.push_back(athlete);
    page.items.push_back(entry);
  }
  page.has_more = true;
  return page;
}

TEST(FeedCache, FindsThePageOfTheSameQueryOnly) {
  FeedCache cache(1 << 20);
  const FeedQuery query = Query();
  EXPECT_FALSE(cache.Find(query).has_value());
  cache.Insert(cache.Generation(), query, MakePage(2));
  std::optional<Page<FeedEntry>> found = cache.Find(query);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->items.size(), 2U);
  EXPECT_EQ(found->items[1].athletes[0].events[0].id, "event-1-0");
  EXPECT_TRUE(found->has_more);

  // Each field of the query is part of the key.
  FeedQuery other_user = Query("user-2");
  FeedQuery other_from = query;
  other_from.from = D("2026-06-02");
  FeedQuery other_limit = query;
  other_limit.limit = 51;
  FeedQuery after = query;
  after.after = CompetitionCursor{D("2026-06-01"), "competition-0"};
  FeedQuery after_other_id = after;
  after_other_id.after->id = "competition-1";
  for (const FeedQuery& miss : {other_user, other_from, other_limit, after, after_other_id}) {
    EXPECT_FALSE(cache.Find(miss).has_value()) << FeedCache::Key(miss);
  }
  const CacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1U);
  EXPECT_EQ(stats.misses, 6U);
  EXPECT_EQ(stats.entries, 1U);
  EXPECT_EQ(stats.bytes, FeedCache::EntryBytes(FeedCache::Key(query), MakePage(2)));
}

TEST(FeedCache, AnyNoteDropsEveryPageAndAPageReadBeforeItIsNotKept) {
  FeedCache cache(1 << 20);
  cache.Insert(cache.Generation(), Query("user-1"), MakePage(1));
  cache.Insert(cache.Generation(), Query("user-2"), MakePage(1));
  cache.Invalidate({});  // a batch that noted nothing (sessions, webhooks)
  EXPECT_TRUE(cache.Find(Query("user-1")).has_value());

  const uint64_t before_the_write = cache.Generation();
  cache.Invalidate({std::string(FeedCache::kFeeds)});
  EXPECT_FALSE(cache.Find(Query("user-1")).has_value());
  EXPECT_FALSE(cache.Find(Query("user-2")).has_value());
  EXPECT_EQ(cache.stats().entries, 0U);
  EXPECT_EQ(cache.stats().bytes, 0U);
  // A reader that took its generation before the write's invalidation read a page that may
  // predate the write: it is not kept.
  cache.Insert(before_the_write, Query("user-1"), MakePage(1));
  EXPECT_FALSE(cache.Find(Query("user-1")).has_value());

  cache.Insert(cache.Generation(), Query("user-1"), MakePage(1));
  cache.Invalidate({"competition-7"});  // a competition's id drops the feeds too
  EXPECT_FALSE(cache.Find(Query("user-1")).has_value());
}

TEST(FeedCache, CountsWhatAPageHoldsAndStaysWithinItsBudget) {
  const size_t small = FeedCache::EntryBytes(FeedCache::Key(Query()), MakePage(1, 1));
  const size_t large = FeedCache::EntryBytes(FeedCache::Key(Query()), MakePage(10, 20));
  // 200 events, each with two strings on the heap and the Event itself.
  EXPECT_GT(large, small + 200 * (sizeof(Event) + 2 * 32));

  FeedCache cache(small * 3 + small / 2);
  for (int u = 0; u < 5; ++u) {
    cache.Insert(cache.Generation(), Query("user-" + std::to_string(u)), MakePage(1, 1));
  }
  EXPECT_EQ(cache.stats().entries, 3U);
  EXPECT_EQ(cache.stats().evictions, 2U);
  EXPECT_LE(cache.stats().bytes, cache.budget_bytes());
  EXPECT_FALSE(cache.Find(Query("user-0")).has_value());  // the least recently used went first
  EXPECT_TRUE(cache.Find(Query("user-4")).has_value());
  // A page larger than the whole budget is not kept.
  cache.Insert(cache.Generation(), Query("user-9"), MakePage(10, 20));
  EXPECT_FALSE(cache.Find(Query("user-9")).has_value());

  FeedCache off(0);
  off.Insert(off.Generation(), Query(), MakePage(1));
  EXPECT_FALSE(off.Find(Query()).has_value());
}

}  // namespace
}  // namespace tt::sqlite
