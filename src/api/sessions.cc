// /sessions: sign-in with per-username throttling, and sign-out.
#include <boost/json/object.hpp>
#include <chrono>

#include "api/auth.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "security/tokens.h"

namespace tt::api {
namespace {

constexpr std::string_view kBadCredentials = "invalid username or password";

// Seconds until the sign-in failures of a username drop below the limit, or nullopt when sign-in
// is allowed now. `failures` are the ones within the window, oldest first.
std::optional<int> LockedForSeconds(const Services& services,
                                    const std::vector<Timestamp>& failures, Timestamp now) {
  const auto max_failures = static_cast<size_t>(services.options.sign_in_max_failures);
  if (failures.size() < max_failures) return std::nullopt;
  // The lock lifts when the failure that made the count reach the limit leaves the window.
  Timestamp unlocks_at =
      failures[failures.size() - max_failures] + services.options.sign_in_failure_window;
  auto remaining = std::chrono::ceil<std::chrono::seconds>(unlocks_at - now).count();
  return static_cast<int>(std::max<int64_t>(remaining, 1));
}

}  // namespace

Reply SignIn(const Services& services, const Request& request) {
  Result<boost::json::object> body = ParseJsonObject(request);
  if (!body) co_return std::move(body).error();
  FieldErrors errors;
  FieldReader reader(*body, errors);
  reader.Require("username");
  reader.Require("password");
  std::string username = reader.String("username").value_or("");
  std::string password = reader.String("password").value_or("");
  if (!errors.empty()) co_return errors.ToError();

  const std::string key = UsernameKey(username);
  const Timestamp now = services.clock.Now();
  Result<std::vector<Timestamp>> failures = co_await services.store.SignInFailuresSince(
      key, now - services.options.sign_in_failure_window);
  if (!failures) co_return std::move(failures).error();
  if (std::optional<int> wait = LockedForSeconds(services, *failures, now)) {
    co_return Error::RateLimited(*wait);
  }

  Result<UserCredentials> credentials = co_await services.store.FindUserByUsername(username);
  if (!credentials && credentials.error().code != ErrorCode::kNotFound) {
    co_return std::move(credentials).error();
  }
  // An unknown user is checked against a decoy hash so that both failures take as long.
  const std::string& hash = credentials ? credentials->password_hash : services.hasher.decoy_hash();
  Result<bool> matches = co_await services.hasher.Verify(hash, std::move(password));
  if (!matches) co_return std::move(matches).error();
  if (!credentials || !*matches) {
    Status recorded = co_await services.store.RecordSignInFailure(key, now);
    if (!recorded) co_return std::move(recorded).error();
    co_return Error::Unauthenticated(std::string(kBadCredentials));
  }
  if (!failures->empty()) {
    Status cleared = co_await services.store.ClearSignInFailures(key);
    if (!cleared) co_return std::move(cleared).error();
  }

  std::string token = NewSessionToken(services.random);
  Session session;
  session.token_hash = HashSessionToken(token);
  session.user_id = credentials->user.id;
  session.created_at = now;
  session.expires_at = now + services.options.session_ttl;
  Status created = co_await services.store.CreateSession(session);
  if (!created) co_return std::move(created).error();

  std::string text;
  JsonWriter out(text);
  out.BeginObject();
  out.Member("token", token);
  out.Member("expires_at", session.expires_at);
  out.Key("user");
  WriteUser(out, credentials->user, /*include_email=*/true);
  out.EndObject();
  Response response = JsonResponse(201, std::move(text));
  response.headers.emplace_back("Location", "/sessions/current");
  co_return response;
}

Reply SignOut(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  Status deleted = co_await services.store.DeleteSession(principal->token_hash);
  if (!deleted) co_return std::move(deleted).error();
  co_return NoContent();
}

}  // namespace tt::api
