// ChangeEncoder: the `data` of change records (domain/change.h), which stores write with each
// change. The data is the resource as the API shows it, so the text comes from the API's own
// encoding (api/change_encoder.h implements this), passed to the stores when they are opened;
// stores never format JSON themselves.
//
// Thread-safety: const methods, called from any thread at once.
#pragma once

#include <string>
#include <string_view>

#include "domain/competition.h"
#include "domain/event.h"
#include "domain/time.h"

namespace tt {

class ChangeEncoder {
 public:
  virtual ~ChangeEncoder() = default;
  virtual std::string Competition(const tt::Competition& competition) const = 0;
  virtual std::string Event(const tt::Event& event) const = 0;
  // {"user_id", "athlete_id", "followed_at"}.
  virtual std::string Follow(std::string_view user_id, std::string_view athlete_id,
                             Timestamp followed_at) const = 0;
  // {"user_id", "athlete_id"}: a follow's identity, for its deletion.
  virtual std::string FollowKey(std::string_view user_id, std::string_view athlete_id) const = 0;
  // {"id"}: a deleted resource's identity.
  virtual std::string Deleted(std::string_view id) const = 0;
};

}  // namespace tt
