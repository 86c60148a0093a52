// The response cache on its own: an entry answers only at the generation it was read at, keys
// keep field lists apart, items are found under one lock in their order, and the budget holds.
// How the handlers use it, and that no read through them is older than an answered write, is in
// handlers_test.cc.
#include "api/response_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/store_counters.h"

namespace tt::api {
namespace {

uint64_t CounterValue(const ResponseCache& cache, std::string_view name) {
  return testing::CounterValue(cache.Counters(), name);
}

TEST(ResponseCache, AnswersJsonOnlyAtTheGenerationItWasReadAt) {
  ResponseCache cache(1 << 20);
  EXPECT_EQ(cache.Find("page", 7), nullptr);
  cache.Insert("page", 7, R"({"items":[]})");
  std::shared_ptr<const std::string> json = cache.Find("page", 7);
  ASSERT_NE(json, nullptr);
  EXPECT_EQ(*json, R"({"items":[]})");
  EXPECT_EQ(cache.Find("page", 8), nullptr) << "a write came since it was read";
  cache.Insert("page", 8, R"({"items":[1]})");  // a read at the new generation replaces it
  EXPECT_EQ(*cache.Find("page", 8), R"({"items":[1]})");
  EXPECT_EQ(*json, R"({"items":[]})") << "a body handed out stays valid";
  EXPECT_EQ(CounterValue(cache, "tt_response_cache_hits_total"), 2U);
  EXPECT_EQ(CounterValue(cache, "tt_response_cache_misses_total"), 2U);
}

TEST(ResponseCache, KeysOfDifferentFieldListsDiffer) {
  EXPECT_NE(ResponseCache::Key().Add("ab").Add("c").Take(),
            ResponseCache::Key().Add("a").Add("bc").Take());
  EXPECT_NE(ResponseCache::Key().Add("").Add("x").Take(),
            ResponseCache::Key().Add("x").Add("").Take());
  EXPECT_EQ(ResponseCache::Key().Add("feed").Add(50).Take(),
            ResponseCache::Key().Add("feed").Add("50").Take());
  EXPECT_EQ(ResponseCache::ItemKey("competition", "a"),
            ResponseCache::Key().Add("competition").Add("a").Take());
}

TEST(ResponseCache, FindsItemsInTheirOrderAtTheirGeneration) {
  ResponseCache cache(1 << 20);
  cache.Insert(ResponseCache::ItemKey("competition", "a"), 3, R"({"id":"a"})");
  cache.Insert(ResponseCache::ItemKey("competition", "c"), 3, R"({"id":"c"})");
  cache.Insert(ResponseCache::ItemKey("competition", "d"), 2, R"({"id":"d"})");  // older
  cache.Insert(ResponseCache::ItemKey("athlete", "b"), 3, R"({"id":"b"})");      // other kind
  const std::vector<std::string> ids = {"c", "b", "a", "d"};
  std::string json = "[";
  std::vector<ResponseCache::Span> spans(ids.size());
  cache.FindItems("competition", ids, 3, json, spans);
  EXPECT_EQ(json, R"([{"id":"c"}{"id":"a"})");
  EXPECT_EQ(json.substr(spans[0].offset, spans[0].size), R"({"id":"c"})");
  EXPECT_EQ(spans[1].size, 0U);
  EXPECT_EQ(json.substr(spans[2].offset, spans[2].size), R"({"id":"a"})");
  EXPECT_EQ(spans[3].size, 0U);
  EXPECT_EQ(CounterValue(cache, "tt_response_cache_hits_total"), 2U);
  EXPECT_EQ(CounterValue(cache, "tt_response_cache_misses_total"), 2U);
}

TEST(ResponseCache, StaysWithinItsBudgetAndABudgetOfZeroKeepsNothing) {
  const std::string body(1000, 'x');
  ResponseCache cache(4500);
  for (int i = 0; i < 10; ++i) cache.Insert("page" + std::to_string(i), 1, body);
  EXPECT_LE(CounterValue(cache, "tt_response_cache_bytes"), 4500U);
  EXPECT_GE(CounterValue(cache, "tt_response_cache_evictions_total"), 6U);
  EXPECT_EQ(cache.Find("page0", 1), nullptr);
  EXPECT_NE(cache.Find("page9", 1), nullptr);

  ResponseCache off(0);
  off.Insert("page", 1, body);
  EXPECT_EQ(off.Find("page", 1), nullptr);
}

}  // namespace
}  // namespace tt::api
