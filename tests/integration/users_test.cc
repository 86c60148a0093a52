// Users and sign-in over real HTTP, as ../shared/API.md specifies them.
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

using Users = ApiTest;

TEST_F(Users, SignUpAnswers201WithTheUserLocationAndETag) {
  HttpResponse response = client().Post(
      "/users",
      {{"username", "Usain.Bolt"}, {"password", "lightning-9.58"}, {"email", "usain@example.com"}});
  ASSERT_EQ(response.status, 201) << response.body;
  auto user = response.Json().as_object();
  EXPECT_EQ(Str(user.at("username")), "Usain.Bolt");
  EXPECT_EQ(Str(user.at("display_name")), "Usain.Bolt");
  EXPECT_EQ(Str(user.at("email")), "usain@example.com");
  EXPECT_EQ(user.at("is_athlete").as_bool(), false);
  EXPECT_EQ(user.at("is_admin").as_bool(), false);
  EXPECT_EQ(user.at("version").as_int64(), 1);
  EXPECT_FALSE(user.contains("password"));
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_EQ(response.Header("location"), "/users/" + Str(user.at("id")));
  EXPECT_EQ(response.Header("etag"), "\"1\"");
  EXPECT_TRUE(response.Header("content-type").starts_with("application/json"));
}

TEST_F(Users, SignUpRejectsInvalidFieldsNamingEachOne) {
  HttpResponse response = client().Post(
      "/users", {{"username", "no spaces!"}, {"password", "short"}, {"email", "not-an-email"}});
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(ErrorCodeOf(response), "validation_failed");
  EXPECT_TRUE(NamesField(response, "username"));
  EXPECT_TRUE(NamesField(response, "password"));
  EXPECT_TRUE(NamesField(response, "email"));
}

TEST_F(Users, SignUpRequiresUsernameAndPassword) {
  HttpResponse response = client().Post("/users", boost::json::object{});
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(NamesField(response, "username"));
  EXPECT_TRUE(NamesField(response, "password"));
  HttpResponse wrong_type = client().Post("/users", {{"username", 42}, {"password", true}});
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_TRUE(NamesField(wrong_type, "username"));
}

TEST_F(Users, UsernameLengthLimitsAreEnforced) {
  EXPECT_EQ(client().Post("/users", {{"username", "ab"}, {"password", "long enough"}}).status, 422);
  EXPECT_EQ(client()
                .Post("/users", {{"username", std::string(33, 'a')}, {"password", "long enough"}})
                .status,
            422);
  EXPECT_EQ(client()
                .Post("/users", {{"username", std::string(32, 'a')}, {"password", "long enough"}})
                .status,
            201);
  EXPECT_EQ(
      client().Post("/users", {{"username", "abc"}, {"password", std::string(257, 'p')}}).status,
      422);
}

