#include "domain/change.h"

#include <charconv>

namespace tt {

std::string_view ChangeTypeName(ChangeType type) {
  switch (type) {
    case ChangeType::kCompetitionCreated:
      return "competition.created";
    case ChangeType::kCompetitionUpdated:
      return "competition.updated";
    case ChangeType::kCompetitionDeleted:
      return "competition.deleted";
    case ChangeType::kEventCreated:
      return "event.created";
    case ChangeType::kEventUpdated:
      return "event.updated";
    case ChangeType::kEventDeleted:
      return "event.deleted";
    case ChangeType::kFollowCreated:
      return "follow.created";
    case ChangeType::kFollowDeleted:
      return "follow.deleted";
    case ChangeType::kAthleteDeleted:
      return "athlete.deleted";
    case ChangeType::kUserDeleted:
      return "user.deleted";
  }
  return "unknown";
}

std::optional<ChangeType> ParseChangeType(std::string_view name) {
  for (ChangeType type : kAllChangeTypes) {
    if (ChangeTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::string FormatChangeId(int64_t id) { return std::to_string(id); }

std::optional<int64_t> ParseChangeId(std::string_view text) {
  // Digits only, without leading zeros (one spelling per id): no sign, no spaces; from_chars
  // reports overflow.
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

}  // namespace tt
