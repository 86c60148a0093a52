#include "api/response_cache.h"

#include <utility>

namespace tt::api {

std::shared_ptr<const std::string> ResponseCache::Find(std::string_view key, uint64_t generation) {
  std::optional<std::shared_ptr<const Entry>> entry = cache_.Find(key);
  if (!entry.has_value() || (*entry)->generation != generation) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  // Shares the entry's ownership: the string lives as long as either does.
  return std::shared_ptr<const std::string>(*entry, &(*entry)->json);
}

std::string ResponseCache::ItemKey(std::string_view kind, std::string_view id) {
  return Key().Add(kind).Add(id).Take();
}

void ResponseCache::FindItems(std::string_view kind, std::span<const std::string> ids,
                              uint64_t generation, std::string& json, std::span<Span> spans) {
  const std::string prefix = Key().Add(kind).Take();
  std::string key;  // one buffer for every key
  uint64_t hits = 0;
  cache_.FindEach(
      ids.size(),
      [&](size_t i) -> std::string_view {
        key.assign(prefix);
        Key::Append(ids[i], key);
        return key;
      },
      [&](size_t i, const std::shared_ptr<const Entry>& entry) {
        if (entry->generation != generation) return;
        spans[i] = Span{json.size(), entry->json.size()};
        json += entry->json;
        ++hits;
      });
  hits_.fetch_add(hits, std::memory_order_relaxed);
  misses_.fetch_add(ids.size() - hits, std::memory_order_relaxed);
}

void ResponseCache::Insert(std::string key, uint64_t generation, std::string json) {
  if (cache_.budget_bytes() == 0) return;
  constexpr size_t kSharedBlock = 16;  // shared_ptr's counts beside the entry
  const size_t bytes = BoundedCache<std::shared_ptr<const Entry>>::EntryOverhead(key) +
                       kSharedBlock + sizeof(Entry) + json.capacity();
  auto entry = std::make_shared<const Entry>(Entry{generation, std::move(json)});
  // Entries are never invalidated here (a stale one simply stops matching), so the cache's own
  // generation never moves.
  cache_.Insert(cache_.Generation(), std::move(key), std::move(entry), bytes);
}

std::vector<StoreCounter> ResponseCache::Counters() const {
  return CacheCounters(
      "tt_response_cache_", "response cache", "Reads answered with JSON kept from an earlier read",
      hits_.load(std::memory_order_relaxed),
      "Reads that found no JSON kept, or only JSON older than a write since",
      misses_.load(std::memory_order_relaxed), cache_.stats(), cache_.budget_bytes());
}

void ResponseCache::Key::Append(std::string_view field, std::string& key) {
  key += std::to_string(field.size());
  key += ':';
  key += field;
}

}  // namespace tt::api
