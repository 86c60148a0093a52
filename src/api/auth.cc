#include "api/auth.h"

#include "security/tokens.h"

namespace tt::api {
namespace {

// The token of an `Authorization` header value, or nullopt when the scheme is not Bearer or
// Token (schemes are case-insensitive, RFC 9110 §11.1).
std::optional<std::string_view> TokenOf(std::string_view header) {
  size_t space = header.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string scheme(header.substr(0, space));
  for (char& c : scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (scheme != "bearer" && scheme != "token") return std::nullopt;
  std::string_view token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) return std::nullopt;
  return token;
}

}  // namespace

boost::asio::awaitable<Result<Principal>> Authenticate(const Services& services,
                                                       const Request& request) {
  if (request.authorization.empty()) co_return Error::Unauthenticated();
  std::optional<std::string_view> token = TokenOf(request.authorization);
  if (!token) {
    co_return Error::Unauthenticated("the Authorization header must be `Bearer <token>`");
  }
  std::string token_hash = HashSessionToken(*token);
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

boost::asio::awaitable<Result<std::optional<Principal>>> OptionalPrincipal(const Services& services,
                                                                           const Request& request) {
  if (request.authorization.empty()) co_return std::optional<Principal>();
  Result<Principal> principal = co_await Authenticate(services, request);
  if (principal) co_return std::optional<Principal>(std::move(principal).value());
  if (principal.error().code == ErrorCode::kUnauthenticated) co_return std::optional<Principal>();
  co_return std::move(principal).error();
}

}  // namespace tt::api
