// Read-modify-write requests (PATCH) and the races between them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "api/json_body.h"
#include "api/request.h"
#include "domain/error.h"

namespace tt::api {

// How many times a PATCH without If-Match is tried before it answers 409.
inline constexpr int kPatchAttempts = 5;

// Runs `attempt()`, an awaitable read-modify-write of one resource (read it, check, apply the
// patch, write it on condition that its version is still the one read), and answers what it
// answers, except in one case. A PATCH without If-Match applies to whatever version is current:
// when its conditional write loses a race with another writer (the store answers
// kPreconditionFailed), the whole attempt is made again, on the new version, up to
// kPatchAttempts times, and then answers 409 naming `resource`. With If-Match the client named
// the version it had read, so the 412 stands.
template <typename Attempt>
boost::asio::awaitable<Result<Response>> RetryLostRaces(const Request& request,
                                                        std::string resource, Attempt attempt) {
  for (int attempts = 1;; ++attempts) {
    Result<Response> response = co_await attempt();
    if (response.ok() || response.error().code != ErrorCode::kPreconditionFailed ||
        IfMatchVersion(request).has_value()) {
      co_return response;
    }
    if (attempts == kPatchAttempts) {
      co_return Error::Conflict("the " + resource + " is being changed by others, try again");
    }
  }
}

}  // namespace tt::api
