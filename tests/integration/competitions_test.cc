// Competitions over real HTTP, as ../shared/API.md specifies them.
#include <set>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

using Competitions = ApiTest;

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

TEST_F(Competitions, CreateAnswers201WithLocationETagAndTheWholeResource) {
  Account owner = SignUp();
  boost::json::object body = CompetitionBody("Prefontaine Classic", "2026-07-04", "2026-07-05");
  body["url"] = "https://example.com/pre";
  body["description"] = "Diamond League";
  HttpResponse created = client().Post("/competitions", body, owner.token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto competition = created.Json().as_object();
  std::string id = Str(competition.at("id"));
  EXPECT_EQ(created.Header("location"), "/competitions/" + id);
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  EXPECT_EQ(Str(competition.at("name")), "Prefontaine Classic");
  EXPECT_EQ(Str(competition.at("start_date")), "2026-07-04");
  EXPECT_EQ(Str(competition.at("end_date")), "2026-07-05");
  EXPECT_EQ(Str(competition.at("url")), "https://example.com/pre");
  EXPECT_EQ(Str(competition.at("created_by")), owner.id);
  EXPECT_EQ(competition.at("version").as_int64(), 1);
  EXPECT_TRUE(Str(competition.at("created_at")).ends_with("Z"));

  HttpResponse fetched = client().Get("/competitions/" + id);
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.Json(), created.Json());
  EXPECT_EQ(fetched.Header("etag"), "\"1\"");
}

TEST_F(Competitions, CreateNeedsAToken) {
  HttpResponse response =
      client().Post("/competitions", CompetitionBody("Meet", "2026-01-01", "2026-01-01"));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(ErrorCodeOf(response), "unauthenticated");
}

TEST_F(Competitions, InvalidFieldsAre422NamingEachField) {
  Account owner = SignUp();
  boost::json::object body = CompetitionBody("", "2021-02-30", "2021-02-01");
  body["url"] = "ftp://example.com";
  body["location"] = std::string(201, 'x');
  HttpResponse response = client().Post("/competitions", body, owner.token);
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(NamesField(response, "name"));
  EXPECT_TRUE(NamesField(response, "location"));
  EXPECT_TRUE(NamesField(response, "start_date"));
  EXPECT_TRUE(NamesField(response, "url"));

  HttpResponse reversed = client().Post(
      "/competitions", CompetitionBody("Meet", "2026-05-02", "2026-05-01"), owner.token);
  EXPECT_EQ(reversed.status, 422);
  EXPECT_TRUE(NamesField(reversed, "end_date"));

  HttpResponse missing = client().Post("/competitions", {{"name", "Only a name"}}, owner.token);
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(NamesField(missing, "start_date"));
  EXPECT_TRUE(NamesField(missing, "location"));
}

TEST_F(Competitions, LengthLimitsCountCodePoints) {
  Account owner = SignUp();
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "\xC3\xA9";  // é: two bytes, one code point
  EXPECT_EQ(client()
                .Post("/competitions", CompetitionBody(two_hundred, "2026-01-01", "2026-01-01"),
                      owner.token)
                .status,
            201);
  EXPECT_EQ(client()
                .Post("/competitions",
                      CompetitionBody(two_hundred + "e", "2026-01-01", "2026-01-01"), owner.token)
                .status,
            422);
}

TEST_F(Competitions, LeapDaysAreRealDates) {
  Account owner = SignUp();
  EXPECT_EQ(
      client()
          .Post("/competitions", CompetitionBody("Leap", "2028-02-29", "2028-02-29"), owner.token)
          .status,
      201);
  EXPECT_EQ(client()
                .Post("/competitions", CompetitionBody("No leap", "2027-02-29", "2027-03-01"),
                      owner.token)
                .status,
            422);
}

TEST_F(Competitions, UnknownAndMalformedIdsAre404) {
  EXPECT_EQ(client().Get(std::string("/competitions/") + kUnknownId).status, 404);
  EXPECT_EQ(client().Get("/competitions/not-an-id").status, 404);
}

TEST_F(Competitions, PatchByTheCreatorChangesFieldsAndBumpsTheVersion) {
  Account owner = SignUp();
  auto competition = CreateCompetition(owner, "Bislett Games", "2026-06-11", "2026-06-11");
  std::string path = "/competitions/" + Str(competition.at("id"));
  HttpResponse patched =
      client().Patch(path, {{"end_date", "2026-06-12"}, {"url", nullptr}}, owner.token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Str(patched.Json().at("end_date")), "2026-06-12");
  EXPECT_EQ(Str(patched.Json().at("name")), "Bislett Games");
  EXPECT_TRUE(patched.Json().at("url").is_null());
  EXPECT_EQ(patched.Json().at("version").as_int64(), 2);
  EXPECT_EQ(patched.Header("etag"), "\"2\"");
  HttpResponse invalid = client().Patch(path, {{"end_date", "2026-06-01"}}, owner.token);
  EXPECT_EQ(invalid.status, 422);
  EXPECT_TRUE(NamesField(invalid, "end_date"));
}

