// The change log: one record for each committed change to a competition, an event or a follow
// (and for the deletion of an athlete profile or a user, which takes events and follows with
// it), appended by the store with the change itself, in commit order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/time.h"

namespace tt {

enum class ChangeType {
  kCompetitionCreated,
  kCompetitionUpdated,
  kCompetitionDeleted,
  kEventCreated,
  kEventUpdated,
  kEventDeleted,
  kFollowCreated,
  kFollowDeleted,
  // The profile's events and the follows of it went with it; no record is written for each.
  kAthleteDeleted,
  // Its athlete profile (with that profile's events and follows) and its own follows went with
  // it; no record is written for each.
  kUserDeleted,
};

inline constexpr ChangeType kAllChangeTypes[] = {
    ChangeType::kCompetitionCreated, ChangeType::kCompetitionUpdated,
    ChangeType::kCompetitionDeleted, ChangeType::kEventCreated,
    ChangeType::kEventUpdated,       ChangeType::kEventDeleted,
    ChangeType::kFollowCreated,      ChangeType::kFollowDeleted,
    ChangeType::kAthleteDeleted,     ChangeType::kUserDeleted,
};

// "competition.created" and so on, as the API shows it.
std::string_view ChangeTypeName(ChangeType type);
std::optional<ChangeType> ParseChangeType(std::string_view name);

struct Change {
  // Position in the log: ids grow in commit order; gaps are allowed.
  int64_t id = 0;
  ChangeType type = ChangeType::kCompetitionCreated;
  Timestamp occurred_at;
  // JSON text: the resource as the API shows it after the change, or `{"id": ...}` for a
  // deletion (`{"user_id", "athlete_id"}` for a follow's).
  std::string data;
};

struct ChangeQuery {
  int64_t after = 0;  // changes with a greater id
  int limit = 50;
};

// A change id as the API shows it (decimal digits, no leading zero), and back; nullopt for
// anything else, including a number above the largest id.
std::string FormatChangeId(int64_t id);
std::optional<int64_t> ParseChangeId(std::string_view text);

}  // namespace tt
