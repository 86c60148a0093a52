// Encoding domain values as the contract's JSON, and the common shapes of successful answers.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "api/request.h"
#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/event.h"
#include "domain/feed.h"
#include "domain/user.h"

namespace tt::api {

// `email` is included only for the user itself and admins.
boost::json::object UserJson(const User& user, bool include_email);
boost::json::object CompetitionJson(const Competition& competition);
boost::json::object AthleteJson(const Athlete& athlete);
boost::json::object EventJson(const Event& event);
boost::json::object FeedEntryJson(const FeedEntry& entry);

Response JsonResponse(int status, const boost::json::value& body);
// A single resource with `ETag: "<version>"`, and `Location` when given (creations).
Response ResourceResponse(int status, const boost::json::object& body, int64_t version,
                          std::optional<std::string> location = std::nullopt);
// {"items": [...], "next_cursor": cursor-or-null}
Response PageResponse(boost::json::array items, const std::optional<std::string>& next_cursor);
Response NoContent();

}  // namespace tt::api
