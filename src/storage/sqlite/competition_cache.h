// CompetitionCache: recently read competitions, so that the hottest reads (GET /competitions/{id}
// and batch gets) skip SQLite. Bounded by a byte budget (BoundedCache's CLOCK eviction).
//
// Freshness contract: a Find never returns a competition older than a write that was answered.
// Writers invalidate after COMMIT and before they are answered (the group committer calls
// Invalidate between its COMMIT and completing the batch's jobs). A reader that missed takes a
// Generation() before reading the row and passes it to Insert, which drops the row when an
// invalidation came in between: that row may have been read before the COMMIT, and caching it
// after the invalidation would serve it after the write was answered.
//
// It assumes this process is the only writer of the database (an SQLite deployment is one
// server process); another process's writes would not invalidate it.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/competition.h"
#include "storage/bounded_cache.h"

namespace tt::sqlite {

class CompetitionCache {
 public:
  // A key that invalidates every entry (a write touching many competitions at once).
  static constexpr std::string_view kEverything = "*";

  // `budget_bytes` 0 disables the cache (Find always misses, Insert keeps nothing).
  explicit CompetitionCache(size_t budget_bytes) : cache_(budget_bytes) {}

  std::optional<Competition> Find(std::string_view id) { return cache_.Find(id); }
  uint64_t Generation() const { return cache_.Generation(); }
  // Keeps `competition` unless an invalidation happened since `generation` was taken.
  void Insert(uint64_t generation, const Competition& competition);
  // Drops the entries of `ids` (competition ids, or kEverything); other keys name nothing here.
  void Invalidate(const std::vector<std::string>& ids);

  using Stats = CacheStats;
  Stats stats() const { return cache_.stats(); }
  size_t budget_bytes() const { return cache_.budget_bytes(); }

  // What an entry is counted as: the value's strings and fixed size, the key, and the map and
  // list nodes around them.
  static size_t EntryBytes(const Competition& competition);

 private:
  BoundedCache<Competition> cache_;
};

}  // namespace tt::sqlite
