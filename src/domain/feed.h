// The feed: every upcoming competition at which an athlete the user follows has an event.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/event.h"

namespace tt {

// Feed pages are ordered by (start_date, competition id), like competition lists.
struct FeedQuery {
  std::string user_id;
  Date from;  // competitions whose end_date >= from
  std::optional<CompetitionCursor> after;
  int limit = 50;
};

struct FeedAthlete {
  std::string id;
  std::string first_name;
  std::string last_name;
  std::vector<Event> events;  // by (instant, id)
};

struct FeedEntry {
  Competition competition;
  std::vector<FeedAthlete> athletes;  // by (last name, first name, id), case-insensitively
};

// Groups the raw rows a store reads into feed entries: one entry per competition in
// `competitions`' order, each followed athlete once with its events there. Events whose
// competition or athlete is not given are ignored. Pure; stores of every kind share it. The
// competitions and events are taken by value so that a caller done with them moves them in.
std::vector<FeedEntry> GroupFeed(std::vector<Competition> competitions,
                                 const std::vector<Athlete>& athletes, std::vector<Event> events);

}  // namespace tt
