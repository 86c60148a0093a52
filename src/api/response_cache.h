// ResponseCache: the JSON of reads that clients repeat (pages of the competition list and of
// feeds, and each competition a batch get answers), so that a repeated read skips both the store
// and the encoding.
//
// Freshness: each entry carries the store's ReadGeneration of the scope it read, taken before
// the read; Find answers an entry only while the store's generation is still that one, hence
// never after a write it could have missed was answered (Store::ReadGeneration's contract). A
// store that gives no generation (DynamoDB, whose other instances write too) has nothing cached:
// see CachedRead.
//
// Bounded by a byte budget (BoundedCache's CLOCK eviction). Thread-safety: any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bounded_cache.h"
#include "storage/store.h"

namespace tt::api {

class ResponseCache {
 public:
  // `budget_bytes` 0 keeps nothing.
  explicit ResponseCache(size_t budget_bytes) : cache_(budget_bytes) {}

  // The JSON kept under `key` if it was read at `generation`; null otherwise.
  std::shared_ptr<const std::string> Find(std::string_view key, uint64_t generation);
  // Keeps `json` under `key`, read at `generation` (taken before the read).
  void Insert(std::string key, uint64_t generation, std::string json);

  // Items: the JSON of single resources, kept under ItemKey(kind, id). FindItems looks up every
  // id of `ids` under one lock and, for each one's JSON read at `generation`, appends it to
  // `json` and sets `spans[i]` (sized like `ids`) to where it is; the others' spans stay empty.
  // Copying under the lock costs less than sharing: a shared_ptr's count, changed by every I/O
  // thread that reads the same item, bounces between their CPUs.
  struct Span {
    size_t offset = 0;
    size_t size = 0;  // 0: not found
  };
  static std::string ItemKey(std::string_view kind, std::string_view id);
  void FindItems(std::string_view kind, std::span<const std::string> ids, uint64_t generation,
                 std::string& json, std::span<Span> spans);

  // tt_response_cache_*: hits, misses (stale entries included), evictions, bytes, budget.
  std::vector<StoreCounter> Counters() const;

  // Builds a key from fields, each length-prefixed, so that no two field lists share one.
  class Key {
   public:
    Key& Add(std::string_view field) {
      Append(field, text_);
      return *this;
    }
    Key& Add(int64_t number) { return Add(std::to_string(number)); }
    std::string Take() { return std::move(text_); }
    // Appends `field` to `key` as Add does, for keys built in a reused buffer.
    static void Append(std::string_view field, std::string& key);

   private:
    std::string text_;
  };

 private:
  struct Entry {
    uint64_t generation = 0;
    std::string json;
  };
  BoundedCache<std::shared_ptr<const Entry>> cache_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace tt::api
