// The API's handlers in process, over a real SQLite store wrapped in a FaultyStore, to reach the
// error paths that a healthy store never takes: outages, and writes refused because something
// changed between a handler's check and its write.
#include "api/handlers.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/change_encoder.h"
#include "api/services.h"
#include "security/secret_box.h"
#include "security/tokens.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/fast_hashing.h"
#include "support/faulty_store.h"
#include "support/run_sync.h"
#include "support/temp_dir.h"

namespace tt::api {
namespace {

using testing::FastHashing;
using testing::FaultyStore;
using testing::RunSync;

class Handlers : public ::testing::Test {
 protected:
  Handlers()
      : sqlite_(std::move(SqliteStore::Open({.path = (dir_.path() / "t.db").string(),
                                             .change_encoder = api::MakeChangeEncoder()},
                                            logger_)
                              .value())),
        store_(*sqlite_),
        hasher_(FastHashing()),
        services_{store_, hasher_, clock_, random_, logger_, {}} {}

  static Request JsonRequest(std::string method, Params path_params, boost::json::object body,
                             std::string token = "") {
    Request request;
    request.method = std::move(method);
    request.path_params = std::move(path_params);
    request.json_body = true;
    request.body = boost::json::serialize(body);
    if (!token.empty()) request.credentials = Credentials::Bearer(token);
    return request;
  }

  // A signed-up, signed-in user: its id and token.
  std::pair<std::string, std::string> Account(const std::string& username) {
    Result<Response> user = RunSync(SignUp(
        services_, JsonRequest("POST", {}, {{"username", username}, {"password", "long enough"}})));
    EXPECT_TRUE(user.ok());
    Result<Response> session = RunSync(SignIn(
        services_, JsonRequest("POST", {}, {{"username", username}, {"password", "long enough"}})));
    EXPECT_TRUE(session.ok());
    return {std::string(boost::json::parse(user->body).at("id").as_string()),
            std::string(boost::json::parse(session->body).at("token").as_string())};
  }

  // POST /athletes/{id}/events: a 100m on the first day of CreateCompetition's meet.
  static Request AddEventRequest(const std::string& athlete_id, const std::string& competition,
                                 const std::string& token) {
    return JsonRequest("POST", {{"id", athlete_id}},
                       {{"competition_id", competition},
                        {"name", "100m"},
                        {"date_time", "2027-06-10T18:00:00+02:00"}},
                       token);
  }

  // Makes the signed-in user an athlete.
  bool BecomeAthlete(const std::string& token) {
    return RunSync(CreateAthlete(
                       services_,
                       JsonRequest("POST", {}, {{"first_name", "A"}, {"last_name", "B"}}, token)))
        .ok();
  }

  std::string CreateCompetition(const std::string& token) {
    Result<Response> created =
        RunSync(api::CreateCompetition(services_, JsonRequest("POST", {},
                                                              {{"name", "Meet"},
                                                               {"location", "Oslo"},
                                                               {"start_date", "2027-06-10"},
                                                               {"end_date", "2027-06-11"}},
                                                              token)));
    EXPECT_TRUE(created.ok());
    return std::string(boost::json::parse(created->body).at("id").as_string());
  }

  testing::TempDir dir_;
  Logger logger_{LogLevel::kOff};
  std::unique_ptr<SqliteStore> sqlite_;
  FaultyStore store_;
  PasswordHasher hasher_;
  SystemClock clock_;
  SodiumRandom random_;
  Services services_;
};

TEST_F(Handlers, ReadinessFailsWhileTheStoreDoesNotAnswerAndRecovers) {
  store_.Fail("Ping", Error::Unavailable());
  Result<Response> down = RunSync(Readyz(services_, Request{}));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  store_.Heal();
  EXPECT_TRUE(RunSync(Readyz(services_, Request{})).ok());
}

TEST_F(Handlers, AStorageOutageIsUnavailableNotNotFound) {
  auto [user_id, token] = Account("outage");
  std::string id = CreateCompetition(token);
  store_.Fail("GetCompetition", Error::Unavailable());
  Request get;
  get.path_params = {{"id", id}};
  Result<Response> answer = RunSync(GetCompetition(services_, get));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUnavailable);
}

TEST_F(Handlers, APublicReadWithATokenFailsWhenTheSessionCannotBeCheckedRatherThanGuess) {
  auto [user_id, token] = Account("owner");
  store_.Fail("FindSession", Error::Unavailable());
  Request get;
  get.path_params = {{"id", user_id}};
  get.credentials = Credentials::Bearer(token);
  Result<Response> answer = RunSync(GetUser(services_, get));
  ASSERT_FALSE(answer.ok()) << "answering as anonymous would hide the owner's email silently";
  EXPECT_EQ(answer.error().code, ErrorCode::kUnavailable);
}

TEST_F(Handlers, AnEventWriteRefusedBecauseTheCompetitionWentAwayIsA422) {
  auto [athlete_id, token] = Account("athlete");
  ASSERT_TRUE(BecomeAthlete(token));
  std::string competition = CreateCompetition(token);
  // The handler's own check passes; then the competition is gone when the store writes, and
  // gone when the handler checks again.
  store_.Fail("CreateEvent", Error::NotFound("no such competition"), 1);
  store_.Fail("GetCompetition", Error::NotFound("no such competition"), 1, /*skip=*/1);
  Result<Response> created =
      RunSync(CreateEvent(services_, AddEventRequest(athlete_id, competition, token)));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kValidationFailed);
  EXPECT_TRUE(created.error().fields.contains("competition_id"));
}

