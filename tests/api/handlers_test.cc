// The API's handlers in process, over a real SQLite store wrapped in a FaultyStore, to reach the
// error paths that a healthy store never takes: outages, and writes refused because something
// changed between a handler's check and its write.
#include "api/handlers.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

#include "api/change_encoder.h"
#include "api/response_cache.h"
#include "api/services.h"
#include "security/secret_box.h"
#include "security/tokens.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/fast_hashing.h"
#include "support/faulty_store.h"
#include "support/run_sync.h"
#include "support/stale_reads.h"
#include "support/store_counters.h"
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
  ResponseCache responses_{size_t{32} << 20};  // set in services_ by the tests of cached reads
};

// ---- Cached reads (api/response_cache.h) -------------------------------------------------------

Request ListRequest(Params query) {
  Request request;
  request.query = std::move(query);
  return request;
}
// The name and version of each competition a list or batch answer holds, in order.
std::string NamesAndVersions(const Result<Response>& answer) {
  if (!answer.ok()) return "error: " + answer.error().message;
  std::string text;
  const boost::json::value body = boost::json::parse(answer->body);
  for (const boost::json::value& item : body.at("items").as_array()) {
    text += std::string(item.at("name").as_string()) + " v" +
            std::to_string(item.at("version").as_int64()) + "; ";
  }
  return text;
}
uint64_t Hits(const ResponseCache& cache) {
  return testing::CounterValue(cache.Counters(), "tt_response_cache_hits_total");
}