TEST_F(Competitions, OnlyTheCreatorOrAnAdminMayChangeOrDelete) {
  Account owner = SignUp();
  Account other = SignUp();
  auto competition = CreateCompetition(owner, "Weltklasse", "2026-08-28", "2026-08-28");
  std::string path = "/competitions/" + Str(competition.at("id"));
  EXPECT_EQ(client().Patch(path, {{"name", "Mine now"}}, other.token).status, 403);
  EXPECT_EQ(client().Delete(path, other.token).status, 403);
  EXPECT_EQ(client().Patch(path, {{"name", "Mine now"}}).status, 401);
  EXPECT_EQ(client().Delete(path).status, 401);
  EXPECT_EQ(client()
                .Patch(std::string("/competitions/") + kUnknownId, {{"name", "x"}}, other.token)
                .status,
            404);
  GrantAdmin(other);
  other.token = SignIn(other.username, other.password);
  EXPECT_EQ(client().Patch(path, {{"name", "Renamed by admin"}}, other.token).status, 200);
  EXPECT_EQ(client().Delete(path, other.token).status, 204);
}

TEST_F(Competitions, AStaleIfMatchIs412AndChangesNothing) {
  Account owner = SignUp();
  auto competition = CreateCompetition(owner, "Golden Gala", "2026-06-04", "2026-06-04");
  std::string path = "/competitions/" + Str(competition.at("id"));
  ASSERT_EQ(client()
                .Patch(path, {{"name", "Golden Gala Pietro Mennea"}}, owner.token,
                       {{"If-Match", "\"1\""}})
                .status,
            200);
  HttpResponse stale =
      client().Patch(path, {{"name", "Lost update"}}, owner.token, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(ErrorCodeOf(stale), "precondition_failed");
  EXPECT_EQ(Str(client().Get(path).Json().at("name")), "Golden Gala Pietro Mennea");
  EXPECT_EQ(client().Delete(path, owner.token, {{"If-Match", "\"1\""}}).status, 412);
  EXPECT_EQ(client().Get(path).status, 200);
  EXPECT_EQ(client().Delete(path, owner.token, {{"If-Match", "\"2\""}}).status, 204);
}

TEST_F(Competitions, DeleteAnswers204AndTheCompetitionIsGone) {
  Account owner = SignUp();
  auto competition = CreateCompetition(owner, "Herculis", "2026-07-10", "2026-07-10");
  std::string path = "/competitions/" + Str(competition.at("id"));
  HttpResponse deleted = client().Delete(path, owner.token);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(client().Get(path).status, 404);
  EXPECT_EQ(client().Delete(path, owner.token).status, 404);
}

TEST_F(Competitions, BatchGetKeepsTheAskedOrderAndReportsMissingIds) {
  Account owner = SignUp();
  std::string a = Str(CreateCompetition(owner, "A", "2026-01-01", "2026-01-01").at("id"));
  std::string b = Str(CreateCompetition(owner, "B", "2026-01-02", "2026-01-02").at("id"));
  HttpResponse batch =
      client().Get("/competitions?ids=" + b + "," + kUnknownId + "," + a + "," + b + ",bogus");
  ASSERT_EQ(batch.status, 200) << batch.body;
  auto items = batch.Json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(Str(items[0].at("id")), b);
  EXPECT_EQ(Str(items[1].at("id")), a);
  auto missing = batch.Json().at("missing").as_array();
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(Str(missing[0]), kUnknownId);
  EXPECT_EQ(Str(missing[1]), "bogus");

  HttpResponse posted =
      client().Post("/competitions/batch-get", {{"ids", {b, kUnknownId, a, b, "bogus"}}});
  ASSERT_EQ(posted.status, 200);
  EXPECT_EQ(posted.Json(), batch.Json());
}

TEST_F(Competitions, BatchGetTakesOneToOneHundredIds) {
  std::string ids;
  boost::json::array id_list;
  for (int i = 0; i < 101; ++i) {
    ids += (i ? "," : "") + std::string(kUnknownId);
    id_list.emplace_back(kUnknownId);
  }
  HttpResponse too_many = client().Get("/competitions?ids=" + ids);
  EXPECT_EQ(too_many.status, 422);
  EXPECT_TRUE(NamesField(too_many, "ids"));
  EXPECT_EQ(client().Post("/competitions/batch-get", {{"ids", id_list}}).status, 422);
  EXPECT_EQ(client().Post("/competitions/batch-get", {{"ids", boost::json::array{}}}).status, 422);
  EXPECT_EQ(client().Post("/competitions/batch-get", {{"ids", "not a list"}}).status, 422);
  EXPECT_EQ(client().Get("/competitions?ids=").status, 422);
}

TEST_F(Competitions, ListFiltersByDateOverlapAndText) {
  Account owner = SignUp();
  CreateCompetition(owner, "Winter Indoor", "2026-02-01", "2026-02-02");
  CreateCompetition(owner, "Spring Relays", "2026-03-30", "2026-04-02");
  CreateCompetition(owner, "Summer Games", "2026-07-01", "2026-07-03");
  HttpResponse april = client().Get("/competitions?from=2026-04-01&to=2026-06-30");
  ASSERT_EQ(april.status, 200) << april.body;
  auto items = april.Json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items[0].at("name")), "Spring Relays");
  EXPECT_TRUE(april.Json().at("next_cursor").is_null());

  HttpResponse edge = client().Get("/competitions?from=2026-02-02&to=2026-03-30");
  EXPECT_EQ(edge.Json().at("items").as_array().size(), 2u);

  HttpResponse text = client().Get("/competitions?q=SUMMER");
  ASSERT_EQ(text.Json().at("items").as_array().size(), 1u);
  HttpResponse by_location = client().Get("/competitions?q=eugene");
  EXPECT_EQ(by_location.Json().at("items").as_array().size(), 3u);
}

