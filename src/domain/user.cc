#include "domain/user.h"

#include <utility>

namespace tt {

void CheckDisplayName(std::string_view field, const std::string& display_name,
                      FieldErrors& errors) {
  CheckLength(field, display_name, 1, 100, errors);
}

void CheckSignUp(const SignUpRequest& request, FieldErrors& errors) {
  CheckUsername("username", request.username, errors);
  CheckPassword("password", request.password, errors);
  if (request.display_name) CheckDisplayName("display_name", *request.display_name, errors);
  if (request.email) CheckEmail("email", *request.email, errors);
}

Status ApplyUserPatch(const UserPatch& patch, PatchedBy patched_by, User& user) {
  FieldErrors errors;
  // Applied to a copy, kept only if every field is valid.
  User patched = user;
  ApplyPatchFields(kUserFields, patch, /*creating=*/false, patched, errors);
  if (patch.password) {
    CheckPassword("password", *patch.password, errors);
    // Whether it matches is the API layer's job (it holds the hash); here it must only be there.
    if (patched_by == PatchedBy::kSelf && !patch.current_password)
      errors.Add("current_password", "is required");
  }
  if (!errors.empty()) return errors.ToError();
  user = std::move(patched);
  return Status::Ok();
}

}  // namespace tt