TEST_F(Handlers, CachedListsBatchesAndFeedsShowEveryWriteAnsweredBeforeThem) {
  services_.responses = &responses_;
  auto [user_id, token] = Account("fan");
  ASSERT_TRUE(BecomeAthlete(token));
  const std::string id = CreateCompetition(token);
  const Request list = ListRequest({{"from", "2027-06-01"}, {"to", "2027-06-30"}});
  const Request batch = ListRequest({{"ids", id}});
  Request feed;
  feed.path_params = {{"id", user_id}};
  feed.query = {{"from", "2027-01-01"}};
  feed.credentials = Credentials::Bearer(token);
  ASSERT_TRUE(RunSync(sqlite_->Follow(user_id, user_id, clock_.Now())).ok());

  // Each read twice: the second is answered from the cache, and says the same.
  const uint64_t hits = Hits(responses_);
  const std::string listed = NamesAndVersions(RunSync(ListCompetitions(services_, list)));
  EXPECT_EQ(listed, "Meet v1; ");
  EXPECT_EQ(NamesAndVersions(RunSync(ListCompetitions(services_, list))), listed);
  EXPECT_EQ(NamesAndVersions(RunSync(ListCompetitions(services_, batch))), listed);
  EXPECT_EQ(NamesAndVersions(RunSync(ListCompetitions(services_, batch))), listed);
  Result<Response> empty_feed = RunSync(Feed(services_, feed));
  ASSERT_TRUE(empty_feed.ok());
  EXPECT_EQ(RunSync(Feed(services_, feed))->body, empty_feed->body);
  EXPECT_EQ(Hits(responses_), hits + 3);

  // A competition's write, then an event's: the next reads show them.
  Result<Competition> competition = RunSync(sqlite_->GetCompetition(id));
  ASSERT_TRUE(competition.ok());
  competition->name = "Renamed";
  competition->version = 2;
  ASSERT_TRUE(RunSync(sqlite_->UpdateCompetition(*competition, 1)).ok());
  EXPECT_EQ(NamesAndVersions(RunSync(ListCompetitions(services_, list))), "Renamed v2; ");
  EXPECT_EQ(NamesAndVersions(RunSync(ListCompetitions(services_, batch))), "Renamed v2; ");
  ASSERT_TRUE(RunSync(CreateEvent(services_, AddEventRequest(user_id, id, token))).ok());
  Result<Response> fed = RunSync(Feed(services_, feed));
  ASSERT_TRUE(fed.ok());
  EXPECT_NE(fed->body, empty_feed->body);
  EXPECT_NE(fed->body.find("Renamed"), std::string::npos) << fed->body;

  // Another user's token reads no cached feed: access is checked before the cache.
  auto [other_id, other_token] = Account("other");
  feed.credentials = Credentials::Bearer(other_token);
  Result<Response> refused = RunSync(Feed(services_, feed));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

TEST_F(Handlers, ABatchOfSomeCachedIdsAnswersAsAnUncachedOneDoes) {
  auto [user_id, token] = Account("organiser");
  const std::string a = CreateCompetition(token);
  const std::string b = CreateCompetition(token);
  const std::string c = CreateCompetition(token);
  const std::string unknown = "00000000-0000-4000-8000-000000000000";
  const Request mixed = ListRequest(
      {{"ids", c + "," + a + ",not-an-id," + unknown + "," + a + "," + b + ",not-an-id," + c}});
  Result<Response> uncached = RunSync(ListCompetitions(services_, mixed));
  ASSERT_TRUE(uncached.ok());

  services_.responses = &responses_;
  ASSERT_TRUE(RunSync(ListCompetitions(services_, ListRequest({{"ids", a + "," + c}}))).ok());
  const uint64_t hits = Hits(responses_);
  Result<Response> partly_cached = RunSync(ListCompetitions(services_, mixed));
  ASSERT_TRUE(partly_cached.ok());
  EXPECT_EQ(Hits(responses_), hits + 2) << "a and c from the cache, b from the store";
  EXPECT_EQ(partly_cached->body, uncached->body);
  Result<Response> all_cached = RunSync(ListCompetitions(services_, mixed));
  ASSERT_TRUE(all_cached.ok());
  EXPECT_EQ(all_cached->body, uncached->body);
  const boost::json::value body = boost::json::parse(uncached->body);
  EXPECT_EQ(body.at("items").as_array().size(), 3U);
  EXPECT_EQ(boost::json::serialize(body.at("missing")), "[\"not-an-id\",\"" + unknown + "\"]");
}

TEST_F(Handlers, ABatchWhoseStoreReadFailsAnswersTheErrorEvenWithSomeIdsCached) {
  services_.responses = &responses_;
  auto [user_id, token] = Account("organiser");
  const std::string a = CreateCompetition(token);
  const std::string b = CreateCompetition(token);
  ASSERT_TRUE(RunSync(ListCompetitions(services_, ListRequest({{"ids", a}}))).ok());
  store_.Fail("GetCompetitions", Error::Unavailable(), 1);
  Result<Response> failed =
      RunSync(ListCompetitions(services_, ListRequest({{"ids", a + "," + b}})));
  ASSERT_FALSE(failed.ok()) << "a cached half is no answer";
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(
      NamesAndVersions(RunSync(ListCompetitions(services_, ListRequest({{"ids", a + "," + b}})))),
      "Meet v1; Meet v1; ");
}

TEST_F(Handlers, NoCachedListOrBatchIsOlderThanAnAnsweredWrite) {
  services_.responses = &responses_;
  auto [user_id, token] = Account("organiser");
  const std::string id = CreateCompetition(token);
  Result<Competition> competition = RunSync(sqlite_->GetCompetition(id));
  ASSERT_TRUE(competition.ok());

  const Request list = ListRequest({{"from", "2027-06-01"}, {"to", "2027-06-30"}});
  const Request batch = ListRequest({{"ids", id}});
  const testing::StaleReads counted = testing::CountStaleReads(
      4, 200,
      [&](int reader) -> int64_t {
        Result<Response> answer =
            RunSync(ListCompetitions(services_, reader % 2 == 0 ? list : batch));
        if (!answer.ok()) return 0;
        const boost::json::value body = boost::json::parse(answer->body);
        const boost::json::array& items = body.at("items").as_array();
        return items.size() == 1 ? items[0].at("version").as_int64() : 0;
      },
      [&](int64_t version) {
        competition->version = version;
        competition->name = "Meet " + std::to_string(version);
        return RunSync(sqlite_->UpdateCompetition(*competition, version - 1)).ok();
      });
  EXPECT_EQ(counted.stale, 0) << "of " << counted.reads << " reads";
  EXPECT_GT(Hits(responses_), 0U);
}

TEST_F(Handlers, NothingIsCachedOnAStoreWithoutReadGenerations) {
  services_.responses = &responses_;
  store_.HideReadGenerations();
  auto [user_id, token] = Account("organiser");
  const std::string id = CreateCompetition(token);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(RunSync(ListCompetitions(services_, ListRequest({{"ids", id}}))).ok());
    EXPECT_TRUE(RunSync(ListCompetitions(services_, ListRequest({}))).ok());
  }
  EXPECT_EQ(Hits(responses_), 0U);
  EXPECT_EQ(testing::CounterValue(responses_.Counters(), "tt_response_cache_bytes"), 0U);
}

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
  Result<Response> created =
      RunSync(CreateWebhook(services_, JsonRequest("POST", {},
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