TEST_F(Users, UsernamesAreUniqueCaseInsensitively) {
  ASSERT_EQ(client().Post("/users", {{"username", "Faith"}, {"password", "kipyegon-1500"}}).status,
            201);
  HttpResponse taken =
      client().Post("/users", {{"username", "fAITH"}, {"password", "other-password"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(ErrorCodeOf(taken), "conflict");
}

TEST_F(Users, ABodyThatIsNotJsonIs400AndANonJsonMediaTypeIs415) {
  std::string text = "{not json";
  EXPECT_EQ(client().Send("POST", "/users", "", &text).status, 400);
  std::string array = "[1,2]";
  EXPECT_EQ(client().Send("POST", "/users", "", &array).status, 400);
  std::string invalid_utf8 = "{\"username\": \"a\xff\xfe\"}";
  EXPECT_EQ(client().Send("POST", "/users", "", &invalid_utf8).status, 400);
  std::string form = "username=a&password=b";
  HttpResponse unsupported = client().Send("POST", "/users", "", &form,
                                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(unsupported.status, 415);
  EXPECT_EQ(ErrorCodeOf(unsupported), "unsupported_media_type");
  std::string json = R"({"username": "charset_ok", "password": "long enough"})";
  EXPECT_EQ(
      client()
          .Send("POST", "/users", "", &json, {{"Content-Type", "application/json; charset=utf-8"}})
          .status,
      201);
}

TEST_F(Users, SignInGivesATokenThatIdentifiesTheUser) {
  Account account = SignUp();
  HttpResponse me = client().Get("/users/me", account.token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Str(me.Json().at("id")), account.id);
  // Sign-in matches the username case-insensitively.
  std::string upper = account.username;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  HttpResponse session =
      client().Post("/sessions", {{"username", upper}, {"password", account.password}});
  ASSERT_EQ(session.status, 201);
  EXPECT_EQ(Str(session.Json().at("user").at("id")), account.id);
  EXPECT_TRUE(session.Json().as_object().contains("expires_at"));
  EXPECT_EQ(Str(session.Json().at("token")).size(), 43u);
}

TEST_F(Users, TheTokenSchemeIsAcceptedBesideBearer) {
  Account account = SignUp();
  HttpResponse me = client().Get("/users/me", "", {{"Authorization", "Token " + account.token}});
  EXPECT_EQ(me.status, 200);
  HttpResponse basic = client().Get("/users/me", "", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(basic.status, 401);
}

TEST_F(Users, UnknownUserAndWrongPasswordGiveTheSame401) {
  Account account = SignUp();
  HttpResponse wrong =
      client().Post("/sessions", {{"username", account.username}, {"password", "wrong password"}});
  HttpResponse unknown =
      client().Post("/sessions", {{"username", "nobody_here"}, {"password", "wrong password"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_F(Users, SignOutRevokesTheTokenAtOnce) {
  Account account = SignUp();
  EXPECT_EQ(client().Delete("/sessions/current", account.token).status, 204);
  HttpResponse after = client().Get("/users/me", account.token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(ErrorCodeOf(after), "unauthenticated");
  EXPECT_EQ(client().Delete("/sessions/current", account.token).status, 401);
}

TEST_F(Users, MissingOrGarbageTokensAre401) {
  EXPECT_EQ(client().Get("/users/me").status, 401);
  EXPECT_EQ(client().Get("/users/me", "garbage-token").status, 401);
}

TEST_F(Users, TenFailedSignInsLockTheUsernameWith429AndRetryAfter) {
  Account account = SignUp();
  for (int i = 0; i < 10; ++i) {
    HttpResponse failed = client().Post(
        "/sessions", {{"username", account.username}, {"password", "wrong password"}});
    ASSERT_EQ(failed.status, 401) << "attempt " << i;
  }
  HttpResponse locked =
      client().Post("/sessions", {{"username", account.username}, {"password", account.password}});
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(ErrorCodeOf(locked), "rate_limited");
  ASSERT_TRUE(locked.HasHeader("retry-after"));
  int retry_after = std::stoi(locked.Header("retry-after"));
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 15 * 60);
  // Another username is not affected.
  Account other = SignUp();
  EXPECT_FALSE(other.token.empty());
}

TEST_F(Users, EmailIsShownOnlyToItsOwnerAndAdmins) {
  Account owner = SignUp();
  Account stranger = SignUp();
  ASSERT_EQ(
      client().Patch("/users/" + owner.id, {{"email", "owner@example.com"}}, owner.token).status,
      200);
  EXPECT_FALSE(client().Get("/users/" + owner.id).Json().as_object().contains("email"));
  EXPECT_FALSE(
      client().Get("/users/" + owner.id, stranger.token).Json().as_object().contains("email"));
  EXPECT_EQ(Str(client().Get("/users/" + owner.id, owner.token).Json().at("email")),
            "owner@example.com");
}

TEST_F(Users, AMalformedOrUnknownIdIs404) {
  EXPECT_EQ(client().Get("/users/not-a-uuid").status, 404);
  HttpResponse unknown = client().Get("/users/3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
}

TEST_F(Users, PatchChangesTheProfileAndBumpsTheVersion) {
  Account account = SignUp();
  HttpResponse patched =
      client().Patch("/users/" + account.id, {{"display_name", "Sydney"}}, account.token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Str(patched.Json().at("display_name")), "Sydney");
  EXPECT_EQ(patched.Json().at("version").as_int64(), 2);
  EXPECT_EQ(patched.Header("etag"), "\"2\"");
  HttpResponse stale = client().Patch("/users/" + account.id, {{"display_name", "Old"}},
                                      account.token, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Str(client().Get("/users/" + account.id).Json().at("display_name")), "Sydney");
}

TEST_F(Users, OnlyTheUserOrAnAdminMayChangeOrDeleteIt) {
  Account owner = SignUp();
  Account stranger = SignUp();
  EXPECT_EQ(client().Patch("/users/" + owner.id, {{"display_name", "x"}}, stranger.token).status,
            403);
  EXPECT_EQ(client().Delete("/users/" + owner.id, stranger.token).status, 403);
  EXPECT_EQ(client().Patch("/users/" + owner.id, {{"display_name", "x"}}).status, 401);
  GrantAdmin(stranger);
  stranger.token = SignIn(stranger.username, stranger.password);
  HttpResponse by_admin =
      client().Patch("/users/" + owner.id, {{"display_name", "Set by admin"}}, stranger.token);
  EXPECT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_TRUE(by_admin.Json().as_object().contains("email"));
}

TEST_F(Users, APasswordChangeNeedsTheCurrentPasswordAndEndsOtherSessions) {
  Account account = SignUp();
  std::string other_session = SignIn(account.username, account.password);
  HttpResponse without =
      client().Patch("/users/" + account.id, {{"password", "a new password"}}, account.token);
  EXPECT_EQ(without.status, 422);
  EXPECT_TRUE(NamesField(without, "current_password"));
  HttpResponse wrong = client().Patch(
      "/users/" + account.id, {{"password", "a new password"}, {"current_password", "nope nope"}},
      account.token);
  EXPECT_EQ(wrong.status, 422);
  HttpResponse changed = client().Patch(
      "/users/" + account.id,
      {{"password", "a new password"}, {"current_password", account.password}}, account.token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(client().Get("/users/me", account.token).status, 200);
  EXPECT_EQ(client().Get("/users/me", other_session).status, 401);
  EXPECT_EQ(client()
                .Post("/sessions", {{"username", account.username}, {"password", account.password}})
                .status,
            401);
  EXPECT_FALSE(SignIn(account.username, "a new password").empty());
}

TEST_F(Users, DeletingAUserEndsItsSessionsAndFreesItsName) {
  Account account = SignUp();
  EXPECT_EQ(client().Delete("/users/" + account.id, account.token).status, 204);
  EXPECT_EQ(client().Get("/users/" + account.id).status, 404);
  EXPECT_EQ(client().Get("/users/me", account.token).status, 401);
  EXPECT_EQ(
      client().Post("/users", {{"username", account.username}, {"password", "long enough"}}).status,
      201);
}

TEST_F(Users, TwentyParallelSignUpsOfOneUsernameGiveExactlyOne201) {
  std::vector<int> statuses(20);
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] =
          client().Post("/users", {{"username", "Sprinter"}, {"password", "same password"}}).status;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 19);
}

TEST_F(Users, NoTokenOrPasswordAppearsInTheLog) {
  Account account = SignUp();
  client().Get("/users/me", account.token);
  std::string log = server().WaitForLog("route=/users/me");
  EXPECT_EQ(log.find(account.token), std::string::npos);
  EXPECT_EQ(log.find(account.password), std::string::npos);
  EXPECT_NE(log.find("route=/users/me"), std::string::npos) << log;
}

}  // namespace
}  // namespace tt::testing

namespace tt::testing {
namespace {

// Median wall time of `attempts` sign-ins with these credentials.
double MedianSignInMillis(const HttpClient& client, const std::string& username,
                          const std::string& password, int attempts) {
  std::vector<double> millis;
  for (int i = 0; i < attempts; ++i) {
    auto started = std::chrono::steady_clock::now();
    client.Post("/sessions", {{"username", username}, {"password", password}});
    millis.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
  }
  std::sort(millis.begin(), millis.end());
  return millis[millis.size() / 2];
}

// Not a benchmark: without the decoy hash an unknown username answers ~50x faster than a
// known one, which is what the generous bound below detects (and what would let an attacker
// enumerate usernames).
TEST_F(Users, SignInTakesAsLongForAnUnknownUserOrAWrongPasswordAsForTheRightOne) {
  Account account = SignUp();
  const double right = MedianSignInMillis(client(), account.username, account.password, 5);
  const double wrong = MedianSignInMillis(client(), account.username, "not the password", 5);
  const double unknown = MedianSignInMillis(client(), "nobody_at_all", "not the password", 5);
  EXPECT_GT(wrong, right * 0.3) << "right " << right << " ms, wrong " << wrong << " ms";
  EXPECT_GT(unknown, right * 0.3) << "right " << right << " ms, unknown " << unknown << " ms";
}

}  // namespace
}  // namespace tt::testing
