#include "domain/user.h"

namespace tt {
namespace {

void CheckDisplayName(std::string_view display_name, FieldErrors& errors) {
  CheckLength("display_name", display_name, 1, 100, errors);
}

}  // namespace

void CheckSignUp(const SignUpRequest& request, FieldErrors& errors) {
  CheckUsername("username", request.username, errors);
  CheckPassword("password", request.password, errors);
  if (request.display_name) CheckDisplayName(*request.display_name, errors);
  if (request.email) CheckEmail("email", *request.email, errors);
}

Status ApplyUserPatch(const UserPatch& patch, PatchedBy patched_by, User& user) {
  FieldErrors errors;
  if (patch.display_name) CheckDisplayName(*patch.display_name, errors);
  if (patch.email && *patch.email) CheckEmail("email", **patch.email, errors);
  if (patch.password) {
    CheckPassword("password", *patch.password, errors);
    // Whether it matches is the API layer's job (it holds the hash); here it must only be there.
    if (patched_by == PatchedBy::kSelf && !patch.current_password)
      errors.Add("current_password", "is required");
  }
  if (!errors.empty()) return errors.ToError();
  if (patch.display_name) user.display_name = *patch.display_name;
  if (patch.email) user.email = *patch.email;
  return Status::Ok();
}

}  // namespace tt
