#include "domain/user.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

using Fields = std::map<std::string, std::string>;

Fields FieldsOf(const Status& status) { return status.ok() ? Fields{} : status.error().fields; }

Fields SignUpErrors(const SignUpRequest& request) {
  FieldErrors errors;
  CheckSignUp(request, errors);
  return FieldsOf(errors.ToStatus());
}

User ExistingUser() {
  User user;
  user.id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  user.username = "usain";
  user.display_name = "Usain";
  user.email = "usain@example.com";
  return user;
}

TEST(CheckSignUp, AcceptsAUsernameAndPassword) {
  EXPECT_EQ(SignUpErrors({"Usain.Bolt", "correct horse", std::nullopt, std::nullopt}), Fields{});
  EXPECT_EQ(SignUpErrors({"usain", "correct horse", "Usain Bolt", "usain@example.com"}), Fields{});
}

TEST(CheckSignUp, NamesEachBadField) {
  const Fields fields = SignUpErrors({"u", "short", "", "not-an-email"});
  EXPECT_TRUE(fields.contains("username"));
  EXPECT_EQ(fields.at("password"), "must be between 8 and 256 characters");
  EXPECT_EQ(fields.at("display_name"), "must not be empty");
  EXPECT_TRUE(fields.contains("email"));
  EXPECT_EQ(fields.size(), 4u);
}

TEST(CheckSignUp, LimitsDisplayNameTo100CodePoints) {
  std::string name;
  for (int i = 0; i < 100; ++i) name += "ß";
  EXPECT_EQ(SignUpErrors({"usain", "correct horse", name, std::nullopt}), Fields{});
  EXPECT_TRUE(
      SignUpErrors({"usain", "correct horse", name + "ß", std::nullopt}).contains("display_name"));
}

TEST(ApplyUserPatch, ChangesDisplayNameAndEmail) {
  User user = ExistingUser();
  UserPatch patch;
  patch.display_name = "Lightning";
  patch.email = std::optional<std::string>("bolt@example.com");
  ASSERT_TRUE(ApplyUserPatch(patch, PatchedBy::kSelf, user).ok());
  EXPECT_EQ(user.display_name, "Lightning");
  EXPECT_EQ(user.email, "bolt@example.com");
}

TEST(ApplyUserPatch, NullClearsTheEmailAndAbsenceKeepsIt) {
  User user = ExistingUser();
  ASSERT_TRUE(ApplyUserPatch({}, PatchedBy::kSelf, user).ok());
  EXPECT_EQ(user.email, "usain@example.com");
  UserPatch patch;
  patch.email = std::optional<std::string>();
  ASSERT_TRUE(ApplyUserPatch(patch, PatchedBy::kSelf, user).ok());
  EXPECT_FALSE(user.email);
}

TEST(ApplyUserPatch, RejectsBadValuesAndChangesNothing) {
  User user = ExistingUser();
  UserPatch patch;
  patch.display_name = "";
  patch.email = std::optional<std::string>("nope");
  const Status status = ApplyUserPatch(patch, PatchedBy::kSelf, user);
  EXPECT_EQ(FieldsOf(status).size(), 2u);
  EXPECT_EQ(user.display_name, "Usain");
  EXPECT_EQ(user.email, "usain@example.com");
}

TEST(ApplyUserPatch, PasswordChangeNeedsTheCurrentPassword) {
  User user = ExistingUser();
  UserPatch patch;
  patch.password = "a new long password";
  EXPECT_EQ(FieldsOf(ApplyUserPatch(patch, PatchedBy::kSelf, user)), (Fields{{"current_password", "is required"}}));
  patch.current_password = "whatever the API layer checks";
  EXPECT_TRUE(ApplyUserPatch(patch, PatchedBy::kSelf, user).ok());
}

TEST(ApplyUserPatch, AnAdminResetsAPasswordWithoutTheCurrentOne) {
  User user = ExistingUser();
  UserPatch patch;
  patch.password = "a new long password";
  EXPECT_TRUE(ApplyUserPatch(patch, PatchedBy::kAdmin, user).ok());
}

TEST(ApplyUserPatch, NewPasswordMustBeLongEnough) {
  User user = ExistingUser();
  UserPatch patch;
  patch.password = "short";
  patch.current_password = "the old one";
  EXPECT_EQ(FieldsOf(ApplyUserPatch(patch, PatchedBy::kSelf, user)),
            (Fields{{"password", "must be between 8 and 256 characters"}}));
}

}  // namespace
}  // namespace tt