TEST_F(Handlers, AnEventWriteRefusedForAReasonThatStillHoldsKeepsTheStoresAnswer) {
  auto [athlete_id, token] = Account("athlete2");
  ASSERT_TRUE(BecomeAthlete(token));
  std::string competition = CreateCompetition(token);
  store_.Fail("CreateEvent", Error::Conflict("refused"), 1);
  Result<Response> created =
      RunSync(CreateEvent(services_, AddEventRequest(athlete_id, competition, token)));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kConflict);
}

TEST_F(Handlers, APatchWithoutIfMatchThatLosesARaceIsRetriedAndGivesUpWith409) {
  auto [user_id, token] = Account("editor");
  std::string id = CreateCompetition(token);
  Request patch = JsonRequest("PATCH", {{"id", id}}, {{"name", "Renamed"}}, token);

  store_.Fail("UpdateCompetition", Error::PreconditionFailed(), 2);
  Result<Response> retried = RunSync(PatchCompetition(services_, patch));
  EXPECT_TRUE(retried.ok()) << "two lost races, then a write";

  store_.Fail("UpdateCompetition", Error::PreconditionFailed());
  Result<Response> gave_up = RunSync(PatchCompetition(services_, patch));
  ASSERT_FALSE(gave_up.ok());
  EXPECT_EQ(gave_up.error().code, ErrorCode::kConflict);

  patch.if_match_version = 2;
  Result<Response> with_if_match = RunSync(PatchCompetition(services_, patch));
  ASSERT_FALSE(with_if_match.ok());
  EXPECT_EQ(with_if_match.error().code, ErrorCode::kPreconditionFailed)
      << "with If-Match a lost race is the client's 412, not retried";
}

// Every PATCH is a read-modify-write with the same race rule as competitions' above: without
// If-Match a lost race is tried again; with it, the 412 is the client's.
TEST_F(Handlers, EveryPatchWithoutIfMatchRetriesALostRaceAndWithIfMatchAnswers412) {
  auto [athlete_id, token] = Account("athlete");
  ASSERT_TRUE(BecomeAthlete(token));
  std::string competition = CreateCompetition(token);
  Result<Response> event =
      RunSync(CreateEvent(services_, AddEventRequest(athlete_id, competition, token)));
  ASSERT_TRUE(event.ok());
  const std::string event_id(boost::json::parse(event->body).at("id").as_string());

  struct Case {
    std::string store_method;
    Reply (*handler)(const Services&, const Request&);
    Request request;
  };
  std::vector<Case> cases = {
      {"UpdateUser", &PatchUser,
       JsonRequest("PATCH", {{"id", athlete_id}}, {{"display_name", "Renamed"}}, token)},
      {"UpdateAthlete", &PatchAthlete,
       JsonRequest("PATCH", {{"id", athlete_id}}, {{"team", "Club"}}, token)},
      {"UpdateEvent", &PatchEvent,
       JsonRequest("PATCH", {{"id", athlete_id}, {"event_id", event_id}}, {{"name", "200m"}},
                   token)},
  };
  for (Case& patch : cases) {
    SCOPED_TRACE(patch.store_method);
    store_.Fail(patch.store_method, Error::PreconditionFailed(), 2);
    Result<Response> retried = RunSync(patch.handler(services_, patch.request));
    EXPECT_TRUE(retried.ok()) << "two lost races, then a write";

    store_.Fail(patch.store_method, Error::PreconditionFailed());
    Result<Response> gave_up = RunSync(patch.handler(services_, patch.request));
    ASSERT_FALSE(gave_up.ok());
    EXPECT_EQ(gave_up.error().code, ErrorCode::kConflict);

    patch.request.if_match_version = 2;
    Result<Response> with_if_match = RunSync(patch.handler(services_, patch.request));
    ASSERT_FALSE(with_if_match.ok());
    EXPECT_EQ(with_if_match.error().code, ErrorCode::kPreconditionFailed);
    store_.Fail(patch.store_method, Error::PreconditionFailed(), 0);
  }
}

// A webhook PATCH or DELETE reads the caller's session once: the admin check and the shared write
// flow use the same principal. With every session read after the first failing, both succeed.
TEST_F(Handlers, AWebhookPatchOrDeleteReadsTheCallersSessionOnce) {
  auto [admin_id, token] = Account("admin");
  Result<User> admin = RunSync(store_.GetUser(admin_id));
  ASSERT_TRUE(admin.ok());
  User promoted = *admin;
  promoted.is_admin = true;
  promoted.version += 1;
  ASSERT_TRUE(RunSync(store_.UpdateUser(promoted, admin->version, std::nullopt, "")).ok());
  const SecretBox box(SecretBox::Key{});
  services_.webhook_secrets = &box;
  Result<Response> created = RunSync(CreateWebhook(
      services_, JsonRequest("POST", {},
                             {{"url", "https://hooks.example.com/in"},
                              {"types", boost::json::array{"event.created"}}},
                             token)));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id(boost::json::parse(created->body).at("id").as_string());

  store_.Fail("FindSession", Error::Unavailable(), /*times=*/1, /*skip=*/1);
  Result<Response> patched = RunSync(PatchWebhook(
      services_, JsonRequest("PATCH", {{"id", id}}, {{"description", "renamed"}}, token)));
  EXPECT_TRUE(patched.ok()) << patched.error().message;

  store_.Fail("FindSession", Error::Unavailable(), /*times=*/1, /*skip=*/1);
  Request remove;
  remove.method = "DELETE";
  remove.path_params = {{"id", id}};
  remove.credentials = Credentials::Bearer(token);
  Result<Response> deleted = RunSync(DeleteWebhook(services_, remove));
  EXPECT_TRUE(deleted.ok()) << deleted.error().message;
}

}  // namespace
}  // namespace tt::api
