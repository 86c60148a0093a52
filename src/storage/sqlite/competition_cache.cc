#include "storage/sqlite/competition_cache.h"

#include <optional>
#include <string>

#include "domain/fields.h"

namespace tt::sqlite {

namespace {

// The heap bytes a member holds beyond the struct: a string's buffer when it is not inline.
size_t HeapBytes(const std::string& text) {
  return text.capacity() > std::string().capacity() ? text.capacity() : 0;
}
size_t HeapBytes(const std::optional<std::string>& text) { return text ? HeapBytes(*text) : 0; }
template <typename Value>
size_t HeapBytes(const Value&) {
  return 0;
}

}  // namespace

size_t CompetitionCache::EntryBytes(const Competition& competition) {
  // Two list/map nodes and a bucket pointer, about; then every member's heap block.
  constexpr size_t kNodes = 96;
  size_t bytes = sizeof(Entry) + kNodes;
  ForEachField(kCompetitionFields,
               [&](const auto& field) { bytes += HeapBytes(competition.*field.member); });
  return bytes;
}

std::optional<Competition> CompetitionCache::Find(std::string_view id) {
  if (budget_bytes_ == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->competition;
}

uint64_t CompetitionCache::Generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void CompetitionCache::Insert(uint64_t generation, const Competition& competition) {
  const size_t bytes = EntryBytes(competition);
  if (budget_bytes_ == 0 || bytes > budget_bytes_) return;
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;
  if (auto it = by_id_.find(competition.id); it != by_id_.end()) EraseLocked(it);
  lru_.push_front(Entry{competition, bytes});
  by_id_.emplace(lru_.front().competition.id, lru_.begin());
  stats_.bytes += bytes;
  ++stats_.entries;
  while (stats_.bytes > budget_bytes_) {
    EraseLocked(by_id_.find(lru_.back().competition.id));
    ++stats_.evictions;
  }
}

void CompetitionCache::Invalidate(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  ++generation_;
  for (const std::string& id : ids) {
    if (id == kEverything) {
      by_id_.clear();
      lru_.clear();
      stats_.bytes = 0;
      stats_.entries = 0;
      return;
    }
    if (auto it = by_id_.find(id); it != by_id_.end()) EraseLocked(it);
  }
}

CompetitionCache::Stats CompetitionCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CompetitionCache::EraseLocked(
    std::unordered_map<std::string_view, Lru::iterator>::iterator it) {
  const Lru::iterator entry = it->second;
  stats_.bytes -= entry->bytes;
  --stats_.entries;
  by_id_.erase(it);  // before the entry whose id the key views
  lru_.erase(entry);
}

}  // namespace tt::sqlite
