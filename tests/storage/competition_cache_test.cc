// The competition cache on its own: budget, recency, and the generation rule that keeps a row
// read before a COMMIT out of the cache once that COMMIT has invalidated it.
#include "storage/sqlite/competition_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace tt::sqlite {
namespace {

Competition MakeCompetition(std::string id, int64_t version = 1) {
  Competition competition;
  competition.id = std::move(id);
  competition.name = "Meet " + competition.id;
  competition.location = "Oslo";
  competition.version = version;
  return competition;
}

TEST(CompetitionCache, FindsWhatWasInsertedAndCountsHitsAndMisses) {
  CompetitionCache cache(1 << 20);
  EXPECT_FALSE(cache.Find("a").has_value());
  cache.Insert(cache.Generation(), MakeCompetition("a", 3));
  std::optional<Competition> found = cache.Find("a");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->version, 3);
  EXPECT_EQ(found->name, "Meet a");
  EXPECT_EQ(cache.stats().hits, 1U);
  EXPECT_EQ(cache.stats().misses, 1U);
  EXPECT_EQ(cache.stats().entries, 1U);
  EXPECT_EQ(cache.stats().bytes, CompetitionCache::EntryBytes(MakeCompetition("a", 3)));
}

TEST(CompetitionCache, ARowReadBeforeAnInvalidationIsNotKept) {
  CompetitionCache cache(1 << 20);
  cache.Insert(cache.Generation(), MakeCompetition("a", 1));
  const uint64_t before_read = cache.Generation();  // a reader misses "b" and reads version 1
  cache.Invalidate({"a", "b"});                     // a writer commits version 2 of "b"
  cache.Insert(before_read, MakeCompetition("b", 1));
  EXPECT_FALSE(cache.Find("b").has_value()) << "version 1 would outlive the answered write";
  EXPECT_FALSE(cache.Find("a").has_value());
  cache.Insert(cache.Generation(), MakeCompetition("b", 2));
  EXPECT_EQ(cache.Find("b")->version, 2);
}

TEST(CompetitionCache, StaysWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  const size_t entry = CompetitionCache::EntryBytes(MakeCompetition("0"));
  CompetitionCache cache(entry * 3 + entry / 2);
  for (const char* id : {"0", "1", "2"}) cache.Insert(cache.Generation(), MakeCompetition(id));
  ASSERT_TRUE(cache.Find("0").has_value());  // now the most recently used
  cache.Insert(cache.Generation(), MakeCompetition("3"));
  EXPECT_LE(cache.stats().bytes, cache.budget_bytes());
  EXPECT_EQ(cache.stats().entries, 3U);
  EXPECT_EQ(cache.stats().evictions, 1U);
  EXPECT_FALSE(cache.Find("1").has_value()) << "the least recently used goes first";
  EXPECT_TRUE(cache.Find("0").has_value());
  EXPECT_TRUE(cache.Find("3").has_value());

  for (int i = 0; i < 1000; ++i) {
    cache.Insert(cache.Generation(), MakeCompetition("x" + std::to_string(i)));
    ASSERT_LE(cache.stats().bytes, cache.budget_bytes());
  }
}

TEST(CompetitionCache, AnEntryJustInsertedIsKeptWhenEveryOtherWasRead) {
  const size_t entry = CompetitionCache::EntryBytes(MakeCompetition("0"));
  CompetitionCache cache(entry * 3 + entry / 2);
  for (const char* id : {"0", "1", "2"}) cache.Insert(cache.Generation(), MakeCompetition(id));
  for (const char* id : {"0", "1", "2"}) ASSERT_TRUE(cache.Find(id).has_value());
  cache.Insert(cache.Generation(), MakeCompetition("3"));
  EXPECT_EQ(cache.stats().entries, 3U);
  EXPECT_TRUE(cache.Find("3").has_value());
  EXPECT_FALSE(cache.Find("0").has_value()) << "the oldest goes, its read given one more round";
}

TEST(CompetitionCache, EverythingClearsAllAndABudgetOfZeroKeepsNothing) {
  CompetitionCache cache(1 << 20);
  cache.Insert(cache.Generation(), MakeCompetition("a"));
  cache.Insert(cache.Generation(), MakeCompetition("b"));
  cache.Invalidate({std::string(CompetitionCache::kEverything)});
  EXPECT_FALSE(cache.Find("a").has_value());
  EXPECT_FALSE(cache.Find("b").has_value());
  EXPECT_EQ(cache.stats().bytes, 0U);

  CompetitionCache off(0);
  off.Insert(off.Generation(), MakeCompetition("a"));
  EXPECT_FALSE(off.Find("a").has_value());
  EXPECT_EQ(off.stats().entries, 0U);
}

}  // namespace
}  // namespace tt::sqlite
