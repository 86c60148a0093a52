// BoundedCache: values by text key within a byte budget, with the generation rule that keeps the
// caches above and in the store fresh. CompetitionCache, FeedCache and api::ResponseCache are
// this with their own keys and sizes.
//
// Eviction is CLOCK, an approximation of least recently used: a hit only marks its entry, and an
// entry found marked at the end of the list is given another round instead of being dropped.
// Moving each hit to the front of the list (true LRU) touched two more nodes per hit; a batch
// get makes 100 hits.
//
// Freshness: writers invalidate (Erase or Clear) after their COMMIT and before they are
// answered. A reader that missed takes a Generation() before it reads SQLite and passes it to
// Insert, which drops the value when an invalidation came in between: the value may have been
// read before that COMMIT, and keeping it would serve it after the write was answered.
//
// Thread-safety: every method may be called from any thread. Find copies the value under the
// cache's mutex, so a large value is best held through a shared_ptr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/time.h"
#include "storage/store.h"

namespace tt {

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  size_t bytes = 0;  // the entries' estimated size
  size_t entries = 0;
};

// A cache's counters for /metrics: `<prefix>hits_total` and `<prefix>misses_total` (with their
// help texts), `<prefix>evictions_total`, `<prefix>bytes` and `<prefix>budget_bytes`, the cache
// called `name` in the others' help texts.
inline std::vector<StoreCounter> CacheCounters(const std::string& prefix, const std::string& name,
                                               const std::string& hits_help, uint64_t hits,
                                               const std::string& misses_help, uint64_t misses,
                                               const CacheStats& stats, size_t budget_bytes) {
  return {
      {prefix + "hits_total", hits_help, hits},
      {prefix + "misses_total", misses_help, misses},
      {prefix + "evictions_total",
       "Entries dropped from the " + name + " to stay within its budget", stats.evictions},
      {prefix + "bytes", "Estimated bytes the " + name + " holds", stats.bytes, true},
      {prefix + "budget_bytes", "The " + name + "'s byte budget", budget_bytes, true},
  };
}

// The heap bytes a string holds beyond its object: its buffer when it is not inline.
inline size_t HeapBytes(const std::string& text) {
  return text.capacity() > std::string().capacity() ? text.capacity() : 0;
}
inline size_t HeapBytes(const std::optional<std::string>& text) {
  return text ? HeapBytes(*text) : 0;
}
inline size_t HeapBytes(const DateTime& date_time) { return HeapBytes(date_time.ToString()); }
template <typename Value>
size_t HeapBytes(const Value&) {
  return 0;
}

template <typename Value>
class BoundedCache {
 public:
  // `budget_bytes` 0 disables the cache (Find always misses, Insert keeps nothing).
  explicit BoundedCache(size_t budget_bytes) : budget_bytes_(budget_bytes) {}

  // What an entry costs besides its value's heap blocks: the value and key objects, the key's
  // buffer, and the list and map nodes around them.
  static size_t EntryOverhead(std::string_view key) {
    constexpr size_t kNodes = 96;  // a list node's links, a map node and a bucket pointer, about
    return sizeof(Entry) + kNodes + HeapBytes(std::string(key));
  }

  std::optional<Value> Find(std::string_view key) {
    if (budget_bytes_ == 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) {
      ++stats_.misses;
      return std::nullopt;
    }
    ++stats_.hits;
    it->second->referenced = true;
    return it->second->value;
  }

  // Find for `count` keys under one lock: `key_of(i)` gives the i-th key (a view that need stay
  // valid only until the next call), and `found(i, value)` is called for each key held.
  template <typename KeyOf, typename Found>
  void FindEach(size_t count, KeyOf key_of, Found found) {
    if (budget_bytes_ == 0) return;
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < count; ++i) {
      auto it = by_key_.find(std::string_view(key_of(i)));
      if (it == by_key_.end()) {
        ++stats_.misses;
        continue;
      }
      ++stats_.hits;
      it->second->referenced = true;
      found(i, std::as_const(it->second->value));
    }
  }

  uint64_t Generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
  }

  // Keeps `value` under `key`, counted as `bytes` (EntryOverhead included), unless an
  // invalidation happened since `generation` was taken or it alone exceeds the budget.
  void Insert(uint64_t generation, std::string key, Value value, size_t bytes) {
    if (budget_bytes_ == 0 || bytes > budget_bytes_) return;
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;
    if (auto it = by_key_.find(key); it != by_key_.end()) EraseLocked(it);
    lru_.push_front(Entry{std::move(key), std::move(value), bytes});
    by_key_.emplace(lru_.front().key, lru_.begin());
    stats_.bytes += bytes;
    ++stats_.entries;
    while (stats_.bytes > budget_bytes_) {
      Entry& oldest = lru_.back();
      if (oldest.referenced) {  // read since its last round: one more
        oldest.referenced = false;
        // Behind the entry just inserted, which stays first: were every other entry read, it
        // would otherwise come round to the end first and be the one dropped.
        lru_.splice(std::next(lru_.begin()), lru_, std::prev(lru_.end()));
        continue;
      }
      EraseLocked(by_key_.find(oldest.key));
      ++stats_.evictions;
    }
  }

  // Drops the entries of `keys` and starts a new generation.
  void Erase(std::span<const std::string> keys) {
    std::lock_guard lock(mutex_);
    ++generation_;
    for (const std::string& key : keys) {
      if (auto it = by_key_.find(key); it != by_key_.end()) EraseLocked(it);
    }
  }

  // Drops every entry and starts a new generation.
  void Clear() {
    std::lock_guard lock(mutex_);
    ++generation_;
    by_key_.clear();
    lru_.clear();
    stats_.bytes = 0;
    stats_.entries = 0;
  }

  CacheStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }
  size_t budget_bytes() const { return budget_bytes_; }

 private:
  struct Entry {
    std::string key;
    Value value;
    size_t bytes = 0;
    bool referenced = false;  // read since it was inserted or last given another round
  };
  using Lru = std::list<Entry>;  // most recently inserted (or given another round) first
  using ByKey = std::unordered_map<std::string_view, typename Lru::iterator>;  // views lru_'s keys

  void EraseLocked(typename ByKey::iterator it) {
    const typename Lru::iterator entry = it->second;
    stats_.bytes -= entry->bytes;
    --stats_.entries;
    by_key_.erase(it);  // before the entry whose key it views
    lru_.erase(entry);
  }

  const size_t budget_bytes_;
  mutable std::mutex mutex_;
  Lru lru_;                  // guarded by mutex_
  ByKey by_key_;             // guarded by mutex_
  uint64_t generation_ = 0;  // guarded by mutex_
  CacheStats stats_;         // guarded by mutex_
};

}  // namespace tt
