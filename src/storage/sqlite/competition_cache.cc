#include "storage/sqlite/competition_cache.h"

#include <algorithm>
#include <string>

#include "domain/fields.h"

namespace tt::sqlite {

size_t CompetitionCache::EntryBytes(const Competition& competition) {
  size_t bytes = BoundedCache<Competition>::EntryOverhead(competition.id);
  ForEachField(kCompetitionFields,
               [&](const auto& field) { bytes += HeapBytes(competition.*field.member); });
  return bytes;
}

void CompetitionCache::Insert(uint64_t generation, const Competition& competition) {
  cache_.Insert(generation, competition.id, competition, EntryBytes(competition));
}

void CompetitionCache::Invalidate(const std::vector<std::string>& ids) {
  if (std::find(ids.begin(), ids.end(), kEverything) != ids.end()) {
    cache_.Clear();
  } else {
    cache_.Erase(ids);
  }
}

}  // namespace tt::sqlite
