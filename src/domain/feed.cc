#include "domain/feed.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace tt {
namespace {

bool EventBefore(const Event* a, const Event* b) {
  if (a->date_time.instant() != b->date_time.instant()) {
    return a->date_time.instant() < b->date_time.instant();
  }
  return a->id < b->id;
}

}  // namespace

std::vector<FeedEntry> GroupFeed(std::vector<Competition> competitions,
                                 const std::vector<Athlete>& athletes, std::vector<Event> events) {
  std::unordered_map<std::string_view, size_t> entry_of_competition;
  std::vector<FeedEntry> entries;
  // Reserved, so that the keys (views of the entries' ids) stay valid.
  entries.reserve(competitions.size());
  for (Competition& competition : competitions) {
    // A competition listed twice still gets one entry: the feed names each once.
    if (entry_of_competition.contains(competition.id)) continue;
    entries.push_back(FeedEntry{std::move(competition), {}});
    entry_of_competition.emplace(entries.back().competition.id, entries.size() - 1);
  }
  std::unordered_map<std::string_view, const Athlete*> athlete_by_id;
  for (const Athlete& athlete : athletes) athlete_by_id.emplace(athlete.id, &athlete);

  // Per entry, each athlete seen there with its events, collected before sorting.
  std::vector<std::map<std::string_view, std::vector<Event*>>> events_by_athlete(entries.size());
  for (Event& event : events) {
    const auto entry = entry_of_competition.find(event.competition_id);
    if (entry == entry_of_competition.end()) continue;
    if (!athlete_by_id.contains(event.athlete_id)) continue;
    events_by_athlete[entry->second][event.athlete_id].push_back(&event);
  }

  for (size_t i = 0; i < entries.size(); ++i) {
    // Sorted by the athlete-list key (see CursorOf), so clients see one consistent order.
    std::vector<std::pair<AthleteCursor, FeedAthlete>> keyed;
    keyed.reserve(events_by_athlete[i].size());
    for (auto& [athlete_id, athlete_events] : events_by_athlete[i]) {
      std::sort(athlete_events.begin(), athlete_events.end(), EventBefore);
      const Athlete& athlete = *athlete_by_id.at(athlete_id);
      FeedAthlete feed_athlete{athlete.id, athlete.first_name, athlete.last_name, {}};
      feed_athlete.events.reserve(athlete_events.size());
      for (Event* event : athlete_events) feed_athlete.events.push_back(std::move(*event));
      keyed.emplace_back(CursorOf(athlete), std::move(feed_athlete));
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first.last_name_key, a.first.first_name_key, a.first.id) <
             std::tie(b.first.last_name_key, b.first.first_name_key, b.first.id);
    });
    entries[i].athletes.reserve(keyed.size());
    for (auto& [key, feed_athlete] : keyed) entries[i].athletes.push_back(std::move(feed_athlete));
  }
  return entries;
}

}  // namespace tt
