#include "api/auth.h"

#include "domain/ids.h"
#include "security/tokens.h"

namespace tt::api {

boost::asio::awaitable<Result<Principal>> Authenticate(const Services& services,
                                                       const Request& request) {
  switch (request.credentials.kind) {
    case Credentials::Kind::kNone:
      co_return Error::Unauthenticated();
    case Credentials::Kind::kMalformed:
      co_return Error::Unauthenticated("the Authorization header must be `Bearer <token>`");
    case Credentials::Kind::kToken:
      break;
  }
  std::string token_hash = HashSessionToken(request.credentials.token);
  Result<std::pair<Session, User>> found = co_await services.store.FindSession(token_hash);
  if (!found) {
    if (found.error().code == ErrorCode::kNotFound) {
      co_return Error::Unauthenticated("the token is invalid or has been revoked");
    }
    co_return std::move(found).error();
  }
  if (found->first.expires_at <= services.clock.Now()) {
    co_return Error::Unauthenticated("the token has expired");
  }
  co_return Principal{std::move(found->second), std::move(token_hash)};
}

boost::asio::awaitable<Result<Principal>> AuthenticateSelf(const Services& services,
                                                           const Request& request,
                                                           std::string forbidden_message) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return principal;
  const std::string_view user_id = request.PathParam("id");
  if (!IsValidId(user_id)) co_return Error::NotFound("no such user");
  if (principal->user.id != user_id) co_return Error::Forbidden(std::move(forbidden_message));
  co_return principal;
}

boost::asio::awaitable<Result<std::optional<Principal>>> OptionalPrincipal(const Services& services,
                                                                           const Request& request) {
  if (request.credentials.kind == Credentials::Kind::kNone) co_return std::optional<Principal>();
  Result<Principal> principal = co_await Authenticate(services, request);
  if (principal) co_return std::optional<Principal>(std::move(principal).value());
  if (principal.error().code == ErrorCode::kUnauthenticated) co_return std::optional<Principal>();
  co_return std::move(principal).error();
}

}  // namespace tt::api
