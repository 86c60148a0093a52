// FeedCache: feed pages recently read, so that reading the same page again (a client polling its
// feed, a calendar app refreshing a subscription) skips the walk of the competitions. Bounded by
// a byte budget (BoundedCache's CLOCK eviction).
//
// Freshness: BoundedCache's rule (storage/bounded_cache.h), with one coarse invalidation. Every
// write batch that noted a change (GroupCommitter::NoteChanged: a competition id, or kFeeds from
// the writes of events, follows and athletes) drops every page. A finer rule, by the athletes
// and competitions on each page, would have to know which pages a new event or follow joins;
// feeds are read far more often than calendars change, so the coarse one keeps most hits.
//
// Like CompetitionCache it assumes this process is the database's only writer.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/competition.h"
#include "domain/feed.h"
#include "storage/bounded_cache.h"

namespace tt::sqlite {

class FeedCache {
 public:
  // The note of a write that can change what a feed shows without changing a competition.
  static constexpr std::string_view kFeeds = "feeds";

  // `budget_bytes` 0 disables the cache (Find always misses, Insert keeps nothing).
  explicit FeedCache(size_t budget_bytes) : cache_(budget_bytes) {}

  // The page `query` read, if kept; a copy the caller owns.
  std::optional<Page<FeedEntry>> Find(const FeedQuery& query);
  uint64_t Generation() const { return cache_.Generation(); }
  // Keeps `page` as `query`'s unless an invalidation happened since `generation` was taken.
  void Insert(uint64_t generation, const FeedQuery& query, const Page<FeedEntry>& page);
  // Drops every page when a batch noted anything at all (see the comment at the top).
  void Invalidate(const std::vector<std::string>& changed);

  CacheStats stats() const { return cache_.stats(); }
  size_t budget_bytes() const { return cache_.budget_bytes(); }

  // The key of `query`: every field it has, so that two queries share a key only when they
  // read the same page.
  static std::string Key(const FeedQuery& query);
  // What a page is counted as: every string's buffer, vector and object, and the entry around it.
  static size_t EntryBytes(std::string_view key, const Page<FeedEntry>& page);

 private:
  // Shared so that Find copies a pointer under the cache's mutex, and the page outside it.
  BoundedCache<std::shared_ptr<const Page<FeedEntry>>> cache_;
};

}  // namespace tt::sqlite
