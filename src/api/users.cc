// /users: sign-up, profiles, profile changes and account deletion.
#include <boost/json/object.hpp>

#include "api/auth.h"
#include "api/conditional_write.h"
#include "api/decoding.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "api/lookups.h"
#include "domain/ids.h"

namespace tt::api {

Reply SignUp(const Services& services, const Request& request) {
  Result<boost::json::object> body = ParseJsonObject(request);
  if (!body) co_return std::move(body).error();
  FieldErrors errors;
  FieldReader reader(*body, errors);
  reader.Require("username");
  reader.Require("password");
  SignUpRequest sign_up;
  sign_up.username = reader.String("username").value_or("");
  sign_up.password = reader.String("password").value_or("");
  sign_up.display_name = reader.String("display_name");
  sign_up.email = reader.NullableString("email").value_or(std::nullopt);
  CheckSignUp(sign_up, errors);
  if (!errors.empty()) co_return errors.ToError();

  Result<std::string> hash = co_await services.hasher.Hash(std::move(sign_up.password));
  if (!hash) co_return std::move(hash).error();

  User user;
  user.id = NewId(services.random);
  user.username = sign_up.username;
  user.display_name = sign_up.display_name.value_or(sign_up.username);
  user.email = sign_up.email;
  user.created_at = user.updated_at = services.clock.Now();
  Status created = co_await services.store.CreateUser(user, *hash);
  if (!created) {
    if (created.error().code == ErrorCode::kConflict) {
      co_return Error::Conflict("the username is taken");
    }
    co_return std::move(created).error();
  }
  co_return ResourceResponse(201, UserJson(user, true), user.version, "/users/" + user.id);
}

Reply GetMe(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  const User& user = principal->user;
  co_return ResourceResponse(200, UserJson(user, true), user.version);
}

Reply GetUser(const Services& services, const Request& request) {
  Result<User> user = co_await PathUser(services, request);
  if (!user) co_return std::move(user).error();
  Result<std::optional<Principal>> caller = co_await OptionalPrincipal(services, request);
  if (!caller) co_return std::move(caller).error();
  bool include_email = caller->has_value() && CanActFor(**caller, user->id);
  co_return ResourceResponse(200, UserJson(*user, include_email), user->version);
}

namespace {

// The user the path names; it is its own.
WriteTarget<User> PathUserTarget(const Services& services, const Request& request) {
  return {.name = "user",
          .load = [&services, &request] { return PathUser(services, request); },
          .owner = [](const User& user) -> std::string_view { return user.id; }};
}

}  // namespace

Reply PatchUser(const Services& services, const Request& request) {
  // Set by `change` on each attempt, for `write`.
  std::optional<std::string> new_hash;
  std::string_view keep_session;
  const PatchSteps<User> steps{
      .target = PathUserTarget(services, request),
      .change = [&](const Principal& caller, const User& current, User& updated) -> Async<Status> {
        new_hash.reset();
        FieldErrors decode_errors;
        Result<UserPatch> patch = DecodeUserPatch(request, decode_errors);
        if (!patch) co_return std::move(patch).error();
        const PatchedBy patched_by =
            caller.user.id == current.id ? PatchedBy::kSelf : PatchedBy::kAdmin;
        if (Status valid =
                WithDecodeErrors(decode_errors, ApplyUserPatch(*patch, patched_by, updated));
            !valid) {
          co_return std::move(valid).error();
        }
        // Other sessions end on a password change; the caller's own stays when it is the user's.
        keep_session = patched_by == PatchedBy::kSelf ? std::string_view(caller.token_hash) : "";
        if (!patch->password) co_return Status::Ok();
        // The user must prove it knows the current password; an admin resetting someone else's
        // password need not.
        if (patched_by == PatchedBy::kSelf) {
          Result<UserCredentials> credentials =
              co_await services.store.FindUserByUsername(current.username);
          if (!credentials) co_return std::move(credentials).error();
          Result<bool> matches = co_await services.hasher.Verify(
              credentials->password_hash, patch->current_password.value_or(""));
          if (!matches) co_return std::move(matches).error();
          if (!*matches) co_return Error::Validation({{"current_password", "is incorrect"}});
        }
        Result<std::string> hash = co_await services.hasher.Hash(*patch->password);
        if (!hash) co_return std::move(hash).error();
        new_hash = std::move(*hash);
        co_return Status::Ok();
      },
      .write =
          [&](const User& updated, int64_t expected_version) {
            return services.store.UpdateUser(updated, expected_version, new_hash, keep_session);
          },
      .to_json = [](const User& updated) { return UserJson(updated, /*include_email=*/true); }};
  co_return co_await PatchResource(services, request, steps);
}

Reply DeleteUser(const Services& services, const Request& request) {
  co_return co_await DeleteResource(services, request, PathUserTarget(services, request),
                                    [&](std::string_view id, std::optional<int64_t> version) {
                                      return services.store.DeleteUser(id, version);
                                    });
}

}  // namespace tt::api
