#include "storage/sqlite/feed_cache.h"

#include <string>

#include "domain/fields.h"

namespace tt::sqlite {

namespace {

template <typename Table, typename Record>
size_t FieldHeapBytes(const Table& table, const Record& record) {
  size_t bytes = 0;
  ForEachField(table, [&](const auto& field) { bytes += HeapBytes(record.*field.member); });
  return bytes;
}

}  // namespace

std::string FeedCache::Key(const FeedQuery& query) {
  // '\n' appears in none of the fields: ids and dates are validated before a query is made.
  std::string key = query.user_id;
  key += '\n';
  key += query.from.ToString();
  key += '\n';
  if (query.after.has_value()) {
    key += query.after->start_date.ToString();
    key += '\n';
    key += query.after->id;
  }
  key += '\n';
  key += std::to_string(query.limit);
  return key;
}

size_t FeedCache::EntryBytes(std::string_view key, const Page<FeedEntry>& page) {
  constexpr size_t kSharedBlock = 16;  // shared_ptr's counts beside the page
  size_t bytes = BoundedCache<std::shared_ptr<const Page<FeedEntry>>>::EntryOverhead(key) +
                 kSharedBlock + sizeof(Page<FeedEntry>) + page.items.capacity() * sizeof(FeedEntry);
  for (const FeedEntry& entry : page.items) {
    bytes += FieldHeapBytes(kCompetitionFields, entry.competition);
    bytes += entry.athletes.capacity() * sizeof(FeedAthlete);
    for (const FeedAthlete& athlete : entry.athletes) {
      bytes += HeapBytes(athlete.id) + HeapBytes(athlete.first_name) +
               HeapBytes(athlete.last_name) + athlete.events.capacity() * sizeof(Event);
      for (const Event& event : athlete.events) bytes += FieldHeapBytes(kEventFields, event);
    }
  }
  return bytes;
}

std::optional<Page<FeedEntry>> FeedCache::Find(const FeedQuery& query) {
  if (cache_.budget_bytes() == 0) return std::nullopt;
  std::optional<std::shared_ptr<const Page<FeedEntry>>> found = cache_.Find(Key(query));
  if (!found.has_value()) return std::nullopt;
  return **found;
}

void FeedCache::Insert(uint64_t generation, const FeedQuery& query, const Page<FeedEntry>& page) {
  if (cache_.budget_bytes() == 0) return;
  std::string key = Key(query);
  const size_t bytes = EntryBytes(key, page);
  cache_.Insert(generation, std::move(key), std::make_shared<const Page<FeedEntry>>(page), bytes);
}

void FeedCache::Invalidate(const std::vector<std::string>& changed) {
  if (!changed.empty()) cache_.Clear();
}

}  // namespace tt::sqlite
