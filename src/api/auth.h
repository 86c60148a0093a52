// Who is calling: the bearer token of a request resolved to a user, and the ownership rule.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/request.h"
#include "api/services.h"
#include "domain/user.h"

namespace tt::api {

struct Principal {
  User user;
  std::string token_hash;  // of the token this request carried
};

// The caller named by `Authorization: Bearer <token>` (or `Token <token>`). kUnauthenticated when
// the header is missing or malformed, or the token is unknown, revoked or expired.
boost::asio::awaitable<Result<Principal>> Authenticate(const Services& services,
                                                       const Request& request);
// For public reads that show more to owners: the caller, or nullopt when there is no valid
// token. Storage failures still come back as errors.
boost::asio::awaitable<Result<std::optional<Principal>>> OptionalPrincipal(const Services& services,
                                                                           const Request& request);

// The caller, who must be the user the path's `{id}` names: for what is personal to a user
// (follows, a calendar token), which not even an admin does on someone's behalf. kNotFound for a
// malformed id, kForbidden (`forbidden_message`) for anyone else.
boost::asio::awaitable<Result<Principal>> AuthenticateSelf(const Services& services,
                                                           const Request& request,
                                                           std::string forbidden_message);

// The contract's ownership rule: a user acts on its own resources; an admin on anyone's.
inline bool CanActFor(const Principal& principal, std::string_view owner_id) {
  return principal.user.is_admin || principal.user.id == owner_id;
}

}  // namespace tt::api
