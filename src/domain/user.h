// Users, their sign-in sessions and the rules for changing them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "domain/fields.h"
#include "domain/time.h"
#include "domain/validation.h"

namespace tt {

struct User {
  std::string id;
  std::string username;  // as typed at sign-up; unique by UsernameKey()
  std::string display_name;
  std::optional<std::string> email;  // shown only to the user and admins
  bool is_athlete = false;           // derived by the store from the athlete profile
  bool is_admin = false;
  Timestamp created_at{};
  Timestamp updated_at{};
  int64_t version = 1;
};

// A user with the Argon2id hash of its password, for sign-in only.
struct UserCredentials {
  User user;
  std::string password_hash;
};

struct SignUpRequest {
  std::string username;
  std::string password;
  std::optional<std::string> display_name;
  std::optional<std::string> email;
};

// Checks a sign-up's fields; display_name defaults to the username.
void CheckSignUp(const SignUpRequest& request, FieldErrors& errors);

// Reports a display name that is not 1-100 code points.
void CheckDisplayName(std::string_view field, const std::string& display_name, FieldErrors& errors);

// A partial update: absent members are left alone; `email` may be set to null.
struct UserPatch {
  std::optional<std::string> display_name;
  std::optional<std::optional<std::string>> email;
  std::optional<std::string> password;
  std::optional<std::string> current_password;
};

// User's members, in the order the contract's JSON shows them, each under the one name it has in
// JSON, as a SQLite column and as a DynamoDB attribute (domain/fields.h). `email` is shown only to
// the user itself and admins (Shown::kToOwnerAndAdmins). is_athlete is derived by each store from
// the athlete profile (kDerived). Not members, so written by hand and never encoded: the password
// hash, the username key and, in DynamoDB, the session epoch; a PATCH body's password and
// current_password.
inline constexpr auto kUserFields =
    std::make_tuple(ServerField("id", &User::id, FieldWrite::kCreation),
                    ServerField("username", &User::username, FieldWrite::kCreation),
                    ClientField("display_name", &User::display_name, &UserPatch::display_name,
                                Presence::kOptional, &CheckDisplayName),
                    ClientField("email", &User::email, &UserPatch::email, Presence::kOptional,
                                &EmailAddress, Shown::kToOwnerAndAdmins),
                    ServerField("is_athlete", &User::is_athlete, FieldWrite::kDerived),
                    ServerField("is_admin", &User::is_admin, FieldWrite::kEveryWrite),
                    ServerField("created_at", &User::created_at, FieldWrite::kCreation),
                    ServerField("updated_at", &User::updated_at, FieldWrite::kEveryWrite),
                    ServerField("version", &User::version, FieldWrite::kEveryWrite));

// Who is changing an account: the user itself must give current_password with a new password;
// an admin resetting someone else's password need not.
enum class PatchedBy { kSelf, kAdmin };

// Validates `patch` and applies its profile fields (not the password) to `user`; on error `user`
// is left as it was.
Status ApplyUserPatch(const UserPatch& patch, PatchedBy patched_by, User& user);

// A signed-in session. Only the SHA-256 of the token is ever stored.
struct Session {
  std::string token_hash;  // lowercase hex SHA-256 of the bearer token
  std::string user_id;
  Timestamp created_at{};
  Timestamp expires_at{};
};

}  // namespace tt