TEST_F(Competitions, ListPagesByStartDateThenIdWithoutLossOrRepeats) {
  Account owner = SignUp();
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i) {
    std::string day = "2026-05-0" + std::to_string(1 + i % 3);
    created.insert(Str(CreateCompetition(owner, "Meet " + std::to_string(i), day, day).at("id")));
  }
  std::vector<std::pair<std::string, std::string>> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    HttpResponse response =
        client().Get("/competitions?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(response.status, 200) << response.body;
    boost::json::value body = response.Json();
    for (const auto& item : body.at("items").as_array()) {
      seen.emplace_back(Str(item.at("start_date")), Str(item.at("id")));
    }
    if (response.Json().at("next_cursor").is_null()) break;
    cursor = Str(response.Json().at("next_cursor"));
  }
  ASSERT_EQ(seen.size(), created.size());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  std::set<std::string> ids;
  for (const auto& [day, id] : seen) ids.insert(id);
  EXPECT_EQ(ids, created);
}

TEST_F(Competitions, BadListParametersAre422NamingThem) {
  HttpResponse limit = client().Get("/competitions?limit=0");
  EXPECT_EQ(limit.status, 422);
  EXPECT_TRUE(NamesField(limit, "limit"));
  EXPECT_EQ(client().Get("/competitions?limit=201").status, 422);
  EXPECT_EQ(client().Get("/competitions?limit=ten").status, 422);
  HttpResponse from = client().Get("/competitions?from=2026-13-01");
  EXPECT_EQ(from.status, 422);
  EXPECT_TRUE(NamesField(from, "from"));
  HttpResponse cursor = client().Get("/competitions?cursor=garbage");
  EXPECT_EQ(cursor.status, 422);
  EXPECT_TRUE(NamesField(cursor, "cursor"));
  EXPECT_EQ(client().Get("/competitions?limit=200").status, 200);
}

TEST_F(Competitions, TwentyParallelPatchesWithOneIfMatchGiveExactlyOne200) {
  Account owner = SignUp();
  auto competition = CreateCompetition(owner, "Race", "2026-09-01", "2026-09-02");
  std::string path = "/competitions/" + Str(competition.at("id"));
  std::vector<int> statuses(20);
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = client()
                        .Patch(path, {{"name", "Editor " + std::to_string(i)}}, owner.token,
                               {{"If-Match", "\"1\""}})
                        .status;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 412), 19);
  EXPECT_EQ(client().Get(path).Json().at("version").as_int64(), 2);
}

TEST_F(Competitions, AnAnsweredWriteSurvivesKillNine) {
  Account owner = SignUp();
  std::string id =
      Str(CreateCompetition(owner, "Durable Meet", "2026-10-01", "2026-10-01").at("id"));
  server().Kill();
  server().Restart();
  client_ = std::make_unique<HttpClient>(server().port());
  HttpResponse fetched = client().Get("/competitions/" + id);
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(client().Get("/users/me", owner.token).status, 200);
}

}  // namespace
}  // namespace tt::testing
