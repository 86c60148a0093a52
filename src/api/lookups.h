// The resources a request's path names. A malformed id is simply not found (the contract's
// 404), so the store is not asked about it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "api/request.h"
#include "api/services.h"

namespace tt::api {

boost::asio::awaitable<Result<User>> PathUser(const Services& services, const Request& request);
boost::asio::awaitable<Result<Competition>> PathCompetition(const Services& services,
                                                            const Request& request);
boost::asio::awaitable<Result<Athlete>> PathAthlete(const Services& services,
                                                    const Request& request);
// The event the path parameter `param` names; with `athlete_param`, only if it is that athlete's
// (an event of another athlete is not found under this one's path).
boost::asio::awaitable<Result<Event>> PathEvent(const Services& services, const Request& request,
                                                std::string_view param,
                                                std::string_view athlete_param = {});

}  // namespace tt::api
